"""What the risk-assessment app adds to the case page, its timeline and the team leader's
dashboard prompts (registered in apps.RiskAssessmentConfig.ready through cases.extensions)."""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts import access
from cases.extensions import Prompt, TimelineItem

from . import current_risk, selectors
from .models import Assessment, MaracHearing, MaracReferral, RiskDecision

# A source called directly (not through the case page's timeline) gives this many of each kind.
TIMELINE_LIMIT = 50


def case_panel_annotations() -> dict:
    """Whether the case has MARAC hearings, referrals and decisions to lower its risk, read with
    the case page's case (cases.extensions): the panel reads only those it has (most cases have
    no MARAC record and no decision)."""
    return {
        "risk_panel_heard": Exists(MaracHearing.objects.filter(case_id=OuterRef("pk"))),
        "risk_panel_referred": Exists(MaracReferral.objects.filter(case_id=OuterRef("pk"))),
        "risk_panel_decided": Exists(RiskDecision.objects.filter(case_id=OuterRef("pk"))),
    }


def case_panel_context(request, case) -> dict:
    """Current risk and why (riskassessment.current_risk), and the MARAC record of the case."""
    # The case page includes the panel "with panel=<this dict>". A case read without the
    # annotations (case_panel_annotations) reads all it may have.
    hearings = selectors.hearings_for_case(case) if getattr(case, "risk_panel_heard", True) else []
    return {
        "case": case,
        "risk": current_risk.current_risk_of(
            case, decisions=getattr(case, "risk_panel_decided", True)
        ),
        # The panel names a referral only while no hearing is listed: read only then.
        "referral_not_heard": None
        if hearings or not getattr(case, "risk_panel_referred", True)
        else selectors.latest_referral_of(case),
        "hearings": hearings,
        "can_edit": access.can(request.user, access.Capability.EDIT_CASES, case.service_id),
    }


def case_timeline(case, limit: int = TIMELINE_LIMIT) -> list[TimelineItem]:
    """The newest submitted assessments, decisions to lower the risk, MARAC referrals and
    hearings, at most `limit` of each: four queries whatever the count. Referrals and hearings
    have only a date."""
    items = []
    for assessment in (
        case.risk_assessments.filter(status=Assessment.Status.SUBMITTED)
        .select_related("version__checklist")
        .order_by("-assessed_on", "-submitted_at", "-pk")[:limit]
    ):
        level = assessment.risk_level_label or assessment.get_risk_level_display()
        # An assessment sits on the day it was made (the day the risk panel names), with its
        # submission time only when it was submitted that day: a DASH of 12 Jan typed in on
        # 3 Dec is not the case's newest event.
        submitted_on = timezone.localdate(assessment.submitted_at)
        items.append(
            TimelineItem(
                at=assessment.submitted_at
                if submitted_on == assessment.assessed_on
                else assessment.assessed_on,
                kind="Assessment",
                title=f"{assessment.version.checklist.name} ({assessment.get_stage_display()})",
                detail=f"Score {assessment.score}; {level or 'no level'}",
                url=reverse("riskassessment:assessment_detail", args=[assessment.pk]),
            )
        )
    for decision in selectors.risk_decisions_for_case(case)[:limit]:
        items.append(
            TimelineItem(
                at=decision.decided_at,
                kind="Risk",
                title=f"Risk lowered to {decision.get_to_level_display().lower()}",
                detail=f"By {decision.decided_by}: {decision.reason}",
                url=reverse("riskassessment:case_risk", args=[case.pk]),
            )
        )
    for referral in case.marac_referrals.order_by("-referred_on", "-pk")[:limit]:
        items.append(
            TimelineItem(
                at=referral.referred_on,
                kind="MARAC",
                title="Referred to MARAC" + (" (repeat)" if referral.is_repeat else ""),
                detail=", ".join(referral.criteria_labels),
            )
        )
    for hearing in case.marac_hearings.select_related("meeting__marac").order_by(
        "-meeting__held_on", "-pk"
    )[:limit]:
        items.append(
            TimelineItem(
                at=hearing.meeting.held_on,
                kind="MARAC",
                title=f"Heard at MARAC ({hearing.meeting.marac})",
                detail=hearing.outcome,
            )
        )
    return items


def team_leader_prompts(user, cases) -> list[Prompt]:
    now = timezone.now()
    prompts = []
    for assessment in selectors.high_risk_without_referral(cases, now=now):
        prompts.append(
            Prompt(
                case_id=assessment.case_id,
                reference=assessment.case.reference,
                message="High-risk assessment with no MARAC referral after 48 hours.",
                url=reverse("riskassessment:assessment_detail", args=[assessment.pk]),
                severity="danger",
            )
        )
    for case in selectors.high_risk_without_contact(cases, now=now):
        prompts.append(
            Prompt(
                case_id=case.pk,
                reference=case.reference,
                message="High-risk case with no contact in 7 days.",
                url=reverse("riskassessment:case_risk", args=[case.pk]),
                # Overdue, as on the caseworker's own dashboard (cases.selectors.reminders_for).
                severity="danger",
            )
        )
    return prompts
