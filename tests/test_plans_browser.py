"""Support form and the client's printable plan in a real browser, with the Content-Security-
Policy on (no inline script or style may be needed)."""

import os

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import CaseFactory

from .factories_plans import SafetyPlanFactory, SafetyPlanVersionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server):
    sync_api = pytest.importorskip("playwright.sync_api")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        context = browser.new_context()
        yield context
        browser.close()


def _signed_in_tab(page, live_server, client, user):
    client.force_login(user)
    page.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    errors = []
    tab = page.new_page()
    tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return tab, errors


def test_outcomes_and_impact_show_only_when_support_was_given(
    page, live_server, client, caseworker, service
):
    case = CaseFactory(service=service)
    tab, errors = _signed_in_tab(page, live_server, client, caseworker)
    tab.goto(live_server.url + reverse("cases:support_edit", args=[case.pk, "safety"]))
    outcome = tab.get_by_label("Established personal safety plan")
    assert not outcome.is_visible()
    tab.get_by_label("Support given in this area").select_option("Yes")
    assert outcome.is_visible()
    outcome.check()
    tab.get_by_label("Impact on the client's safety").select_option("Improved greatly")
    tab.get_by_role("button", name="Save").click()
    tab.wait_for_url(live_server.url + reverse("cases:support_list", args=[case.pk]))
    assert "Established personal safety plan" in tab.content()
    assert not errors, errors


def test_the_printable_plan_loads_its_own_styles_and_print_button(
    page, live_server, client, caseworker, service
):
    case = CaseFactory(service=service)
    version = SafetyPlanVersionFactory(plan=SafetyPlanFactory(case=case), number=1)
    tab, errors = _signed_in_tab(page, live_server, client, caseworker)
    tab.goto(live_server.url + reverse("cases:plan_print", args=[version.plan_id, 1]))
    assert tab.title() == "My plan"
    # The stylesheet applied (plain serif paper) and the button is only for the screen.
    family = tab.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Serif" in family or "serif" in family
    assert tab.get_by_role("button", name="Print").is_visible()
    tab.emulate_media(media="print")
    assert not tab.get_by_role("button", name="Print").is_visible()
    assert not errors, errors
