"""The Insights Dash tables band scores as the assessment does (riskassessment.scoring): 1-5,
6-9, 10+, and zero ticks in no band (missing at intake; not a pair at exit), so that the
assessment page and the report never disagree about one assessment."""

import datetime

import pytest
from django.utils import timezone

from reporting.insights.engine import ReportFilters
from reporting.insights.report import build_report
from reporting.periods import quarter
from riskassessment import scoring
from tests.factories import CaseFactory
from tests.factories_outcomes import ExitFormFactory, IntakeFormFactory
from tests.factories_riskassessment import submitted

pytestmark = pytest.mark.django_db

PERIOD = quarter(2025, 1)  # April to June 2025
INTAKE_ON = datetime.date(2025, 2, 1)
IN_PERIOD = datetime.date(2025, 5, 10)
NOW = timezone.now()
STANDARD, MEDIUM, HIGH = (label for _low, _high, label in scoring.INSIGHTS_DASH_BANDS)


def _figures(service, key):
    filters = ReportFilters(service_ids=(service.pk,))
    return build_report(period=PERIOD, filters=filters, keys=[key]).table(key).current


def _intake(service, caseworker, ticks):
    case = CaseFactory(service=service, opened_on=IN_PERIOD)
    IntakeFormFactory(
        case=case,
        created_by=caseworker,
        completed_on=IN_PERIOD,
        status="submitted",
        submitted_at=NOW,
    )
    if ticks is not None:
        return submitted(case, caseworker, ticks=ticks, stage="intake", on=IN_PERIOD)
    return None


def test_zero_ticks_has_no_band_on_the_assessment_and_is_missing_in_the_table(service, caseworker):
    assessments = [_intake(service, caseworker, ticks) for ticks in (0, 1, 5, 6, 10)]
    _intake(service, caseworker, None)  # an intake with no assessment at all
    assert [a.insights_band for a in assessments] == ["", STANDARD, STANDARD, MEDIUM, HIGH]

    table = _figures(service, "dash_ticks_intake")
    assert table.n == 6
    assert [table.count(label) for label in (STANDARD, MEDIUM, HIGH)] == [2, 1, 1]
    assert table.count("Missing") == 2  # zero ticks, and no assessment
    # Each assessment is counted in the row its own page shows.
    for assessment in assessments[1:]:
        assert table.count(assessment.insights_band) >= 1
    assert table.statistics["average"] == pytest.approx((1 + 5 + 6 + 10) / 4)


def test_paired_exit_tables_count_only_exits_banded_at_both_ends(service, caseworker):
    for ticks_in, ticks_out in ((12, 3), (12, 0), (0, 4), (7, 7)):
        case = CaseFactory(service=service, opened_on=INTAKE_ON)
        IntakeFormFactory(
            case=case,
            created_by=caseworker,
            completed_on=INTAKE_ON,
            status="submitted",
            submitted_at=NOW,
        )
        submitted(case, caseworker, ticks=ticks_in, stage="intake", on=INTAKE_ON)
        submitted(case, caseworker, ticks=ticks_out, stage="exit", on=IN_PERIOD)
        case.status, case.closed_on, case.closure_type = "closed", IN_PERIOD, "Planned closure"
        case.save()
        ExitFormFactory(
            case=case,
            created_by=caseworker,
            exit_date=IN_PERIOD,
            status="submitted",
            submitted_at=NOW,
            case_status="Planned closure",
        )

    at_intake = _figures(service, "dash_ticks_matched_intake")
    at_exit = _figures(service, "dash_ticks_exit")
    # The seed's Intake and Exit columns each add up to their n: a zero at either end (no
    # band) is not a pair.
    assert at_intake.n == at_exit.n == 2
    assert [at_intake.count(label) for label in (STANDARD, MEDIUM, HIGH)] == [0, 1, 1]
    assert [at_exit.count(label) for label in (STANDARD, MEDIUM, HIGH)] == [1, 1, 0]
    assert at_exit.statistics["reduced"] == 1
