"""Safety in Numbers on the Insights page (issue 19, item 8): the risk factors about children,
perpetrators and fear at intake against the review, and the 6-month follow-up's results, on
hand-built data whose expected figures are worked out here."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Role
from reporting.analyses import sin_follow_up, sin_intake_review
from reporting.insights.engine import ReportFilters
from reporting.insights.shown import insights_report
from reporting.insights.suppression import SUPPRESSION_THRESHOLD
from riskassessment import selectors as risk_selectors
from riskassessment import services as risk_services
from tests.factories import CaseFactory, MembershipFactory, ServiceFactory
from tests.factories_outcomes import FollowUpFactory
from tests.factories_riskassessment import dash_version
from tests.reporting.insights_results import get_computed
from tests.reporting.test_insights_tables import IN_PERIOD, NOW, PERIOD, closed_case

pytestmark = pytest.mark.django_db

BEFORE_PERIOD = PERIOD.start - datetime.timedelta(days=20)
INTAKE_DAY = PERIOD.start - datetime.timedelta(days=60)


def _dash(case, actor, *, stage, on, ticked):
    """A submitted Dash with the questions numbered in `ticked` answered Yes, the rest No."""
    assessment = risk_services.assessment_start(
        case=case, version=dash_version(), actor=actor, stage=stage, assessed_on=on
    )
    answers = {}
    for answer in risk_selectors.answers_for(assessment):
        options = {option.key: option for option in answer.question.options.all()}
        key = "yes" if answer.question.number in ticked else "no"
        answers[answer.question_id] = {"option": options[key], "detail": "", "comment": ""}
    return risk_services.assessment_save(
        assessment=assessment, actor=actor, answers=answers, submit=True
    )


def _reviewed(service, actor, *, intake, review, review_on=IN_PERIOD):
    case = CaseFactory(service=service, opened_on=INTAKE_DAY)
    _dash(case, actor, stage="intake", on=INTAKE_DAY, ticked=intake)
    if review is not None:
        _dash(case, actor, stage="review", on=review_on, ticked=review)
    return case


def _cells(tables):
    return {label: cells for table in tables for label, cells in table.rows}


def test_risk_factors_at_intake_against_the_review(service, caseworker):
    actor = caseworker
    # A: frightened, afraid, conflict over contact and financial issues at intake; only
    #    frightened at review. B: frightened and drugs/alcohol/mental health at intake; at review
    #    drugs/alcohol/mental health and a criminal history.
    _reviewed(service, actor, intake={2, 3, 7, 20}, review={2})
    _reviewed(service, actor, intake={2, 21}, review={21, 24})
    # Not counted: no review; a review before the period; another service's case.
    _reviewed(service, actor, intake={2, 7}, review=None)
    _reviewed(service, actor, intake={2, 7}, review={2, 7}, review_on=BEFORE_PERIOD)
    other = ServiceFactory()
    other_caseworker = MembershipFactory(service=other, role=Role.CASEWORKER).user
    _reviewed(other, other_caseworker, intake={2, 7}, review={2, 7})

    tables = sin_intake_review(PERIOD, ReportFilters(service_ids=(service.pk,)))

    assert [table.title for table in tables] == [
        "Threats to children (intake against review)",
        "Perpetrator risks (intake against review)",
        "Fear (intake against review)",
    ]
    cells = _cells(tables)
    expected = {
        "Client is very frightened (DASH 2)": (2, 1),  # A and B; A at review
        "Client is afraid of further harm (DASH 3)": (1, 0),  # A
        "Conflict over child contact (DASH 7)": (1, 0),  # A
        "Financial issues (DASH 20)": (1, 0),  # A
        "Drugs, alcohol or mental health (DASH 21)": (1, 1),  # B, both times
        "Criminal history (DASH 24)": (0, 1),  # B at review
        "Has threatened or attempted suicide (DASH 22)": (0, 0),
    }
    for label, (at_intake, at_review) in expected.items():
        intake_cell, review_cell = cells[label]
        assert (intake_cell.count, intake_cell.n) == (at_intake, 2), label
        assert (review_cell.count, review_cell.n) == (at_review, 2), label
    assert [cell.count for cell in cells["Cases (n)"]] == [2, 2]


def _follow_up(service, on=IN_PERIOD, status="submitted", **answers):
    case = closed_case(service, opened_on=INTAKE_DAY, closed_on=INTAKE_DAY)
    return FollowUpFactory(
        case=case,
        followed_up_on=on,
        status=status,
        submitted_at=NOW if status == "submitted" else None,
        **answers,
    )


@pytest.fixture
def follow_ups(service):
    # Four in the period: three reached (no further abuse and safe; no further abuse and not
    # safe; further abuse and unsure), one not reached. Not counted: one before the period and
    # a draft.
    _follow_up(service, reached="Yes", further_abuse="No", feels_safe="Yes")
    _follow_up(service, reached="Yes", further_abuse="No", feels_safe="No")
    _follow_up(service, reached="Yes", further_abuse="Yes", feels_safe="Don't know")
    _follow_up(service, reached="No")
    _follow_up(service, on=BEFORE_PERIOD, reached="Yes", further_abuse="Yes", feels_safe="No")
    _follow_up(service, status="draft", reached="Yes", further_abuse="Yes", feels_safe="No")


def test_the_follow_up_results_over_those_followed_up_and_those_reached(service, follow_ups):
    table = sin_follow_up(PERIOD, ReportFilters(service_ids=(service.pk,)))

    cells = {label: cells[0] for label, cells in table.rows}
    followed_up, reached = 4, 3
    assert (cells["Reached"].count, cells["Reached"].n) == (3, followed_up)
    expected = {
        "No further abuse since the case closed": 2,
        "Further abuse since the case closed": 1,
        "Further abuse: don't know": 0,
        "Feels safe": 1,
        "Does not feel safe": 1,
        "Feels safe: don't know": 1,
    }
    for label, count in expected.items():
        assert (cells[label].count, cells[label].n) == (count, reached), label
    assert cells["Follow-ups (n)"].count == followed_up


def test_the_report_object_suppresses_them(service, caseworker, follow_ups):
    _reviewed(service, caseworker, intake={2}, review={2})
    report = insights_report(
        period=PERIOD,
        filters=ReportFilters(service_ids=(service.pk,)),
        suppress_below=SUPPRESSION_THRESHOLD,
        analyses=True,
    )
    hidden = f"<{SUPPRESSION_THRESHOLD}"
    follow_up = dict(report.sin_follow_up["rows"])
    assert follow_up["Reached"][0]["count"] == hidden
    assert follow_up["Reached"][0]["percent"] is None
    assert follow_up["Follow-ups (n)"][0]["count"] == hidden
    fear = dict(report.sin_intake_review[2]["rows"])
    assert [cell["count"] for cell in fear["Client is very frightened (DASH 2)"]] == [hidden] * 2
    # Zeros beside a hidden count are hidden too (they would say where the one case is).
    assert [cell["count"] for cell in fear["Client is afraid of further harm (DASH 3)"]] == [
        hidden
    ] * 2


def test_the_page_shows_them(client_for, manager, service, follow_ups):
    data = {
        "period_kind": "custom",
        "start": PERIOD.start.isoformat(),
        "end": PERIOD.end.isoformat(),
        "compare": "none",
        "services": [service.pk],
    }
    page = get_computed(client_for(manager), reverse("reporting:insights"), data).content.decode()
    assert "Risk factors at intake and at review" in page
    assert "Perpetrator risks (intake against review)" in page
    assert "The 6-month follow-up" in page
    assert "No further abuse since the case closed" in page
    assert '67% <span class="text-body-secondary small">(2 of 3)</span>' in page


def test_a_lone_restricted_follow_up_is_not_counted(service):
    case = CaseFactory(
        service=service,
        opened_on=INTAKE_DAY,
        status="closed",
        closed_on=INTAKE_DAY,
        closure_type="Planned closure",
        is_restricted=True,
    )
    FollowUpFactory(
        case=case,
        followed_up_on=IN_PERIOD,
        status="submitted",
        submitted_at=NOW,
        reached="Yes",
        further_abuse="Yes",
        feels_safe="No",
    )
    table = sin_follow_up(PERIOD, ReportFilters(service_ids=(service.pk,)))
    assert dict(table.rows)["Follow-ups (n)"][0].count == 0


def test_a_case_reviewed_twice_counts_once_as_at_its_latest_review(service, caseworker):
    case = _reviewed(service, caseworker, intake={2}, review={2}, review_on=IN_PERIOD)
    later = IN_PERIOD + datetime.timedelta(days=7)
    _dash(case, caseworker, stage="review", on=later, ticked=set())
    cells = _cells(sin_intake_review(PERIOD, ReportFilters(service_ids=(service.pk,))))
    intake_cell, review_cell = cells["Client is very frightened (DASH 2)"]
    assert (intake_cell.count, review_cell.count, review_cell.n) == (1, 0, 1)
