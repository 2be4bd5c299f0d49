"""The rules of the outcome forms (issue 7, items 6 and 7): missing versus "Don't know", drafts
and submitting with gaps, dates in order, exit needs a closing case, one intake and one exit per
case, the 4-month review, and nothing saved when a save is refused. The criminal and civil
justice forms' rules are in test_outcomes_rules_justice.py."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from outcomes import services
from outcomes.models import ExitForm, FormStatus, ReviewForm
from tests.factories import CaseFactory, ClosureRequestFactory, MembershipFactory
from tests.factories_outcomes import ExitFormFactory, IntakeFormFactory, complete_values

from .rules_helpers import TODAY, closed, option, submitted_intake, timedelta


@pytest.fixture
def case(service, caseworker):
    return CaseFactory(service=service, caseworker=caseworker, opened_on=TODAY - timedelta(30))


# --- Missing versus "Don't know"; draft versus submitted ------------------------------------


def test_a_draft_can_be_saved_incomplete(case, caseworker):
    intake = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    services.outcome_form_save(form=intake, actor=caseworker, values={"level_physical": "High"})
    intake.refresh_from_db()
    assert intake.status == FormStatus.DRAFT
    assert intake.level_physical == "High"
    assert intake.level_sexual == ""  # missing, not "Don't know"


def test_submit_refuses_a_required_question_left_blank_but_accepts_dont_know(case, caseworker):
    intake = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    # Level of sexual abuse at intake: Insights prints no Missing row, so it must be answered.
    values = complete_values("intake", level_sexual="")
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_save(form=intake, actor=caseworker, values=values, submit=True)
    assert "level_sexual" in refused.value.message_dict
    intake.refresh_from_db()
    assert intake.status == FormStatus.DRAFT
    # Submit saved the draft first (issue 18, item 8): the answers are kept, unsubmitted.
    assert intake.level_physical == values["level_physical"]

    values["level_sexual"] = "Don't know"
    services.outcome_form_save(form=intake, actor=caseworker, values=values, submit=True)
    intake.refresh_from_db()
    assert intake.status == FormStatus.SUBMITTED
    assert intake.level_sexual == "Don't know"
    assert intake.submitted_by == caseworker


def test_gaps_where_insights_reports_missing_need_confirming(case, caseworker):
    intake = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    # Abuse length and typology have a Missing row in Insights: they may be left blank.
    values = complete_values("intake", abuse_length="", abuse_typology="")
    with pytest.raises(services.GapsToConfirm) as pending:
        services.outcome_form_save(form=intake, actor=caseworker, values=values, submit=True)
    assert "For how long has the abuse been occurring?" in pending.value.gaps
    assert "Typology of abuse" in pending.value.gaps
    intake.refresh_from_db()
    assert intake.status == FormStatus.DRAFT

    services.outcome_form_save(
        form=intake, actor=caseworker, values=values, submit=True, confirm_gaps=True
    )
    intake.refresh_from_db()
    assert intake.status == FormStatus.SUBMITTED
    assert intake.abuse_length == ""


def test_a_question_that_does_not_apply_is_not_missing(case, caseworker):
    intake = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    # No ACE: the ACE types (required when asked) are not asked.
    values = complete_values("intake", client_ace="No")
    assert "client_ace_types" not in values
    services.outcome_form_save(form=intake, actor=caseworker, values=values, submit=True)
    intake.refresh_from_db()
    assert intake.is_submitted

    other = CaseFactory(service=case.service)
    intake = services.outcome_form_start(kind="intake", case=other, actor=caseworker)
    values = complete_values("intake", client_ace="Yes", client_ace_types=[])
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_save(form=intake, actor=caseworker, values=values, submit=True)
    assert "client_ace_types" in refused.value.message_dict


def test_multi_select_dont_know_is_an_answer_but_not_with_options(case, caseworker):
    intake = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    values = {
        "previous_abuse_exposure": [option("previous_abuse_exposure", "Yes, other")],
        "previous_abuse_exposure_dont_know": True,
    }
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_save(form=intake, actor=caseworker, values=values)
    assert "previous_abuse_exposure" in refused.value.message_dict

    values = {"previous_abuse_exposure": [], "previous_abuse_exposure_dont_know": True}
    services.outcome_form_save(form=intake, actor=caseworker, values=values)
    intake.refresh_from_db()
    assert intake.previous_abuse_exposure_dont_know is True
    answers = services.answers_of(intake, services.KINDS["intake"][1])
    from outcomes.questions import INTAKE_QUESTIONS, is_answered

    question = next(x for x in INTAKE_QUESTIONS if x.field == "previous_abuse_exposure")
    assert is_answered(question, answers)


def test_no_previous_exposure_cannot_be_ticked_with_a_yes(case, caseworker):
    intake = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    values = {
        "previous_abuse_exposure": [
            option("previous_abuse_exposure", "No"),
            option("previous_abuse_exposure", "Yes, other"),
        ]
    }
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_save(form=intake, actor=caseworker, values=values)
    assert "previous_abuse_exposure" in refused.value.message_dict


def test_an_option_from_another_list_is_refused(case, caseworker):
    intake = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    wrong = option("mental_health_diagnoses", "Depression")
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_save(
            form=intake, actor=caseworker, values={"mental_health_symptoms": [wrong]}
        )
    assert "mental_health_symptoms" in refused.value.message_dict


def test_help_sought_counts_go_with_a_ticked_option(case, caseworker):
    intake = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_save(
            form=intake, actor=caseworker, values={"help_sought": [], "times_police": 3}
        )
    assert "times_police" in refused.value.message_dict
    police = option("past_12_months_help_seeking", "The client has gone to the police")
    services.outcome_form_save(
        form=intake, actor=caseworker, values={"help_sought": [police], "times_police": 3}
    )
    intake.refresh_from_db()
    assert intake.times_police == 3


def test_a_submitted_form_is_not_changed_by_a_draft_save(case, caseworker):
    intake = submitted_intake(case, caseworker)
    with pytest.raises(ValidationError):
        services.outcome_form_save(form=intake, actor=caseworker, values={"abuse_length": ""})
    intake.refresh_from_db()
    assert intake.abuse_length != ""


def test_a_read_only_member_cannot_write(case, service):
    reader = MembershipFactory(service=service, read_only=True).user
    with pytest.raises(PermissionDenied):
        services.outcome_form_start(kind="intake", case=case, actor=reader)


# --- Dates ---------------------------------------------------------------------------------


def test_exit_date_before_intake_date_is_refused_and_nothing_is_saved(case, caseworker):
    intake = submitted_intake(case, caseworker)
    # Move the intake date on, so that an exit can predate it.
    intake_day = case.opened_on + datetime.timedelta(days=5)
    services.outcome_form_save(
        form=intake,
        actor=caseworker,
        values=complete_values("intake", completed_on=intake_day),
        submit=True,
    )
    closed(case, closed_on=TODAY)
    exit_form = services.outcome_form_start(kind="exit", case=case, actor=caseworker)
    early = case.opened_on + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_save(
            form=exit_form,
            actor=caseworker,
            values={"exit_date": early, "ongoing_contact": "No"},
        )
    message = refused.value.message_dict["exit_date"][0]
    assert "before the intake date" in message
    assert date_format(intake_day) in message
    exit_form.refresh_from_db()
    assert exit_form.exit_date == TODAY  # unchanged
    assert exit_form.ongoing_contact == ""  # the rest of the refused save was not kept either


def test_intake_date_after_the_exit_is_refused(case, caseworker):
    intake = submitted_intake(case, caseworker)
    closed(case, closed_on=case.opened_on + datetime.timedelta(days=3))
    services.outcome_form_start(kind="exit", case=case, actor=caseworker)
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_save(
            form=intake,
            actor=caseworker,
            values=complete_values("intake", completed_on=case.opened_on + timedelta(10)),
            submit=True,
        )
    assert "after the exit date" in refused.value.message_dict["completed_on"][0]


def test_dates_in_the_future_are_refused(case, caseworker):
    review = services.outcome_form_start(kind="review", case=case, actor=caseworker)
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_save(
            form=review, actor=caseworker, values={"reviewed_on": TODAY + timedelta(3)}
        )
    assert "future" in refused.value.message_dict["reviewed_on"][0]


def test_review_before_the_intake_is_refused(case, caseworker):
    submitted_intake(case, caseworker)
    review = services.outcome_form_start(kind="review", case=case, actor=caseworker)
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_save(
            form=review, actor=caseworker, values={"reviewed_on": case.opened_on - timedelta(1)}
        )
    assert "before the intake date" in refused.value.message_dict["reviewed_on"][0]


# --- Exit needs the case closed or closing ---------------------------------------------------


def test_exit_form_needs_the_case_closed_or_closing(case, caseworker):
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_start(kind="exit", case=case, actor=caseworker)
    assert "closed" in refused.value.messages[0]
    assert not ExitForm.objects.filter(case=case).exists()

    ClosureRequestFactory(
        case=case,
        requested_by=caseworker,
        requested_at=timezone.now(),
        closed_on=TODAY,
        closure_type="Unplanned closure",
        unplanned_closure_reason="Client disengaged",
    )
    exit_form = services.outcome_form_start(kind="exit", case=case, actor=caseworker)
    # What the closure request says is filled in.
    assert exit_form.case_status == "Unplanned closure"
    assert exit_form.unplanned_closure_reason == "Client disengaged"
    assert exit_form.exit_date == TODAY


def test_exit_submit_needs_a_submitted_intake_and_matching_closure(case, caseworker):
    closed(case)
    exit_form = services.outcome_form_start(kind="exit", case=case, actor=caseworker)
    values = complete_values("exit")
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_save(form=exit_form, actor=caseworker, values=values, submit=True)
    assert "intake" in refused.value.message_dict["__all__"][0]

    submitted_intake(case, caseworker)
    bad = complete_values("exit", case_status="Unplanned closure")
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_save(form=exit_form, actor=caseworker, values=bad, submit=True)
    assert "case_status" in refused.value.message_dict

    services.outcome_form_save(form=exit_form, actor=caseworker, values=values, submit=True)
    exit_form.refresh_from_db()
    assert exit_form.is_submitted


def test_follow_up_needs_a_closed_case(case, caseworker):
    with pytest.raises(ValidationError):
        services.outcome_form_start(kind="follow_up", case=case, actor=caseworker)
    closed(case)
    follow_up = services.outcome_form_start(kind="follow_up", case=case, actor=caseworker)
    # Not reached: the questions about how the client is are not asked.
    services.outcome_form_save(
        form=follow_up,
        actor=caseworker,
        values={"followed_up_on": TODAY, "reached": "No"},
        submit=True,
    )
    follow_up.refresh_from_db()
    assert follow_up.is_submitted


# --- One intake and one exit per case ---------------------------------------------------------


def test_one_intake_and_one_exit_per_case(case, caseworker):
    services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    assert "already has" in refused.value.messages[0]
    closed(case)
    services.outcome_form_start(kind="exit", case=case, actor=caseworker)
    with pytest.raises(ValidationError):
        services.outcome_form_start(kind="exit", case=case, actor=caseworker)
    # Reviews are not limited.
    services.outcome_form_start(kind="review", case=case, actor=caseworker)
    services.outcome_form_start(kind="review", case=case, actor=caseworker)
    assert ReviewForm.objects.filter(case=case).count() == 2


def test_the_database_refuses_a_second_intake_too(case, caseworker):
    IntakeFormFactory(case=case, created_by=caseworker)
    with pytest.raises(IntegrityError, match="outcomes_one_intake_per_case"), transaction.atomic():
        IntakeFormFactory(case=case, created_by=caseworker)
    closed(case)
    ExitFormFactory(case=case, created_by=caseworker)
    with pytest.raises(IntegrityError, match="outcomes_one_exit_per_case"), transaction.atomic():
        ExitFormFactory(case=case, created_by=caseworker)


# --- The 4-month review ---------------------------------------------------------------------------


def _submit_review(case, actor, **overrides):
    review = services.outcome_form_start(kind="review", case=case, actor=actor)
    values = complete_values("review", **overrides)
    return services.outcome_form_save(
        form=review, actor=actor, values=values, submit=True, confirm_gaps=True
    )


def test_a_submitted_4_month_review_moves_the_next_review_date(case, caseworker):
    case.review_due_on = TODAY - timedelta(3)  # the reminder says "overdue"
    case.save()
    review = services.outcome_form_start(kind="review", case=case, actor=caseworker)
    assert review.reason == ReviewForm.Reason.FOUR_MONTH  # filled in: the review is due
    values = complete_values("review", reason=ReviewForm.Reason.FOUR_MONTH, reviewed_on=TODAY)
    services.outcome_form_save(form=review, actor=caseworker, values=values, submit=True)
    case.refresh_from_db()
    assert case.review_due_on == TODAY + services.case_services.REVIEW_AFTER


def test_other_reviews_and_drafts_leave_the_review_date(case, caseworker):
    due = TODAY + timedelta(40)
    case.review_due_on = due
    case.save()
    review = services.outcome_form_start(kind="review", case=case, actor=caseworker)
    assert review.reason == ""  # not due yet: the caseworker says why
    _submit_review(case, caseworker, reason=ReviewForm.Reason.FURTHER_ABUSE, reviewed_on=TODAY)
    draft = services.outcome_form_start(kind="review", case=case, actor=caseworker)
    services.outcome_form_save(
        form=draft, actor=caseworker, values={"reason": ReviewForm.Reason.FOUR_MONTH}
    )
    case.refresh_from_db()
    assert case.review_due_on == due


def test_a_refused_review_submit_leaves_the_review_date(case, caseworker):
    case.review_due_on = TODAY
    case.save()
    review = services.outcome_form_start(kind="review", case=case, actor=caseworker)
    values = complete_values(
        "review", reason=ReviewForm.Reason.FOUR_MONTH, reviewed_on=TODAY, further_abuse_disclosed=""
    )
    with pytest.raises(ValidationError):
        services.outcome_form_save(form=review, actor=caseworker, values=values, submit=True)
    case.refresh_from_db()
    assert case.review_due_on == TODAY


# --- The question lists ---------------------------------------------------------------------------


def test_every_follow_on_question_comes_after_the_answer_it_follows():
    """Submitting clears follow-on answers that no longer apply in one pass in question order;
    that needs each question after the one it follows on from."""
    from outcomes import questions as q

    for _model, questions, _one in services.KINDS.values():
        seen = set()
        for question in questions:
            if question.applies_when is not None:
                assert question.applies_when[0] in seen, question.field
            seen.add(question.field)
    for questions in (q.POLICE_REPORT_QUESTIONS, q.INCIDENT_QUESTIONS):
        fields = [x.field for x in questions]
        for index, question in enumerate(questions):
            if question.applies_when is not None:
                assert question.applies_when[0] in fields[:index], question.field


def test_submit_clears_a_chain_of_follow_on_answers(case, caseworker):
    """Changing the need for mental health support to No clears the symptoms, whether a
    condition is diagnosed, and the diagnoses that follow on from that."""
    intake = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    values = complete_values(
        "intake",
        completed_on=case.opened_on,
        need_mental_health="Yes",
        mental_health_diagnosed="Yes",
    )
    assert values["mental_health_diagnoses"]
    services.outcome_form_save(form=intake, actor=caseworker, values=values)
    values["need_mental_health"] = "No"
    services.outcome_form_save(form=intake, actor=caseworker, values=values, submit=True)
    intake.refresh_from_db()
    assert intake.mental_health_diagnosed == ""
    assert not intake.mental_health_symptoms.exists()
    assert not intake.mental_health_diagnoses.exists()


def test_no_abuse_since_the_last_review_needs_a_submitted_review(case, caseworker):
    submitted_intake(case, caseworker)
    closed(case)
    exit_form = services.outcome_form_start(kind="exit", case=case, actor=caseworker)
    values = complete_values("exit", abuse_since=services.NO_ABUSE_SINCE_REVIEW)
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_save(form=exit_form, actor=caseworker, values=values, submit=True)
    assert "abuse_since" in refused.value.message_dict
    exit_form.refresh_from_db()
    assert not exit_form.is_submitted
    # The draft was saved before the submit checks refused it (issue 18, item 8).
    assert exit_form.abuse_since == services.NO_ABUSE_SINCE_REVIEW

    _submit_review(case, caseworker, reviewed_on=TODAY, reason=ReviewForm.Reason.FURTHER_ABUSE)
    services.outcome_form_save(form=exit_form, actor=caseworker, values=values, submit=True)
    exit_form.refresh_from_db()
    assert exit_form.is_submitted
    assert exit_form.abuse_since == services.NO_ABUSE_SINCE_REVIEW


def test_reviews_fall_between_the_intake_and_the_exit(case, caseworker):
    submitted_intake(case, caseworker)
    closed(case, closed_on=TODAY - timedelta(2))
    draft = services.outcome_form_start(kind="review", case=case, actor=caseworker)
    assert draft.reviewed_on == TODAY  # a draft review does not hold up the exit
    review = _submit_review(
        case, caseworker, reviewed_on=TODAY - timedelta(1), reason=ReviewForm.Reason.OTHER
    )
    exit_form = services.outcome_form_start(kind="exit", case=case, actor=caseworker)
    assert exit_form.exit_date == TODAY - timedelta(2)
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_save(
            form=exit_form, actor=caseworker, values={"level_sexual": "None"}
        )
    assert "before the last review" in refused.value.message_dict["exit_date"][0]
    exit_form.refresh_from_db()
    assert exit_form.level_sexual == ""  # nothing saved

    values = complete_values("review", reviewed_on=TODAY - timedelta(3))
    services.outcome_form_save(form=review, actor=caseworker, values=values, submit=True)
    services.outcome_form_save(form=exit_form, actor=caseworker, values={"level_sexual": "None"})
    values["reviewed_on"] = TODAY - timedelta(1)
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_save(form=review, actor=caseworker, values=values, submit=True)
    assert "after the exit date" in refused.value.message_dict["reviewed_on"][0]
