"""A caseworker snoozes an overdue review from the dashboard with a reason, and a team leader
writes a supervision note and moves a caseworker's cases to a colleague from the caseload view
(issue 22, items 4 and 5). Keyboard only, every page checked with axe-core."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from cases.models import CaseAllocation, SupervisionNote, Task
from tests.factories import CaseFactory, MembershipFactory

from .journey import PHONE, Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_snooze_a_reminder_write_supervision_and_move_a_caseload(
    signed_in_tab, screenshot, caseworker, team_leader, service
):
    today = timezone.localdate()
    colleague = MembershipFactory(service=service, role=Role.CASEWORKER).user
    case = CaseFactory(
        service=service, caseworker=caseworker, review_due_on=today - datetime.timedelta(days=2)
    )

    tab, errors = signed_in_tab(caseworker)
    journey = Journey(tab, errors, name="supervision", screenshot=screenshot)
    tab.goto(reverse("home"))
    journey.page("caseworker-home")
    journey.follow(tab.get_by_role("link", name="Snooze or reassign").first)
    journey.page("reminder")
    in_three_days = today + datetime.timedelta(days=3)
    journey.type_date(
        tab.get_by_label("Snooze until"), in_three_days.day, in_three_days.month, in_three_days.year
    )
    journey.type_into(tab.get_by_label("Why it can wait"), "Client away until Monday")
    journey.submit(tab.get_by_role("button", name="Snooze"))
    journey.page("caseworker-home-after-snooze")
    assert tab.get_by_role("link", name="Snooze or reassign").count() == 0
    assert Task.objects.get(case=case).status == Task.Status.SNOOZED
    journey.finish()

    tab, errors = signed_in_tab(team_leader)
    journey = Journey(tab, errors, name="supervision-leader", screenshot=screenshot)
    tab.goto(reverse("cases:case_detail", args=[case.pk]))
    journey.page("case")
    journey.follow(tab.get_by_role("link", name="Supervision"))
    journey.page("supervision")
    journey.follow(tab.get_by_role("link", name="New supervision note"))
    journey.page("supervision-new")
    journey.type_into(tab.get_by_label("Discussion"), "Went through the risk and the review.")
    journey.submit(tab.get_by_role("button", name="Save"))
    journey.page("supervision-saved")
    assert SupervisionNote.objects.filter(case=case, written_by=team_leader).exists()

    tab.goto(reverse("cases:caseloads"))
    journey.page("caseloads")
    journey.follow(tab.get_by_role("link", name=f"Move cases of {caseworker}"))
    journey.page("reallocate")
    journey.tick(tab.get_by_label("All their open cases"))
    journey.choose(tab.get_by_label("Move them to"), str(colleague))
    journey.submit(tab.get_by_role("button", name="Move cases"))
    journey.page("caseloads-after-move")
    case.refresh_from_db()
    assert case.caseworker == colleague
    assert CaseAllocation.objects.filter(case=case, caseworker=colleague).exists()
    journey.finish()


def test_on_a_phone_the_caseloads_page_does_not_scroll_sideways(
    signed_in_tab, screenshot, caseworker, team_leader, service
):
    """The caseloads table scrolls in its own box at 390px; the hidden words of its last column
    ("Move cases of ...") escaped that box and made the whole page twice the screen's width."""
    CaseFactory(service=service, caseworker=caseworker)
    tab, errors = signed_in_tab(team_leader)
    tab.set_viewport_size(PHONE)
    journey = Journey(tab, errors, name="phone-caseloads", screenshot=screenshot)
    tab.goto(reverse("cases:caseloads"))
    journey.page("caseloads")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    journey.follow(tab.get_by_role("link", name=f"Move cases of {caseworker}"))
    journey.page("reallocate")
    journey.finish()
