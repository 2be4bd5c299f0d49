"""The Insights tables on small hand-built data: the expected counts are worked out here.

One test runs over every single-answer table of the intake, review and exit forms and the client
record (three rows with the first option, two with the second, one "Don't know", one missing);
the others check each counting rule by hand: who is counted, over which n, in which period.
"""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.choices import DONT_KNOW
from cases.models import Option
from catalogue.insights import TABLES_BY_KEY
from reporting.insights.engine import ReportFilters
from reporting.insights.report import build_report
from reporting.insights.specs import ChoiceSpec
from reporting.insights.tables import SPECS
from reporting.periods import Period, quarter
from tests.factories import (
    CaseFactory,
    ChildInCaseFactory,
    ClientFactory,
    ContactFactory,
    ServiceFactory,
    TeamFactory,
    UserFactory,
)
from tests.factories_outcomes import ExitFormFactory, IntakeFormFactory, ReviewFormFactory
from tests.factories_support import AreaSupportFactory

pytestmark = pytest.mark.django_db

PERIOD = quarter(2025, 1)  # April to June 2025
IN_PERIOD = datetime.date(2025, 5, 10)
BEFORE = datetime.date(2025, 2, 1)
NOW = timezone.now()
# A day in the life of the cases exit_matched builds (after their intake, before their exit):
# a report counts a case's contacts up to its exit (issue 19, item 4).
DURING = datetime.datetime(2025, 4, 15, 12, tzinfo=datetime.UTC)


@pytest.fixture
def service():
    return ServiceFactory(name="Community Idva")


@pytest.fixture
def author():
    return UserFactory()


def report(service, *keys, period=PERIOD, comparison=None, services=None):
    filters = ReportFilters(service_ids=tuple(s.pk for s in (services or [service])))
    return build_report(
        period=period, filters=filters, comparison_period=comparison, keys=list(keys)
    )


def figures(service, key, **kwargs):
    return report(service, key, **kwargs).table(key).current


def intake(service, author, *, on=IN_PERIOD, client=None, **values):
    case = CaseFactory(service=service, opened_on=on, **({"client": client} if client else {}))
    return IntakeFormFactory(
        case=case,
        created_by=author,
        completed_on=on,
        status="submitted",
        submitted_at=NOW,
        **values,
    )


def closed_case(service, *, opened_on, closed_on, client=None):
    return CaseFactory(
        service=service,
        opened_on=opened_on,
        status="closed",
        closed_on=closed_on,
        closure_type="Planned closure",
        **({"client": client} if client else {}),
    )


def exit_matched(
    service, author, *, intake_on=BEFORE, exit_on=IN_PERIOD, intake_values=None, **values
):
    case = closed_case(service, opened_on=min(intake_on, exit_on), closed_on=exit_on)
    IntakeFormFactory(
        case=case,
        created_by=author,
        completed_on=intake_on,
        status="submitted",
        submitted_at=NOW,
        **(intake_values or {}),
    )
    return ExitFormFactory(
        case=case,
        created_by=author,
        exit_date=exit_on,
        status="submitted",
        submitted_at=NOW,
        case_status="Planned closure",
        **values,
    )


def review(service, author, **values):
    case = CaseFactory(service=service, opened_on=BEFORE)
    return ReviewFormFactory(
        case=case,
        created_by=author,
        reviewed_on=IN_PERIOD,
        status="submitted",
        submitted_at=NOW,
        **values,
    )


ROW_MAKERS = {
    "intakes": intake,
    "intake_clients": intake,
    "exits": exit_matched,
    "reviews": review,
}


def _set(row, path: str, value):
    *related, field = path.split("__")
    target = row
    for name in related:
        target = getattr(target, name)
        if hasattr(target, "get") and hasattr(target, "all"):  # a reverse relation: its one row
            target = target.get()
    setattr(target, field, value)
    target.save()


SINGLE_ANSWER_SPECS = [
    spec
    for spec in SPECS
    if isinstance(spec, ChoiceSpec)
    and spec.universe in ROW_MAKERS
    and spec.applies is None
    and not spec.conditions
]


def test_every_single_answer_table_of_the_forms_is_checked():
    # A guard on the test below: the single-answer tables of the forms and client record.
    assert len(SINGLE_ANSWER_SPECS) >= 50


