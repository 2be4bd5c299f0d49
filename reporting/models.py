"""Quarterly impact reports: the job that builds one, its case studies, and the unit costs that
turn counts into economic value. Figures stored here are aggregates only: no client data."""

import uuid

from django.conf import settings
from django.core.files.storage import default_storage, storages
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from accounts.concurrency import version_field
from accounts.models import Service, TimeStampedModel
from accounts.validators import validate_event_date
from support.models.areas import SupportArea

MAX_CASE_STUDIES = 3
# The share of the estimated costs a report attributes to the service when its manager sets no
# other: well below 100%, since other agencies (police, MARAC, health) act on the same cases and
# a client's risk can fall for reasons no service caused.
DEFAULT_ATTRIBUTION_PERCENT = 25


def impact_report_storage():
    """Where finished PDFs go: the "impact_reports" storage when settings define one (the base
    settings do: with the other generated files, on disk or in an S3-compatible bucket, see
    STORAGE_BACKEND), otherwise the default storage. Django calls this once, as the model loads."""
    if "impact_reports" in settings.STORAGES:
        return storages["impact_reports"]
    return default_storage


def impact_report_upload_path(instance, filename):
    # A random name: the file name never says which service or period it covers.
    return f"impact-reports/{uuid.uuid4().hex}.pdf"


class UnitCost(TimeStampedModel):
    """One unit cost (e.g. a police call-out), and how many of them Lantern counts as costs
    associated with reduced risk for each client of a measure (e.g. each client high risk at
    intake whose risk fell); the report claims only its attribution share of the result.

    A row with no provider is a national default (seeded; superusers edit it). A provider's
    admins add rows for their provider: a row with a default's key replaces that default in
    their provider's reports (selectors.unit_costs_for), and no other provider's.
    """

    class Measure(models.TextChoices):
        HIGH_RISK_REDUCED = (
            "high_risk_reduced",
            "Clients high risk at intake whose Dash score fell by exit",
        )
        RISK_REDUCED = "risk_reduced", "Clients whose Dash score fell between intake and exit"
        ABUSE_CEASED = "abuse_ceased", "Clients reporting no abuse at exit"
        HIGH_RISK_CLIENTS = "high_risk_clients", "Clients assessed as high risk in the period"
        FEEL_SAFER = "feel_safer", "Clients who agree they feel safer at exit"
        CHARGED = "charged", "Incidents where the perpetrator was charged"

    provider = models.ForeignKey(
        "accounts.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for a national default; a provider's row replaces the default's key.",
    )
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=120)
    pence = models.PositiveIntegerField("unit cost (pence)")
    unit = models.CharField(max_length=60, default="per contact")
    source = models.CharField(max_length=300, help_text="Printed under the value table.")
    price_year = models.CharField(max_length=20, blank=True)
    measure = models.CharField(
        "counted for each",
        max_length=30,
        choices=Measure.choices,
        default=Measure.HIGH_RISK_REDUCED,
    )
    quantity = models.DecimalField(
        "units per client counted",
        max_digits=8,
        decimal_places=2,
        default=1,
        help_text="e.g. 6 police call-outs avoided for each high-risk victim (CAADA).",
    )
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField("used in reports", default=True)

    class Meta:
        ordering = ["position", "label"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="unitcost_quantity_positive"),
            models.UniqueConstraint(
                fields=["key"], condition=Q(provider=None), name="unitcost_default_key_unique"
            ),
            models.UniqueConstraint(
                fields=["provider", "key"], name="unitcost_provider_key_unique"
            ),
        ]

    def __str__(self):
        return f"{self.label} (£{self.pence / 100:,.2f} {self.unit})"


