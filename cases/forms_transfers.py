from django import forms

from accounts.models import Service, User

from .forms import caseworkers_of

DECIDERS_HELP = (
    "This case is restricted, so its transfer is seen only by the team leaders you tick here: "
    "they alone read its reference, risk and your reason, and decide it. Nobody else in the "
    "receiving service sees the request, because someone there may know the perpetrator. Tick "
    "team leaders of the service you chose above. For a high-risk or MARAC case, tick someone "
    "besides yourself: you may not accept a transfer you asked for."
)


class TransferRequestForm(forms.Form):
    to_service = forms.ModelChoiceField(
        label="Transfer to", queryset=Service.objects.none(), empty_label="Choose a service"
    )
    reason = forms.CharField(
        label="Why the client's support moves there",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The receiving service's team leaders read this before they decide.",
    )
    # Offered for a restricted case only. Every destination's team leaders are listed, each as
    # "Name (Service)", so the form works without script; clean() keeps those of the chosen one.
    deciders = forms.MultipleChoiceField(
        label="Team leaders who may see and decide it",
        widget=forms.CheckboxSelectMultiple,
        help_text=DECIDERS_HELP,
        error_messages={
            "required": "This case is restricted: tick at least one team leader of the "
            "receiving service to see and decide its transfer."
        },
    )

    def __init__(self, *args, destinations, decider_choices=None, **kwargs):
        """`decider_choices`: (service, user) pairs a restricted case's transfer may name
        (selectors_transfers.transfer_decider_choices); None for any other case."""
        super().__init__(*args, **kwargs)
        self.fields["to_service"].queryset = destinations
        if decider_choices is None:
            del self.fields["deciders"]
            return
        self._decider_pairs = {
            f"{service.pk}:{user.pk}": (service, user) for service, user in decider_choices
        }
        self.fields["deciders"].choices = [
            (value, f"{user} ({service.name})")
            for value, (service, user) in self._decider_pairs.items()
        ]

    def clean(self):
        cleaned = super().clean()
        if "deciders" not in self.fields or "deciders" not in cleaned:
            return cleaned
        to_service = cleaned.get("to_service")
        pairs = [self._decider_pairs[value] for value in cleaned["deciders"]]
        if to_service is not None:
            elsewhere = [
                f"{user} ({service.name})" for service, user in pairs if service != to_service
            ]
            if elsewhere:
                self.add_error(
                    "deciders",
                    f"{', '.join(elsewhere)}: not a team leader of {to_service.name}. Tick team "
                    f"leaders of {to_service.name}, the service the case moves to.",
                )
                return cleaned
        cleaned["deciders"] = [user for _service, user in pairs]
        return cleaned


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
