"""Issue 19, items 2 and 4: "High risk?" and "Discussed at Marac?" are answers of the intake form
(with Don't know and Missing), facts are counted as at the time they describe, and a past
period's report does not change when today's records do. Expected figures are worked out here
from the data each test builds."""

import dataclasses
import datetime
from collections import Counter

import pytest
from django.utils import timezone

from cases.choices import DONT_KNOW
from cases.models import Case, Option
from cases.selectors import INTENSIVE_SUPPORT_THRESHOLD
from catalogue.insights import TABLES_BY_KEY
from outcomes import services as outcome_services
from reporting.analyses import safety_in_numbers
from reporting.insights.engine import ReportFilters
from reporting.insights.output import report_json
from reporting.insights.shown import insights_report
from reporting.periods import financial_year
from tests.factories import CaseFactory, ClientFactory, ContactFactory, UserFactory
from tests.factories_marac import MaracHearingFactory
from tests.factories_outcomes import ExitFormFactory
from tests.factories_riskassessment import MaracMeetingFactory, submitted
from tests.reporting.test_insights_tables import (
    DURING,
    NOW,
    exit_matched,
    figures,
    intake,
)
from tests.reporting.test_insights_tables import (
    PERIOD as LAST_QUARTER,
)

pytestmark = pytest.mark.django_db

MISSING = "Missing"


@pytest.fixture
def author():
    return UserFactory()


def _expected(answers: list[str]) -> Counter:
    """The table's rows as the seed counts them: each answer, blank as Missing."""
    return Counter(answer or MISSING for answer in answers)


def _rows(result) -> Counter:
    return Counter({row.label: row.count for row in result.rows if row.count})


# --- Item 2: asked, with Don't know and Missing -------------------------------------------------


@pytest.mark.parametrize("key", ["high_risk", "marac_discussed"])
def test_high_risk_and_marac_count_the_intake_answers_with_dont_know_and_missing(
    service, author, key
):
    answers = ["Yes", "Yes", "No", DONT_KNOW, DONT_KNOW, "", "Yes"]
    for answer in answers:
        intake(service, author, **{key: answer})

    result = figures(service, key)

    assert result.n == len(answers)
    assert _rows(result) == _expected(answers)
    assert result.count(DONT_KNOW) == answers.count(DONT_KNOW)  # never derivable before
    assert result.count(MISSING) == answers.count("")


def test_a_hearing_or_an_assessment_does_not_override_the_intake_answer(
    service, author, caseworker
):
    # The caseworker answered: a hearing or a high-risk Dash recorded later does not turn the
    # answer into Yes (before, both were derived from the records at any date).
    form = intake(service, author, high_risk=DONT_KNOW, marac_discussed="No")
    meeting = MaracMeetingFactory(held_on=form.completed_on + datetime.timedelta(days=20))
    MaracHearingFactory(case=form.case, meeting=meeting)
    submitted(form.case, caseworker, ticks=15, stage="intake", on=form.completed_on)

    assert figures(service, "marac_discussed").count("No") == 1
    assert figures(service, "marac_discussed").count("Yes") == 0
    assert figures(service, "high_risk").count(DONT_KNOW) == 1
    assert figures(service, "high_risk").count("Yes") == 0


def test_high_risk_basis_is_over_the_intakes_answered_high_risk(service, author):
    answers = ["Yes", "Yes", "No", DONT_KNOW, ""]
    for answer in answers:
        intake(service, author, high_risk=answer)
    assert figures(service, "high_risk_basis").n == answers.count("Yes")


# --- Item 4: as at the time they describe -------------------------------------------------------


CLIENT_SITUATION = {
    # table key: (intake form field, client record field)
    "client_pregnant": ("pregnant", "pregnant"),
    "client_disability": ("disability", "disability"),
    "client_financial_situation": ("financial_situation", "financial_situation"),
}


