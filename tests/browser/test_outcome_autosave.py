"""Outcome forms autosave on every change (issue 18, item 8): a changed answer is saved within
two seconds with nothing pressed and nothing else focused, and the page says when."""

import datetime
import re
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from outcomes import services
from outcomes.models import IntakeForm
from tests.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_changed_answer_is_saved_within_two_seconds_without_pressing_anything(
    signed_in_tab, live_server, caseworker, service
):
    case = CaseFactory(service=service)
    intake = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    tab, errors = signed_in_tab(caseworker)
    url = reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk})
    tab.goto(live_server.url + url)
    status = tab.locator("[data-autosave-status]")
    assert status.get_attribute("aria-live") == "polite"

    tab.locator("#id_client_ace_1").check()  # "Yes": a click, focus stays on the radio
    changed_at = time.monotonic()
    saved = None
    while time.monotonic() - changed_at < 2:
        saved = IntakeForm.objects.get(pk=intake.pk)
        if saved.client_ace == "Yes":
            break
        time.sleep(0.1)
    assert saved.client_ace == "Yes"
    status.filter(has_text=re.compile(r"Saved at \d\d:\d\d")).wait_for(timeout=2000)

    # A second change in the same tab is saved over the first without a conflict: each save
    # carries the edit state the last one handed back.
    tab.locator("#id_level_physical_1").check()
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        if IntakeForm.objects.get(pk=intake.pk).level_physical:
            break
        time.sleep(0.1)
    stored = IntakeForm.objects.get(pk=intake.pk)
    assert stored.level_physical != ""
    assert stored.client_ace == "Yes"
    assert "Someone else" not in status.inner_text()
    assert not errors, errors


def test_a_required_answer_left_out_says_so_under_the_question_on_submit(
    signed_in_tab, live_server, caseworker, service
):
    """An inline radio question's "Answer this question to submit the form." is visible, not
    only in the page's HTML (crispy-bootstrap5 puts it where Bootstrap hides it)."""
    case = CaseFactory(service=service)
    review = services.outcome_form_start(kind="review", case=case, actor=caseworker)
    tab, errors = signed_in_tab(caseworker)
    url = reverse("outcomes:form_edit", kwargs={"kind": "review", "pk": review.pk})
    tab.goto(live_server.url + url)
    with tab.expect_navigation():
        tab.get_by_role("button", name="Submit", exact=True).click()
    message = tab.locator("#id_reason_error")
    assert message.is_visible()
    assert "Answer this question to submit the form." in message.inner_text()
    assert not errors, errors


def test_a_refused_draft_waits_for_the_next_change_not_the_next_tab_press(
    signed_in_tab, live_server, caseworker, service
):
    """An answer the server refuses (an exit form's closure type against the case's own) is sent
    again at the next change only: sent on every focusout, each Tab press through the form
    posted it, was refused and announced the refusal once more."""
    today = timezone.localdate()
    case = CaseFactory(
        service=service,
        caseworker=caseworker,
        status="closed",
        opened_on=today - datetime.timedelta(days=90),
        closed_on=today,
        closure_type="Planned closure",
    )
    exit_form = services.outcome_form_start(kind="exit", case=case, actor=caseworker)
    tab, _ = signed_in_tab(caseworker)
    autosave = reverse("outcomes:form_autosave", kwargs={"kind": "exit", "pk": exit_form.pk})
    posts = []
    tab.on("request", lambda request: request.url.endswith(autosave) and posts.append(request))
    tab.goto(
        live_server.url + reverse("outcomes:form_edit", kwargs={"kind": "exit", "pk": exit_form.pk})
    )
    planned = tab.locator("#div_id_case_status").get_by_label("Planned closure", exact=True)
    assert planned.is_checked()  # filled in from the case's closure
    planned.focus()
    tab.keyboard.press("ArrowDown")  # the next answer, which the case's closure contradicts
    status = tab.locator("[data-autosave-status]")
    status.filter(has_text="Not saved").wait_for(timeout=5000)
    assert len(posts) == 1
    for _ in range(6):
        tab.keyboard.press("Tab")
    tab.wait_for_timeout(1500)
    assert len(posts) == 1, [request.url for request in posts]
