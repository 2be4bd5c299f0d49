"""The caseworker's home page (issue 18, item 9): reminders grouped by case and urgency instead
of a wall of red lines (24 reminders for 8 cases are 8 entries, overdue first), and the caseload
sorted by risk (high first), then by days since the last contact (longest first), showing the
days."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import selectors
from cases.extensions import Prompt
from tests.factories import CaseFactory, ContactFactory


def _days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def today():
    return timezone.localdate()


def test_24_reminders_for_8_cases_make_8_groups_overdue_first(service, caseworker, today):
    cases = []
    for number in range(8):
        overdue = number % 2 == 0
        case = CaseFactory(
            service=service,
            caseworker=caseworker,
            risk_level="high" if number < 6 else "medium",
            review_due_on=today + datetime.timedelta(days=-3 if overdue else 3),
        )
        if number < 6:
            ContactFactory(case=case, occurred_at=_days_ago(10 + number))
        cases.append(case)
    loaded = list(selectors.my_open_cases(caseworker))
    reminders = selectors.reminders_for(loaded, today)
    prompts = [
        Prompt(
            case_id=case.pk,
            reference=case.reference,
            message="Personal safety plan due for review",
            url=f"/plans/{case.pk}/",
            severity="warning",
        )
        for case in cases
    ]
    prompts += [
        Prompt(case_id=c.pk, reference=c.reference, message="Intake form missing", url="/")
        for c in cases[6:]
    ]
    assert len(reminders) + len(prompts) == 24

    sections = selectors.reminder_groups(
        cases=loaded, reminders=reminders, follow_ups=[], prompts=prompts, today=today
    )
    groups = [group for section in sections for group in section["groups"]]
    assert len(groups) == 8
    assert sorted(group.case_id for group in groups) == sorted(case.pk for case in cases)
    assert sum(len(group.items) for group in groups) == 24
    # Overdue first: every case with a red reminder (review overdue, or high risk without
    # contact) before any case whose reminders are only due soon.
    assert [section["label"] for section in sections] == ["Overdue", "Due soon"]
    red = {case.pk for case in cases[:6]} | {cases[6].pk}
    assert {group.case_id for group in sections[0]["groups"]} == red
    assert [group.case_id for group in sections[1]["groups"]] == [cases[7].pk]
    # Within a group, the most urgent reminder first.
    for group in groups:
        severities = [item[0] for item in group.items]
        assert severities == sorted(severities, key=selectors.URGENCY_ORDER.index)


def test_a_follow_up_past_its_date_is_overdue(service, caseworker, today):
    closed = CaseFactory(
        service=service,
        caseworker=caseworker,
        status="closed",
        opened_on=today - datetime.timedelta(days=300),
        closed_on=today - datetime.timedelta(days=183),
        follow_up_due_on=today - datetime.timedelta(days=1),
    )
    sections = selectors.reminder_groups(
        cases=[], reminders=[], follow_ups=[closed], prompts=[], today=today
    )
    assert sections[0]["label"] == "Overdue"
    assert "Six-month follow-up overdue since" in sections[0]["groups"][0].items[0][1]


def test_caseload_sorts_by_risk_then_days_since_contact(service, caseworker, today):
    standard_quiet = CaseFactory(service=service, caseworker=caseworker, risk_level="standard")
    ContactFactory(case=standard_quiet, occurred_at=_days_ago(40))
    high_recent = CaseFactory(service=service, caseworker=caseworker, risk_level="high")
    ContactFactory(case=high_recent, occurred_at=_days_ago(2))
    high_quiet = CaseFactory(service=service, caseworker=caseworker, risk_level="high")
    ContactFactory(case=high_quiet, occurred_at=_days_ago(12))
    medium = CaseFactory(service=service, caseworker=caseworker, risk_level="medium")
    ContactFactory(case=medium, occurred_at=_days_ago(5))
    never = CaseFactory(service=service, caseworker=caseworker, risk_level="high")
    unassessed = CaseFactory(service=service, caseworker=caseworker, risk_level="")
    order = [case.pk for case in selectors.my_open_cases(caseworker)]
    assert order == [
        never.pk,
        high_quiet.pk,
        high_recent.pk,
        medium.pk,
        standard_quiet.pk,
        unassessed.pk,
    ]


def test_home_page_shows_groups_and_the_days_since_contact(client_for, service, caseworker, today):
    quiet = CaseFactory(
        service=service,
        caseworker=caseworker,
        risk_level="high",
        review_due_on=today - datetime.timedelta(days=2),
    )
    ContactFactory(case=quiet, occurred_at=_days_ago(9))
    soon = CaseFactory(
        service=service,
        caseworker=caseworker,
        risk_level="medium",
        review_due_on=today + datetime.timedelta(days=2),
    )
    ContactFactory(case=soon, occurred_at=_days_ago(1))
    html = client_for(caseworker).get(reverse("home")).content.decode()
    reminders = html[html.index(">Reminders<") : html.index("<table")]
    # One entry per case, however many reminders it has.
    assert reminders.count(f'data-reminder-case="{quiet.reference}"') == 1
    assert reminders.count(f'data-reminder-case="{soon.reference}"') == 1
    assert "(2 reminders)" in reminders
    assert reminders.index("Overdue") < reminders.index(quiet.reference)
    assert reminders.index(quiet.reference) < reminders.index("Due soon")
    assert reminders.index("Due soon") < reminders.index(soon.reference)
    days = re.findall(r"data-days-since-contact>([^<]*)<", html)
    assert days == ["9 days", "1 day"]
