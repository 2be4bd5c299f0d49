"""Views for safety plans, support by area of need and interventions. Thin: every case is found
through the scoped selectors (another service's case answers 404), a user who may read a case
but not change it gets 403 on the edit pages, the services write, and reads are audited."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.access import Capability
from accounts.concurrency import EditConflict, edit_state_of
from accounts.idempotency import ALREADY_SAVED_MESSAGE, AlreadySubmitted
from accounts.models import AuditEvent
from cases.selectors import can_edit_case, case_get_for_user, require_case_capability

from . import selectors, services
from .forms import (
    AreaSupportForm,
    ConfirmDeleteForm,
    InterventionForm,
    SafetyPlanCreateForm,
    SafetyPlanVersionForm,
)
from .models import AreaSupport, SafetyPlan
from .models.areas import SupportArea
from .models.interventions import INTERVENTION_TYPES_BY_KEY, MARAC_REFERRAL
from .selectors import assessments_for_plan
from .services import SECTION_FIELDS

# The answers of the support form, checked for someone else's save (accounts.concurrency).
AREA_SUPPORT_FIELDS = (
    "supported",
    "outcomes",
    "impact_safety",
    "impact_wellbeing",
    "cyps_involvement",
    "cyps_involvement_dont_know",
    "notes",
)


def _require_edit(request, case):
    """403 for a user who may read the case but not change it; the refusal is audited."""
    require_case_capability(request.user, case, Capability.EDIT_CASES)


def _posted(request):
    """The POST data for a bound form (even an empty POST), or None on GET."""
    return request.POST if request.method == "POST" else None


def _form_errors_from(form, error: ValidationError) -> None:
    """Puts a service's ValidationError on the form, field by field where it can."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        form.add_error(None, error)


# --- Safety plans -------------------------------------------------------------------------------


