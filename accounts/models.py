"""Who works where: providers run services, services have teams, users hold roles in services."""

import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class LanternUserManager(UserManager):
    """Users sign in with their e-mail address; there is no separate username."""

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Users need an e-mail address.")
        email = self.normalize_email(email)
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150)
    # Set only by seed_demo in demo mode: the second factor counts as set up, and pages say so.
    is_demo_user = models.BooleanField(default=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = LanternUserManager()

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Provider(TimeStampedModel):
    """An organisation that runs one or more services (e.g. a charity or trust)."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Marac(TimeStampedModel):
    """A MARAC partnership: the meetings where local agencies hear high-risk cases. Services join
    one through Service.marac, which only a superuser or one of the MARAC's admins may set; a
    MARAC coordinator runs the meetings of the MARACs of their services."""

    name = models.CharField(max_length=120, unique=True)
    is_active = models.BooleanField(default=True)
    admins = models.ManyToManyField(
        User,
        blank=True,
        related_name="administered_maracs",
        help_text="May join services to this MARAC.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "MARAC"

    def __str__(self):
        return self.name


class Service(TimeStampedModel):
    """A service of a provider, e.g. "Ruby - Royal Hospital" or "Community Idva"."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    # Short and free of identifying words: used in case references (e.g. RRH-2026-00042).
    code = models.CharField(max_length=12, unique=True)
    # A label (risk checklists' area rules read it); it grants nothing. MARAC access follows
    # `marac`, which an admin of the service cannot set.
    area = models.CharField(max_length=120, blank=True, help_text="Local authority covered.")
    marac = models.ForeignKey(
        Marac,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        verbose_name="MARAC",
        help_text="Set by a superuser or an admin of the MARAC.",
    )
    # On by default: a second pair of eyes before a client's support ends. A service may turn it
    # off, but high-risk and MARAC cases always need it (cases.selectors.closure_sign_off_reason).
    requires_closure_sign_off = models.BooleanField(
        "closures need a team leader's sign-off",
        default=True,
        help_text="A team leader must approve a closure before a case closes. High-risk and "
        "MARAC cases always need it, whatever this says.",
    )
    # How long a risk assessment stays current (riskassessment.current_risk): inside it, a later
    # lower assessment does not lower the case's risk; only a reasoned decision does.
    risk_current_days = models.PositiveSmallIntegerField(
        "days a risk assessment stays current",
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text="A later, lower assessment within this many days does not lower the case's "
        "risk: a team leader records a reasoned decision instead. Three months by default, the "
        "usual time until a case's review.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["provider__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="service_unique_name"),
        ]

    def __str__(self):
        return self.name


class Team(TimeStampedModel):
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["service__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["service", "name"], name="team_unique_name"),
            # The target of the memberships' (team, service) foreign key (migration 0011): a
            # membership's team is one of the membership's own service.
            models.UniqueConstraint(fields=["id", "service"], name="team_unique_id_service"),
        ]

    def __str__(self):
        return f"{self.service.name}: {self.name}"


class Role(models.TextChoices):
    CASEWORKER = "caseworker", "Caseworker"
    TEAM_LEADER = "team_leader", "Team leader"
    SERVICE_MANAGER = "service_manager", "Service manager"
    MARAC_COORDINATOR = "marac_coordinator", "MARAC coordinator"
    ADMIN = "admin", "Admin"


class Membership(TimeStampedModel):
    """A user's role in one service. A user may hold several roles and several services."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    read_only = models.BooleanField(
        default=False, help_text="May see what the role sees, but change nothing."
    )

    # The team belongs to the membership's service. Checked here for forms and the admin, and in
    # the database by a composite foreign key (team_id, service_id) -> team (id, service_id)
    # (PostgreSQL) or triggers (SQLite), added by migration 0011: Django has no composite
    # foreign key, and a CHECK constraint cannot look at another table.
    WRONG_SERVICE_TEAM = "Choose a team of the membership's service."

    class Meta:
        ordering = ["service__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "service", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self):
        suffix = " (read only)" if self.read_only else ""
        return f"{self.user} - {self.get_role_display()}, {self.service}{suffix}"

    def clean(self):
        super().clean()
        if self.team_id is None or self.service_id is None:
            return
        team_service_id = (
            Team.objects.filter(pk=self.team_id).values_list("service_id", flat=True).first()
        )
        if team_service_id is not None and team_service_id != self.service_id:
            raise ValidationError({"team": self.WRONG_SERVICE_TEAM}, code="team_of_another_service")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogIsAppendOnly("Audit events cannot be changed.")


class AuditEvent(models.Model):
    """Append-only record of who read, searched, exported, downloaded, signed in or was refused.

    Changes to case data (create, update, delete with field-level before/after) are recorded by
    django-auditlog's LogEntry; accounts.selectors.audit_trail reads both as one trail. Neither
    can be changed or deleted through the app: the models refuse it, the admin is read-only, and
    on PostgreSQL a trigger refuses UPDATE and DELETE outright.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        SEARCH = "search", "Searched"
        EXPORT = "export", "Exported"
        DOWNLOAD = "download", "Downloaded"
        LOGIN = "login", "Signed in"
        LOGIN_FAILED = "login_failed", "Failed sign-in"
        LOGOUT = "logout", "Signed out"
        DENIED = "denied", "Refused access"
        RESTRICT = "restrict", "Restricted"
        UNRESTRICT = "unrestrict", "Unrestricted"
        ADMIN = "admin", "Administration"

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # As given at the time: survives a later change of the user's e-mail, and records the
    # address tried in a failed sign-in.
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Not a foreign key: accounts sits below the cases app and must not import it.
    case_id = models.BigIntegerField(null=True, blank=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # A non-identifying label such as a case reference; never a client's name.
    object_label = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # The manager's audit page: one service's events, newest first.
            models.Index(fields=["service", "-at"], name="auditevent_service_at"),
            # A case's access history.
            models.Index(fields=["case_id", "-at"], name="auditevent_case_at"),
            models.Index(fields=["actor", "-at"], name="auditevent_actor_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")


class AuditLogIsAppendOnly(Exception):
    pass


def export_upload_path(instance, filename):
    # The stored name is the random token: nothing about the content is in the path.
    return f"exports/{instance.created_at:%Y/%m}/{instance.token.hex}"


class ExportFile(models.Model):
    """A file exported by a user (a table as CSV or XLSX, a case bundle), offered through a link
    that only its owner can open and that expires (24 hours by default). Downloads are audited."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="exports")
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40)
    # What let the owner make it (an accounts.access.Capability) and in which services: the link
    # works only while the owner still holds that capability in every one of them.
    capability = models.CharField(max_length=40)
    service_ids = models.JSONField(default=list, blank=True)
    filename = models.CharField(max_length=120, help_text="Offered name; never identifying.")
    content_type = models.CharField(max_length=120)
    file = models.FileField(upload_to=export_upload_path)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The purge task: expired files first.
            models.Index(fields=["expires_at"], name="exportfile_expires"),
        ]

    def __str__(self):
        return f"{self.kind} {self.token}"

    @property
    def is_expired(self):
        return timezone.now() >= self.expires_at


class FormSubmission(models.Model):
    """A create form's one-time token, claimed in the transaction of the create it made: a
    second post of the same form (a double click, a resend) finds it and creates nothing.
    Holds ids only."""

    token = models.UUIDField(unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # Clearing out old tokens by age.
            models.Index(fields=["created_at"], name="form_submission_created"),
        ]

    def __str__(self):
        return f"Form submission {self.pk}"
