from django import forms

from accounts.models import Service, User

from .forms import caseworkers_of


class TransferRequestForm(forms.Form):
    to_service = forms.ModelChoiceField(
        label="Transfer to", queryset=Service.objects.none(), empty_label="Choose a service"
    )
    reason = forms.CharField(
        label="Why the client's support moves there",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The receiving service's team leaders read this before they decide.",
    )

    def __init__(self, *args, destinations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_service"].queryset = destinations


class TransferDecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        label="Decision",
        choices=[("yes", "Accept: open a continuing case here"), ("no", "Decline")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    caseworker = forms.ModelChoiceField(
        label="Allocate to (if accepting)",
        queryset=User.objects.none(),
        required=False,
        empty_label="Leave unallocated",
    )
    declined_reason = forms.CharField(
        label="Why it is declined (if declining)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = caseworkers_of(service)