class ImpactReport(TimeStampedModel):
    """One impact report for a period and a set of services, and the background job that
    builds its PDF. Status moves through STATUS_TRANSITIONS only (see services.py)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    title = models.CharField(max_length=200, default="Impact report")
    services = models.ManyToManyField(Service, related_name="impact_reports")
    period_start = models.DateField()
    period_end = models.DateField()
    introduction = models.TextField(
        blank=True, help_text="Printed at the start of the report. Never name a client."
    )
    suppress_small_numbers = models.BooleanField(
        default=True, help_text='Counts under 5 are printed as "<5".'
    )
    attribution_percent = models.PositiveSmallIntegerField(
        "share of the estimated costs attributed to the service (%)",
        default=DEFAULT_ATTRIBUTION_PERCENT,
        validators=[MaxValueValidator(100)],
        help_text="Other agencies act on the same cases: count only the share your service can "
        "fairly claim. Printed with the economic value.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set for the reports beat schedules, one per service and quarter: the unique key that
    # keeps a re-run of the schedule from making a second report.
    schedule_key = models.CharField(max_length=60, null=True, blank=True, unique=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_step = models.PositiveSmallIntegerField(default=0)
    progress_total = models.PositiveSmallIntegerField(default=0)
    progress_label = models.CharField(max_length=80, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The Celery task id of the attempt that holds the job: a redelivered message (same id)
    # after a killed worker may take the job over at once.
    worker_token = models.CharField(max_length=64, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True, help_text="Never client data.")

    figures = models.JSONField(default=dict, blank=True, help_text="Aggregates only.")
    # The narrative form edits the report in place: its save checks this (accounts.concurrency).
    version = version_field()
    # A built report is never changed silently: changing its settings (suppression) builds a
    # new report, the next edition, that names the one it replaces; the old one stays as built.
    edition = models.PositiveSmallIntegerField(default=1, editable=False)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="replaced_by",
        help_text="The earlier edition this report was built from with changed settings.",
    )
    pdf = models.FileField(
        upload_to=impact_report_upload_path, storage=impact_report_storage, blank=True
    )
    pdf_bytes = models.PositiveIntegerField(default=0)
    page_count = models.PositiveSmallIntegerField(default=0)
    build_seconds = models.FloatField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="impactreport_period_order",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(pdf=""), name="impactreport_done_has_pdf"
            ),
        ]
        indexes = [
            # The stale-job sweep: running jobs by heartbeat, queued jobs by when queued.
            models.Index(fields=["status", "heartbeat_at"], name="impactreport_status_beat"),
        ]

    def __str__(self):
        return f"{self.title} ({self.period_start} to {self.period_end})"

    @property
    def audit_label(self):
        return f"Impact report {self.pk}"

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return 0
        return round(100 * self.progress_step / self.progress_total)


class ImpactReportEvent(models.Model):
    """Append-only history of a report's job: every status change and retry, with why."""

    report = models.ForeignKey(ImpactReport, on_delete=models.CASCADE, related_name="events")
    old_status = models.CharField(max_length=10, blank=True)
    new_status = models.CharField(max_length=10)
    at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.report_id}: {self.old_status or '-'} -> {self.new_status}"