@pytest.mark.parametrize("spec", SINGLE_ANSWER_SPECS, ids=lambda spec: spec.key)
def test_single_answer_table_counts_each_option_over_n(spec, service, author):
    table = TABLES_BY_KEY[spec.key]
    options = list(table.options)
    answers = [options[0]] * 3 + [options[1 % len(options)]] * 2
    if table.has_dont_know:
        answers.append(DONT_KNOW)
    if table.has_missing:
        answers.append("")
    make = ROW_MAKERS[spec.universe]
    for answer in answers:
        _set(make(service, author), spec.field, answer)
    # A row of another service and a row outside the period are never counted.
    _set(make(ServiceFactory(), author), spec.field, options[0])

    result = figures(service, spec.key)

    # Where the seed leaves Missing out of n ("Missing data is excluded"), n is those who
    # answered and Missing is a share of every row.
    answered = len([answer for answer in answers if answer]) if table.missing_outside_n else None
    expected_n = len(answers) if answered is None else answered
    assert result.n == expected_n
    expected_first = 3 + (2 if len(options) == 1 else 0)
    assert result.count(options[0]) == expected_first
    assert result.row(options[0]).percent(result.n) == pytest.approx(
        100 * expected_first / expected_n
    )
    if len(options) > 1:
        assert result.count(options[1]) == 2
    if table.has_dont_know:
        assert result.count(DONT_KNOW) == 1
    if table.has_missing:
        assert result.count("Missing") == 1
        assert result.row("Missing").percent(result.n) == pytest.approx(100 / len(answers))


def test_dates_on_the_period_bounds_are_in_and_the_day_after_is_out(service, author):
    intake(service, author, on=PERIOD.start)
    intake(service, author, on=PERIOD.end)
    intake(service, author, on=PERIOD.end + datetime.timedelta(days=1))
    intake(service, author, on=PERIOD.start - datetime.timedelta(days=1))
    assert figures(service, "referral_route").n == 2


def test_draft_forms_are_not_counted(service, author):
    intake(service, author)
    draft = intake(service, author)
    draft.status = "draft"
    draft.submitted_at = None
    draft.save()
    assert figures(service, "referral_route").n == 1


def test_client_profile_counts_each_client_once_but_intake_tables_count_cases(service, author):
    client = ClientFactory(service=service, ethnicity="Irish")
    intake(service, author, client=client, on=datetime.date(2025, 4, 10))
    intake(service, author, client=client, on=datetime.date(2025, 6, 1))
    other = ClientFactory(service=service, ethnicity="Irish")
    intake(service, author, client=other)

    result = report(service, "client_ethnicity", "referral_route")
    assert result.table("client_ethnicity").current.n == 2
    assert result.table("client_ethnicity").current.count("Irish") == 2
    assert result.table("referral_route").current.n == 3
    # With the intake tables in the run, the clients are de-duplicated from the intakes' working
    # table; without them, from the forms themselves: the same people either way.
    alone = report(service, "client_ethnicity").table("client_ethnicity").current
    assert alone == result.table("client_ethnicity").current


def test_outcomes_count_exits_in_the_period_matched_to_an_earlier_intake(service, author):
    exit_matched(service, author, intake_on=datetime.date(2024, 11, 1), outcome_feel_safer="Agree")
    exit_matched(service, author, intake_on=IN_PERIOD, outcome_feel_safer="Strongly agree")
    # An exit with no submitted intake is not matched, so not counted.
    unmatched = closed_case(service, opened_on=BEFORE, closed_on=IN_PERIOD)
    ExitFormFactory(
        case=unmatched,
        created_by=author,
        exit_date=IN_PERIOD,
        status="submitted",
        submitted_at=NOW,
        outcome_feel_safer="Agree",
    )
    # An exit after the period is not counted either.
    exit_matched(service, author, exit_on=datetime.date(2025, 7, 1), outcome_feel_safer="Agree")

    result = figures(service, "client_outcome_feel_safer")
    assert result.n == 2
    assert result.count("Agree") == 1
    assert result.count("Strongly agree") == 1
    assert result.count("Total Agree") == 2


CLIENT_REPORTED = {
    "client_outcome_feel_safer": "outcome_feel_safer",
    "client_outcome_wellbeing": "outcome_wellbeing",
    "client_outcome_quality_of_life": "outcome_quality_of_life",
    "client_outcome_optimistic": "outcome_optimistic",
    "client_outcome_confident": "outcome_confident",
}


