"""Writes of outcome forms. Each function runs in one transaction and validates before anything is
kept: a refused save or submit leaves no partial row behind. Views call these; nothing here
reads a request.

Saving a draft checks only the rules that always hold (dates in order, "Don't know" not ticked
with options, counts that match what was ticked). Submitting also checks what is unanswered: a
question may be left blank only where Insights reports it as "Missing" (see questions.py), and
even then the caseworker confirms the gaps first (GapsToConfirm).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.concurrency import EditState, check_edit, next_version
from accounts.models import User
from cases import services as case_services
from cases.models import Case, ClosureRequest
from cases.selectors import REMINDER_HORIZON_DAYS

from . import questions as q
from .models import (
    CivilJusticeForm,
    CivilOrder,
    CriminalJusticeForm,
    ExitForm,
    FollowUp,
    FormStatus,
    Incident,
    IntakeForm,
    PoliceReport,
    ReviewForm,
)

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

NFA = "Police report - NFA (no further action)"
NO_ABUSE_SINCE_REVIEW = "No abuse experienced since last review point"


class GapsToConfirm(Exception):
    """Submitting would leave questions as "Missing": the caseworker must confirm it."""

    def __init__(self, gaps: list[str]):
        super().__init__(f"{len(gaps)} questions unanswered")
        self.gaps = gaps


def _require_edit(actor: User, case: Case) -> None:
    if not access.can(actor, access.Capability.EDIT_CASES, case.service_id):
        raise PermissionDenied


def _label(model, question: q.Question) -> str:
    return str(model._meta.get_field(question.field).verbose_name)


def _fmt(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def case_is_closing(case: Case) -> bool:
    """Closed, or a closure waiting for a team leader's sign-off."""
    return (
        case.status == Case.Status.CLOSED
        or case.closure_requests.filter(decision=ClosureRequest.Decision.REQUESTED).exists()
    )


def _pending_closure(case: Case):
    return case.closure_requests.filter(decision=ClosureRequest.Decision.REQUESTED).first()


# --- Answers ---------------------------------------------------------------------------------


def answers_of(obj, questions) -> dict:
    """The form's answers by field: a string, a set of option labels, a number or a date."""
    answers = {}
    for question in questions:
        if question.kind == q.MULTI:
            answers[question.field] = {o.label for o in getattr(obj, question.field).all()}
            if question.dont_know_field:
                answers[question.dont_know_field] = getattr(obj, question.dont_know_field)
        else:
            answers[question.field] = getattr(obj, question.field)
    return answers


def progress(obj, questions) -> tuple[int, int]:
    """(answered, asked) among the questions that apply."""
    answers = answers_of(obj, questions)
    asked = [question for question in questions if q.applies(question, answers)]
    return sum(q.is_answered(question, answers) for question in asked), len(asked)


# --- Starting a form ---------------------------------------------------------------------------


