"""The universes of the Insights tables: which rows each group of tables counts (see
reporting.insights.engine.Universe), and the two lanes a report runs them in."""

from django.db.models import Exists, OuterRef

from cases.models import ChildInCase
from outcomes.models import (
    CivilJusticeForm,
    ExitForm,
    Incident,
    IntakeForm,
    PoliceReport,
    ReviewForm,
)
from outcomes.models.base import FormStatus

from .engine import Universe

SUBMITTED = FormStatus.SUBMITTED

# --- Universes --------------------------------------------------------------------------------


def _submitted_intake_for_case():
    return IntakeForm.objects.filter(case_id=OuterRef("case_id"), status=SUBMITTED)


def _dated_by_exit(key, label, queryset):
    """Rows of the justice forms, counted in the period of their case's submitted exit."""
    return Universe(
        key,
        label,
        queryset,
        "case__exit_forms__exit_date",
        "case",
        narrow=lambda qs: qs.filter(case__exit_forms__status=SUBMITTED),
    )


UNIVERSES = {
    "intakes": Universe(
        "intakes",
        "cases at intake",
        lambda: IntakeForm.objects.filter(status=SUBMITTED),
        "completed_on",
        "case",
    ),
    "intake_clients": Universe(
        "intake_clients",
        "individual clients at intake, duplicates removed",
        lambda: IntakeForm.objects.filter(status=SUBMITTED),
        "completed_on",
        "case",
        dedupe_client=True,
        deduplicates="intakes",
    ),
    "intake_children": Universe(
        "intake_children",
        "children and young people involved in cases at intake",
        lambda: ChildInCase.objects.all(),
        "case__intake_forms__completed_on",
        "case",
        narrow=lambda qs: qs.filter(case__intake_forms__status=SUBMITTED),
    ),
    "reviews": Universe(
        "reviews",
        "review forms",
        lambda: ReviewForm.objects.filter(status=SUBMITTED),
        "reviewed_on",
        "case",
    ),
    "exits": Universe(
        "exits",
        "exits matched to intake",
        lambda: ExitForm.objects.filter(status=SUBMITTED),
        "exit_date",
        "case",
        narrow=lambda qs: qs.filter(Exists(_submitted_intake_for_case())),
    ),
    "police_reports": _dated_by_exit(
        "police_reports",
        "police reports on criminal justice forms of exits in the period",
        lambda: PoliceReport.objects.filter(form__status=SUBMITTED),
    ),
    "incidents": _dated_by_exit(
        "incidents",
        "incidents reported to the police",
        lambda: Incident.objects.filter(report__form__status=SUBMITTED),
    ),
    "civil_forms": _dated_by_exit(
        "civil_forms",
        "clients supported with civil justice",
        lambda: CivilJusticeForm.objects.filter(status=SUBMITTED),
    ),
}

# The two lanes a report runs in at once (reporting.insights.engine.run_tables): the intake
# side and the exit side, about the same work each.
LANES = (
    ("intakes", "intake_clients", "intake_children"),
    ("exits", "reviews", "police_reports", "incidents", "civil_forms"),
)
