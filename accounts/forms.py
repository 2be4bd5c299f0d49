from django import forms

from .models import User
from .selectors import case_id_for_reference


class AuditFilterForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="User")
    case = forms.CharField(
        required=False,
        max_length=30,
        label="Case reference",
        help_text="For example RRH-2026-00042.",
    )
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, service_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.service_ids = list(service_ids)
        self.fields["user"].queryset = User.objects.filter(
            memberships__service_id__in=service_ids
        ).distinct()

    def clean_case(self):
        """The reference, as the id of that case in the reader's services. A case of another
        service reads as one that does not exist."""
        reference = self.cleaned_data["case"].strip()
        if not reference:
            return None
        case_id = case_id_for_reference(reference, self.service_ids)
        if case_id is None:
            raise forms.ValidationError("No case with that reference in your services.")
        return case_id

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned
