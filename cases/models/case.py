"""A case: one period of support for a client by a service, and what happens in it."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from accounts.audit import CaseDataModel, audited
from accounts.concurrency import version_field
from accounts.models import Service, Team
from accounts.validators import validate_birth_date, validate_event_date, validate_scheduled_date
from cases.choices import YES_NO_DONT_KNOW, insights_choices
from catalogue.safety_in_numbers import INTENSIVE_SUPPORT_THRESHOLD

from .client import Agency, Client
from .options import Option

# A day: a longer contact is a typing slip (99999 was once accepted), not a day in court.
LONGEST_CONTACT_MINUTES = 24 * 60


class RiskLevel(models.TextChoices):
    """The case's current risk: the highest level of its current assessments, or a team
    leader's reasoned decision to lower it (riskassessment.current_risk). Checklists such as
    MeRIT name the same three levels bronze, silver and gold."""

    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class CaseReferenceCounter(models.Model):
    """Per service and year, the last case number given out (locked when incremented)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "year"], name="case_counter_unique"),
        ]

    def __str__(self):
        return f"{self.service_id}/{self.year}: {self.last_number}"


@audited(m2m_fields={"restricted_to"})
class Case(CaseDataModel):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ON_HOLD = "on_hold", "On hold"
        CLOSED = "closed", "Closed"

    class ReferralStatus(models.TextChoices):
        NEW_CLIENT = "New client", "New client"
        REPEAT = "Repeat to service", "Repeat to service"
        CONTINUING = "Continuing case", "Continuing case"

    class ClosureType(models.TextChoices):
        PLANNED = "Planned closure", "Planned closure"
        UNPLANNED = "Unplanned closure", "Unplanned closure"

    reference = models.CharField(max_length=30, unique=True)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cases")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocated_cases",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    referral_status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.NEW_CLIENT
    )
    opened_on = models.DateField(validators=[validate_event_date])
    closed_on = models.DateField(null=True, blank=True, validators=[validate_event_date])
    closure_type = models.CharField(max_length=20, choices=ClosureType.choices, blank=True)
    unplanned_closure_reason = models.CharField(
        max_length=60, blank=True, choices=insights_choices("unplanned_closure_reason")
    )
    closure_note = models.TextField(blank=True)
    # What was missing when the case closed (no exit form, open MARAC actions, ...), one gap a
    # line, in the words the closing person saw and acknowledged; blank when nothing was.
    closure_gaps_acknowledged = models.TextField(blank=True)

    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    risk_level_label = models.CharField(
        max_length=40, blank=True, help_text="The level as the checklist names it, e.g. 'Gold'."
    )
    risk_assessed_at = models.DateTimeField(null=True, blank=True, validators=[validate_event_date])
    is_marac = models.BooleanField("MARAC case", default=False)

    is_restricted = models.BooleanField(default=False)
    restricted_to = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="restricted_cases_granted"
    )

    review_due_on = models.DateField(null=True, blank=True, validators=[validate_scheduled_date])
    follow_up_due_on = models.DateField(null=True, blank=True, validators=[validate_scheduled_date])
    # The client's age in whole years at this case's intake, kept only when their date of
    # birth is erased (dataprotection.erasure): the Insights age table and its average read it
    # in place of the date.
    client_age_at_intake = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(closed_on__isnull=False),
                name="case_closed_has_date",
            ),
        ]
        indexes = [
            # Caseworker dashboard: my open cases.
            models.Index(fields=["caseworker", "status"], name="case_caseworker_status"),
            # Service lists and reports by period.
            models.Index(fields=["service", "status", "opened_on"], name="case_service_status"),
            models.Index(fields=["service", "closed_on"], name="case_service_closed"),
            # The few restricted cases of a service: the reports' small-number rule asks for
            # them on every run, and a partial index stays as small as they are few.
            models.Index(
                fields=["service", "opened_on"],
                condition=models.Q(is_restricted=True),
                name="case_restricted_by_service",
            ),
        ]

    @property
    def audit_label(self):
        return f"Case {self.reference}" if self.reference else f"Case {self.pk}"

    def audit_scope(self):
        return self.pk, self.service_id

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED


class CaseChild(CaseDataModel):
    """Base for rows that belong to one case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True

    def audit_scope(self):
        return self.case_id, self.case.service_id


@audited
class CaseStatusChange(CaseChild):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    old_status = models.CharField(max_length=10, choices=Case.Status.choices, blank=True)
    new_status = models.CharField(max_length=10, choices=Case.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]


@audited
class CaseAllocation(CaseChild):
    """Allocation history: who held the case, from when, allocated by whom."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="allocations")
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, related_name="+")
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    allocated_at = models.DateTimeField()

    class Meta:
        ordering = ["allocated_at", "pk"]


