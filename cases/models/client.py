"""The client: who they are, how to reach them safely, and what they have agreed to."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F

from accounts.audit import CaseDataModel, audited
from accounts.concurrency import version_field
from accounts.models import Provider, Service, TimeStampedModel
from accounts.validators import validate_birth_date, validate_event_date
from cases.choices import YES_NO_DONT_KNOW, insights_choices
from cases.matching import digits_only

from .options import Option


class Agency(TimeStampedModel):
    """A partner agency (police, health, housing, children's services, ...): used by referrals,
    consent to share, interventions and the exit form's agency questions."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=80, blank=True)
    is_retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return self.name


class SafeToContact(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known: ask first"


@audited(m2m_fields={"disability_types", "employment"})
class Client(CaseDataModel):
    """A person supported by a service of the provider. One record per person per provider: a
    referral for someone already known links to their record instead of making a duplicate."""

    class LawfulBasis(models.TextChoices):
        CONSENT = "consent", "Consent (Article 6(1)(a))"
        LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (Article 6(1)(c))"
        VITAL_INTERESTS = "vital_interests", "Vital interests (Article 6(1)(d))"
        PUBLIC_TASK = "public_task", "Public task (Article 6(1)(e))"
        LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests (Article 6(1)(f))"

    class ImmigrationStatus(models.TextChoices):
        BRITISH_IRISH = "british_irish", "British or Irish citizen"
        SETTLED = "settled", "Settled or pre-settled status (EU Settlement Scheme)"
        ILR = "ilr", "Indefinite leave to remain"
        SPOUSAL_VISA = "spousal_visa", "Spouse or partner visa"
        OTHER_VISA = "other_visa", "Other visa"
        ASYLUM_SEEKER = "asylum_seeker", "Asylum seeker"
        REFUGEE = "refugee", "Refugee status or humanitarian protection"
        NO_STATUS = "no_status", "No current leave"
        NOT_DISCLOSED = "not_disclosed", "Not disclosed"
        DONT_KNOW = "dont_know", "Don't know"

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="clients")
    # The service that first recorded the client: whose managers see changes to the record.
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True, validators=[validate_birth_date])
    # Where the client lives or last lived: it helps tell two records of one person apart from
    # two people of one name. Letters go only to the safe postal address.
    postcode = models.CharField(
        max_length=10,
        blank=True,
        help_text="Home or last known postcode: used to spot duplicate records, never for letters.",
    )

    # Insights demographics ("Client profile"). Blank means not answered (Missing).
    sex_at_birth = models.CharField(
        "sex assigned at birth",
        max_length=40,
        blank=True,
        choices=insights_choices("client_sex_at_birth"),
    )
    gender_identity = models.CharField(
        "how the client thinks of themselves",
        max_length=40,
        blank=True,
        choices=[
            c
            for c in insights_choices("client_gender_identity")
            if c[0] != "Not sex assigned at birth"
        ],
    )
    gender_differs_from_sex_at_birth = models.CharField(
        "gender identity differs from sex assigned at birth",
        max_length=20,
        blank=True,
        choices=YES_NO_DONT_KNOW,
    )
    sexual_orientation = models.CharField(
        max_length=40, blank=True, choices=insights_choices("client_sexual_orientation")
    )
    ethnicity = models.CharField(
        max_length=80, blank=True, choices=insights_choices("client_ethnicity")
    )
    pregnant = models.CharField(
        "pregnant", max_length=20, blank=True, choices=insights_choices("client_pregnant")
    )
    disability = models.CharField(
        "has a disability", max_length=20, blank=True, choices=insights_choices("client_disability")
    )
    disability_types = models.ManyToManyField(
        Option,
        blank=True,
        related_name="+",
        limit_choices_to={"list_key": "client_disability_type"},
    )
    employment = models.ManyToManyField(
        Option,
        blank=True,
        related_name="+",
        limit_choices_to={"list_key": "client_employment"},
        verbose_name="current employment situation",
    )
    financial_situation = models.CharField(
        max_length=60, blank=True, choices=insights_choices("client_financial_situation")
    )
    first_language = models.CharField(max_length=60, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    communication_needs = models.CharField(max_length=200, blank=True)
    immigration_status = models.CharField(
        max_length=20, blank=True, choices=ImmigrationStatus.choices
    )
    no_recourse_to_public_funds = models.CharField(
        "no recourse to public funds", max_length=20, blank=True, choices=YES_NO_DONT_KNOW
    )

    # Safe contact: shown at the top of every page about the client and on every contact form.
    safe_phone = models.CharField("safe phone number", max_length=30, blank=True)
    safe_phone_alternative = models.CharField("other safe number", max_length=30, blank=True)
    safe_to_call = models.CharField(
        max_length=10, choices=SafeToContact.choices, default=SafeToContact.UNKNOWN
    )
    safe_to_leave_voicemail = models.CharField(
        max_length=10, choices=SafeToContact.choices, default=SafeToContact.UNKNOWN
    )
    safe_to_text = models.CharField(
        max_length=10, choices=SafeToContact.choices, default=SafeToContact.UNKNOWN
    )
    # Perpetrators often read a shared or old e-mail account: whether e-mail is safe, and where.
    safe_to_email = models.CharField(
        "safe to e-mail",
        max_length=10,
        choices=SafeToContact.choices,
        default=SafeToContact.UNKNOWN,
    )
    safe_email = models.EmailField("safe e-mail address", blank=True)
    safe_times = models.CharField("safe times to contact", max_length=200, blank=True)
    safe_address = models.TextField("safe postal address", blank=True)
    code_word = models.CharField(
        max_length=60, blank=True, help_text="Agreed word that means 'I cannot talk now'."
    )
    do_not_contact_via = models.CharField(
        "do not contact via",
        max_length=200,
        blank=True,
        help_text="e.g. home landline, work e-mail",
    )
    safe_contact_notes = models.TextField(blank=True)

    lawful_basis = models.CharField(
        "lawful basis for holding the client's data",
        max_length=30,
        choices=LawfulBasis.choices,
        default=LawfulBasis.LEGITIMATE_INTERESTS,
    )
    lawful_basis_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="The Article 9 condition for special category data, and anything else relied on.",
    )
    # The client record and the safe-contact form both edit this row (accounts.concurrency).
    version = version_field()

    # A duplicate merged into another record stays as a tombstone pointing at the kept one, so
    # that the change history and audit events naming "Client N" still lead somewhere.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set when the record was de-identified (dataprotection.erasure): the row is a stub keeping
    # only the coded answers the reports count, left out of search and the duplicate check.
    erased_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            # Duplicate check and search by similar names (pg_trgm's % and %> operators). Created
            # on PostgreSQL only (migration 0010): SQLite uses cases.matching's fallback.
            GinIndex(
                fields=["first_name"], name="client_first_name_trgm", opclasses=["gin_trgm_ops"]
            ),
            GinIndex(
                fields=["last_name"], name="client_last_name_trgm", opclasses=["gin_trgm_ops"]
            ),
            GinIndex(
                fields=["preferred_name"],
                name="client_preferred_name_trgm",
                opclasses=["gin_trgm_ops"],
            ),
            # Duplicate check by postcode within the provider.
            models.Index(fields=["provider", "postcode"], name="client_duplicate_postcode"),
            # Duplicate check on filing a referral: same name and date of birth in the provider.
            models.Index(
                fields=["provider", "last_name", "first_name", "date_of_birth"],
                name="client_duplicate_name_dob",
            ),
            models.Index(fields=["provider", "safe_phone"], name="client_duplicate_phone"),
            # The duplicate check compares phone numbers without their spaces and dashes: the
            # same expression indexed (cases.matching.digits_only), so it reads the few clients
            # with that number instead of every client of the provider.
            models.Index(
                F("provider"), digits_only("safe_phone"), name="client_duplicate_phone_digits"
            ),
            models.Index(
                F("provider"),
                digits_only("safe_phone_alternative"),
                name="client_duplicate_other_digits",
            ),
        ]

    @property
    def audit_label(self):
        return f"Client {self.pk}"

    @property
    def is_erased(self):
        return self.erased_on is not None

    @property
    def is_merged(self):
        return self.merged_into_id is not None

    def clean(self):
        from cases.matching import normalise_postcode

        # One spelling of a postcode, so that the duplicate check can compare them.
        self.postcode = normalise_postcode(self.postcode)

    def audit_scope(self):
        return None, self.service_id

    @property
    def display_name(self):
        if self.erased_on is not None:
            return "Record erased"
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{name} ({self.preferred_name})" if self.preferred_name else name

    @property
    def has_safe_contact_instructions(self):
        return any(
            [
                self.safe_phone,
                self.safe_times,
                self.code_word,
                self.do_not_contact_via,
                self.safe_address,
                self.safe_contact_notes,
                self.safe_to_call != SafeToContact.UNKNOWN,
                self.safe_email,
                self.safe_to_email != SafeToContact.UNKNOWN,
            ]
        )


