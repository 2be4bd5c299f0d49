""" "Answer the rest Not asked" works on the first press (issue 18, item 1), in a real browser.

Why it did not: a digit key answers a question and moves the focus on, and the focus move
scrolled the page smoothly (Bootstrap's `scroll-behavior: smooth`). A press on the button while
the page was still gliding landed on a moving target: the button in the sticky bar moved under
the pointer between the press and the release, so no click happened and nothing was answered;
the second press, once the page had settled, worked. The focus now moves without animation, and
the button fills in each answer as a change the page (and anything listening) sees."""

import pytest
from django.urls import reverse

from riskassessment import services
from riskassessment.models import Assessment
from tests.factories import CaseFactory
from tests.factories_riskassessment import merit_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERS = """() => Array.from(document.querySelectorAll("fieldset[data-question]")).map(
    (group) => (group.querySelector("input[type=radio]:checked") || {dataset: {}}).dataset.key
        || null)"""


def press_once(tab, locator):
    """One press where the button is now, as a person makes it: aimed at once, held for a
    moment (Playwright's own click waits until the target stops moving, which a person does
    not)."""
    box = locator.bounding_box()
    tab.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tab.mouse.down()
    tab.wait_for_timeout(150)
    tab.mouse.up()


@pytest.mark.parametrize("viewport", [(1280, 720), (800, 600)])
def test_one_press_answers_every_unanswered_question_not_asked(
    signed_in_tab, live_server, caseworker, service, viewport
):
    case = CaseFactory(service=service)
    assessment = services.assessment_start(
        case=case, version=merit_version(), actor=caseworker, stage="intake"
    )
    tab, errors = signed_in_tab(caseworker)
    tab.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    tab.goto(live_server.url + reverse("riskassessment:assessment_edit", args=[assessment.pk]))
    fieldsets = tab.locator("fieldset[data-question]")
    # Five of the 18 questions answered from the keyboard: Yes, No, No, Yes, No.
    fieldsets.nth(0).get_by_label("Yes", exact=True).focus()
    for key in "12212":
        tab.keyboard.press(key)
    press_once(tab, tab.get_by_role("button", name="Answer the rest “Not asked”"))
    answers = tab.evaluate(ANSWERS)
    assert answers == ["yes", "no", "no", "yes", "no"] + ["not_asked"] * 13
    assert tab.locator("[data-running-count] [data-answered]").inner_text() == "18"
    tab.get_by_role("button", name="Submit").click()
    tab.wait_for_url(f"**{reverse('riskassessment:assessment_detail', args=[assessment.pk])}")
    assessment = Assessment.objects.get(pk=assessment.pk)
    assert (assessment.status, assessment.not_asked_count, assessment.is_incomplete) == (
        "submitted",
        13,
        True,
    )
    assert not errors, errors
