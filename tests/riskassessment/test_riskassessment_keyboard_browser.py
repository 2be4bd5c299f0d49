"""Answering the DASH form quickly from the keyboard, in a real browser: a digit key answers a
question and moves to the next, "Not asked" fills the rest, and the server scores what the
browser showed."""

import pytest
from django.urls import reverse

from riskassessment import services
from riskassessment.models import Assessment
from tests.factories import CaseFactory
from tests.factories_riskassessment import dash_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_digit_keys_answer_and_move_on_then_submit(signed_in_tab, live_server, caseworker, service):
    case = CaseFactory(service=service)
    assessment = services.assessment_start(
        case=case, version=dash_version(), actor=caseworker, stage="intake"
    )
    tab, errors = signed_in_tab(caseworker)
    tab.goto(live_server.url + reverse("riskassessment:assessment_edit", args=[assessment.pk]))
    count = tab.locator("[data-running-count] [data-count]")
    answered = tab.locator("[data-running-count] [data-answered]")
    fieldsets = tab.locator("fieldset[data-question]")
    fieldsets.nth(0).get_by_label("Yes", exact=True).focus()
    # 1 Yes, 2 No, 3 Don't know, 4 Not asked: one key per question, focus moving on each time.
    for key in "1112341":
        tab.keyboard.press(key)
    assert count.inner_text() == "4"
    assert answered.inner_text() == "7"
    focused = tab.evaluate("document.activeElement.closest('fieldset').querySelector('legend')")
    assert focused is not None
    legend = tab.evaluate(
        "document.activeElement.closest('fieldset').querySelector('legend').textContent"
    )
    assert legend.startswith("8.")
    # A digit typed in a comment box stays text.
    comment = tab.locator(f"#id_comment_{assessment.answers.get(question__number=1).question_id}")
    comment.fill("")
    comment.press("2")
    assert comment.input_value() == "2"
    assert count.inner_text() == "4"
    tab.get_by_role("button", name="Answer the rest “Not asked”").click()
    assert answered.inner_text() == "24"
    assert count.inner_text() == "4"
    tab.get_by_role("button", name="Submit").click()
    tab.wait_for_url(f"**{reverse('riskassessment:assessment_detail', args=[assessment.pk])}")
    assessment = Assessment.objects.get(pk=assessment.pk)
    assert (assessment.status, assessment.score) == ("submitted", 4)
    assert assessment.answers.filter(option__key="not_asked").count() == 18
    assert assessment.answers.get(question__number=1).comment == "2"
    assert not errors, errors
