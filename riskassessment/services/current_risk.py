"""Writes that follow the current-risk rule (riskassessment.current_risk): storing the case's
current risk after an assessment is submitted or a decision recorded, and the reasoned decision
to lower it."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.models import User
from cases import services as case_services
from cases.models import Case

from .. import current_risk
from ..models import Assessment, RiskDecision
from ..scoring import LEVEL_RANK


@transaction.atomic
def case_risk_refresh(*, case: Case) -> current_risk.CurrentRisk:
    """Works the rule out again and stores what it gives.

    1. The case's current risk (Case.risk_level, risk_level_label, risk_assessed_at through
       cases.services.case_set_risk), when it changed.
    2. Per stage, the one assessment that decides the risk at that stage (decides_stage_risk),
       moved when another one now decides it: the outcome forms and the Insights report read it.

    No task reruns this when a window lapses: under the rule, time passing alone never changes
    the level (a lapsed window never lowers it); the case page says when it lapsed.
    """
    assessments = list(current_risk.submitted_main_assessments(case))
    result = current_risk.decide(current_risk.case_entries(case, assessments=assessments))
    if result.level and (
        (case.risk_level, case.risk_level_label, case.risk_assessed_at)
        != (result.level, result.label, result.set_at)
    ):
        case_services.case_set_risk(
            case=case, level=result.level, label=result.label, assessed_at=result.set_at
        )
    deciders = set()
    for stage in {a.stage for a in assessments}:
        decider = current_risk.stage_decider(case, stage, assessments)
        if decider is not None:
            deciders.add(decider.pk)
    for assessment in assessments:
        decides = assessment.pk in deciders
        if assessment.decides_stage_risk != decides:
            # One row at a time: the change history records each move.
            assessment.decides_stage_risk = decides
            assessment.save(update_fields=["decides_stage_risk", "updated_at"])
    return result


@transaction.atomic
def risk_decision_record(
    *, case: Case, actor: User, to_level: str, reason: str, seen_level: str
) -> RiskDecision:
    """A reasoned decision to lower the case's current risk.

    1. Only a team leader of the case's service (Capability.LOWER_RISK), on an open case.
    2. Lock the case and compare its risk with the one the decider saw (seen_level): if an
       assessment changed it meanwhile, refuse rather than lower a risk nobody looked at.
    3. The new level is lower than the current one, and the reason is given.
    4. Record the decision (its change history is the audit entry) and store the case's risk.
    """
    if not access.can(actor, access.Capability.LOWER_RISK, case.service_id):
        raise PermissionDenied
    case = Case.objects.select_for_update().select_related("service").get(pk=case.pk)
    if case.is_closed:
        raise ValidationError("This case is closed: its risk is no longer changed.")
    if case.risk_level != seen_level:
        raise ValidationError(
            "The case's risk changed while you were deciding"
            f" (it is now {case.get_risk_level_display().lower() or 'not assessed'}):"
            " check why, then decide again."
        )
    errors = {}
    if not reason.strip():
        errors["reason"] = "Give the reason for lowering the risk: what has changed, and how."
    if not case.risk_level:
        errors["to_level"] = "This case has no risk level to lower."
    elif LEVEL_RANK.get(to_level, 99) >= LEVEL_RANK[case.risk_level]:
        errors["to_level"] = "Choose a level lower than the current one."
    if errors:
        raise ValidationError(errors)
    decision = RiskDecision(
        case=case,
        from_level=case.risk_level,
        from_label=case.risk_level_label,
        to_level=to_level,
        reason=reason.strip(),
        decided_by=actor,
        decided_at=timezone.now(),
    )
    decision.full_clean()
    decision.save()
    case_risk_refresh(case=case)
    return decision


def mark_submitted(assessment: Assessment) -> None:
    """On submit: the last day the assessment is current, from its service's window."""
    window = assessment.case.service.risk_current_days
    assessment.current_until = assessment.assessed_on + datetime.timedelta(days=window)
