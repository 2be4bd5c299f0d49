"""Autosave in a real browser, with the Content-Security-Policy on: moving to another section
saves the draft through static/js/outcomes.js, and the page says so."""

import os

import pytest
from django.urls import reverse

from outcomes import services
from outcomes.models import IntakeForm
from tests.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AUTOSAVE_DEBOUNCE_MS = 800  # static/js/outcomes.js


def test_moving_to_another_section_autosaves_the_draft(
    signed_in_tab, live_server, caseworker, service
):
    case = CaseFactory(service=service)
    intake = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    tab, errors = signed_in_tab(caseworker)
    url = reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk})
    tab.goto(live_server.url + url)
    progress = tab.locator("[data-progress-text]")
    answered_before = int(progress.inner_text().split()[0])
    tab.locator("#id_client_ace_1").check()  # "Yes", in "Childhood experiences"
    tab.locator("#id_level_physical_1").focus()  # into "Abuse in the past 12 months"
    status = tab.locator("[data-autosave-status]")
    status.filter(has_text="Saved at").wait_for(timeout=10000)
    assert IntakeForm.objects.get(pk=intake.pk).client_ace == "Yes"
    assert int(progress.inner_text().split()[0]) == answered_before + 1
    if os.environ.get("OUTCOMES_SCREENSHOT"):
        tab.screenshot(path=os.environ["OUTCOMES_SCREENSHOT"], full_page=True)
    assert not errors, errors


def test_follow_on_questions_show_only_when_they_apply(
    signed_in_tab, live_server, caseworker, service
):
    case = CaseFactory(service=service)
    intake = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    tab, _errors = signed_in_tab(caseworker)
    autosaves = []
    tab.on("request", lambda request: "/autosave/" in request.url and autosaves.append(request))
    url = reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk})
    tab.goto(live_server.url + url)
    details = tab.locator("#div_id_physical_abuse_details")
    assert details.is_hidden()
    tab.get_by_label("High").first.check()  # the first 'High' is the level of physical abuse
    assert details.is_visible()
    tab.locator("#div_id_level_physical").get_by_label("None").check()
    assert details.is_hidden()
    # The answers are autosaved: let every save finish before the test's data is flushed (a
    # save still running then would hold the tables the flush empties).
    tab.wait_for_timeout(AUTOSAVE_DEBOUNCE_MS + 400)
    while autosaves:
        autosaves.pop(0).response()
    tab.locator("[data-autosave-status]").filter(has_text="Saved at").wait_for(timeout=10000)
