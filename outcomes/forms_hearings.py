"""The court hearing form: it validates input; outcomes.services_hearings writes."""

from django import forms

from accounts.concurrency import EditStateFormMixin
from accounts.idempotency import OnceOnlyFormMixin

from .models import CourtHearing
from .services_hearings import HEARING_FIELDS


class _HearingFields(forms.ModelForm):
    class Meta:
        model = CourtHearing
        fields = list(HEARING_FIELDS)
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "bail_ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "outcome": forms.Textarea(attrs={"rows": 3}),
            "bail_conditions": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "order_status": "Civil hearings: where the order stands after this hearing.",
            "special_measures": "Criminal hearings: requested, granted or denied.",
        }


class CourtHearingForm(OnceOnlyFormMixin, _HearingFields):
    pass


class CourtHearingEditForm(EditStateFormMixin, _HearingFields):
    pass
