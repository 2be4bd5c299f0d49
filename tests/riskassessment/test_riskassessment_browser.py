"""The DASH form in a real browser: the running tick count follows the answers, by mouse and by
keyboard, with no inline script (the Content-Security-Policy is on)."""

import pytest
from django.urls import reverse

from riskassessment import services
from tests.factories import CaseFactory
from tests.factories_riskassessment import dash_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_running_tick_count(signed_in_tab, live_server, caseworker, service):
    case = CaseFactory(service=service)
    assessment = services.assessment_start(
        case=case, version=dash_version(), actor=caseworker, stage="intake"
    )
    tab, errors = signed_in_tab(caseworker)
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
