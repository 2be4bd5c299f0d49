"""Support form and the client's printable plan in a real browser, with the Content-Security-
Policy on (no inline script or style may be needed)."""

import pytest
from django.urls import reverse

from tests.factories import CaseFactory
from tests.factories_support import SafetyPlanFactory, SafetyPlanVersionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_outcomes_and_impact_show_only_when_support_was_given(
    signed_in_tab, live_server, caseworker, service
):
    case = CaseFactory(service=service)
    tab, errors = signed_in_tab(caseworker)
    tab.goto(live_server.url + reverse("support:support_edit", args=[case.pk, "safety"]))
    outcome = tab.get_by_label("Established personal safety plan")
    assert not outcome.is_visible()
    tab.get_by_label("Support given in this area").select_option("Yes")
    assert outcome.is_visible()
    outcome.check()
    tab.get_by_label("Impact on the client's safety").select_option("Improved greatly")
    tab.get_by_role("button", name="Save").click()
    tab.wait_for_url(live_server.url + reverse("support:support_list", args=[case.pk]))
    assert "Established personal safety plan" in tab.content()
    assert not errors, errors


def test_the_printable_plan_loads_its_own_styles_and_print_button(
    signed_in_tab, live_server, caseworker, service
):
    case = CaseFactory(service=service)
    version = SafetyPlanVersionFactory(plan=SafetyPlanFactory(case=case), number=1)
    tab, errors = signed_in_tab(caseworker)
    tab.goto(live_server.url + reverse("support:plan_print", args=[version.plan_id, 1]))
    assert tab.title() == "My plan"
    # The stylesheet applied (plain serif paper) and the button is only for the screen.
    family = tab.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Serif" in family or "serif" in family
    assert tab.get_by_role("button", name="Print").is_visible()
    tab.emulate_media(media="print")
    assert not tab.get_by_role("button", name="Print").is_visible()
    assert not errors, errors