@transaction.atomic
def outcome_form_start(*, kind: str, case: Case, actor: User):
    """Creates an empty draft of `kind` for the case, with what is already known filled in.

    1. Check the actor may edit the case, and lock it (two people starting the same form at
       once get one form and one clear refusal, not a database error).
    2. Refuse a second intake, exit, CCJ or follow-up form; an exit form needs the case closed
       or closing; a follow-up needs it closed.
    3. Fill in what Lantern knows (dates, closure type, the primary perpetrator).
    """
    model, _questions, one_per_case = KINDS[kind]
    _require_edit(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
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
    if kind == "intake":
        form.completed_on = case.opened_on
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
        closure = case if case.status == Case.Status.CLOSED else _pending_closure(case)
        form.exit_date = closure.closed_on
        form.case_status = closure.closure_type
        form.unplanned_closure_reason = closure.unplanned_closure_reason
    elif kind == "follow_up":
        form.followed_up_on = today
    form.full_clean()
    form.save()
    return form


# --- Rules that always hold --------------------------------------------------------------------


def _intake_date(case: Case):
    return (
        IntakeForm.objects.filter(case=case).values_list("completed_on", flat=True).first() or None
    )


def _exit_date(case: Case):
    return ExitForm.objects.filter(case=case).values_list("exit_date", flat=True).first() or None


def _check_dates(form, errors: dict) -> None:
    today = timezone.localdate()
    case = form.case
    date_field = {
        "intake": "completed_on",
        "review": "reviewed_on",
        "exit": "exit_date",
        "follow_up": "followed_up_on",
    }.get(form.kind)
    if date_field is None:
        return
    day = getattr(form, date_field)
    if day is None:
        return
    if day > today:
        errors[date_field] = "This date is in the future."
        return
    intake_on = _intake_date(case)
    if form.kind == "intake":
        exit_on = _exit_date(case)
        if exit_on and day > exit_on:
            errors[date_field] = f"The intake date is after the exit date ({_fmt(exit_on)})."
    elif form.kind == "exit":
        # Submitted reviews only: a review started today as a draft must not block the exit.
        last_review_on = (
            ReviewForm.objects.filter(case=case, status=FormStatus.SUBMITTED)
            .order_by("-reviewed_on")
            .values_list("reviewed_on", flat=True)
            .first()
        )
        if intake_on and day < intake_on:
            errors[date_field] = (
                f"The exit date is before the intake date ({_fmt(intake_on)}). Insights counts "
                "such exits as errors: check both dates."
            )
        elif day < case.opened_on:
            errors[date_field] = (
                f"The exit date is before the case opened ({_fmt(case.opened_on)})."
            )
        elif last_review_on and day < last_review_on:
            errors[date_field] = (
                f"The exit date is before the last review ({_fmt(last_review_on)})."
            )
    elif form.kind == "review":
        exit_on = _exit_date(case)
        if intake_on and day < intake_on:
            errors[date_field] = f"The review date is before the intake date ({_fmt(intake_on)})."
        elif exit_on and day > exit_on:
            errors[date_field] = f"The review date is after the exit date ({_fmt(exit_on)})."
    elif form.kind == "follow_up" and case.closed_on and day < case.closed_on:
        errors[date_field] = f"The follow-up is before the case closed ({_fmt(case.closed_on)})."


def _check_multi(questions, values: dict, errors: dict) -> None:
    for question in questions:
        if question.kind != q.MULTI or question.field not in values:
            continue
        chosen = list(values[question.field] or [])
        wrong = [o for o in chosen if o.list_key != question.table]
        if wrong:
            errors[question.field] = "Choose from this question's own options."
        elif question.dont_know_field and values.get(question.dont_know_field) and chosen:
            errors[question.field] = 'Tick options or "Don\'t know", not both.'
        elif question.table == "previous_abuse_exposure":
            labels = {o.label for o in chosen}
            if "No" in labels and len(labels) > 1:
                errors[question.field] = '"No" cannot be ticked with a "Yes, ..." answer.'


def _check_intake(values: dict, errors: dict) -> None:
    ticked = {o.label for o in values.get("help_sought") or []}
    for label, field in q.HELP_SOUGHT_COUNTS.items():
        number = values.get(field)
        if number is None:
            continue
        if label not in ticked:
            errors[field] = f'Tick "{label}" to give a number, or clear the number.'
        elif number < 1:
            errors[field] = "Give at least 1, or leave the number blank if it is not known."


def _check_exit(form, errors: dict) -> None:
    case = form.case
    if form.case_status != "Unplanned closure" and form.unplanned_closure_reason:
        errors["unplanned_closure_reason"] = "Only an unplanned closure has a reason."
    closure = case if case.status == Case.Status.CLOSED else _pending_closure(case)
    if closure is not None and form.case_status and form.case_status != closure.closure_type:
        errors["case_status"] = (
            f"The case's closure is recorded as '{closure.closure_type}': change the closure "
            "or this answer."
        )


# --- Saving and submitting ---------------------------------------------------------------------


def _assign(form, questions, values: dict) -> dict:
    """Sets the scalar fields; returns the many-to-many values to set after saving."""
    many = {}
    for question in questions:
        if question.field not in values:
            continue
        if question.kind == q.MULTI:
            many[question.field] = list(values[question.field] or [])
            if question.dont_know_field:
                setattr(form, question.dont_know_field, bool(values.get(question.dont_know_field)))
        else:
            value = values[question.field]
            if value is None and question.kind in (q.SINGLE, q.CHOICE):
                value = ""
            setattr(form, question.field, value)
    return many


def _clear_answers_that_do_not_apply(form, questions) -> None:
    """On submit, a follow-on answer whose question no longer applies (e.g. details of physical
    abuse after the level was changed to None) is removed, so that reports never count it."""
    answers = answers_of(form, questions)
    # Questions come after the answer they follow on from, so one pass in order also clears
    # answers switched off by an answer cleared earlier in the pass.
    for question in questions:
        if q.applies(question, answers):
            continue
        if question.kind == q.MULTI:
            if answers[question.field]:
                getattr(form, question.field).clear()
            answers[question.field] = set()
            if question.dont_know_field:
                setattr(form, question.dont_know_field, False)
                answers[question.dont_know_field] = False
        else:
            empty = None if question.kind in (q.COUNT, q.DATE) else ""
            setattr(form, question.field, empty)
            answers[question.field] = empty
    form.save()


def _missing_messages(form, questions, answers) -> tuple[dict, list[str]]:
    required, gaps = q.unanswered(questions, answers)
    errors = {question.field: "Answer this question to submit the form." for question in required}
    return errors, [_label(type(form), question) for question in gaps]


def _submit_checks(form, errors: dict, gaps: list[str]) -> None:
    """Rules that only a submitted form must meet (beyond every question being answered)."""
    case = form.case
    if form.kind == "exit":
        if not case_is_closing(case):
            errors.setdefault(
                "__all__",
                "An exit form needs the case closed, or its closure waiting for sign-off.",
            )
        intake = IntakeForm.objects.filter(case=case).first()
        if intake is None or not intake.is_submitted:
            errors.setdefault("__all__", "Submit the intake form first: the exit is matched to it.")
        reviewed = ReviewForm.objects.filter(case=case, status=FormStatus.SUBMITTED).exists()
        if form.abuse_since == NO_ABUSE_SINCE_REVIEW and not reviewed:
            errors["abuse_since"] = (
                "This case has no submitted review: choose 'No abuse experienced since intake', "
                "or submit the review first."
            )
    elif form.kind == "follow_up" and case.status != Case.Status.CLOSED:
        errors.setdefault("__all__", "A follow-up is made after the case has closed.")
    elif form.kind == "criminal":
        _criminal_submit_checks(form, errors, gaps)


def _criminal_submit_checks(form, errors: dict, gaps: list[str]) -> None:
    reports = PoliceReport.objects.filter(form=form).prefetch_related(
        "incidents", "perpetrator_penalties", "idva_support"
    )
    reports = list(reports)
    if not reports:
        errors.setdefault("__all__", "Add the police reports (at least one) before submitting.")
    if form.police_reports_count is not None and form.police_reports_count != len(reports):
        errors["police_reports_count"] = (
            f"You said {form.police_reports_count} reports but {len(reports)} are recorded."
        )
    problems = []
    for number, report in enumerate(reports, start=1):
        incidents = list(report.incidents.all())
        if not incidents:
            problems.append(f"Police report {number} has no incidents.")
        elif report.incidents_count is not None and report.incidents_count != len(incidents):
            problems.append(
                f"Police report {number}: {report.incidents_count} incidents stated, "
                f"{len(incidents)} recorded."
            )
        required, report_gaps = q.unanswered(
            q.POLICE_REPORT_QUESTIONS, answers_of(report, q.POLICE_REPORT_QUESTIONS)
        )
        for question in required:
            problems.append(f"Police report {number}: {_label(PoliceReport, question)}.")
        gaps += [f"Police report {number}: {_label(PoliceReport, g)}" for g in report_gaps]
        for index, incident in enumerate(incidents, start=1):
            required, incident_gaps = q.unanswered(
                q.INCIDENT_QUESTIONS, answers_of(incident, q.INCIDENT_QUESTIONS)
            )
            for question in required:
                problems.append(
                    f"Police report {number}, incident {index}: {_label(Incident, question)}."
                )
            gaps += [
                f"Police report {number}, incident {index}: {_label(Incident, g)}"
                for g in incident_gaps
            ]
    if problems:
        errors["__all__"] = " ".join(problems)


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


@transaction.atomic
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

    1. Check the actor may edit the case; lock the form row (autosave and a click on Submit can
       arrive together).
    2. A submitted form is only changed by submitting it again (autosave is refused).
    3. Refuse with EditConflict where someone else (or another tab) saved different answers to
       the same questions since this page loaded them (edit_state).
    4. Apply the answers and check the rules that always hold; refuse with errors by field.
    5. On submit: refuse what must be answered and is not; with only "Missing" gaps left, refuse
       with GapsToConfirm unless the caseworker confirmed them; then mark it submitted.
    Any refusal rolls the whole save back.
    """
    _require_edit(actor, form.case)
    model, questions, _one = KINDS[form.kind]
    form = model.objects.select_for_update().select_related("case").get(pk=form.pk)
    if form.is_submitted and not submit:
        raise ValidationError(
            "This form has been submitted: changes are saved by submitting it again."
        )
    check_edit(form, loaded=edit_state, submitted=values)
    next_version(form)
    errors: dict = {}
    _check_multi(questions, values, errors)
    if form.kind == "intake":
        _check_intake(values, errors)
    many = _assign(form, questions, values)
    _check_dates(form, errors)
    if form.kind == "exit":
        _check_exit(form, errors)
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
    if not submit:
        return form

    _clear_answers_that_do_not_apply(form, questions)
    errors, gaps = _missing_messages(form, questions, answers_of(form, questions))
    _submit_checks(form, errors, gaps)
    if errors:
        raise ValidationError(errors)
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


# --- Police reports and incidents --------------------------------------------------------------


@transaction.atomic
def police_report_save(
    *,
    cj_form: CriminalJusticeForm,
    actor: User,
    values: dict,
    incidents: list[dict],
    report: PoliceReport | None = None,
) -> PoliceReport:
    """Adds or changes one police report and its incidents (the full list: rows not given are
    removed). The stated number of incidents must match the incidents recorded."""
    _require_edit(actor, cj_form.case)
    cj_form = CriminalJusticeForm.objects.select_for_update().get(pk=cj_form.pk)
    if report is None:
        report = PoliceReport(case=cj_form.case, form=cj_form)
    elif report.form_id != cj_form.pk:
        raise PermissionDenied
    errors: dict = {}
    _check_multi(q.POLICE_REPORT_QUESTIONS, values, errors)
    many = _assign(report, q.POLICE_REPORT_QUESTIONS, values)
    if "reported_on" in values:
        report.reported_on = values["reported_on"]
    if report.reported_on and report.reported_on > timezone.localdate():
        errors["reported_on"] = "This date is in the future."
    _check_report_timing(report, cj_form.case, errors)
    if report.incidents_count is not None and report.incidents_count != len(incidents):
        errors["incidents_count"] = (
            f"You said {report.incidents_count} incidents but {len(incidents)} are listed: "
            "add or remove incidents, or correct the number."
        )
    if cj_form.is_submitted and not incidents:
        errors["__all__"] = "A police report on a submitted form needs at least one incident."
    for index, incident in enumerate(incidents, start=1):
        if incident.get("nfa_reason") and incident.get("consequence") != NFA:
            errors.setdefault(
                "__all__",
                f"Incident {index}: a reason for NFA goes only with an NFA consequence.",
            )
    try:
        report.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages[0])
    if errors:
        raise ValidationError(errors)
    report.save()
    for field, chosen in many.items():
        getattr(report, field).set(chosen)

    existing = {incident.pk: incident for incident in report.incidents.all()}
    kept = set()
    for data in incidents:
        incident = existing.get(data.get("id")) if data.get("id") else None
        if incident is None:
            incident = Incident(case=cj_form.case, report=report)
        for field in ("offence", "consequence", "nfa_reason"):
            setattr(incident, field, data.get(field) or "")
        incident.full_clean()
        incident.save()
        kept.add(incident.pk)
    for pk, incident in existing.items():
        if pk not in kept:
            incident.delete()
    _keep_report_count(cj_form)
    return report


REPORTED_BEFORE = "Before engagement with service"
REPORTED_AFTER = "After engagement with service"


def _check_report_timing(report: PoliceReport, case: Case, errors: dict) -> None:
    """With the date of the report known, "when was it made" follows from it (engagement counted
    from the day the case opened): filled in when left blank, refused when it contradicts the
    date. "Both before and after" (a report added to later) is left to the caseworker."""
    if report.reported_on is None or "reported_on" in errors:
        return
    before = report.reported_on < case.opened_on
    if not report.timing:
        report.timing = REPORTED_BEFORE if before else REPORTED_AFTER
    elif report.timing == (REPORTED_AFTER if before else REPORTED_BEFORE):
        errors["timing"] = (
            f"The report is dated {_fmt(report.reported_on)} and the case opened on "
            f"{_fmt(case.opened_on)}: correct the date or this answer."
        )


def _keep_report_count(cj_form: CriminalJusticeForm) -> None:
    """A submitted form's stated number of reports follows the reports added or removed later
    (court outcomes arrive after submission), so that it stays consistent."""
    if not cj_form.is_submitted:
        return
    recorded = PoliceReport.objects.filter(form=cj_form).count()
    if cj_form.police_reports_count != recorded:
        cj_form.police_reports_count = recorded
        cj_form.save(update_fields=["police_reports_count", "updated_at"])


@transaction.atomic
def police_report_delete(*, report: PoliceReport, actor: User) -> None:
    _require_edit(actor, report.case)
    cj_form = CriminalJusticeForm.objects.select_for_update().get(pk=report.form_id)
    if cj_form.is_submitted and PoliceReport.objects.filter(form=cj_form).count() == 1:
        raise ValidationError("A submitted criminal justice form keeps at least one police report.")
    for incident in list(report.incidents.all()):
        incident.delete()
    report.perpetrator_penalties.clear()
    report.idva_support.clear()
    report.delete()
    _keep_report_count(cj_form)


@transaction.atomic
def outcome_form_discard(*, form, actor: User) -> None:
    """Deletes a draft started by mistake (a submitted form is kept)."""
    _require_edit(actor, form.case)
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