@audited
class ClosureRequest(CaseChild):
    """A caseworker's request to close, for services that require a team leader's sign-off."""

    class Decision(models.TextChoices):
        REQUESTED = "requested", "Waiting for sign-off"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned with a comment"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closure_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    closed_on = models.DateField(validators=[validate_event_date])
    closure_type = models.CharField(max_length=20, choices=Case.ClosureType.choices)
    unplanned_closure_reason = models.CharField(
        max_length=60, blank=True, choices=insights_choices("unplanned_closure_reason")
    )
    closure_note = models.TextField(blank=True)
    # What was missing when the request was made, one gap a line, as the requester saw and
    # acknowledged it.
    gaps_acknowledged = models.TextField(blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(decision="requested"),
                name="closure_one_open_request",
            ),
        ]


@audited
class Contact(CaseChild):
    """One contact with or about the client: the most used screen, kept quick to fill in."""

    class ContactType(models.TextChoices):
        FACE_TO_FACE = "face_to_face", "Face to face"
        PHONE = "phone", "Phone"
        TEXT = "text", "Text message"
        EMAIL = "email", "E-mail"
        LETTER = "letter", "Letter"
        VIDEO = "video", "Video call"
        HOME_VISIT = "home_visit", "Home visit"
        COURT = "court", "Court"
        LIAISON = "liaison", "Professional liaison on the client's behalf"

    class Outcome(models.TextChoices):
        SUCCESSFUL = "successful", "Successful"
        ATTEMPTED = "attempted", "Attempted, no contact made"

    # No index of its own: contact_case_time (case, -occurred_at) serves every lookup by case.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="contacts", db_index=False
    )
    occurred_at = models.DateTimeField(validators=[validate_event_date])
    contact_type = models.CharField(max_length=20, choices=ContactType.choices)
    with_client = models.BooleanField(
        "direct with the client", default=True, help_text="Untick for work on the client's behalf."
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.SUCCESSFUL)
    duration_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[
            MaxValueValidator(
                LONGEST_CONTACT_MINUTES,
                "A contact cannot last more than 24 hours (1440 minutes): record each day apart.",
            )
        ],
    )
    location = models.CharField(max_length=120, blank=True)
    is_significant = models.BooleanField(
        "significant contact",
        default=False,
        help_text=(
            "A substantive piece of support work with the client "
            f"({INTENSIVE_SUPPORT_THRESHOLD}+ is intensive support)."
        ),
    )
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # A call, text, voicemail or letter by a way the client marked unsafe (cases.services
    # contact_channel_warnings): the warning shown, and the caseworker's confirmation and reason.
    unsafe_channel_warning = models.CharField(
        "safe-contact warning given", max_length=300, blank=True
    )
    unsafe_channel_confirmed = models.BooleanField(
        "I have checked it was safe this time", default=False
    )
    unsafe_channel_reason = models.CharField(
        "why it was safe this time",
        max_length=300,
        blank=True,
        help_text="e.g. the client rang us from a safe phone and asked us to call back now.",
    )
    version = version_field()  # accounts.concurrency: checked by the correction form

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            # Case timeline and "days since last contact".
            models.Index(fields=["case", "-occurred_at"], name="contact_case_time"),
            # Reports: contacts received per case (an index-only count, not a table scan).
            models.Index(
                fields=["case"],
                condition=models.Q(outcome="successful", with_client=True),
                name="contact_received_case",
            ),
        ]
        constraints = [
            # A significant contact is a piece of support work with the client: one that did
            # not reach them cannot be one (Safety in Numbers' intensity counts these).
            models.CheckConstraint(
                condition=models.Q(is_significant=False) | models.Q(outcome="successful"),
                name="contact_significant_only_when_successful",
                violation_error_message=(
                    "Only a contact that reached the client (successful) can be significant."
                ),
            ),
            # A contact made by a way the client marked unsafe is saved only with the
            # caseworker's recorded confirmation and reason.
            models.CheckConstraint(
                condition=models.Q(unsafe_channel_warning="")
                | (models.Q(unsafe_channel_confirmed=True) & ~models.Q(unsafe_channel_reason="")),
                name="contact_unsafe_channel_confirmed",
                violation_error_message=(
                    "This contact went by a way the client marked unsafe: confirm it was safe "
                    "this time and say why."
                ),
            ),
        ]


