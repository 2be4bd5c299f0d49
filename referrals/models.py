"""Referrals: where they came from, who they are about, and what triage decided."""

from django.conf import settings
from django.db import models

from accounts.audit import CaseDataModel, audited
from accounts.models import Provider, Service, TimeStampedModel
from accounts.validators import validate_event_date
from cases.choices import insights_choices
from cases.models import Agency, Case, Client


class ReferralRouteQuerySet(models.QuerySet):
    def of_provider(self, provider_id):
        """The routes a provider's services may use: the national list and its own."""
        return self.filter(models.Q(provider__isnull=True) | models.Q(provider_id=provider_id))

    def offered_to(self, service):
        """Routes a caseworker of `service` may choose for a new referral: active routes of the
        national list or the service's provider that the service has not withdrawn, and that
        name this service or name no service (offered everywhere they reach)."""
        named_here = ReferralRoute.offered_by.through.objects.filter(
            referralroute_id=models.OuterRef("pk"), service_id=service.pk
        )
        named_anywhere = ReferralRoute.offered_by.through.objects.filter(
            referralroute_id=models.OuterRef("pk")
        )
        withdrawn_here = ReferralRoute.withdrawn_by.through.objects.filter(
            referralroute_id=models.OuterRef("pk"), service_id=service.pk
        )
        return (
            self.of_provider(service.provider_id)
            .filter(is_retired=False)
            .filter(models.Exists(named_here) | ~models.Exists(named_anywhere))
            .exclude(models.Exists(withdrawn_here))
        )


class ReferralRoute(TimeStampedModel):
    """A referral route, configured by admins. Retired routes stay on old referrals and in reports
    but are not offered for new ones."""

    # Empty: the national list (the Insights routes), which only a superuser changes; a
    # provider's admins add routes of their own and withdraw national ones from their services.
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referral_routes",
        help_text="Empty for a route of the national list, offered to every provider.",
    )
    name = models.CharField(max_length=120)
    group = models.CharField(
        max_length=80, blank=True, help_text="e.g. Health, Criminal justice, Social care"
    )
    position = models.PositiveIntegerField(default=0)
    is_builtin = models.BooleanField(default=False, editable=False)
    is_retired = models.BooleanField(default=False)
    offered_by = models.ManyToManyField(
        Service,
        blank=True,
        related_name="referral_routes",
        help_text="The services whose caseworkers may choose this route; none means all.",
    )
    withdrawn_by = models.ManyToManyField(
        Service,
        blank=True,
        related_name="withdrawn_referral_routes",
        help_text="Services that no longer offer this route of the national list.",
    )

    objects = ReferralRouteQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(provider__isnull=True),
                name="referralroute_national_name_unique",
            ),
            models.UniqueConstraint(
                fields=["provider", "name"], name="referralroute_provider_name_unique"
            ),
        ]

    def __str__(self):
        return f"{self.name} (retired)" if self.is_retired else self.name


@audited
class Referral(CaseDataModel):
    class Triage(models.TextChoices):
        PENDING = "pending", "Not yet triaged"
        ACCEPTED = "accepted", "Accepted: case opened"
        MADE_AWARE = "made_aware", "Made aware, not engaged"
        DECLINED = "declined", "Declined by the client"
        SIGNPOSTED = "signposted", "Not appropriate: signposted elsewhere"
        UNABLE_TO_CONTACT = "unable_to_contact", "Unable to contact"
        YOUNG_PERSON = "young_person", "Under 16: routed to young people's safeguarding"

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    reference = models.CharField(max_length=30, unique=True)
    received_at = models.DateTimeField(validators=[validate_event_date])
    route = models.ForeignKey(ReferralRoute, on_delete=models.PROTECT, related_name="referrals")
    initial_route = models.ForeignKey(
        ReferralRoute,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where the referral first came from, when a single point of contact passed it on",
    )
    referring_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referrer_name = models.CharField(max_length=150, blank=True)
    referrer_phone = models.CharField(max_length=30, blank=True)
    referrer_email = models.EmailField(blank=True)
    referrer_risk_information = models.TextField("the referrer's risk information", blank=True)
    reason = models.TextField("reason for referral", blank=True)
    consent_to_referral = models.CharField(
        "client consented to the referral",
        max_length=20,
        blank=True,
        choices=insights_choices("client_ace"),  # Yes / No / Don't know
    )
    is_transfer = models.BooleanField(
        "transferred from another team of this service",
        default=False,
        help_text="Counts as a continuing case, not a new referral.",
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="referrals")
    referral_status = models.CharField(
        max_length=20, choices=Case.ReferralStatus.choices, default=Case.ReferralStatus.NEW_CLIENT
    )
    under_16_flag = models.BooleanField(default=False)

    triage = models.CharField(max_length=20, choices=Triage.choices, default=Triage.PENDING)
    triaged_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    triage_note = models.TextField(blank=True)
    signposted_to = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_contact_attempt_at = models.DateTimeField(
        null=True, blank=True, validators=[validate_event_date]
    )
    first_contact_at = models.DateTimeField(null=True, blank=True, validators=[validate_event_date])
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="referral"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            # Referral queue and the "Service inputs" tables by period.
            models.Index(fields=["service", "received_at"], name="referral_service_received"),
            models.Index(fields=["service", "triage"], name="referral_service_triage"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_contact_at__isnull=True)
                | models.Q(first_contact_at__gte=models.F("received_at")),
                name="referral_contact_after_received",
            ),
        ]

    @property
    def audit_label(self):
        return f"Referral {self.reference}"

    def audit_scope(self):
        return self.case_id, self.service_id

    @property
    def hours_to_first_attempt(self):
        if self.first_contact_attempt_at is None:
            return None
        return (self.first_contact_attempt_at - self.received_at).total_seconds() / 3600

    @property
    def hours_to_first_contact(self):
        if self.first_contact_at is None:
            return None
        return (self.first_contact_at - self.received_at).total_seconds() / 3600


class ReferralCounter(models.Model):
    """Per service and year, the last referral number given out (locked when incremented)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "year"], name="referral_counter_unique"),
        ]

    def __str__(self):
        return f"{self.service_id}/{self.year}: {self.last_number}"