def test_client_reported_outcomes_count_only_the_exits_where_the_client_answered(service, author):
    # Ten exits matched to an intake. Each question is answered by a different number of them
    # (the client may skip any): the first `answered[key]` exits answer it, in the order of
    # ANSWERS, the rest leave it blank (Missing).
    answers = ["Strongly agree", "Agree", "Agree", "Agree", "Agree", "Disagree", "Not certain"]
    answered = dict(zip(CLIENT_REPORTED, (6, 7, 5, 4, 3), strict=True))
    exits = [exit_matched(service, author) for _ in range(10)]
    for key, field in CLIENT_REPORTED.items():
        for index, row in enumerate(exits):
            setattr(row, field, answers[index] if index < answered[key] else "")
    for row in exits:
        row.save()
    # Agencies that made the difference: three exits tick some, "Don't know" is not offered,
    # seven tick none (Missing).
    agencies = Option.objects.of("client_helpful_agencies")
    exits[0].client_helpful_agencies.set([agencies[0], agencies[1]])
    exits[1].client_helpful_agencies.set([agencies[0]])
    exits[2].client_helpful_agencies.set([agencies[1]])

    result = report(service, *CLIENT_REPORTED, "client_helpful_agencies")
    for key in CLIENT_REPORTED:
        given = answers[: answered[key]]
        agree = sum(answer in ("Strongly agree", "Agree") for answer in given)
        figures_ = result.table(key).current
        assert figures_.n == len(given), key
        assert figures_.count("Total Agree") == agree
        assert figures_.row("Total Agree").percent(figures_.n) == pytest.approx(
            100 * agree / len(given)
        )
        assert figures_.row("Agree").percent(figures_.n) == pytest.approx(
            100 * given.count("Agree") / len(given)
        )
        # Missing is reported apart, as a share of every exit (n + Missing).
        assert figures_.count("Missing") == len(exits) - len(given)
        assert figures_.row("Missing").percent(figures_.n) == pytest.approx(
            100 * (len(exits) - len(given)) / len(exits)
        )
    # "Feel safer": 5 of the 6 who answered agree (83%), not 5 of 10 exits (50%).
    safer = result.table("client_outcome_feel_safer").current
    assert round(safer.row("Total Agree").percent(safer.n)) == round(100 * 5 / 6) == 83

    helpful = result.table("client_helpful_agencies").current
    assert helpful.n == 3
    assert helpful.count(agencies[0].label) == 2
    assert helpful.row(agencies[0].label).percent(helpful.n) == pytest.approx(100 * 2 / 3)
    assert helpful.count("Missing") == 7
    assert helpful.row("Missing").percent(helpful.n) == pytest.approx(100 * 7 / 10)


def test_case_length_bands_median_weeks_and_errors(service, author):
    # Lengths from intake to exit: 14, 28, 70 and 200 days; one exit before its intake.
    for days in (14, 28, 70, 200):
        exit_matched(
            service, author, intake_on=IN_PERIOD - datetime.timedelta(days=days), exit_on=IN_PERIOD
        )
    exit_matched(
        service, author, intake_on=IN_PERIOD + datetime.timedelta(days=5), exit_on=IN_PERIOD
    )

    result = figures(service, "case_length")
    assert result.n == 5
    assert result.count("0 - 1 month") == 2
    assert result.count("2 months to 3 months") == 1
    assert result.count("6 months to 7 months") == 1
    assert result.count("Errors") == 1
    # Median of 14, 28, 70, 200 days is 49 days = 7 weeks.
    assert result.statistics["median_weeks"] == pytest.approx(7.0)


def test_contacts_banded_with_the_median(service, author):
    counts = (3, 7, 12)
    for count in counts:
        form = exit_matched(service, author)
        for _ in range(count):
            ContactFactory(case=form.case, occurred_at=DURING)
    result = figures(service, "contacts_count")
    assert result.n == 3
    assert result.count("1 to 5") == 1
    assert result.count("6 to 10") == 1
    assert result.count("11 to 20") == 1
    assert result.statistics["median"] == pytest.approx(7)


