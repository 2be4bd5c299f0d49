"""Writes of a criminal justice form's police reports and their incidents."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.idempotency import claim_form_token
from accounts.models import User
from cases.models import Case

from . import questions as q
from .models import CriminalJusticeForm, Incident, PoliceReport
from .services_answers import assign_answers
from .services_checks import check_multi, format_day, require_edit

NFA = "Police report - NFA (no further action)"


@transaction.atomic
def police_report_save(
    *,
    cj_form: CriminalJusticeForm,
    actor: User,
    values: dict,
    incidents: list[dict],
    report: PoliceReport | None = None,
    form_token=None,
) -> PoliceReport:
    """Adds or changes one police report and its incidents (the full list: rows not given are
    removed). The stated number of incidents must match the incidents recorded. Adding is once
    per form: a resent form adds nothing (AlreadySubmitted)."""
    require_edit(actor, cj_form.case)
    cj_form = CriminalJusticeForm.objects.select_for_update().get(pk=cj_form.pk)
    claim = claim_form_token(form_token if report is None else None, actor=actor)
    if report is None:
        report = PoliceReport(case=cj_form.case, form=cj_form)
    elif report.form_id != cj_form.pk:
        raise PermissionDenied
    errors: dict = {}
    check_multi(q.POLICE_REPORT_QUESTIONS, values, errors)
    many = assign_answers(report, q.POLICE_REPORT_QUESTIONS, values)
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
    return claim.record(report)


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
            f"The report is dated {format_day(report.reported_on)} and the case opened on "
            f"{format_day(case.opened_on)}: correct the date or this answer."
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
    require_edit(actor, report.case)
    cj_form = CriminalJusticeForm.objects.select_for_update().get(pk=report.form_id)
    if cj_form.is_submitted and PoliceReport.objects.filter(form=cj_form).count() == 1:
        raise ValidationError("A submitted criminal justice form keeps at least one police report.")
    for incident in list(report.incidents.all()):
        incident.delete()
    report.perpetrator_penalties.clear()
    report.idva_support.clear()
    report.delete()
    _keep_report_count(cj_form)
