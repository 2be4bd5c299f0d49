"""Writes for safety plans, support by area of need and interventions.

Each function runs in one transaction, checks the actor may edit the case's service, validates
with full_clean() before it writes, and leaves django-auditlog's change history in the same
transaction. Nothing here reads a request.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts import access
from accounts.concurrency import EditState, check_edit, next_version
from accounts.idempotency import claim_form_token
from accounts.models import User
from cases.models import Case

from .models import PLAN_SECTIONS, AreaSupport, Intervention, SafetyPlan, SafetyPlanVersion
from .models.areas import CYPS_EXIT_LIST_KEY, SupportArea, outcomes_list_key
from .models.interventions import INTERVENTION_TYPES_BY_KEY
from .selectors import assessments_for_plan

SECTION_FIELDS = tuple(name for name, _heading in PLAN_SECTIONS)
VERSION_FIELDS = (*SECTION_FIELDS, "assessment_id", "review_reason", "next_review_on")


def _require_edit(actor: User, case: Case) -> None:
    if not access.can(actor, access.Capability.EDIT_CASES, case.service_id):
        raise PermissionDenied


def _check_not_future(field: str, value, *, allow=datetime.timedelta(0)) -> None:
    if value is not None and value > timezone.localdate() + allow:
        raise ValidationError({field: "This date is in the future."})


# --- Safety plans -------------------------------------------------------------------------------


@transaction.atomic
def safety_plan_create(
    *,
    case: Case,
    actor: User,
    kind: str,
    reviewed_on: datetime.date,
    form_token=None,
    **sections,
) -> SafetyPlanVersion:
    """Starts the case's plan of this kind with its first version.

    1. Check the actor may edit the case, and the case has no plan of this kind yet (a second
       plan of the same kind would be a review of the first).
    2. Write the plan and version 1 with the sections given.
    """
    _require_edit(actor, case)
    # Lock the case so that two caseworkers starting the same plan at once cannot both pass
    # the check below (the unique constraint would otherwise turn the loser into a 500).
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.is_closed:
        raise ValidationError("A closed case cannot be given a new safety plan.")
    claim = claim_form_token(form_token, actor=actor)
    version = _safety_plan_start(
        case=case, actor=actor, kind=kind, reviewed_on=reviewed_on, **sections
    )
    return claim.record(version)


def _safety_plan_start(*, case, actor, kind, reviewed_on, **sections) -> SafetyPlanVersion:
    """Writes the plan and its first version. Also used by the demo seeder to give closed demo
    cases the plans they had while open."""
    if SafetyPlan.objects.filter(case=case, kind=kind).exists():
        raise ValidationError({"kind": "This case already has this plan: review it instead."})
    plan = SafetyPlan(case=case, kind=kind, created_by=actor)
    plan.full_clean()
    plan.save()
    return _write_version(plan, number=1, actor=actor, reviewed_on=reviewed_on, fields=sections)


@transaction.atomic
def safety_plan_review(
    *,
    plan: SafetyPlan,
    actor: User,
    reviewed_on: datetime.date,
    edit_state: EditState | None = None,
    form_token=None,
    **sections,
) -> SafetyPlanVersion:
    """Reviews the plan: writes the next version. Earlier versions are never changed.

    The review form starts from the latest version's text; edit_state is the version it was
    loaded from. Where someone else reviewed the plan since, changing sections this review
    would put back, the review is refused with EditConflict (nothing written).
    """
    _require_edit(actor, plan.case)
    # The plan row is locked so that two reviews at once get consecutive numbers.
    plan = SafetyPlan.objects.select_for_update().select_related("case").get(pk=plan.pk)
    if plan.case.is_closed:
        raise ValidationError("The plan of a closed case cannot be reviewed.")
    claim = claim_form_token(form_token, actor=actor)
    latest = plan.versions.order_by("-number").first()
    if latest is not None:
        check_edit(latest, loaded=edit_state, submitted=sections, version=latest.number)
    version = _safety_plan_next_version(plan=plan, actor=actor, reviewed_on=reviewed_on, **sections)
    return claim.record(version)


def _safety_plan_next_version(*, plan, actor, reviewed_on, **sections) -> SafetyPlanVersion:
    """Writes the plan's next version (the demo seeder uses it as _safety_plan_start)."""
    latest = plan.versions.order_by("-number").first()
    if latest is not None and reviewed_on < latest.reviewed_on:
        raise ValidationError(
            {"reviewed_on": f"The last version was agreed on {date_format(latest.reviewed_on)}."}
        )
    number = (latest.number if latest else 0) + 1
    return _write_version(
        plan, number=number, actor=actor, reviewed_on=reviewed_on, fields=sections
    )