@login_required
def plan_list(request, case_pk):
    case = case_get_for_user(request.user, case_pk, read={"page": "safety plans"})
    plans = list(selectors.plans_for_case(case))
    return render(
        request,
        "support/plan_list.html",
        {
            "case": case,
            "plans": plans,
            "can_edit": can_edit_case(request.user, case),
            "can_add": len(plans) < len(SafetyPlan.Kind.choices) and not case.is_closed,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request, case_pk):
    case = case_get_for_user(request.user, case_pk)
    _require_edit(request, case)
    existing = set(case.safety_plans.values_list("kind", flat=True))
    form = SafetyPlanCreateForm(
        _posted(request), existing_kinds=existing, assessments=assessments_for_plan(case)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            version = services.safety_plan_create(
                case=case,
                actor=request.user,
                kind=data.pop("kind"),
                reviewed_on=data.pop("reviewed_on"),
                **data,
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        except AlreadySubmitted:
            messages.info(request, ALREADY_SAVED_MESSAGE)
            return redirect("support:plan_list", case_pk=case.pk)
        else:
            messages.success(request, "Safety plan saved.")
            return redirect("support:plan_detail", pk=version.plan_id)
    return render(
        request, "support/plan_form.html", {"case": case, "form": form, "is_review": False}
    )


@login_required
def plan_detail(request, pk, number=None):
    """The plan's latest version (or the numbered one), with the list of its versions."""
    plan = selectors.plan_get_for_user(request.user, pk)
    version = selectors.plan_version(plan, number, user=request.user, read=True)
    versions = list(plan.versions.order_by("-number").values("number", "reviewed_on"))
    case = plan.case
    assessment = None
    if version.assessment_id is not None:
        assessment = next(
            (c for c in assessments_for_plan(case) if c.pk == version.assessment_id), None
        )
    return render(
        request,
        "support/plan_detail.html",
        {
            "case": case,
            "plan": plan,
            "version": version,
            "versions": versions,
            "assessment": assessment,
            "is_latest": version.number == versions[0]["number"],
            "can_edit": can_edit_case(request.user, case) and not case.is_closed,
            "warnings": selectors.indiscreet_words(version, extra=[case.service.name]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_review(request, pk):
    plan = selectors.plan_get_for_user(request.user, pk)
    _require_edit(request, plan.case)
    latest = selectors.plan_version(  # the form shows the current version's text
        plan, user=request.user, read=request.method == "GET" and {"page": "plan review form"}
    )
    initial = {name: getattr(latest, name) for name in (*SECTION_FIELDS, "next_review_on")}
    initial["next_review_on"] = None  # a review sets its own next date
    form = SafetyPlanVersionForm(
        _posted(request),
        initial=initial,
        is_review=True,
        assessments=assessments_for_plan(plan.case),
        edit_state=edit_state_of(latest, SECTION_FIELDS, version=latest.number),
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            version = services.safety_plan_review(
                plan=plan, actor=request.user, reviewed_on=data.pop("reviewed_on"), **data
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        except EditConflict as conflict:
            form.show_conflict(conflict)
            status = 409
        except AlreadySubmitted:
            messages.info(request, ALREADY_SAVED_MESSAGE)
            return redirect("support:plan_detail", pk=plan.pk)
        else:
            messages.success(request, f"Plan reviewed: version {version.number} saved.")
            return redirect("support:plan_detail", pk=plan.pk)
    return render(
        request,
        "support/plan_form.html",
        {"case": plan.case, "plan": plan, "latest": latest, "form": form, "is_review": True},
        status=status,
    )


@login_required
def plan_print(request, pk, number):
    """The client's copy, for the browser's print dialog: discreet (see print.html)."""
    plan = selectors.plan_get_for_user(request.user, pk)
    version = selectors.plan_version(
        plan, number, user=request.user, read={"page": "printable plan"}
    )
    return HttpResponse(selectors.plan_print_html(version))


@login_required
def plan_pdf(request, pk, number):
    plan = selectors.plan_get_for_user(request.user, pk)
    version = selectors.plan_version(
        plan, number, user=request.user, read={"format": "pdf"}, action=AuditEvent.Action.DOWNLOAD
    )
    # A one-page plan renders in well under a second; selectors.plan_pdf can move to a
    # task if plans grow.
    response = HttpResponse(selectors.plan_pdf(version), content_type="application/pdf")
    # A plain file name: it may be seen in a download list.
    response["Content-Disposition"] = 'attachment; filename="plan.pdf"'
    return response


# --- Support by area of need --------------------------------------------------------------------


@login_required
def support_list(request, case_pk):
    case = case_get_for_user(request.user, case_pk, read={"page": "support by area of need"})
    return render(
        request,
        "support/support_list.html",
        {
            "case": case,
            "areas": selectors.area_support_for_case(case),
            "can_edit": can_edit_case(request.user, case),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def support_edit(request, case_pk, area):
    case = case_get_for_user(request.user, case_pk)
    if area not in SupportArea.values:
        raise Http404("No such area.")
    _require_edit(request, case)
    row = selectors.area_support_get(
        request.user, case, area, read=request.method == "GET" and {"page": "support form"}
    )
    form = AreaSupportForm(
        _posted(request),
        area=area,
        row=row,
        edit_state=(
            edit_state_of(row or AreaSupport(case=case, area=area), AREA_SUPPORT_FIELDS)
            if request.method == "GET"
            else None
        ),
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.area_support_record(
                case=case,
                actor=request.user,
                area=area,
                supported=data["supported"],
                outcomes=data["outcomes"],
                impact_safety=data["impact_safety"],
                impact_wellbeing=data["impact_wellbeing"],
                cyps_involvement=data.get("cyps_involvement") or (),
                cyps_involvement_dont_know=data.get("cyps_involvement_dont_know", False),
                notes=data["notes"],
                edit_state=data["edit_state"],
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        except EditConflict as conflict:
            form.show_conflict(conflict)
            status = 409
        else:
            messages.success(request, f"Support saved: {SupportArea(area).label}.")
            return redirect("support:support_list", case_pk=case.pk)
    return render(
        request,
        "support/support_form.html",
        {"case": case, "form": form, "area_label": SupportArea(area).label},
        status=status,
    )


# --- Interventions ------------------------------------------------------------------------------


@login_required
def intervention_list(request, case_pk):
    case = case_get_for_user(request.user, case_pk, read={"page": "interventions"})
    interventions = list(selectors.interventions_for_case(case))
    count = selectors.intervention_count(case)
    return render(
        request,
        "support/intervention_list.html",
        {
            "case": case,
            "interventions": interventions,
            "count": count,
            "band": selectors.intervention_band(count),
            "counted_elsewhere": [INTERVENTION_TYPES_BY_KEY[MARAC_REFERRAL].label],
            "can_edit": can_edit_case(request.user, case) and not case.is_closed,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def intervention_add(request, case_pk):
    case = case_get_for_user(request.user, case_pk)
    _require_edit(request, case)
    form = InterventionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.intervention_record(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors_from(form, error)
        except AlreadySubmitted:
            messages.info(request, ALREADY_SAVED_MESSAGE)
            return redirect("support:intervention_list", case_pk=case.pk)
        else:
            messages.success(request, "Intervention recorded.")
            return redirect("support:intervention_list", case_pk=case.pk)
    return render(request, "support/intervention_form.html", {"case": case, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def intervention_delete(request, pk):
    intervention = selectors.intervention_get_for_editing(
        request.user, pk, read=request.method == "GET" and {"page": "remove intervention"}
    )
    case = intervention.case
    form = ConfirmDeleteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.intervention_delete(intervention=intervention, actor=request.user)
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, "Intervention removed.")
            return redirect(reverse("support:intervention_list", kwargs={"case_pk": case.pk}))
    return render(
        request,
        "support/intervention_delete.html",
        {"case": case, "intervention": intervention, "form": form},
    )
