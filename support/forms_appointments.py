"""Forms of the diary. They validate input; support.services_appointments checks the safety
warnings and writes."""

from django import forms

from accounts.concurrency import EditStateFormMixin
from accounts.idempotency import OnceOnlyFormMixin

from .models import Appointment

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
APPOINTMENT_FIELDS = ["kind", "channel", "starts_at", "ends_at", "place", "with_whom", "notes"]


class _AppointmentFields(forms.ModelForm):
    warnings_acknowledged = forms.BooleanField(
        label="I have checked: it is safe to go ahead despite the warnings",
        required=False,
    )

    class Meta:
        model = Appointment
        fields = APPOINTMENT_FIELDS
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "place": "Where: a meeting with the client is checked against their safe address.",
        }


class AppointmentForm(OnceOnlyFormMixin, _AppointmentFields):
    pass


class AppointmentEditForm(EditStateFormMixin, _AppointmentFields):
    pass


class AppointmentCancelForm(forms.Form):
    cancellation_reason = forms.CharField(label="Why is it cancelled?", max_length=300)
