from django import forms
from django.utils import timezone

from accounts import access
from accounts.idempotency import OnceOnlyFormMixin
from accounts.models import Team
from cases.forms import DATE, DATETIME
from cases.models import Agency, Client

from .models import Referral, ReferralRoute

CLIENT_FIELDS = [
    "first_name",
    "last_name",
    "date_of_birth",
    "postcode",
    "safe_phone",
    "safe_to_call",
    "safe_to_leave_voicemail",
    "safe_to_text",
    "safe_to_email",
    "safe_email",
    "safe_times",
    "code_word",
    "do_not_contact_via",
]


class ReferralClientForm(forms.ModelForm):
    """What the referrer knows about the client, including how to reach them safely."""

    class Meta:
        model = Client
        fields = CLIENT_FIELDS
        widgets = {"date_of_birth": DATE}
        labels = {"first_name": "Client's first name", "last_name": "Client's last name"}


class ReferralForm(OnceOnlyFormMixin, forms.ModelForm):
    class Meta:
        model = Referral
        fields = [
            "received_at",
            "route",
            "initial_route",
            "referring_agency",
            "referrer_name",
            "referrer_phone",
            "referrer_email",
            "referrer_risk_information",
            "reason",
            "consent_to_referral",
            "is_transfer",
        ]
        widgets = {
            "received_at": DATETIME,
            "referrer_risk_information": forms.Textarea(attrs={"rows": 3}),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["route"].queryset = ReferralRoute.objects.offered_to(service)
        # The initial route records history, so a retired route may still be the true answer.
        self.fields["initial_route"].queryset = ReferralRoute.objects.of_provider(
            service.provider_id
        )
        self.fields["referring_agency"].queryset = Agency.objects.filter(is_retired=False)
        if not self.is_bound:
            self.initial.setdefault("received_at", timezone.localtime().replace(second=0))

    def clean_received_at(self):
        received = self.cleaned_data["received_at"]
        if received > timezone.now() + timezone.timedelta(minutes=5):
            raise forms.ValidationError("The referral cannot be received in the future.")
        return received


class TriageForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[c for c in Referral.Triage.choices if c[0] != Referral.Triage.PENDING],
        widget=forms.RadioSelect,
        label="Triage outcome",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    signposted_to = forms.ModelChoiceField(
        queryset=Agency.objects.filter(is_retired=False), required=False
    )
    opened_on = forms.DateField(required=False, widget=DATE, label="Case opened on")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)
    caseworker = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(service=service)
        self.fields["caseworker"].queryset = access.users_with(
            access.Capability.EDIT_CASES, service
        )
        if not self.is_bound:
            self.initial.setdefault("opened_on", timezone.localdate())


class ContactAttemptForm(forms.Form):
    at = forms.DateTimeField(
        label="When", widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    successful = forms.TypedChoiceField(
        choices=[("no", "Attempted, no contact"), ("yes", "Spoke to the client")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Result",
    )
