"""What the outcomes app adds to the case page and the caseworker's dashboard."""

import datetime
import functools
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import CharField, DateField, Exists, F, OuterRef, QuerySet, Value
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from cases.extensions import Prompt, TimelineItem
from cases.models import Case
from cases.selectors import FOLLOW_UP_REMINDER_DAYS, can_edit_case

from .models import FollowUp, FormStatus, IntakeForm
from .services import KIND_TITLES, KINDS, case_is_closing

PROMPT_LIMIT = 20
# A source called directly (not through the case page's timeline) gives this many of each kind.
TIMELINE_LIMIT = 50


@dataclass(frozen=True)
class FormSummary:
    """What the case page shows of an outcome form (its panel row or timeline entry), read with
    every other form of the case in one query rather than one per kind of form."""

    kind: str
    pk: int
    status: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    own_day: datetime.date | None  # the form's own date (completed, reviewed...), if answered
    timeline_day: datetime.date
    timeline_moment: datetime.datetime

    @property
    def is_submitted(self) -> bool:
        return self.status == FormStatus.SUBMITTED

    @property
    def display_name(self) -> str:
        """As OutcomeForm.display_name: "Intake form, 3 May 2026"."""
        model = KINDS[self.kind][0]
        day = self.own_day or timezone.localdate(self.created_at)
        return f"{model._meta.verbose_name.capitalize()}, {date_format(day)}"


def _form_summaries(case, limit: int | None = None) -> list[FormSummary]:
    """The case's outcome forms of every kind in one query (UNION ALL of the six tables, each
    ordered and limited to its newest `limit` when given), as FormSummary rows."""
    parts = []
    for kind in KINDS:
        forms = _summaries_of_kind(kind).filter(case=case)
        if limit is not None:
            forms = forms.order_by("-timeline_day", "-timeline_moment", "-pk")[:limit]
        else:
            forms = forms.order_by()
        parts.append(forms)
    if limit is not None and not connection.features.supports_slicing_ordering_in_compound:
        # SQLite (the embedded demo) refuses a LIMIT inside a UNION: one query per kind there.
        return [FormSummary(*row) for part in parts for row in part]
    rows = parts[0].union(*parts[1:], all=True)
    return [FormSummary(*row) for row in rows]


@functools.cache
def _summaries_of_kind(kind: str) -> QuerySet:
    """Every form of one kind as its summary columns (SUMMARY_COLUMNS): built once per process
    and never evaluated itself, only narrowed to a case (each filter is a copy). Resolving
    these annotations on every request was the costliest part of the case page and its
    timeline, for a query whose shape never changes."""
    model = KINDS[kind][0]
    saved = Coalesce("submitted_at", "created_at")
    day_field = FORM_DAYS.get(kind)
    own_day = F(day_field) if day_field else Value(None, output_field=DateField())
    return model.objects.annotate(
        form_kind=Value(kind, output_field=CharField()),
        own_day=own_day,
        timeline_day=Coalesce(own_day, TruncDate(saved)),
        timeline_moment=saved,
    ).values_list(*SUMMARY_COLUMNS)


SUMMARY_COLUMNS = (
    "form_kind",
    "pk",
    "status",
    "created_at",
    "updated_at",
    "own_day",
    "timeline_day",
    "timeline_moment",
)
KIND_ORDER = {kind: index for index, kind in enumerate(KINDS)}


def panel_context(request, case) -> dict:
    """The case's outcome forms by kind (as selectors.forms_for_case orders them), read in one
    query (`_form_summaries`)."""
    forms = sorted(
        _form_summaries(case),
        key=lambda form: (
            (KIND_ORDER[form.kind], form.own_day or date.max, form.pk)
            if form.kind == "review"
            else (KIND_ORDER[form.kind], form.pk)
        ),
    )
    kinds = {form.kind for form in forms}
    rows = [{"kind": form.kind, "title": form.display_name, "form": form} for form in forms]
    return {
        "outcome_rows": rows,
        "outcome_forms_url": reverse("outcomes:case_forms", kwargs={"case_id": case.pk}),
        "outcome_can_edit": can_edit_case(request.user, case),
        "outcome_missing_intake": "intake" not in kinds,
        "outcome_exit_possible": "exit" not in kinds and case_is_closing(case),
        "outcome_hearings_url": reverse("outcomes:hearing_list", kwargs={"case_id": case.pk}),
    }


# The day each kind of form is about, where it has one (else it is shown when it was saved).
FORM_DAYS = {
    "intake": "completed_on",
    "review": "reviewed_on",
    "exit": "exit_date",
    "follow_up": "followed_up_on",
}


def timeline_items(case, limit: int = TIMELINE_LIMIT) -> list[TimelineItem]:
    """The newest forms of each kind, at most `limit` of each: one query (`_form_summaries`),
    whatever the number of forms. A form with a day of its own is shown on that day, without a
    time; any other at the moment it was submitted (or started)."""
    return [
        TimelineItem(
            at=form.own_day if form.own_day is not None else form.timeline_moment,
            kind=KIND_TITLES[form.kind],
            title=f"{KIND_TITLES[form.kind]} ({FormStatus(form.status).label.lower()})",
            url=reverse("outcomes:form_detail", kwargs={"kind": form.kind, "pk": form.pk}),
        )
        for form in _form_summaries(case, limit)
    ]


def caseworker_prompts(user, cases_qs) -> list[Prompt]:
    """Open cases with no submitted intake form, and closed cases whose follow-up is due."""
    today = timezone.localdate()
    submitted_intake = IntakeForm.objects.filter(
        case_id=OuterRef("pk"), status=FormStatus.SUBMITTED
    )
    prompts = []
    no_intake = (
        cases_qs.filter(status__in=[Case.Status.OPEN, Case.Status.ON_HOLD])
        .filter(~Exists(submitted_intake))
        .order_by("opened_on")
        .values_list("pk", "reference")[:PROMPT_LIMIT]
    )
    for pk, reference in no_intake:
        prompts.append(
            Prompt(
                case_id=pk,
                reference=reference,
                message="Intake form not submitted",
                url=reverse("outcomes:case_forms", kwargs={"case_id": pk}),
                severity="warning",
            )
        )
    follow_up = FollowUp.objects.filter(case_id=OuterRef("pk"))
    due = (
        cases_qs.filter(
            status=Case.Status.CLOSED,
            follow_up_due_on__lte=today,
            follow_up_due_on__gte=today - datetime.timedelta(days=FOLLOW_UP_REMINDER_DAYS),
        )
        .filter(~Exists(follow_up))
        .order_by("follow_up_due_on")
        .values_list("pk", "reference")[:PROMPT_LIMIT]
    )
    for pk, reference in due:
        prompts.append(
            Prompt(
                case_id=pk,
                reference=reference,
                message="6-month follow-up due",
                url=reverse("outcomes:case_forms", kwargs={"case_id": pk}),
                severity="info",
            )
        )
    return prompts