def test_support_given_is_a_percentage_of_those_with_the_need(service, author):
    # Four exits; three had a housing need at intake; two of those were given housing support,
    # one of them with improved safety.
    forms = [
        exit_matched(service, author, intake_values={"need_housing": "Yes"}) for _ in range(3)
    ] + [exit_matched(service, author, intake_values={"need_housing": "No"})]
    user = UserFactory()
    AreaSupportFactory(
        case=forms[0].case,
        area="housing",
        supported="Yes",
        impact_safety="Improved greatly",
        updated_by=user,
    )
    AreaSupportFactory(
        case=forms[1].case,
        area="housing",
        supported="Yes",
        impact_safety="No change",
        updated_by=user,
    )
    AreaSupportFactory(case=forms[2].case, area="housing", supported="No", updated_by=user)

    matrix = figures(service, "needs_support_housing")
    assert matrix.n == 4
    assert matrix.count("Clients identified with need at intake") == 3 or matrix.rows[0].count == 3
    assert matrix.rows[1].count == 2  # support provided
    assert matrix.rows[1].percent(matrix.rows[0].count) == pytest.approx(200 / 3)

    impact = figures(service, "support_housing_impact_safety")
    assert impact.n == 2
    assert impact.count("Improved greatly") == 1
    assert impact.count("No change") == 1


def test_client_profile_uses_the_latest_intake_by_date_not_the_newest_row(service, author):
    # Born 20 May 2007: 17 at an intake on 10 April 2025, 18 at one on 1 June 2025.
    born = datetime.date(2007, 5, 20)
    later_day, earlier_day = datetime.date(2025, 6, 1), datetime.date(2025, 4, 10)
    client = ClientFactory(service=service, date_of_birth=born)
    later = intake(service, author, client=client, on=later_day)
    # Entered afterwards but backdated (or imported out of order): a higher row id, an earlier
    # date. The client's latest intake is still the one of 1 June.
    backdated = intake(service, author, client=client, on=earlier_day)
    assert backdated.pk > later.pk
    # A second client with two intakes on the same day: counted once (tie -> the newest row).
    twin = ClientFactory(service=service, date_of_birth=born)
    intake(service, author, client=twin, on=earlier_day)
    intake(service, author, client=twin, on=earlier_day)

    def age_on(day):
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    assert (age_on(later_day), age_on(earlier_day)) == (18, 17)
    labels = TABLES_BY_KEY["client_age"].options  # "<18", "18-20", ...
    expected = [1, 1]  # the twin at 17; the first client at 18 (at 17 if by row id: [2, 0])
    alone = figures(service, "client_age")
    # From the forms themselves, and from the intakes' working table when the run holds it.
    with_intakes = report(service, "client_age", "referral_route").table("client_age").current
    for result in (alone, with_intakes):
        assert result.n == 2
        assert [result.count(label) for label in labels[:2]] == expected
        assert result.statistics["mean"] == pytest.approx((18 + 17) / 2)


def test_multi_select_counts_each_option_and_missing(service, author):
    physical = Option.objects.of("physical_abuse_details")
    first, second = physical[0], physical[1]
    rows = [intake(service, author, level_physical="High") for _ in range(4)]
    rows[0].physical_abuse_details.set([first, second])
    rows[1].physical_abuse_details.set([first])
    rows[2].physical_abuse_details_dont_know = True
    rows[2].save()
    # rows[3] ticked nothing: missing.
    intake(service, author, level_physical="None")  # not asked: the abuse was not present

    result = figures(service, "physical_abuse_details")
    assert result.n == 4
    assert result.count(first.label) == 2
    assert result.count(second.label) == 1
    if TABLES_BY_KEY["physical_abuse_details"].has_dont_know:
        assert result.count(DONT_KNOW) == 1
    if TABLES_BY_KEY["physical_abuse_details"].has_missing:
        assert result.count("Missing") == 1


def test_comparison_period_is_counted_apart(service, author):
    intake(service, author, on=IN_PERIOD)
    intake(service, author, on=datetime.date(2025, 2, 10))
    intake(service, author, on=datetime.date(2025, 3, 10))
    result = report(service, "referral_route", comparison=PERIOD.previous()).table("referral_route")
    assert result.current.n == 1
    assert result.comparison.n == 2


def test_query_count_does_not_depend_on_the_number_of_cases(service, author):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            report_all = build_report(
                period=PERIOD, filters=ReportFilters(service_ids=(service.pk,))
            )
        assert len(report_all.tables) == len(TABLES_BY_KEY)
        return len(captured)

    exit_matched(service, author)
    few = queries()
    for _ in range(15):
        exit_matched(service, author)
        intake(service, author)
    assert queries() == few


