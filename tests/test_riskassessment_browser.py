"""The DASH form in a real browser: the running tick count follows the answers, by mouse and by
keyboard, with no inline script (the Content-Security-Policy is on)."""

import os

import pytest
from django.conf import settings
from django.urls import reverse

from riskassessment import services
from tests.factories import CaseFactory

from .factories_riskassessment import dash_version

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


def test_running_tick_count(page, live_server, client, caseworker, service):
    case = CaseFactory(service=service)
    assessment = services.assessment_start(
        case=case, version=dash_version(), actor=caseworker, stage="intake"
    )
    client.force_login(caseworker)
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
    tab.goto(live_server.url + reverse("riskassessment:assessment_edit", args=[assessment.pk]))
    count = tab.locator("[data-running-count] [data-count]")
    answered = tab.locator("[data-running-count] [data-answered]")
    assert count.inner_text() == "0"
    fieldsets = tab.locator("fieldset[data-question]")
    for index in range(3):
        fieldsets.nth(index).get_by_label("Yes", exact=True).check()
    fieldsets.nth(3).get_by_label("Don't know", exact=True).check()
    fieldsets.nth(4).get_by_label("Not asked", exact=True).check()
    assert count.inner_text() == "3"
    assert answered.inner_text() == "5"
    # Keyboard: an arrow key moves question 1's answer from Yes to No.
    fieldsets.nth(0).get_by_label("Yes", exact=True).focus()
    tab.keyboard.press("ArrowRight")
    assert count.inner_text() == "2"
    assert not errors, errors