# The revision row records that a correction happened; its text stays in this table only (the
# audit log never copies a contact's notes).
@audited(exclude_fields=["notes", "unsafe_channel_reason", "correction_reason"])
class ContactRevision(CaseChild):
    """A contact as it was before a correction: the contact's history, kept here (not read back
    from the audit log, which records that a note changed but not what it said)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="revisions")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(help_text="The contact's version these values had.")
    occurred_at = models.DateTimeField()
    contact_type = models.CharField(max_length=20, choices=Contact.ContactType.choices)
    with_client = models.BooleanField("direct with the client")
    outcome = models.CharField(max_length=12, choices=Contact.Outcome.choices)
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    location = models.CharField(max_length=120, blank=True)
    is_significant = models.BooleanField("significant contact")
    notes = models.TextField(blank=True)
    unsafe_channel_warning = models.CharField(max_length=300, blank=True)
    unsafe_channel_confirmed = models.BooleanField(default=False)
    unsafe_channel_reason = models.CharField(max_length=300, blank=True)
    # Who wrote these values, and who replaced them (and why).
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    replaced_at = models.DateTimeField()
    correction_reason = models.CharField(max_length=300, blank=True)

    # The fields copied from the contact (and compared to say what a correction changed).
    COPIED_FIELDS = (
        "occurred_at",
        "contact_type",
        "with_client",
        "outcome",
        "duration_minutes",
        "location",
        "is_significant",
        "notes",
        "unsafe_channel_warning",
        "unsafe_channel_confirmed",
        "unsafe_channel_reason",
    )

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "version"], name="contact_revision_one_per_version"
            ),
        ]

    @property
    def audit_label(self):
        return f"Contact {self.contact_id} version {self.version}"


@audited
class Perpetrator(CaseChild):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="perpetrators")
    is_primary = models.BooleanField("primary perpetrator", default=True)
    name = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True, validators=[validate_birth_date])
    relationship = models.CharField(
        "relationship to the client",
        max_length=60,
        blank=True,
        choices=insights_choices("primary_perpetrator_relationship"),
    )
    sex_at_birth = models.CharField(
        max_length=40, blank=True, choices=insights_choices("perpetrator_sex_at_birth")
    )
    gender_identity = models.CharField(
        "how the perpetrator thinks of themselves",
        max_length=40,
        blank=True,
        choices=[
            c
            for c in insights_choices("perpetrator_gender_identity")
            if c[0] != "Not sex assigned at birth"
        ]
        + [("Don't know", "Don't know")],
    )
    need_mental_health = models.CharField(
        "mental health needs", max_length=20, blank=True, choices=YES_NO_DONT_KNOW
    )
    need_drugs = models.CharField(
        "drug misuse needs", max_length=20, blank=True, choices=YES_NO_DONT_KNOW
    )
    need_alcohol = models.CharField(
        "alcohol misuse needs", max_length=20, blank=True, choices=YES_NO_DONT_KNOW
    )
    multiple_victims = models.CharField(
        "has multiple victims", max_length=20, blank=True, choices=YES_NO_DONT_KNOW
    )
    criminal_record = models.CharField(
        "has a criminal record", max_length=20, blank=True, choices=YES_NO_DONT_KNOW
    )
    bail_conditions = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    version = version_field()  # accounts.concurrency: checked by the edit form

    class Meta:
        ordering = ["-is_primary", "pk"]


def age_band_for(age_years: int | None) -> str:
    """The Insights age band (table children_ages) of an age in whole years."""
    if age_years is None:
        return ""
    bands = ((0, "0 - 12 months"), (3, "1 - 3 years"), (11, "4 - 11 years"),
             (16, "12 - 16 years"), (18, "17 - 18 years"), (24, "18 - 24 years"))  # fmt: skip
    return next((label for upper, label in bands if age_years <= upper), "24+ years")


@audited(m2m_fields={"cyps_involvement"})
class ChildInCase(CaseChild):
    """A child or young person involved in the case."""

    class LivesWith(models.TextChoices):
        CLIENT = "client", "The client"
        PERPETRATOR = "perpetrator", "The perpetrator"
        BOTH = "both", "The client and the perpetrator"
        OTHER_PARENT = "other_parent", "Another parent"
        FAMILY = "family", "Other family (kinship care)"
        CARE = "care", "Local authority care"
        INDEPENDENT = "independent", "Lives independently"
        DONT_KNOW = "dont_know", "Don't know"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="children")
    first_name = models.CharField(max_length=100, blank=True)
    age_years = models.PositiveSmallIntegerField(null=True, blank=True)
    age_band = models.CharField(
        max_length=20, blank=True, choices=insights_choices("children_ages")
    )
    lives_with = models.CharField(max_length=20, choices=LivesWith.choices, blank=True)
    cyps_involvement = models.ManyToManyField(
        Option,
        blank=True,
        related_name="+",
        limit_choices_to={"list_key": "cyps_involvement_intake"},
        verbose_name="children and young people's services involvement",
    )
    version = version_field()  # accounts.concurrency: checked by the edit form

    def save(self, *args, **kwargs):
        # The report counts bands; a caseworker often knows only the age.
        if not self.age_band:
            self.age_band = age_band_for(self.age_years)
        super().save(*args, **kwargs)

    class Meta:
        ordering = ["pk"]
        verbose_name = "child or young person"
        verbose_name_plural = "children and young people"


@audited
class InformationSharing(CaseChild):
    """Information shared with an agency: with the client's consent, or without it for a
    recorded reason (e.g. MARAC, safeguarding) authorised by a team leader."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="information_shares")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    shared_on = models.DateField(validators=[validate_event_date])
    with_consent = models.BooleanField()
    reason_without_consent = models.TextField(blank=True)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    what_was_shared = models.TextField(blank=True)

    class Meta:
        ordering = ["-shared_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(with_consent=True)
                | (~models.Q(reason_without_consent="") & models.Q(authorised_by__isnull=False)),
                name="sharing_without_consent_is_authorised",
            ),
        ]