def test_a_report_run_again_reuses_its_compiled_statements_with_the_same_figures(service, author):
    """The second run executes the SQL the first compiled (engine._compiled) and must give the
    same figures, of the same types (averages, medians, sums and counts)."""
    from reporting.insights import engine

    for intake_on in (IN_PERIOD, BEFORE):
        matched = exit_matched(
            service, author, intake_on=intake_on, intake_values={"need_housing": "Yes"}
        )
        ContactFactory(
            case=matched.case, occurred_at=DURING, outcome="successful", with_client=True
        )
        intake(service, author, high_risk="Yes", pregnant="No")

    def every_table() -> str:
        built = build_report(
            period=PERIOD,
            filters=ReportFilters(service_ids=(service.pk,)),
            comparison_period=PERIOD.previous(),
        )
        return repr([(table.key, table.current, table.comparison) for table in built.tables])

    engine._compiled.clear()
    compiled_now = every_table()
    assert engine._compiled  # kept for the next run
    reused = every_table()
    assert reused == compiled_now
    assert "mean" in compiled_now  # the figures compared hold statistics, not only counts


def test_every_catalogue_table_has_a_spec():
    from reporting.insights.tables import MISSING_FROM_CATALOGUE

    assert MISSING_FROM_CATALOGUE == []
    assert {spec.key for spec in SPECS} == set(TABLES_BY_KEY)


def test_period_helpers():
    assert quarter(2025, 1) == Period(datetime.date(2025, 4, 1), datetime.date(2025, 6, 30))
    assert quarter(2025, 4).previous() == quarter(2025, 3)
    assert quarter(2025, 1).label == "Q1 2025-26"


def test_children_entered_by_age_are_counted_in_their_band(service, author):
    form = intake(service, author)
    for age in (0, 2, 17, 18, 30):
        ChildInCaseFactory(case=form.case, age_years=age)
    result = figures(service, "children_ages")
    assert result.n == 5
    assert result.count("0 - 12 months") == 1
    assert result.count("1 - 3 years") == 1
    assert result.count("17 - 18 years") == 2
    assert result.count("24+ years") == 1


def test_team_and_risk_level_filters_narrow_every_universe(service, author):
    north = TeamFactory(service=service, name="North")
    south = TeamFactory(service=service, name="South")
    for team, risk in ((north, "high"), (north, "medium"), (south, "high")):
        form = intake(service, author)
        form.case.team = team
        form.case.risk_level = risk
        form.case.save()

    def n(**filters):
        result = build_report(
            period=PERIOD,
            filters=ReportFilters(service_ids=(service.pk,), **filters),
            keys=["referral_route"],
        )
        return result.table("referral_route").current.n

    assert n() == 3
    assert n(team_ids=(north.pk,)) == 2
    assert n(risk_levels=("high",)) == 2
    assert n(team_ids=(north.pk,), risk_levels=("high",)) == 1


def test_each_areas_support_outcomes_count_the_exits_supported_in_that_area(service, author):
    # Three exits: housing support given with two outcomes, housing support given with none
    # ticked (missing), and mental health support given with one outcome; a fourth exit was not
    # given housing support, so the outcome left on its row is not counted.
    user = UserFactory()
    housing = Option.objects.of("support_housing_outcomes")
    mental_health = Option.objects.of("support_mental_health_outcomes")
    forms = [exit_matched(service, author) for _ in range(4)]

    def support(form, area, supported, outcomes=()):
        row = AreaSupportFactory(case=form.case, area=area, supported=supported, updated_by=user)
        row.outcomes.set(outcomes)

    support(forms[0], "housing", "Yes", [housing[0], housing[1]])
    support(forms[1], "housing", "Yes")
    support(forms[2], "mental_health", "Yes", [mental_health[0]])
    support(forms[3], "housing", "No", [housing[0]])

    result = report(service, "support_housing_outcomes", "support_mental_health_outcomes")
    housing_outcomes = result.table("support_housing_outcomes").current
    assert housing_outcomes.n == 2
    assert housing_outcomes.count(housing[0].label) == 1
    assert housing_outcomes.count(housing[1].label) == 1
    assert housing_outcomes.count(mental_health[0].label) == 0
    if TABLES_BY_KEY["support_housing_outcomes"].has_missing:
        assert housing_outcomes.count("Missing") == 1
    mental_health_outcomes = result.table("support_mental_health_outcomes").current
    assert mental_health_outcomes.n == 1
    assert mental_health_outcomes.count(mental_health[0].label) == 1