@pytest.mark.parametrize("key", list(CLIENT_SITUATION))
def test_the_client_situation_is_counted_as_answered_at_intake(service, author, key):
    form_field, client_field = CLIENT_SITUATION[key]
    options = [*TABLES_BY_KEY[key].options, DONT_KNOW]
    answers = [options[0], options[0], options[1], DONT_KNOW, ""]
    for index, answer in enumerate(answers):
        # Today's record says something else (the next option): the intake's answer counts.
        client = ClientFactory(service=service, **{client_field: options[(index + 1) % 3]})
        intake(service, author, client=client, **{form_field: answer})

    result = figures(service, key)

    assert result.n == len(answers)
    assert _rows(result) == _expected(answers)


@pytest.mark.parametrize(
    ("key", "field", "applies"),
    [
        ("client_employment", "employment", {}),
        ("client_disability_type", "disability_types", {"disability": "Yes"}),
    ],
)
def test_employment_and_disability_types_are_counted_as_ticked_at_intake(
    service, author, key, field, applies
):
    options = list(Option.objects.of(key)[:3])
    ticked = [[options[0]], [options[0], options[1]], [options[1]], []]
    for index, chosen in enumerate(ticked):
        client = ClientFactory(service=service)
        getattr(client, field).set([options[2]])  # today's record: another option
        form = intake(service, author, client=client, **applies)
        getattr(form, field).set(chosen)
        if index == len(ticked) - 1:
            setattr(form, f"{field}_dont_know", True)
            form.save()

    result = figures(service, key)

    expected = Counter(option.label for chosen in ticked for option in chosen)
    assert result.n == len(ticked)
    assert {label: result.count(label) for label in expected} == expected
    assert result.count(options[2].label) == 0
    assert result.count(DONT_KNOW) == 1


def test_contacts_after_the_exit_are_not_counted(service, author):
    within = (3, 7)
    for count in within:
        form = exit_matched(service, author)
        ContactFactory.create_batch(count, case=form.case, occurred_at=DURING)
        # Follow-up calls after the exit (as the 6-month follow-up makes).
        ContactFactory.create_batch(10, case=form.case, occurred_at=NOW)

    result = figures(service, "contacts_count")

    assert result.n == len(within)
    assert result.count("1 to 5") == sum(1 for count in within if count <= 5)
    assert result.count("6 to 10") == sum(1 for count in within if 6 <= count <= 10)
    assert result.count("11 to 20") == 0


def test_significant_contacts_after_the_exit_do_not_make_support_intensive(service, author):
    # Safety in Numbers' intensity of support: two significant contacts during the case, and
    # enough after the exit to pass the threshold if they were counted.
    form = exit_matched(service, author, outcome_feel_safer="Agree")
    ContactFactory.create_batch(2, case=form.case, is_significant=True, occurred_at=DURING)
    ContactFactory.create_batch(
        INTENSIVE_SUPPORT_THRESHOLD, case=form.case, is_significant=True, occurred_at=NOW
    )

    by_intensity, _by_band = safety_in_numbers(
        LAST_QUARTER, ReportFilters(service_ids=(service.pk,))
    )

    intensive, fewer = dict(by_intensity.rows)["Victim feels safer"]
    assert (intensive.count, intensive.n) == (0, 0)
    assert (fewer.count, fewer.n) == (1, 1)


# --- Item 4: the reproducibility test -----------------------------------------------------------

LAST_YEAR = financial_year(2025)  # April 2025 to March 2026: closed by now


