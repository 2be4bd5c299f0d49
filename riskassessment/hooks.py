"""What the risk-assessment app adds to the case page, its timeline and the dashboards
(registered in apps.RiskAssessmentConfig.ready through cases.extensions)."""

from django.urls import reverse
from django.utils import timezone

from accounts import access
from cases.extensions import Prompt, TimelineItem
from cases.hooks_plans import AssessmentChoice

from . import selectors
from .models import Assessment, MaracReferral
from .scoring import latest_submitted


def case_panel_context(request, case) -> dict:
    """Current risk, the latest assessments and the MARAC record of the case."""
    assessments = list(selectors.assessments_for_case(case)[:5])
    # The case page includes the panel "with panel=<this dict>".
    return {
        "case": case,
        "latest": next((a for a in assessments if a.is_submitted), None),
        "referrals": list(selectors.referrals_for_case(case)[:5]),
        "hearings": selectors.hearings_for_case(case),
        "can_edit": access.can(request.user, access.Capability.EDIT_CASES, case.service_id),
    }


def case_timeline(case) -> list[TimelineItem]:
    """Submitted assessments, MARAC referrals and hearings: three queries whatever the count."""
    items = []
    for assessment in case.risk_assessments.filter(
        status=Assessment.Status.SUBMITTED
    ).select_related("version__checklist"):
        level = assessment.risk_level_label or assessment.get_risk_level_display()
        items.append(
            TimelineItem(
                at=assessment.submitted_at,
                kind="Assessment",
                title=f"{assessment.version.checklist.name} ({assessment.get_stage_display()})",
                detail=f"Score {assessment.score}; {level or 'no level'}",
                url=reverse("riskassessment:assessment_detail", args=[assessment.pk]),
            )
        )
    for referral in case.marac_referrals.all():
        items.append(
            TimelineItem(
                at=_midday(referral.referred_on),
                kind="MARAC",
                title="Referred to MARAC" + (" (repeat)" if referral.is_repeat else ""),
                detail=", ".join(referral.criteria_labels),
            )
        )
    for hearing in case.marac_hearings.select_related("meeting__marac"):
        items.append(
            TimelineItem(
                at=_midday(hearing.meeting.held_on),
                kind="MARAC",
                title=f"Heard at MARAC ({hearing.meeting.marac})",
                detail=hearing.outcome,
            )
        )
    return items


def _midday(day):
    import datetime

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


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
                severity="warning",
            )
        )
    return prompts


def coordinator_home_panel(request) -> dict | None:
    """The MARAC coordinator's start page: the next meetings of their areas."""
    today = timezone.localdate()
    upcoming = list(
        selectors.meetings_visible_to(request.user)
        .filter(held_on__gte=today)
        .order_by("held_on")[:5]
    )
    return {"upcoming": upcoming}


def admin_home_panel(request) -> dict | None:
    return {}


def plan_assessments(case) -> list[AssessmentChoice]:
    """The case's submitted main assessments, the latest first, for a safety plan to answer
    (cases.hooks_plans): one query."""
    assessments = latest_submitted(case.risk_assessments.all()).select_related("version__checklist")
    choices = []
    for assessment in assessments:
        level = assessment.risk_level_label or assessment.get_risk_level_display() or "no level"
        choices.append(
            AssessmentChoice(
                pk=assessment.pk,
                label=f"{assessment.version.checklist.name}, {assessment.assessed_on:%d/%m/%Y}: "
                f"{level}",
                assessed_on=assessment.assessed_on,
                url=reverse("riskassessment:assessment_detail", args=[assessment.pk]),
            )
        )
    return choices


def cases_referred_to_marac(case_ids) -> list[int]:
    """The cases among case_ids with a MARAC referral: an intervention for the Safety in Numbers
    count (cases.hooks_plans). One query."""
    return list(
        MaracReferral.objects.filter(case_id__in=case_ids)
        .values_list("case_id", flat=True)
        .distinct()
    )
