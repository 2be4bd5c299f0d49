"""Autosave in a real browser, with the Content-Security-Policy on: moving to another section
saves the draft through static/js/outcomes.js, and the page says so."""

import os

import pytest
from django.conf import settings
from django.urls import reverse

from outcomes import services
from outcomes.models import IntakeForm
from tests.factories import CaseFactory

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


def test_moving_to_another_section_autosaves_the_draft(
    page, live_server, client, caseworker, service
):
    case = CaseFactory(service=service)
    intake = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
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
    url = reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk})
    tab.goto(live_server.url + url)
    progress = tab.locator("[data-progress-text]")
    answered_before = int(progress.inner_text().split()[0])
    tab.locator("#id_client_ace_1").check()  # "Yes", in "Childhood experiences"
    tab.locator("#id_level_physical_1").focus()  # into "Abuse in the past 12 months"
    status = tab.locator("[data-autosave-status]")
    status.filter(has_text="Draft saved at").wait_for(timeout=10000)
    assert IntakeForm.objects.get(pk=intake.pk).client_ace == "Yes"
    assert int(progress.inner_text().split()[0]) == answered_before + 1
    if os.environ.get("OUTCOMES_SCREENSHOT"):
        tab.screenshot(path=os.environ["OUTCOMES_SCREENSHOT"], full_page=True)
    assert not errors, errors


def test_follow_on_questions_show_only_when_they_apply(
    page, live_server, client, caseworker, service
):
    case = CaseFactory(service=service)
    intake = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
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
    tab = page.new_page()
    url = reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk})
    tab.goto(live_server.url + url)
    details = tab.locator("#div_id_physical_abuse_details")
    assert details.is_hidden()
    tab.get_by_label("High").first.check()  # the first 'High' is the level of physical abuse
    assert details.is_visible()
    tab.locator("#div_id_level_physical").get_by_label("None").check()
    assert details.is_hidden()
