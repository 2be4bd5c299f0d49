"""Asking for an impact report, its narrative, and its case studies."""

import datetime

from django import forms
from django.utils.formats import date_format

from accounts import access
from accounts.concurrency import EditStateFormMixin

from ..insights.forms import recent_quarters
from ..insights.report import may_switch_suppression_off, suppression_needed_message
from ..insights.suppression import SUPPRESSION_THRESHOLD, suppressed_text
from ..models import DEFAULT_ATTRIBUTION_PERCENT, CaseStudy, ImpactReport
from ..periods import Period, quarter_name, rolling_twelve_months, year_to_date
from .selectors import SUPPRESSION_FIXED_MESSAGE, suppression_is_fixed


class ImpactReportRequestForm(forms.Form):
    title = forms.CharField(max_length=200, initial="Impact report")
    quarter = forms.ChoiceField(
        label="Quarter", required=False, help_text="Or leave empty and give your own dates."
    )
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    services = forms.TypedMultipleChoiceField(
        label="Services", coerce=int, widget=forms.CheckboxSelectMultiple
    )
    introduction = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Printed at the start of the report. Never name a client.",
    )
    suppress_small_numbers = forms.BooleanField(
        label=f"Suppress small numbers (counts under {SUPPRESSION_THRESHOLD} printed as "
        f'"{suppressed_text(SUPPRESSION_THRESHOLD)}")',
        required=False,
        initial=True,
    )
    attribution_percent = forms.IntegerField(
        label="Share of the estimated costs attributed to the service (%)",
        min_value=0,
        max_value=100,
        required=False,
        initial=DEFAULT_ATTRIBUTION_PERCENT,
        help_text="Police, health and MARAC partners work on the same cases: claim only the "
        "share your service can fairly take. Printed beside the economic value.",
    )

    def __init__(self, *args, user, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        services = access.services_with(user, access.Capability.RUN_REPORTS).order_by("name")
        self.services_by_pk = {service.pk: service for service in services}
        self.fields["services"].choices = [(s.pk, s.name) for s in services]
        self.fields["services"].initial = list(self.services_by_pk)
        quarters = recent_quarters(today)
        # The longer periods that make a small service's numbers meaningful under suppression.
        longer = {
            "year-to-date": ("Year to date", year_to_date(today)),
            "last-12-months": ("Last 12 months", rolling_twelve_months(today)),
        }
        self.fields["quarter"].choices = [
            ("", "Dates of my choice"),
            *((period.start.isoformat(), quarter_name(period)) for period in quarters),
            *(
                (key, f"{name} ({date_format(period.start)} to {date_format(period.end)})")
                for key, (name, period) in longer.items()
            ),
        ]
        self.fields["quarter"].label = "Period"
        self.fields["quarter"].help_text = (
            "A quarter, or a longer period for a small service (with small numbers suppressed, "
            "a quarter may have too few cases to show). Or leave empty and give your own dates."
        )
        self.fields["quarter"].initial = quarters[1].start.isoformat()
        self._quarters = {period.start.isoformat(): period for period in quarters}
        self._quarters.update({key: period for key, (_name, period) in longer.items()})

    def clean(self):
        data = super().clean()
        period = None
        if data.get("quarter"):
            period = self._quarters.get(data["quarter"])
        else:
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", "Choose a quarter, or enter the first day.")
            if not end:
                self.add_error("end", "Choose a quarter, or enter the last day.")
            if start and end:
                if end < start:
                    self.add_error("end", "The last day cannot be before the first.")
                elif (end - start).days > 366 * 2:
                    self.add_error("end", "A report covers at most two years.")
                else:
                    period = Period(start, end)
        data["period"] = period
        if data.get("attribution_percent") is None and "attribution_percent" not in self.errors:
            data["attribution_percent"] = DEFAULT_ATTRIBUTION_PERCENT
        data["service_objects"] = [
            self.services_by_pk[pk] for pk in data.get("services", []) if pk in self.services_by_pk
        ]
        if (
            period is not None
            and not data.get("suppress_small_numbers")
            and not may_switch_suppression_off(
                self.user, [period], [service.pk for service in data["service_objects"]]
            )
        ):
            self.add_error("suppress_small_numbers", suppression_needed_message())
        return data


class ImpactNarrativeForm(EditStateFormMixin, forms.ModelForm):
    """The report's title, introduction and suppression, edited in place: the view saves them
    through services.impact_report_narrative_save, which checks the rules."""

    class Meta:
        model = ImpactReport
        fields = ["title", "introduction", "suppress_small_numbers"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if suppression_is_fixed(self.instance):
            # Not disabled: changing it builds a new edition (services.impact_report_new_edition).
            self.fields["suppress_small_numbers"].help_text = SUPPRESSION_FIXED_MESSAGE


class CaseStudyForm(forms.ModelForm):
    consent = forms.BooleanField(
        label="The client has agreed that this story may be used in the report",
        required=False,
        help_text="Without recorded consent the story is kept but never printed.",
    )

    class Meta:
        model = CaseStudy
        fields = ["pseudonym", "title", "story", "consent_note"]
        widgets = {"story": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].initial = bool(self.instance.pk and self.instance.has_consent)

    def clean(self):
        data = super().clean()
        if data.get("consent") and not (data.get("consent_note") or "").strip():
            self.add_error("consent_note", "Say how the client gave consent.")
        return data
