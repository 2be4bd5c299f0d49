"""The report filters: period, comparison period, services, teams, risk level, suppression."""

import datetime

from django import forms

from accounts import access
from accounts.models import Team
from cases.models.case import RiskLevel

from ..periods import Period, financial_year, last_complete_quarter, quarter, quarter_name
from .engine import ReportFilters
from .report import may_switch_suppression_off, suppression_needed_message
from .suppression import SUPPRESSION_THRESHOLD, suppressed_text

QUARTERS_OFFERED = 12
YEARS_OFFERED = 6


def _financial_year_of(day: datetime.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def recent_quarters(today: datetime.date) -> list[Period]:
    periods, period = [], last_complete_quarter(today)
    # The quarter in progress first: managers check it as it goes.
    current = period.end + datetime.timedelta(days=1)
    number = (current.month - 4) % 12 // 3 + 1
    periods.append(quarter(_financial_year_of(current), number))
    for _ in range(QUARTERS_OFFERED - 1):
        periods.append(period)
        period = period.previous()
    return periods


class InsightsFilterForm(forms.Form):
    PERIOD_QUARTER, PERIOD_YEAR, PERIOD_CUSTOM = "quarter", "year", "custom"
    COMPARE_PREVIOUS, COMPARE_YEAR_BEFORE, COMPARE_CUSTOM, COMPARE_NONE = (
        "previous",
        "year_before",
        "custom",
        "none",
    )

    period_kind = forms.ChoiceField(
        label="Period",
        choices=[
            (PERIOD_QUARTER, "A quarter"),
            (PERIOD_YEAR, "A financial year"),
            (PERIOD_CUSTOM, "Dates of my choice"),
        ],
        initial=PERIOD_QUARTER,
    )
    quarter = forms.ChoiceField(label="Quarter", required=False)
    year = forms.TypedChoiceField(label="Financial year", coerce=int, required=False)
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    compare = forms.ChoiceField(
        label="Compare with",
        choices=[
            (COMPARE_PREVIOUS, "The period before"),
            (COMPARE_YEAR_BEFORE, "The same period a year before"),
            (COMPARE_CUSTOM, "Dates of my choice"),
            (COMPARE_NONE, "No comparison"),
        ],
        initial=COMPARE_PREVIOUS,
    )
    compare_start = forms.DateField(
        label="Compare from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    compare_end = forms.DateField(
        label="Compare to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    services = forms.TypedMultipleChoiceField(
        label="Services", coerce=int, widget=forms.CheckboxSelectMultiple
    )
    teams = forms.TypedMultipleChoiceField(
        label="Teams (all when none is ticked)",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    risk_levels = forms.MultipleChoiceField(
        label="Current risk level (all when none is ticked)",
        choices=RiskLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    suppress = forms.BooleanField(
        label=f"Suppress small numbers (counts under {SUPPRESSION_THRESHOLD} shown as "
        f'"{suppressed_text(SUPPRESSION_THRESHOLD)}") for sharing outside the service',
        required=False,
    )

    def __init__(self, *args, user, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.user = user
        services = access.services_with(user, access.Capability.RUN_REPORTS).order_by("name")
        self.fields["services"].choices = [(service.pk, service.name) for service in services]
        self.fields["teams"].choices = [
            (team.pk, f"{team.service.name}: {team.name}")
            for team in Team.objects.filter(service__in=services).select_related("service")
        ]
        quarters = recent_quarters(today)
        self.fields["quarter"].choices = [
            (period.start.isoformat(), quarter_name(period)) for period in quarters
        ]
        self.fields["quarter"].initial = quarters[1].start.isoformat()
        this_year = _financial_year_of(today)
        self.fields["year"].choices = [
            (year, financial_year(year).label)
            for year in range(this_year, this_year - YEARS_OFFERED, -1)
        ]
        self.fields["year"].initial = this_year - 1

    @classmethod
    def initial_data(cls, form) -> dict:
        """The form's defaults as GET data: last complete quarter, all the user's services."""
        return {
            "period_kind": cls.PERIOD_QUARTER,
            "quarter": form.fields["quarter"].initial,
            "compare": cls.COMPARE_PREVIOUS,
            "services": [str(value) for value, _ in form.fields["services"].choices],
        }

    def clean(self):
        data = super().clean()
        kind = data.get("period_kind")
        period = None
        if kind == self.PERIOD_QUARTER:
            if not data.get("quarter"):
                self.add_error("quarter", "Choose a quarter.")
            else:
                start = datetime.date.fromisoformat(data["quarter"])
                period = quarter(_financial_year_of(start), (start.month - 4) % 12 // 3 + 1)
        elif kind == self.PERIOD_YEAR:
            if data.get("year") in (None, ""):
                self.add_error("year", "Choose a financial year.")
            else:
                period = financial_year(data["year"])
        elif kind == self.PERIOD_CUSTOM:
            period = self._dates(data, "start", "end")
        comparison = None
        if period is not None:
            compare = data.get("compare")
            if compare == self.COMPARE_PREVIOUS:
                comparison = period.previous()
            elif compare == self.COMPARE_YEAR_BEFORE:
                comparison = Period(
                    period.start.replace(year=period.start.year - 1),
                    _year_before(period.end),
                )
            elif compare == self.COMPARE_CUSTOM:
                comparison = self._dates(data, "compare_start", "compare_end")
        data["period"] = period
        data["comparison_period"] = comparison
        if (
            period is not None
            and not data.get("suppress")
            and not may_switch_suppression_off(
                self.user, [period, comparison], data.get("services", [])
            )
        ):
            self.add_error("suppress", suppression_needed_message())
        return data

    def _dates(self, data, start_field, end_field) -> Period | None:
        start, end = data.get(start_field), data.get(end_field)
        if not start:
            self.add_error(start_field, "Enter the first day.")
        if not end:
            self.add_error(end_field, "Enter the last day.")
        if not (start and end):
            return None
        if end < start:
            self.add_error(end_field, "The last day cannot be before the first.")
            return None
        return Period(start, end)

    def report_filters(self) -> ReportFilters:
        data = self.cleaned_data
        allowed_teams = {value for value, _ in self.fields["teams"].choices}
        teams = Team.objects.filter(
            pk__in=[team for team in data["teams"] if team in allowed_teams],
            service_id__in=data["services"],
        )
        return ReportFilters(
            service_ids=tuple(sorted(data["services"])),
            team_ids=tuple(sorted(teams.values_list("pk", flat=True))),
            risk_levels=tuple(sorted(data["risk_levels"])),
        )

    @property
    def suppress_below(self) -> int | None:
        return SUPPRESSION_THRESHOLD if self.cleaned_data.get("suppress") else None


def _year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
