"""What every outcome form shares: draft or submitted, who submitted it and when, and column
helpers that keep each answer an SQL-countable column with the Insights labels."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format

from accounts.concurrency import version_field
from cases.choices import insights_choices
from cases.models import Option
from cases.models.case import CaseChild

# Long enough for the longest Insights label (checked by the tests).
ANSWER_LENGTH = 100


class FormStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


def answer(table_key: str, verbose_name: str, extra: tuple[str, ...] = ()) -> models.CharField:
    """A single answer: the table's options (+ "Don't know"); blank = missing."""
    choices = insights_choices(table_key) + [(label, label) for label in extra]
    return models.CharField(verbose_name, max_length=ANSWER_LENGTH, blank=True, choices=choices)


def choice(choices, verbose_name: str) -> models.CharField:
    return models.CharField(verbose_name, max_length=ANSWER_LENGTH, blank=True, choices=choices)


def options(table_key: str, verbose_name: str) -> models.ManyToManyField:
    """A multi-select: rows of cases.Option whose list_key is the Insights table key."""
    return models.ManyToManyField(
        Option,
        blank=True,
        related_name="+",
        limit_choices_to={"list_key": table_key},
        verbose_name=verbose_name,
    )


def dont_know(verbose_name: str = "Don't know") -> models.BooleanField:
    """ "Don't know" for a multi-select (an answer, unlike no option ticked, which is missing)."""
    return models.BooleanField(verbose_name, default=False)


def count(verbose_name: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(verbose_name, null=True, blank=True)


class OutcomeForm(CaseChild):
    """Base of the case-level forms. Subclasses redeclare `case` with their related_name."""

    status = models.CharField(max_length=10, choices=FormStatus.choices, default=FormStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Raised by every save, autosave included: two people (or two tabs) editing one form cannot
    # overwrite each other's answers unseen (accounts.concurrency).
    version = version_field()

    kind = ""  # "intake", "review", ... (the URL and registry key)
    date_field = ""  # the form's own date (completed, reviewed, exited...), if it has one

    class Meta:
        abstract = True

    @property
    def is_submitted(self) -> bool:
        return self.status == FormStatus.SUBMITTED

    @property
    def dated_on(self):
        """The day the form is about: its own date where answered, else the day it was started."""
        day = getattr(self, self.date_field, None) if self.date_field else None
        if day is None and self.created_at is not None:
            day = timezone.localdate(self.created_at)
        return day

    @property
    def display_name(self) -> str:
        """How the form is named on screen: "Intake form, 3 May 2026" (never a database number)."""
        name = self._meta.verbose_name.capitalize()
        day = self.dated_on
        return f"{name}, {date_format(day)}" if day else name

    @property
    def audit_label(self):
        return f"{self._meta.verbose_name.capitalize()} {self.pk}"