@pytest.mark.django_db(transaction=True)
def test_two_lanes_at_once_count_what_one_lane_counts(service, author):
    # Outside a transaction, on PostgreSQL, the report runs in two lanes on two connections
    # sharing one snapshot; inside one (as in the other tests) it runs in one lane.
    user = UserFactory()
    for index in range(6):
        form = exit_matched(
            service, author, intake_values={"need_housing": "Yes", "level_physical": "High"}
        )
        form.case.intake_forms.get().physical_abuse_details.set(
            Option.objects.of("physical_abuse_details")[: index % 3]
        )
        AreaSupportFactory(
            case=form.case, area="housing", supported=("Yes", "No")[index % 2], updated_by=user
        )
        ContactFactory.create_batch(index, case=form.case, occurred_at=DURING)
    intake(service, author, need_housing="No")
    filters = ReportFilters(service_ids=(service.pk,))

    from reporting.insights import engine

    # The comparison period runs beside the current one (its own connections) too.
    assert engine.can_run_beside() == (connection.vendor == "postgresql")
    at_once = build_report(period=PERIOD, filters=filters, comparison_period=PERIOD.previous())
    with transaction.atomic():
        assert not engine.can_run_beside()
        one_lane = build_report(period=PERIOD, filters=filters, comparison_period=PERIOD.previous())

    assert [(table.current, table.comparison) for table in at_once.tables] == [
        (table.current, table.comparison) for table in one_lane.tables
    ]
    assert at_once.table("contacts_count").current.n == 6
    assert at_once.table("needs_support_housing").current.rows[1].count == 3


@pytest.mark.django_db(transaction=True)
def test_the_analyses_beside_the_tables_give_what_they_give_after_them(service, author):
    # Outside a transaction, on PostgreSQL, the page's analyses (Safety in Numbers, MARAC, "if a
    # service supported 100 people") run beside the tables on a connection of their own.
    from reporting.insights import engine
    from reporting.insights.shown import insights_report

    for index in range(6):
        exit_matched(service, author, intake_values={"need_housing": "Yes", "high_risk": "Yes"})
        intake(service, author, high_risk=("Yes", "No")[index % 2])

    def page():
        return insights_report(
            period=PERIOD,
            filters=ReportFilters(service_ids=(service.pk,)),
            suppress_below=None,
            comparison_period=PERIOD.previous(),
            analyses=True,
        )

    assert engine.can_run_beside() == (connection.vendor == "postgresql")
    beside = page()
    with transaction.atomic():
        assert not engine.can_run_beside()
        after = page()
    assert beside == after
    assert beside.safety_in_numbers and beside.marac


def test_the_facts_kept_by_every_write_give_the_figures_of_a_rebuild(service, author):
    # The tables read the reporting read model (reporting.read_model), kept current by every
    # write: rebuilding it from the data must change no figure.
    user = UserFactory()
    for index in range(4):
        form = exit_matched(service, author, intake_values={"need_housing": "Yes"})
        AreaSupportFactory(
            case=form.case, area="housing", supported=("Yes", "No")[index % 2], updated_by=user
        )
        ContactFactory.create_batch(index + 1, case=form.case, occurred_at=DURING)
    intake(service, author)
    filters = ReportFilters(service_ids=(service.pk,))
    only_read = build_report(period=PERIOD, filters=filters)

    from reporting.read_model import rebuild

    rebuild()
    every_fact = build_report(period=PERIOD, filters=filters)

    assert [table.current for table in only_read.tables] == [
        table.current for table in every_fact.tables
    ]
    # Four exits with 1, 2, 3 and 4 contacts: the median is halfway between 2 and 3.
    assert only_read.table("contacts_count").current.statistics["median"] == pytest.approx(2.5)