def _a_year_of_cases(service, caseworker):
    """Twelve cases, one opened each month of the year, their intake forms started through the
    service (so filled in from the records then) and submitted; every other case exits four
    months later with contacts on the way; some were heard at Marac before intake."""
    employment = list(Option.objects.of("client_employment"))
    disability_types = list(Option.objects.of("client_disability_type"))
    pregnant = [*TABLES_BY_KEY["client_pregnant"].options, DONT_KNOW]
    financial = TABLES_BY_KEY["client_financial_situation"].options
    cases = []
    for month in range(12):
        opened_on = LAST_YEAR.start + datetime.timedelta(days=30 * month + 3)
        client = ClientFactory(
            service=service,
            pregnant=pregnant[month % 3],
            disability=("Yes", "No")[month % 2],
            financial_situation=financial[month % len(financial)],
        )
        client.employment.set([employment[month % len(employment)]])
        if month % 2 == 0:
            client.disability_types.set(disability_types[: 1 + month % 3])
        case = CaseFactory(
            service=service, client=client, opened_on=opened_on, caseworker=caseworker
        )
        submitted(case, caseworker, ticks=(15, 3)[month % 2], stage="intake", on=opened_on)
        if month % 3 == 0:
            meeting = MaracMeetingFactory(held_on=opened_on - datetime.timedelta(days=5))
            MaracHearingFactory(case=case, meeting=meeting)
        form = outcome_services.outcome_form_start(kind="intake", case=case, actor=caseworker)
        form.status, form.submitted_at, form.submitted_by = "submitted", NOW, caseworker
        form.save()
        for day in range(month % 4 + 2):
            ContactFactory(
                case=case,
                occurred_at=timezone.make_aware(
                    datetime.datetime.combine(opened_on, datetime.time(10))
                )
                + datetime.timedelta(days=day + 1),
                is_significant=day % 2 == 0,
            )
        if month % 2 == 0 and month < 8:
            closed_on = opened_on + datetime.timedelta(days=120)
            case.status, case.closed_on = Case.Status.CLOSED, closed_on
            case.closure_type = "Planned closure"
            case.save()
            ExitFormFactory(
                case=case,
                created_by=caseworker,
                exit_date=closed_on,
                status="submitted",
                submitted_at=NOW,
            )
        cases.append(case)
    return cases


def _last_years_report(service):
    return insights_report(
        period=LAST_YEAR,
        filters=ReportFilters(service_ids=(service.pk,)),
        suppress_below=None,
        analyses=True,
    )


def test_last_years_report_is_the_same_after_todays_records_change(service, caseworker):
    cases = _a_year_of_cases(service, caseworker)
    before = _last_years_report(service)

    # The figures are not empty: they counted what was built.
    pregnant = Counter(case.client.pregnant for case in cases)
    assert before.table("client_pregnant").current.counts[0] == pregnant["Yes"]
    heard = sum(1 for case in cases if case.marac_hearings.exists())
    assert before.table("marac_discussed").current.counts[0] == heard
    assert before.table("high_risk").current.counts[0] == len(cases) // 2
    closed = [case for case in cases if case.status == Case.Status.CLOSED]
    assert before.table("contacts_count").current.n == len(closed)

    # Today: every client's record is updated, each case heard at Marac after its intake, and
    # each closed case followed up after its exit, by significant contacts.
    employment = list(Option.objects.of("client_employment"))
    other_user = UserFactory()
    for index, case in enumerate(cases):
        client = case.client
        client.pregnant = "No" if client.pregnant == "Yes" else "Yes"
        client.disability = "No" if client.disability == "Yes" else "Yes"
        client.financial_situation = TABLES_BY_KEY["client_financial_situation"].options[-1]
        client.save()
        client.employment.set(employment[-2:])
        client.disability_types.set(Option.objects.of("client_disability_type")[3:5])
        meeting = MaracMeetingFactory(
            held_on=timezone.localdate() - datetime.timedelta(days=index + 1)
        )
        MaracHearingFactory(case=case, meeting=meeting)
    for case in closed:
        ContactFactory.create_batch(
            8,
            case=case,
            occurred_at=NOW - datetime.timedelta(days=2),
            is_significant=True,
            recorded_by=other_user,
        )

    after = _last_years_report(service)

    assert report_json(after) == report_json(before)
    assert dataclasses.asdict(after) == dataclasses.asdict(before)
