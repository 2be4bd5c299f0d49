"""Reads of outcome forms, always through the signed-in user's case scope: a form of a case the
user may not see answers 404, exactly like a form that does not exist (and is audited)."""

from django.utils.formats import date_format

from accounts import access, lookup
from cases.selectors import cases_visible_to, require_case_capability
from riskassessment.current_risk import deciding_at_stage

from .models import (
    CivilJusticeForm,
    CriminalJusticeForm,
    ExitForm,
    FollowUp,
    IntakeForm,
    PoliceReport,
    ReviewForm,
)
from .services import KINDS


def _read(user, record, read: lookup.Read) -> None:
    lookup.record_read(
        user, record, read=read, service_id=record.case.service_id, case_id=record.case_id
    )


def form_get_for_user(
    user, kind: str, pk, *, capability=access.Capability.VIEW_CASES, read: lookup.Read = False
):
    """The form with its case, if the user may see the case (404 otherwise, audited).
    `read`: the page shows it, and its view is audited here."""
    model = KINDS[kind][0]
    form = lookup.get_in_scope(
        model.objects.filter(case__in=cases_visible_to(user, capability)).select_related(
            "case__client", "case__service", "case__team", "case__caseworker"
        ),
        pk,
        user=user,
        capability=capability,
    )
    _read(user, form, read)
    return form


def form_get_for_editing(user, kind: str, pk, *, read: lookup.Read = False):
    """The form for a page that changes it: 404 outside the user's scope, 403 (audited) for a
    user who may only read its case; `read`: the page shows it, audited here."""
    form = form_get_for_user(user, kind, pk)
    require_case_capability(user, form.case)
    _read(user, form, read)
    return form


def police_report_get_for_user(
    user, pk, *, capability=access.Capability.VIEW_CASES, read: lookup.Read = False
):
    report = lookup.get_in_scope(
        PoliceReport.objects.filter(case__in=cases_visible_to(user, capability)).select_related(
            "form", "case__client", "case__service", "case__team", "case__caseworker"
        ),
        pk,
        user=user,
        capability=capability,
    )
    report.form.case = report.case
    _read(user, report, read)
    return report


def police_report_get_for_editing(user, pk, *, read: lookup.Read = False):
    report = police_report_get_for_user(user, pk)
    require_case_capability(user, report.case)
    _read(user, report, read)
    return report


def forms_for_case(case) -> dict[str, list]:
    """Every outcome form of the case by kind: one query per kind, whatever the count."""
    return {
        "intake": list(IntakeForm.objects.filter(case=case)),
        "review": list(ReviewForm.objects.filter(case=case)),
        "exit": list(ExitForm.objects.filter(case=case)),
        "criminal": list(CriminalJusticeForm.objects.filter(case=case)),
        "civil": list(CivilJusticeForm.objects.filter(case=case)),
        "follow_up": list(FollowUp.objects.filter(case=case)),
    }


def police_reports_for(cj_form):
    return cj_form.police_reports.prefetch_related(
        "incidents", "perpetrator_penalties", "idva_support"
    )


# The risk-assessment stage an outcome form is matched to.
ASSESSMENT_STAGES = {"intake": "intake", "review": "review", "exit": "exit"}


def risk_link_for(form) -> dict | None:
    """The Dash or MeRIT assessment an intake, review or exit form is matched to, and the
    case's MARAC hearings, for the form's pages.

    The match is the one the Insights report makes: the main assessment of the form's stage
    whose level is the risk at that stage under the current-risk rule
    (riskassessment.current_risk), not simply the latest one: an incomplete checklist submitted
    after a high-risk DASH does not make the intake standard risk.
    """
    stage = ASSESSMENT_STAGES.get(form.kind)
    if stage is None:
        return None
    case = form.case
    assessment = deciding_at_stage(case, stage)
    heard_on = (
        case.marac_hearings.order_by("-meeting__held_on")
        .values_list("meeting__held_on", flat=True)
        .first()
    )
    return {"stage": stage, "assessment": assessment, "marac_heard_on": heard_on}


# Insights counts these client-profile answers at intake; they are kept on the client record
# (cases.Client), not repeated on the intake form. The client's situation that changes
# (pregnancy, disability, employment, finances) is asked on the intake form instead, as it was
# at intake (issue 19, item 4). (field, label)
CLIENT_PROFILE_FIELDS = (
    ("date_of_birth", "Date of birth (for the age at intake)"),
    ("sex_at_birth", "Sex assigned at birth"),
    ("gender_identity", "How the client thinks of themselves"),
    ("sexual_orientation", "Sexual orientation"),
    ("ethnicity", "Ethnicity"),
)


def client_profile_for_intake(case) -> dict:
    """The client-record answers an intake is counted with, so that the caseworker sees at
    intake which are still unanswered (Insights reports them as Missing)."""
    client = case.client
    rows = []
    for field, label in CLIENT_PROFILE_FIELDS:
        if field == "employment":
            value = ", ".join(sorted(o.label for o in client.employment.all()))
        elif field == "date_of_birth":
            value = date_format(client.date_of_birth) if client.date_of_birth else ""
        elif client._meta.get_field(field).choices:
            value = getattr(client, f"get_{field}_display")() if getattr(client, field) else ""
        else:
            value = getattr(client, field)
        rows.append({"label": label, "value": value})
    return {
        "client_id": client.pk,
        "rows": rows,
        "missing": sum(not row["value"] for row in rows),
        "children": case.children.count(),
    }
