"""Checklists (DASH, MeRIT, the stalking and honour-based abuse screens, DARA, ...) as data.

A checklist has versions; a version holds the questions, the answer options and what each adds
to the score, the score bands and the MARAC thresholds. Assessments point at the version they
were given under, so a published version never changes: a new wording or a new band is a new
version. Adding a checklist is an import of a data file (see checklists/README.md), never code.
"""

from django.db import models

from accounts.models import TimeStampedModel
from cases.models import RiskLevel


class PublishedVersionIsImmutable(Exception):
    """Raised on any change to a published (or retired) checklist version or its content."""


class Checklist(TimeStampedModel):
    class Scoring(models.TextChoices):
        # DASH: the score is the number of answers that count as a tick.
        TICKS = "ticks", "Number of ticks"
        # MeRIT: the score is the sum of the chosen answers' weights.
        WEIGHTED = "weighted", "Sum of weighted answers"

    key = models.SlugField(max_length=40, unique=True, help_text="e.g. 'dash', 'merit', 'dara'.")
    name = models.CharField(max_length=120)
    scoring = models.CharField(max_length=10, choices=Scoring.choices, default=Scoring.TICKS)
    is_follow_up = models.BooleanField(
        default=False,
        help_text="Opened from another checklist's answer (e.g. the stalking screen); not offered "
        "on its own as a case's main risk assessment.",
    )
    # The Insights report bands DASH ticks (1-5, 6-9, 10+); only checklists scored like the DASH
    # have that band.
    has_insights_band = models.BooleanField(default=False)
    description = models.TextField(blank=True)

    # What a checklist's assessments mean: how they are scored, whether one is a case's main
    # assessment, whether it has the Insights Dash band. Fixed once a version is in use (not a
    # draft): changing them would silently recount every past figure, and the reporting read
    # model (reporting.read_model), kept current by writes to assessments, would not follow.
    MEANING_FIELDS = ("key", "scoring", "is_follow_up", "has_insights_band")

    class Meta:
        ordering = ["is_follow_up", "name"]

    def __str__(self):
        return self.name

    @property
    def is_in_use(self) -> bool:
        return self.pk is not None and self.versions.exclude(status="draft").exists()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values(*self.MEANING_FIELDS).first()
            changed = stored and any(
                stored[name] != getattr(self, name) for name in self.MEANING_FIELDS
            )
            if changed and self.is_in_use:
                raise PublishedVersionIsImmutable(
                    "This checklist has published versions: its key, scoring and kind cannot "
                    "change. Make a new checklist."
                )
        super().save(*args, **kwargs)


class ChecklistVersionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ChecklistVersion.Status.PUBLISHED)

    def update(self, **kwargs):
        if self.exclude(status=ChecklistVersion.Status.DRAFT).exists():
            raise PublishedVersionIsImmutable("Published checklist versions cannot be changed.")
        return super().update(**kwargs)

    def delete(self):
        if self.exclude(status=ChecklistVersion.Status.DRAFT).exists():
            raise PublishedVersionIsImmutable("Published checklist versions cannot be deleted.")
        return super().delete()


class ChecklistVersion(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=120, help_text="e.g. 'Lantern short labels 2026'.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    source_note = models.TextField(
        blank=True, help_text="Where the wording comes from and under what licence."
    )
    # Visible high risk: a score at or above this meets the MARAC criteria (DASH 14; MeRIT 72).
    # An area may use another (AreaRule).
    marac_threshold = models.PositiveIntegerField(null=True, blank=True)
    # Potential escalation: this many police call-outs within the window meets the criteria.
    escalation_call_outs = models.PositiveIntegerField(default=3)
    escalation_window_months = models.PositiveIntegerField(default=12)

    objects = ChecklistVersionQuerySet.as_manager()

    class Meta:
        ordering = ["checklist__name", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "number"], name="checklist_version_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(escalation_window_months__gte=1),
                name="checklist_version_window_positive",
            ),
        ]
        indexes = [
            # "Start an assessment": the published versions of every checklist.
            models.Index(fields=["status", "checklist"], name="checklist_version_status"),
        ]

    def __str__(self):
        return f"{self.checklist.name} v{self.number} ({self.label})"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    # A guard, not business logic: whatever path writes (admin, shell, a service), a published
    # version's stored content never changes, because assessments were scored against it. The
    # one allowed change is the status move published -> retired (see services.version_retire).
    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored is not None and stored != self.Status.DRAFT:
                update_fields = set(kwargs.get("update_fields") or ())
                retiring = (
                    stored == self.Status.PUBLISHED
                    and self.status == self.Status.RETIRED
                    and update_fields
                    and update_fields <= {"status", "retired_at", "updated_at"}
                )
                if not retiring:
                    raise PublishedVersionIsImmutable(
                        "A published checklist version cannot be changed: make a new version."
                    )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status != self.Status.DRAFT:
            raise PublishedVersionIsImmutable("A published checklist version cannot be deleted.")
        return super().delete(*args, **kwargs)


