"""Safety in Numbers, "if a service supported 100 people" and the MARAC table, on hand-built
data whose expected figures are worked out here."""

import datetime

import pytest

from reporting.analyses import marac_table, safety_in_numbers, service_of_100
from reporting.insights.engine import ReportFilters
from reporting.insights.report import build_report
from reporting.insights.shown import show_report
from tests.factories import ContactFactory, PerpetratorFactory, TeamFactory, UserFactory
from tests.factories_marac import MaracHearingFactory
from tests.factories_riskassessment import MaracMeetingFactory
from tests.factories_support import InterventionFactory, SafetyPlanFactory
from tests.reporting.test_insights_tables import (
    DURING,
    IN_PERIOD,
    PERIOD,
    exit_matched,
    intake,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return UserFactory()


def _cells(table, label):
    return dict(table.rows)[label]


def test_safety_in_numbers_by_intensity_and_interventions(service, author):
    # Exit A: 6 significant contacts, 3 kinds of intervention (two TAU entries are one kind,
    # plus safety planning), felt safer. Exit B: 2 significant contacts, no intervention,
    # did not feel safer.
    exit_a = exit_matched(service, author, outcome_feel_safer="Agree")
    for _ in range(6):
        ContactFactory(case=exit_a.case, is_significant=True, occurred_at=DURING)
    ContactFactory(case=exit_a.case, is_significant=False, occurred_at=DURING)
    InterventionFactory(case=exit_a.case, type="police_check")
    InterventionFactory(case=exit_a.case, type="tau_marker_requested")
    InterventionFactory(case=exit_a.case, type="tau_marker_placed")
    SafetyPlanFactory(case=exit_a.case)
    exit_b = exit_matched(service, author, outcome_feel_safer="Disagree")
    for _ in range(2):
        ContactFactory(case=exit_b.case, is_significant=True, occurred_at=DURING)

    by_intensity, by_band = safety_in_numbers(PERIOD, ReportFilters(service_ids=(service.pk,)))

    intensive, fewer = _cells(by_intensity, "Victim feels safer")
    assert (intensive.count, intensive.n) == (1, 1)
    assert (fewer.count, fewer.n) == (0, 1)
    zero_one, two_five, six_ten, eleven_plus = _cells(by_band, "Victim feels safer")
    assert (zero_one.count, zero_one.n) == (0, 1)
    assert (two_five.count, two_five.n) == (1, 1)
    assert six_ten.n == eleven_plus.n == 0


def test_total_cessation_counts_no_abuse_since_intake_or_review(service, author):
    exit_matched(service, author, abuse_since="No abuse experienced since intake")
    exit_matched(service, author, abuse_since="No abuse experienced since last review point")
    exit_matched(service, author, abuse_since="Abuse experienced since intake or last review")
    by_intensity, _ = safety_in_numbers(PERIOD, ReportFilters(service_ids=(service.pk,)))
    _, fewer = _cells(by_intensity, "Total Cessation")
    assert (fewer.count, fewer.n) == (2, 3)


def test_service_of_100_is_per_hundred_of_each_table(service, author):
    # 4 intakes, 3 with a male perpetrator.
    intake(service, author, perpetrator_sex_at_birth="Male")
    intake(service, author, perpetrator_sex_at_birth="Male")
    intake(service, author, perpetrator_sex_at_birth="Male")
    intake(service, author, perpetrator_sex_at_birth="Female")
    report = build_report(period=PERIOD, filters=ReportFilters(service_ids=(service.pk,)))
    tables = {table.key: table.current for table in show_report(report, None).tables}
    # The per-100 arithmetic (the minimum n, SERVICE_OF_100_MIN_N, is tested on its own).
    sections = dict(service_of_100(tables, min_n=1).sections)
    assert "75 have a male perpetrator" in sections["Who else is involved?"]
    # No exits in the period: the exit sections say so instead of showing 0.
    assert sections["What did they say as they left the service?"] == ["No exits in the period."]


def test_marac_table_counts_cases_heard_in_the_period(service, author):
    meeting = MaracMeetingFactory(held_on=IN_PERIOD)
    earlier = MaracMeetingFactory(held_on=PERIOD.start - datetime.timedelta(days=10))
    cases = [exit_matched(service, author).case for _ in range(3)]
    MaracHearingFactory(
        case=cases[0],
        meeting=meeting,
        is_repeat=True,
        coercive_control=True,
        children_in_household=2,
    )
    MaracHearingFactory(case=cases[1], meeting=meeting, children_in_household=1)
    MaracHearingFactory(case=cases[2], meeting=earlier, is_repeat=True)
    PerpetratorFactory(case=cases[1], sex_at_birth="Female")

    rows = dict(marac_table(PERIOD, ReportFilters(service_ids=(service.pk,))))
    assert rows["Cases heard at MARAC"].count == 2
    assert (rows["Repeat cases"].count, rows["Repeat cases"].n) == (1, 2)
    assert rows["Repeat cases"].percent == 50
    assert rows["Coercive Control"].count == 1
    assert rows["Children in households"].count == 3
    assert rows["Female perpetrators"].count == 1


def test_marac_table_follows_the_team_and_risk_filters(service, author):
    # Three cases heard in the period: North/high (a repeat), North/medium, South/high (a
    # repeat). Each filter keeps the hearings of the cases it keeps, as in every other table.
    north = TeamFactory(service=service, name="North")
    south = TeamFactory(service=service, name="South")
    meeting = MaracMeetingFactory(held_on=IN_PERIOD)
    heard = {}
    for team, risk, repeat in (
        (north, "high", True),
        (north, "medium", False),
        (south, "high", True),
    ):
        case = exit_matched(service, author).case
        case.team, case.risk_level = team, risk
        case.save()
        MaracHearingFactory(case=case, meeting=meeting, is_repeat=repeat)
        heard[case.pk] = (team.pk, risk, repeat)

    def counted(**filters):
        rows = dict(marac_table(PERIOD, ReportFilters(service_ids=(service.pk,), **filters)))
        return rows["Cases heard at MARAC"].count, rows["Repeat cases"].count

    def expected(teams=None, risks=None):
        kept = [
            repeat
            for team, risk, repeat in heard.values()
            if (teams is None or team in teams) and (risks is None or risk in risks)
        ]
        return len(kept), sum(kept)

    assert counted() == expected() == (3, 2)
    assert counted(team_ids=(north.pk,)) == expected(teams=(north.pk,))
    assert counted(risk_levels=("high",)) == expected(risks=("high",))
    assert counted(team_ids=(north.pk,), risk_levels=("high",)) == expected(
        teams=(north.pk,), risks=("high",)
    )
    # The Insights report object passes its filters on to the MARAC table it shows.
    filters = ReportFilters(service_ids=(service.pk,), team_ids=(south.pk,))
    shown = show_report(build_report(period=PERIOD, filters=filters), None, analyses=True)
    assert dict(shown.marac)["Cases heard at MARAC"]["count"] == expected(teams=(south.pk,))[0]