def _write_version(plan, *, number, actor, reviewed_on, fields) -> SafetyPlanVersion:
    unknown = set(fields) - set(VERSION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown safety plan fields: {sorted(unknown)}")
    _check_not_future("reviewed_on", reviewed_on)
    if reviewed_on is not None and reviewed_on < plan.case.opened_on - datetime.timedelta(days=30):
        raise ValidationError({"reviewed_on": "This is more than 30 days before the case opened."})
    if reviewed_on is not None and plan.case.closed_on and reviewed_on > plan.case.closed_on:
        raise ValidationError({"reviewed_on": "This is after the case was closed."})
    version = SafetyPlanVersion(
        plan=plan, number=number, made_by=actor, reviewed_on=reviewed_on, **fields
    )
    if not any((getattr(version, name) or "").strip() for name in SECTION_FIELDS):
        raise ValidationError("Write at least one section of the plan.")
    # The foreign key checks the assessment exists; that it is one of this case's own submitted
    # assessments, made by the plan's date, is checked here.
    if version.assessment_id is not None:
        assessed_on = {c.pk: c.assessed_on for c in assessments_for_plan(plan.case)}
        if version.assessment_id not in assessed_on:
            raise ValidationError({"assessment_id": "Choose a risk assessment of this case."})
        if reviewed_on is not None and assessed_on[version.assessment_id] > reviewed_on:
            raise ValidationError(
                {"assessment_id": "This assessment was made after the plan was agreed."}
            )
    version.full_clean()
    version.save()
    return version


# --- Support by area of need --------------------------------------------------------------------


@transaction.atomic
def area_support_record(
    *,
    case: Case,
    actor: User,
    area: str,
    supported: str,
    outcomes=(),
    impact_safety: str = "",
    impact_wellbeing: str = "",
    cyps_involvement=(),
    cyps_involvement_dont_know: bool = False,
    notes: str = "",
    edit_state: EditState | None = None,
) -> AreaSupport:
    """Records (or updates) the support given to the client in one area of need.

    1. Check the actor may edit the case, and every outcome is from this area's list.
    2. An outcome option retired since it was chosen may stay on the record; a retired option
       cannot be newly added.
    3. Impact and outcomes are recorded only where support was given.
    4. Refuse with EditConflict where someone else saved different answers for this area since
       the form was loaded (edit_state; a form loaded before the row existed included).
    """
    _require_edit(actor, case)
    if area not in SupportArea.values:
        raise ValidationError({"area": "Choose an area of need."})
    outcomes = list(outcomes)
    cyps_involvement = list(cyps_involvement)
    # Locked so that two saves of the same area do not both create the row.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    row = AreaSupport.objects.filter(case=case, area=area).first()
    already = set(row.outcomes.values_list("pk", flat=True)) if row else set()
    already_cyps = set(row.cyps_involvement.values_list("pk", flat=True)) if row else set()
    errors = {}
    list_key = outcomes_list_key(area)
    if any(option.list_key != list_key for option in outcomes):
        errors["outcomes"] = "Choose outcomes from this area's list."
    elif any(option.is_retired and option.pk not in already for option in outcomes):
        errors["outcomes"] = "A retired outcome cannot be added to a record."
    if cyps_involvement and area != SupportArea.CHILDREN_PARENTING:
        errors["cyps_involvement"] = "Only asked for children and parenting."
    elif any(option.list_key != CYPS_EXIT_LIST_KEY for option in cyps_involvement):
        errors["cyps_involvement"] = "Choose from the children's services list."
    elif any(o.is_retired and o.pk not in already_cyps for o in cyps_involvement):
        errors["cyps_involvement"] = "A retired option cannot be added to a record."
    if supported != "Yes":
        if outcomes:
            errors["outcomes"] = "Outcomes are recorded only where support was given."
        if impact_safety:
            errors["impact_safety"] = "Impact is recorded only where support was given."
        if impact_wellbeing:
            errors["impact_wellbeing"] = "Impact is recorded only where support was given."
    if errors:
        raise ValidationError(errors)
    if row is None:
        row = AreaSupport(case=case, area=area)
    check_edit(
        row,
        loaded=edit_state,
        submitted={
            "supported": supported,
            "outcomes": outcomes,
            "impact_safety": impact_safety,
            "impact_wellbeing": impact_wellbeing,
            "cyps_involvement": cyps_involvement,
            "cyps_involvement_dont_know": cyps_involvement_dont_know,
            "notes": notes,
        },
    )
    next_version(row)
    row.supported = supported
    row.impact_safety = impact_safety
    row.impact_wellbeing = impact_wellbeing
    row.cyps_involvement_dont_know = cyps_involvement_dont_know
    row.notes = notes
    row.updated_by = actor
    row.full_clean()
    row.save()
    row.outcomes.set(outcomes)
    row.cyps_involvement.set(cyps_involvement)
    return row


# --- Interventions ------------------------------------------------------------------------------


@transaction.atomic
def intervention_record(
    *,
    case: Case,
    actor: User,
    type: str,
    occurred_on: datetime.date,
    agency=None,
    detail: str = "",
    notes: str = "",
    form_token=None,
) -> Intervention:
    _require_edit(actor, case)
    if case.is_closed:
        raise ValidationError("Interventions cannot be added to a closed case.")
    claim = claim_form_token(form_token, actor=actor)
    intervention = _intervention_write(
        case=case,
        actor=actor,
        type=type,
        occurred_on=occurred_on,
        agency=agency,
        detail=detail,
        notes=notes,
    )
    return claim.record(intervention)


def _intervention_write(*, case, actor, type, occurred_on, agency, detail, notes) -> Intervention:
    """Validates and writes one intervention. Also used by the demo seeder to give closed demo
    cases the history they had while open."""
    errors = {}
    item = INTERVENTION_TYPES_BY_KEY.get(type)
    if item is not None and item.needs_agency and agency is None:
        errors["agency"] = "Name the agency the client was referred or signposted to."
    if agency is not None and agency.is_retired:
        errors["agency"] = "This agency is no longer in use."
    if occurred_on is not None:
        if occurred_on > timezone.localdate():
            errors["occurred_on"] = "This date is in the future."
        elif occurred_on < case.opened_on - datetime.timedelta(days=30):
            errors["occurred_on"] = "This is more than 30 days before the case opened."
        elif case.closed_on is not None and occurred_on > case.closed_on:
            errors["occurred_on"] = "This is after the case was closed."
    if errors:
        raise ValidationError(errors)
    intervention = Intervention(
        case=case,
        type=type,
        occurred_on=occurred_on,
        agency=agency,
        detail=detail,
        notes=notes,
        recorded_by=actor,
    )
    intervention.full_clean()
    intervention.save()
    return intervention


@transaction.atomic
def intervention_delete(*, intervention: Intervention, actor: User) -> None:
    """Removes an intervention recorded by mistake (the change history keeps what it was). A
    closed case's record stays as it was when the case closed: its outputs have been counted."""
    _require_edit(actor, intervention.case)
    if Case.objects.filter(pk=intervention.case_id, status=Case.Status.CLOSED).exists():
        raise ValidationError("The interventions of a closed case cannot be removed.")
    intervention.delete()
