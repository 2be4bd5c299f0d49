"""The MARAC meeting list's filters, read from the query string (django-filter). They narrow a
queryset the selector has already scoped to the coordinator's MARACs; they never widen it."""

import django_filters
from django import forms

from accounts.models import Marac

from .models import MaracMeeting


class DateInput(forms.DateInput):
    input_type = "date"


class MeetingFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("held_from"), cleaned.get("held_to")
        if start and end and start > end:
            raise forms.ValidationError(
                "'Held from' is after 'Held until', so no meeting could match: swap the dates."
            )
        return cleaned


class MeetingFilter(django_filters.FilterSet):
    marac = django_filters.ModelChoiceFilter(
        label="MARAC", queryset=Marac.objects.none(), empty_label="Any"
    )
    held_from = django_filters.DateFilter(
        label="Held from", field_name="held_on", lookup_expr="gte", widget=DateInput
    )
    held_to = django_filters.DateFilter(
        label="Held until", field_name="held_on", lookup_expr="lte", widget=DateInput
    )

    class Meta:
        model = MaracMeeting
        fields = ["marac", "held_from", "held_to"]
        form = MeetingFilterForm

    def __init__(self, data=None, *args, maracs, **kwargs):
        super().__init__(data if data is not None else {}, *args, **kwargs)
        # Only the MARACs the coordinator runs are offered (and accepted).
        self.form.fields["marac"].queryset = maracs
