"""Reads of outcome forms, always through the signed-in user's case scope: a form of a case the
user may not see answers 404, exactly like a form that does not exist (and is audited)."""

from django.http import Http404

from accounts import access
from cases.selectors import case_get_for_user

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


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def form_get_for_user(user, kind: str, pk, *, capability=access.Capability.VIEW_CASES):
    """The form and its case, if the user may see the case (404 otherwise)."""
    model = KINDS[kind][0]
    case_id = model.objects.filter(pk=_pk(pk)).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404("No such form.")
    case = case_get_for_user(user, case_id, capability=capability)
    form = model.objects.get(pk=_pk(pk))
    form.case = case
    return form


def police_report_get_for_user(user, pk, *, capability=access.Capability.VIEW_CASES):
    case_id = PoliceReport.objects.filter(pk=_pk(pk)).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404("No such police report.")
    case = case_get_for_user(user, case_id, capability=capability)
    report = PoliceReport.objects.select_related("form").get(pk=_pk(pk))
    report.case = case
    report.form.case = case
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
