"""The rules an outcome form's answers meet: those that always hold (checked on every save, a
draft's too) and those only a submitted form must meet. Each adds its refusals to `errors`
(field -> message); the services raise them together."""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.formats import date_format

from accounts import access
from accounts.models import User
from cases.models import Case, ClosureRequest

from . import questions as q
from .models import ExitForm, FormStatus, Incident, IntakeForm, PoliceReport, ReviewForm
from .services_answers import answers_of, question_label

NO_ABUSE_SINCE_REVIEW = "No abuse experienced since last review point"


def require_edit(actor: User, case: Case) -> None:
    if not access.can(actor, access.Capability.EDIT_CASES, case.service_id):
        raise PermissionDenied


def format_day(day: datetime.date) -> str:
    return date_format(day)


def case_is_closing(case: Case) -> bool:
    """Closed, or a closure waiting for a team leader's sign-off (as read with the case where
    the case page read it: cases.selectors.case_get_for_user(for_case_page=True))."""
    if case.status == Case.Status.CLOSED:
        return True
    read_with_case = getattr(case, "pending_closure_exists", None)
    if read_with_case is not None:
        return read_with_case
    return case.closure_requests.filter(decision=ClosureRequest.Decision.REQUESTED).exists()


def pending_closure(case: Case):
    return case.closure_requests.filter(decision=ClosureRequest.Decision.REQUESTED).first()


# --- Rules that always hold --------------------------------------------------------------------


def _intake_date(case: Case):
    return (
        IntakeForm.objects.filter(case=case).values_list("completed_on", flat=True).first() or None
    )


def _exit_date(case: Case):
    return ExitForm.objects.filter(case=case).values_list("exit_date", flat=True).first() or None


def check_dates(form, errors: dict) -> None:
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
            errors[date_field] = f"The intake date is after the exit date ({format_day(exit_on)})."
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
                f"The exit date is before the intake date ({format_day(intake_on)}). Insights "
                "counts such exits as errors: check both dates."
            )
        elif day < case.opened_on:
            errors[date_field] = (
                f"The exit date is before the case opened ({format_day(case.opened_on)})."
            )
        elif last_review_on and day < last_review_on:
            errors[date_field] = (
                f"The exit date is before the last review ({format_day(last_review_on)})."
            )
    elif form.kind == "review":
        exit_on = _exit_date(case)
        if intake_on and day < intake_on:
            errors[date_field] = (
                f"The review date is before the intake date ({format_day(intake_on)})."
            )
        elif exit_on and day > exit_on:
            errors[date_field] = f"The review date is after the exit date ({format_day(exit_on)})."
    elif form.kind == "follow_up" and case.closed_on and day < case.closed_on:
        errors[date_field] = (
            f"The follow-up is before the case closed ({format_day(case.closed_on)})."
        )


def check_multi(questions, values: dict, errors: dict) -> None:
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


def check_intake(values: dict, errors: dict) -> None:
    ticked = {o.label for o in values.get("help_sought") or []}
    for label, field in q.HELP_SOUGHT_COUNTS.items():
        number = values.get(field)
        if number is None:
            continue
        if label not in ticked:
            errors[field] = f'Tick "{label}" to give a number, or clear the number.'
        elif number < 1:
            errors[field] = "Give at least 1, or leave the number blank if it is not known."


def check_exit(form, errors: dict) -> None:
    case = form.case
    if form.case_status != "Unplanned closure" and form.unplanned_closure_reason:
        errors["unplanned_closure_reason"] = "Only an unplanned closure has a reason."
    closure = case if case.status == Case.Status.CLOSED else pending_closure(case)
    if closure is not None and form.case_status and form.case_status != closure.closure_type:
        errors["case_status"] = (
            f"The case's closure is recorded as '{closure.closure_type}': change the closure "
            "or this answer."
        )


# --- Rules for submitting ----------------------------------------------------------------------


def missing_messages(form, questions, answers) -> tuple[dict, list[str]]:
    required, gaps = q.unanswered(questions, answers)
    errors = {question.field: "Answer this question to submit the form." for question in required}
    return errors, [question_label(type(form), question) for question in gaps]


def submit_checks(form, errors: dict, gaps: list[str]) -> None:
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
            problems.append(f"Police report {number}: {question_label(PoliceReport, question)}.")
        gaps += [f"Police report {number}: {question_label(PoliceReport, g)}" for g in report_gaps]
        for index, incident in enumerate(incidents, start=1):
            required, incident_gaps = q.unanswered(
                q.INCIDENT_QUESTIONS, answers_of(incident, q.INCIDENT_QUESTIONS)
            )
            for question in required:
                label = question_label(Incident, question)
                problems.append(f"Police report {number}, incident {index}: {label}.")
            gaps += [
                f"Police report {number}, incident {index}: {question_label(Incident, g)}"
                for g in incident_gaps
            ]
    if problems:
        errors["__all__"] = " ".join(problems)