class CaseStudy(TimeStampedModel):
    """A story written by the manager for one report, under a pseudonym. Printed only when the
    client's consent to its use has been recorded."""

    report = models.ForeignKey(ImpactReport, on_delete=models.CASCADE, related_name="case_studies")
    position = models.PositiveSmallIntegerField(default=1)
    pseudonym = models.CharField(
        max_length=60, help_text="A made-up first name. Never the client's own name."
    )
    title = models.CharField(max_length=120, blank=True)
    story = models.TextField(help_text="No names, places, dates or details that identify anyone.")
    consent_recorded_on = models.DateField(
        "client's consent recorded on",
        null=True,
        blank=True,
        help_text="Leave empty until the client has agreed to this use of their story.",
        validators=[validate_event_date],
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consent_note = models.CharField(
        "how consent was given", max_length=200, blank=True, help_text="e.g. signed consent form."
    )

    class Meta:
        ordering = ["report", "position", "pk"]
        verbose_name_plural = "case studies"
        constraints = [
            models.UniqueConstraint(fields=["report", "position"], name="casestudy_position"),
            models.CheckConstraint(
                condition=Q(position__gte=1) & Q(position__lte=MAX_CASE_STUDIES),
                name="casestudy_at_most_three",
            ),
            models.CheckConstraint(
                condition=Q(consent_recorded_on__isnull=True)
                | Q(consent_recorded_by__isnull=False),
                name="casestudy_consent_has_recorder",
            ),
        ]

    def __str__(self):
        return f"{self.pseudonym} (report {self.report_id})"

    @property
    def has_consent(self) -> bool:
        return self.consent_recorded_on is not None


class CaseFacts(models.Model):
    """The reporting read model: what the Insights tables need to know of each case (its latest
    Dash scores, its risk level at intake, how many contacts, children, reviews and MARAC
    hearings it has, and the support given in each area), one narrow row per case. Kept current
    in the same transaction as every write that changes them, by reporting.read_model (one
    set-based SQL for a refresh and for a rebuild); `rebuild_report_facts` rebuilds it."""

    case = models.OneToOneField(
        "cases.Case",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",  # no accessor on Case (auditlog would read it): queries only
        related_query_name="report_facts",
    )
    score_in = models.IntegerField(null=True)
    score_out = models.IntegerField(null=True)
    # NULL here is "no such assessment", apart from a blank answer on one.
    level_in = models.CharField(max_length=10, null=True)  # noqa: DJ001
    basis_in = models.CharField(max_length=30, null=True)  # noqa: DJ001
    contacts = models.IntegerField()
    children = models.IntegerField()
    reviews = models.IntegerField()
    marac_hearings = models.IntegerField()
    criminal_justice_forms = models.IntegerField()
    civil_justice_forms = models.IntegerField()
    children_parenting_cyps_dont_know = models.BooleanField()

    class Meta:
        db_table = "reporting_case_facts"
        verbose_name_plural = "case facts"

    def __str__(self):
        return f"Facts of case {self.case_id}"


# One column per support area and answer: `<area>_supported`, `<area>_impact_safety` and
# `<area>_impact_wellbeing` (NULL when the case has no support row for the area).
for _area in SupportArea.values:
    for _answer, _length in (("supported", 3), ("impact_safety", 20), ("impact_wellbeing", 20)):
        CaseFacts.add_to_class(
            f"{_area}_{_answer}", models.CharField(max_length=_length, null=True)
        )


class ReportDataVersion(models.Model):
    """A counter per service, moved on by every write to a record the Insights report counts
    (reporting.freshness): a stored Insights result is fresh while its services' counters are
    those it was computed at."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"Data version {self.version} of service {self.service_id}"


class InsightsResult(TimeStampedModel):
    """The Insights report (tables and analyses, as they may be shown: small numbers already
    suppressed) of one set of filters, computed once by a Celery job and reused until the data
    it counts change (reporting.insights.results_store). Figures only: nothing identifying.

    One row per key (`key_hash`: period, comparison, services, teams, risk levels and
    suppression); `result` holds the last finished computation while the next one runs."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    key_hash = models.CharField(max_length=64, unique=True)
    period_start = models.DateField()
    period_end = models.DateField()
    comparison_start = models.DateField(null=True, blank=True)
    comparison_end = models.DateField(null=True, blank=True)
    service_ids = models.JSONField()  # sorted
    team_ids = models.JSONField(default=list)  # sorted
    risk_levels = models.JSONField(default=list)  # sorted
    suppress_below = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # The serialised ShownReport (reporting.insights.shown.report_to_json) of the last
    # finished computation, and the data versions ({service id: version}) it was computed at.
    result = models.JSONField(null=True, blank=True)
    data_versions = models.JSONField(default=dict)
    computed_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    worker_token = models.CharField(max_length=255, blank=True)
    # The exception's type only: its message could quote figures or data.
    error = models.CharField(max_length=200, blank=True)
    # Both periods had ended when it was computed: shown as it was, even after later changes.
    is_snapshot = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(comparison_start__isnull=True, comparison_end__isnull=True)
                | Q(comparison_start__isnull=False, comparison_end__isnull=False),
                name="insightsresult_comparison_both_or_neither",
            ),
        ]

    def __str__(self):
        return f"Insights result {self.pk} ({self.period_start} to {self.period_end})"
