"""Appointments: the caseworker's diary of a case (meetings with the client, court, MARAC,
professional meetings). A meeting with the client is checked against the client's safe times,
address and channels before it is saved (support.services_appointments); the warnings given and
the caseworker's acknowledgement are kept with it."""

from django.conf import settings
from django.db import models

from accounts.audit import audited
from accounts.concurrency import version_field
from cases.models import Case
from cases.models.case import CaseChild


@audited
class Appointment(CaseChild):
    class Kind(models.TextChoices):
        CLIENT_MEETING = "client_meeting", "Meeting with the client"
        COURT = "court", "Court"
        MARAC = "marac", "MARAC"
        PROFESSIONAL = "professional", "Professional meeting"
        OTHER = "other", "Other"

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        PHONE = "phone", "Phone call"
        VIDEO = "video", "Video call"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="appointments")
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        help_text="Whose diary it is in: reminders go to them, never to the client.",
    )
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    channel = models.CharField(
        "how", max_length=20, choices=Channel.choices, default=Channel.IN_PERSON
    )
    starts_at = models.DateTimeField("starts")
    ends_at = models.DateTimeField("ends")
    place = models.CharField(max_length=200, blank=True)
    with_whom = models.CharField("with whom", max_length=200, blank=True)
    notes = models.TextField(blank=True)
    # The safety warnings shown when it was last saved, and that the caseworker went ahead.
    warnings = models.TextField(blank=True, editable=False)
    warnings_acknowledged = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    cancellation_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    version = version_field()  # accounts.concurrency: checked by the edit form

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="appointment_ends_after_start",
            ),
        ]
        indexes = [
            # The week panel and the team view: a caseworker's (or a service's) appointments
            # between two moments.
            models.Index(fields=["caseworker", "starts_at"], name="appointment_worker_start"),
            # The case's list of appointments.
            models.Index(fields=["case", "starts_at"], name="appointment_case_start"),
        ]

    @property
    def audit_label(self):
        return f"Appointment {self.pk}"

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None