class VersionContentQuerySet(models.QuerySet):
    """Questions, options and bands of a published version refuse bulk changes too."""

    version_path = "version"

    def _touches_published(self):
        lookup = f"{self.version_path}__status__in"
        return self.filter(
            **{lookup: [ChecklistVersion.Status.PUBLISHED, ChecklistVersion.Status.RETIRED]}
        ).exists()

    def update(self, **kwargs):
        if self._touches_published():
            raise PublishedVersionIsImmutable("Published checklist versions cannot be changed.")
        return super().update(**kwargs)

    def delete(self):
        if self._touches_published():
            raise PublishedVersionIsImmutable("Published checklist versions cannot be changed.")
        return super().delete()


class OptionQuerySet(VersionContentQuerySet):
    version_path = "question__version"


class VersionContent(TimeStampedModel):
    """A row that belongs to a checklist version: written only while the version is a draft."""

    class Meta:
        abstract = True

    def content_version_id(self) -> int:
        raise NotImplementedError

    def _refuse_if_published(self):
        status = (
            ChecklistVersion.objects.filter(pk=self.content_version_id())
            .values_list("status", flat=True)
            .first()
        )
        if status is not None and status != ChecklistVersion.Status.DRAFT:
            raise PublishedVersionIsImmutable(
                "A published checklist version cannot be changed: make a new version."
            )

    def save(self, *args, **kwargs):
        self._refuse_if_published()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_published()
        return super().delete(*args, **kwargs)


class Question(VersionContent):
    version = models.ForeignKey(
        ChecklistVersion, on_delete=models.CASCADE, related_name="questions"
    )
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    help_text = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    follow_up_prompt = models.CharField(
        max_length=300,
        blank=True,
        help_text="A detail asked after the answer, e.g. 'What is the client afraid of?'.",
    )
    opens_checklist = models.ForeignKey(
        Checklist,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opened_by_questions",
        help_text="The follow-up checklist an answer that counts as a tick opens.",
    )

    objects = VersionContentQuerySet.as_manager()

    class Meta:
        ordering = ["version", "order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="question_unique_number"),
        ]

    def __str__(self):
        return f"Q{self.number}. {self.text[:60]}"

    def content_version_id(self):
        return self.version_id


class AnswerOption(VersionContent):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    key = models.SlugField(max_length=30, help_text="e.g. yes, no, dont_know, not_asked.")
    label = models.CharField(max_length=120)
    score = models.IntegerField(default=0)
    counts_as_tick = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    objects = OptionQuerySet.as_manager()

    class Meta:
        ordering = ["question", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="answer_option_unique_key"),
        ]

    def __str__(self):
        return self.label

    def content_version_id(self):
        return self.question.version_id


class ScoreBand(VersionContent):
    """A version's local risk band: e.g. DASH standard 0-9, medium 10-13, high 14+; MeRIT
    bronze / silver / gold. max_score empty means no upper limit."""

    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="bands")
    level = models.CharField(max_length=10, choices=RiskLevel.choices)
    label = models.CharField(max_length=40, help_text="The checklist's own name, e.g. 'Gold'.")
    min_score = models.IntegerField()
    max_score = models.IntegerField(null=True, blank=True)

    objects = VersionContentQuerySet.as_manager()

    class Meta:
        ordering = ["version", "min_score"]
        constraints = [
            models.UniqueConstraint(fields=["version", "level"], name="score_band_unique_level"),
            models.CheckConstraint(
                condition=models.Q(max_score__isnull=True)
                | models.Q(max_score__gte=models.F("min_score")),
                name="score_band_max_above_min",
            ),
        ]

    def __str__(self):
        upper = f"-{self.max_score}" if self.max_score is not None else "+"
        return f"{self.label} ({self.min_score}{upper})"

    def content_version_id(self):
        return self.version_id


class AreaRule(TimeStampedModel):
    """An area's own MARAC thresholds for a checklist (e.g. an area referring at 17 DASH ticks,
    or counting escalation as 3 call-outs in 6 months). Blank fields keep the version's."""

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="area_rules")
    area = models.CharField(max_length=120, help_text="As on the services (Service.area).")
    marac_threshold = models.PositiveIntegerField(null=True, blank=True)
    escalation_call_outs = models.PositiveIntegerField(null=True, blank=True)
    escalation_window_months = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["checklist", "area"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "area"], name="area_rule_unique"),
        ]

    def __str__(self):
        return f"{self.checklist.name}: {self.area}"
