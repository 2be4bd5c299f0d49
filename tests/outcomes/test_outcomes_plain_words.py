"""Plain words on screen (issue 18, item 9): a submitted outcome form shows the answers' labels
and dates as "3 Dec 2026", never stored values ("risk_change", "2026-12-03"); the list of a
case's outcome forms names each form by its kind and date, never by a database number."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from outcomes import services
from outcomes.models import ReviewForm
from tests.factories import CaseFactory
from tests.factories_outcomes import complete_values

from .rules_helpers import TODAY, timedelta


@pytest.fixture
def case(service, caseworker):
    return CaseFactory(service=service, caseworker=caseworker, opened_on=TODAY - timedelta(60))


def _review(case, actor, **overrides):
    review = services.outcome_form_start(kind="review", case=case, actor=actor)
    values = complete_values("review", **overrides)
    return services.outcome_form_save(
        form=review, actor=actor, values=values, submit=True, confirm_gaps=True
    )


def test_a_submitted_form_shows_labels_and_dates_in_words(client_for, case, caseworker):
    reviewed_on = TODAY - timedelta(2)
    review = _review(
        case, caseworker, reason=ReviewForm.Reason.RISK_CHANGE, reviewed_on=reviewed_on
    )
    html = (
        client_for(caseworker)
        .get(reverse("outcomes:form_detail", kwargs={"kind": "review", "pk": review.pk}))
        .content.decode()
    )
    assert "Change in risk or circumstances" in html
    assert "risk_change" not in html
    assert date_format(reviewed_on) in html
    assert reviewed_on.isoformat() not in html
    # Every question reads as a label: "Reason for the review", not "reason for the review".
    assert ">Reason for the review</dt>" in html and ">Date of review</dt>" in html


def test_multi_select_answers_are_listed_in_the_order_of_their_list(case, caseworker):
    from cases.models import Option
    from outcomes import questions as q

    intake = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    question = next(x for x in q.INTAKE_QUESTIONS if x.field == "physical_abuse_details")
    chosen = list(Option.objects.of(question.table).order_by("position")[:3])
    services.outcome_form_save(
        form=intake,
        actor=caseworker,
        values={"level_physical": "High", "physical_abuse_details": list(reversed(chosen))},
    )
    answers = services.answers_of(intake, q.INTAKE_QUESTIONS)
    shown = services.answer_shown(intake, question, answers)
    assert shown == ", ".join(option.label for option in chosen)


def test_the_outcome_forms_list_names_forms_by_kind_and_date(client_for, case, caseworker):
    intake = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    first = _review(case, caseworker, reviewed_on=TODAY - timedelta(30))
    second = _review(case, caseworker, reviewed_on=TODAY - timedelta(3))
    html = (
        client_for(caseworker)
        .get(reverse("outcomes:case_forms", kwargs={"case_id": case.pk}))
        .content.decode()
    )
    assert f"Intake form, {date_format(case.opened_on)}" in html
    assert f"Review form, {date_format(first.reviewed_on)}" in html
    assert f"Review form, {date_format(second.reviewed_on)}" in html
    for form in (intake, first, second):
        assert f"form {form.pk}<" not in html
        assert f"form {form.pk} " not in html


def test_a_form_without_its_own_date_is_named_by_the_day_it_was_started(case, caseworker):
    cj = services.outcome_form_start(kind="criminal", case=case, actor=caseworker)
    started = timezone.localdate(cj.created_at)
    assert cj.display_name == f"Criminal justice form, {date_format(started)}"