def test_multi_select_tables_count_the_same_in_one_scan_as_in_two(service, author, monkeypatch):
    """On PostgreSQL each many-to-many is read once for its per-option counts and its keys with
    any option (GROUPING SETS); the SQLite demo counts them with two GROUP BYs. Both give the
    same figures: a form's own options, a case's children (one case, counted once per option,
    however many of its children ticked it), one support row per case, and a batch."""
    from reporting.insights import engine, specs

    user = UserFactory()
    physical = Option.objects.of("physical_abuse_details")
    cyps = Option.objects.of("cyps_involvement_intake")
    housing = Option.objects.of("support_housing_outcomes")
    safety = Option.objects.of("support_safety_outcomes")
    forms = [
        exit_matched(service, author, intake_on=IN_PERIOD, intake_values={"level_physical": "High"})
        for _ in range(4)
    ]
    intakes = [form.case.intake_forms.get() for form in forms]
    intakes[0].physical_abuse_details.set(physical[:2])
    intakes[1].physical_abuse_details.set(physical[:1])
    # Two children of one case tick the same option: the case counts once for it.
    ChildInCaseFactory(case=forms[0].case).cyps_involvement.set(cyps[:2])
    ChildInCaseFactory(case=forms[0].case).cyps_involvement.set(cyps[:1])
    ChildInCaseFactory(case=forms[1].case).cyps_involvement.set(cyps[1:2])
    ChildInCaseFactory(case=forms[2].case)  # a child with nothing ticked
    for form, area, outcomes in (
        (forms[0], "housing", housing[:2]),
        (forms[1], "housing", housing[:1]),
        (forms[1], "safety", safety[:1]),
        (forms[2], "safety", ()),
    ):
        row = AreaSupportFactory(case=form.case, area=area, supported="Yes", updated_by=user)
        row.outcomes.set(outcomes)
    keys = [
        "physical_abuse_details",
        "cyps_involvement_intake",
        "support_housing_outcomes",
        "support_safety_outcomes",
        "client_helpful_agencies",  # nothing ticked at all
    ]

    def tables(grouping_sets: bool):
        monkeypatch.setattr(specs, "counts_grouping_sets", lambda: grouping_sets)
        engine._compiled.clear()  # the UNION is compiled once per process
        built = report(service, *keys)
        return {key: built.table(key).current for key in keys}

    one_scan, two_group_bys = tables(True), tables(False)
    assert one_scan == two_group_bys
    # Counts are whole numbers of Python's own type (a numeric SUM would give Decimals).
    assert {type(row.count) for figures in one_scan.values() for row in figures.rows} == {int}
    assert one_scan["physical_abuse_details"].count(physical[0].label) == 2
    assert one_scan["cyps_involvement_intake"].count(cyps[0].label) == 1
    assert one_scan["cyps_involvement_intake"].count(cyps[1].label) == 2
    assert one_scan["support_housing_outcomes"].count(housing[0].label) == 2
    assert one_scan["support_safety_outcomes"].count(safety[0].label) == 1
    for key in keys:
        if TABLES_BY_KEY[key].has_missing:
            missing = {
                "physical_abuse_details": 2,
                "cyps_involvement_intake": 1,
                "support_housing_outcomes": 0,
                "support_safety_outcomes": 1,
                "client_helpful_agencies": 4,
            }[key]
            assert one_scan[key].count("Missing") == missing, key


def test_client_age_is_whole_years_on_the_intake_date(service, author):
    """The age (builders.age_at, date parts worked out in SQL) is the whole years from the date
    of birth to the intake's date: a birthday on the intake's date counts, the day after does
    not; someone born on 29 February is a year older on 1 March."""
    cases = [
        (datetime.date(2007, 5, 10), IN_PERIOD),  # 18th birthday on the intake's date: 18
        (datetime.date(2007, 5, 11), IN_PERIOD),  # 18 the day after: 17
        (datetime.date(2007, 4, 11), IN_PERIOD),  # a month and a day before: 18
        (datetime.date(2004, 2, 29), datetime.date(2025, 4, 1)),  # 21
        (datetime.date(1964, 6, 30), datetime.date(2025, 6, 29)),  # 60, 61 the next day
    ]
    for born, on in cases:
        intake(service, author, client=ClientFactory(service=service, date_of_birth=born), on=on)
    ages = [
        on.year - born.year - ((on.month, on.day) < (born.month, born.day)) for born, on in cases
    ]
    assert ages == [18, 17, 18, 21, 60]

    result = figures(service, "client_age")
    labels = TABLES_BY_KEY["client_age"].options  # "<18", "18-20", "21-30", ... "51-60", "61+"
    assert [result.count(label) for label in labels] == [1, 2, 1, 0, 0, 1, 0]
    assert result.statistics["mean"] == pytest.approx(sum(ages) / len(ages))
