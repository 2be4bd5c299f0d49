"""Writes of outcome forms. Each write validates before anything is kept: a refused save leaves no
partial row behind. Views call these; nothing here reads a request.

Saving a draft checks only the rules that always hold (dates in order, "Don't know" not ticked
with options, counts that match what was ticked). Submitting a draft saves its answers first
(so nothing typed is lost), then checks what is unanswered: a question may be left blank only
where Insights reports it as "Missing" (see questions.py), and even then the caseworker confirms
the gaps first (GapsToConfirm).

Sections live beside this module: services_answers.py (reading and setting answers),
services_checks.py (the rules), services_police.py (police reports and incidents). The names
other modules use are imported here, so `outcomes.services` stays the one place to call.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.concurrency import EditState, check_edit, next_version
from accounts.idempotency import claim_form_token
from accounts.models import User
from cases import services as case_services
from cases.models import Case
from cases.selectors import REMINDER_HORIZON_DAYS

from . import questions as q
from .models import (
    CivilJusticeForm,
    CivilOrder,
    CriminalJusticeForm,
    ExitForm,
    FollowUp,
    FormStatus,
    IntakeForm,
    ReviewForm,
)
from .services_answers import (
    answer_shown,
    answers_of,
    assign_answers,
    clear_answers_that_do_not_apply,
    progress,
)
from .services_checks import (
    NO_ABUSE_SINCE_REVIEW,
    case_is_closing,
    check_dates,
    check_exit,
    check_intake,
    check_multi,
    missing_messages,
    pending_closure,
    require_edit,
    submit_checks,
)
from .services_police import (
    NFA,
    REPORTED_AFTER,
    REPORTED_BEFORE,
    police_report_delete,
    police_report_save,
)
from .suggestions import intake_suggestions, justice_suggestions

__all__ = [
    "KINDS",
    "KIND_TITLES",
    "NFA",
    "NO_ABUSE_SINCE_REVIEW",
    "REPORTED_AFTER",
    "REPORTED_BEFORE",
    "GapsToConfirm",
    "SubmitRefused",
    "answer_shown",
    "answers_of",
    "case_is_closing",
    "outcome_form_discard",
    "outcome_form_save",
    "outcome_form_start",
    "police_report_delete",
    "police_report_save",
    "progress",
]

# kind -> (model, questions, only one per case)
KINDS = {
    "intake": (IntakeForm, q.INTAKE_QUESTIONS, True),
    "review": (ReviewForm, q.REVIEW_QUESTIONS, False),
    "exit": (ExitForm, q.EXIT_QUESTIONS, True),
    "criminal": (CriminalJusticeForm, q.CRIMINAL_JUSTICE_QUESTIONS, True),
    "civil": (CivilJusticeForm, q.CIVIL_JUSTICE_QUESTIONS, True),
    "follow_up": (FollowUp, q.FOLLOW_UP_QUESTIONS, True),
}

KIND_TITLES = {
    "intake": "Intake form",
    "review": "Review form",
    "exit": "Exit form",
    "criminal": "Criminal justice form",
    "civil": "Civil justice form",
    "follow_up": "6-month follow-up",
}


class GapsToConfirm(Exception):
    """Submitting would leave questions as "Missing": the caseworker must confirm it. The
    answers were saved as a draft before this was raised (see outcome_form_save)."""

    def __init__(self, gaps: list[str]):
        super().__init__(f"{len(gaps)} questions unanswered")
        self.gaps = gaps


class SubmitRefused(ValidationError):
    """Submitting was refused by the submit checks (errors by field). A draft's answers were
    saved before the checks ran (see outcome_form_save)."""


# --- Starting a form ---------------------------------------------------------------------------


@transaction.atomic
def outcome_form_start(*, kind: str, case: Case, actor: User, form_token=None):
    """Creates an empty draft of `kind` for the case, with what is already known filled in.

    1. Check the actor may edit the case, and lock it (two people starting the same form at
       once get one form and one clear refusal, not a database error); claim the Start
       button's one-time token (a double click starts one form).
    2. Refuse a second intake, exit, CCJ or follow-up form; an exit form needs the case closed
       or closing; a follow-up needs it closed.
    3. Fill in what Lantern knows (dates, closure type, the primary perpetrator; at intake the
       client's situation, the intake risk and Marac; on a civil form the orders of the court
       hearings recorded: outcomes.suggestions), for the caseworker to confirm or change: the
       form keeps them as they were at intake.
    """
    model, _questions, one_per_case = KINDS[kind]
    require_edit(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    # Before the one-per-case check: a double click on Start opens the form the first made.
    claim = claim_form_token(form_token, actor=actor)
    if one_per_case and model.objects.filter(case=case).exists():
        raise ValidationError(f"This case already has a {model._meta.verbose_name}.")
    if kind == "exit" and not case_is_closing(case):
        raise ValidationError(
            "An exit form needs the case closed, or its closure waiting for sign-off."
        )
    if kind == "follow_up" and case.status != Case.Status.CLOSED:
        raise ValidationError("A follow-up is made after the case has closed.")
    form = model(case=case, created_by=actor)
    today = timezone.localdate()
    chosen = {}
    if kind == "intake":
        form.completed_on = case.opened_on
        for field, value in intake_suggestions(case, form.completed_on).items():
            if isinstance(value, list):
                chosen[field] = value
            else:
                setattr(form, field, value)
        perpetrator = case.perpetrators.filter(is_primary=True).first()
        if perpetrator is not None:
            form.primary_perpetrator_relationship = perpetrator.relationship
            form.perpetrator_sex_at_birth = perpetrator.sex_at_birth
            form.perpetrator_multiple_victims = perpetrator.multiple_victims
            form.perpetrator_need_mental_health = perpetrator.need_mental_health
            form.perpetrator_need_drugs = perpetrator.need_drugs
            form.perpetrator_need_alcohol = perpetrator.need_alcohol
    elif kind == "review":
        form.reviewed_on = today
        due = case.review_due_on
        if due and due <= today + datetime.timedelta(days=REMINDER_HORIZON_DAYS):
            form.reason = ReviewForm.Reason.FOUR_MONTH
    elif kind == "exit":
        closure = case if case.status == Case.Status.CLOSED else pending_closure(case)
        form.exit_date = closure.closed_on
        form.case_status = closure.closure_type
        form.unplanned_closure_reason = closure.unplanned_closure_reason
    elif kind == "follow_up":
        form.followed_up_on = today
    form.full_clean()
    form.save()
    for field, options in chosen.items():
        getattr(form, field).set(options)
    if kind == "civil":
        # The orders the recorded court hearings were about, as a draft to confirm.
        _save_civil_orders(form, justice_suggestions(case, "civil").get("orders", {}))
    return claim.record(form)


# --- Saving and submitting ---------------------------------------------------------------------


def _save_civil_orders(form: CivilJusticeForm, orders: dict) -> None:
    """orders: order type -> status ("" = not applied for). One row per order type."""
    existing = {order.order_type: order for order in form.orders.all()}
    for order_type, status in orders.items():
        row = existing.get(order_type)
        if not status:
            if row is not None:
                row.delete()
            continue
        if row is None:
            row = CivilOrder(case=form.case, form=form, order_type=order_type)
        if row.status != status:
            row.status = status
            row.full_clean()
            row.save()


def outcome_form_save(
    *,
    form,
    actor: User,
    values: dict,
    submit: bool = False,
    confirm_gaps: bool = False,
    edit_state: EditState | None = None,
):
    """Saves the answers as a draft, or submits the form.

    1. A draft is saved first, on its own, whatever happens to the submit: every answer on the
       page is kept (`_save_answers`, one transaction) before anything is asked. A refused
       save (an answer that breaks a rule that always holds, someone else's change) keeps
       nothing and says why.
    2. Then the submit checks run on what was just saved (`_submit`, a second transaction):
       what must be answered and is not refuses with errors by field; with only "Missing" gaps
       left, GapsToConfirm asks the caseworker to confirm them. Either way the draft saved in
       step 1 stays, with the new answers (the page re-reads it for its next edit state).
    3. A form already submitted is changed only by submitting it again: its answers and the
       submit checks go in one transaction, so a refused change leaves the submitted form as
       it was (Insights never counts answers nobody confirmed).
    """
    if form.is_submitted or not submit:
        with transaction.atomic():
            saved = _save_answers(
                form=form, actor=actor, values=values, edit_state=edit_state, submit=submit
            )
            if not submit:
                return saved
            return _submit(saved, actor=actor, confirm_gaps=confirm_gaps)
    with transaction.atomic():
        saved = _save_answers(
            form=form, actor=actor, values=values, edit_state=edit_state, submit=True
        )
    # The draft is committed: a refusal below no longer takes the answers with it.
    with transaction.atomic():
        return _submit(saved, actor=actor, confirm_gaps=confirm_gaps)


def _save_answers(*, form, actor: User, values: dict, edit_state: EditState | None, submit: bool):
    """Writes the answers to the (locked) form row; raises ValidationError or EditConflict
    before writing anything.

    1. Check the actor may edit the case; lock the form row (autosave and a click on Submit can
       arrive together).
    2. A submitted form is only changed by submitting it again (autosave is refused).
    3. Refuse with EditConflict where someone else (or another tab) saved different answers to
       the same questions since this page loaded them (edit_state).
    4. Apply the answers and check the rules that always hold; refuse with errors by field.
    """
    require_edit(actor, form.case)
    model, questions, _one = KINDS[form.kind]
    form = model.objects.select_for_update().select_related("case").get(pk=form.pk)
    if form.is_submitted and not submit:
        raise ValidationError(
            "This form has been submitted: changes are saved by submitting it again."
        )
    check_edit(form, loaded=edit_state, submitted=values)
    next_version(form)
    errors: dict = {}
    check_multi(questions, values, errors)
    if form.kind == "intake":
        check_intake(values, errors)
    many = assign_answers(form, questions, values)
    check_dates(form, errors)
    if form.kind == "exit":
        check_exit(form, errors)
    try:
        form.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages[0])
    if errors:
        raise ValidationError(errors)
    form.save()
    for field, chosen in many.items():
        getattr(form, field).set(chosen)
    if form.kind == "civil" and "orders" in values:
        _save_civil_orders(form, values["orders"])
    return form


def _submit(form, *, actor: User, confirm_gaps: bool):
    """Submits the form as saved: clears the answers that no longer apply, then refuses what
    must be answered and is not, and asks to confirm the "Missing" gaps."""
    model, questions, _one = KINDS[form.kind]
    form = model.objects.select_for_update().select_related("case").get(pk=form.pk)
    # Cleared inside this transaction: a refusal below rolls the clearing back too, leaving the
    # draft as the caseworker saved it.
    clear_answers_that_do_not_apply(form, questions)
    errors, gaps = missing_messages(form, questions, answers_of(form, questions))
    submit_checks(form, errors, gaps)
    if errors:
        raise SubmitRefused(errors)
    if gaps and not confirm_gaps:
        raise GapsToConfirm(gaps)
    if not form.is_submitted:
        form.status = FormStatus.SUBMITTED
        form.submitted_at = timezone.now()
        form.submitted_by = actor
    form.save()
    if form.kind == "review" and form.reason == ReviewForm.Reason.FOUR_MONTH:
        _schedule_next_review(form)
    return form


def _schedule_next_review(review: ReviewForm) -> None:
    """A submitted 4-month review answers the case's "review due" reminder: the next review
    falls due four months after it. Reviews for other reasons (further abuse disclosed) keep
    the date, and a date already later is kept."""
    case = review.case
    if case.status == Case.Status.CLOSED:
        return
    next_due = review.reviewed_on + case_services.REVIEW_AFTER
    if case.review_due_on is None or case.review_due_on < next_due:
        case_services.case_set_review_due(case=case, review_due_on=next_due)


# --- Discarding a draft ------------------------------------------------------------------------


@transaction.atomic
def outcome_form_discard(*, form, actor: User) -> None:
    """Deletes a draft started by mistake (a submitted form is kept)."""
    require_edit(actor, form.case)
    model = type(form)
    form = model.objects.select_for_update().get(pk=form.pk)
    if form.is_submitted:
        raise ValidationError("A submitted form cannot be discarded.")
    if isinstance(form, CriminalJusticeForm):
        for report in list(form.police_reports.all()):
            police_report_delete(report=report, actor=actor)
    if isinstance(form, CivilJusticeForm):
        for order in list(form.orders.all()):
            order.delete()
    for field in model._meta.many_to_many:
        getattr(form, field.name).clear()
    form.delete()