@audited
class ClientAlias(CaseDataModel):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "client aliases"
        indexes = [
            # Search and the duplicate check by other names (pg_trgm; PostgreSQL only).
            GinIndex(fields=["name"], name="clientalias_name_trgm", opclasses=["gin_trgm_ops"]),
        ]

    def audit_scope(self):
        return None, self.client.service_id


@audited
class ConsentRecord(CaseDataModel):
    """Consent for one purpose (and, for sharing, one agency), with its withdrawal."""

    class Purpose(models.TextChoices):
        REFERRAL = "referral", "Consent to the referral"
        CONTACT = "contact", "Consent to be contacted"
        SHARE = "share", "Consent to share information with an agency"

    class Method(models.TextChoices):
        ANY = "any", "Any safe method"
        PHONE = "phone", "Phone call"
        TEXT = "text", "Text message"
        EMAIL = "email", "E-mail"
        LETTER = "letter", "Letter"
        IN_PERSON = "in_person", "In person only"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(
        "how the client may be contacted", max_length=20, choices=Method.choices, blank=True
    )
    given = models.BooleanField(default=True)
    recorded_on = models.DateField(validators=[validate_event_date])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_on = models.DateField(null=True, blank=True, validators=[validate_event_date])
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-recorded_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(purpose="share") | models.Q(agency__isnull=False),
                name="consent_share_names_agency",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True)
                | models.Q(withdrawn_on__gte=models.F("recorded_on")),
                name="consent_withdrawn_after_recorded",
            ),
        ]

    def audit_scope(self):
        return None, self.client.service_id

    @property
    def is_active(self):
        return self.given and self.withdrawn_on is None


@audited
class ClientMatchDismissal(CaseDataModel):
    """A caseworker's answer "not the same person" to a possible duplicate: the pair is not
    offered again. Stored once per pair, the lower id first."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    dismissed_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "other"], name="client_match_dismissed_once"),
            models.CheckConstraint(
                condition=models.Q(client__lt=models.F("other")),
                name="client_match_dismissal_ordered",
            ),
        ]

    def audit_scope(self):
        return None, self.client.service_id
