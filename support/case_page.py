"""What the support app adds to the case page, its timeline and the caseworker's dashboard
(registered in apps.SupportConfig.ready through cases.extensions): the plans and support panel,
plan versions and interventions on the timeline, and plans due for review."""

from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from cases.extensions import Prompt, TimelineItem
from cases.models import Case

from .models import AreaSupport, Intervention, SafetyPlan, SafetyPlanVersion
from .models.areas import SupportArea
from .selectors import different_interventions, intervention_band, intervention_count

PROMPT_LIMIT = 20
# A source called directly (not through the case page's timeline) gives this many of each kind.
TIMELINE_LIMIT = 50


def case_panel_annotations() -> dict:
    """Read with the case page's case (cases.extensions): whether it has a safety plan, its
    Safety in Numbers count and the number of areas where support was given."""
    return {
        "support_panel_planned": Exists(SafetyPlan.objects.filter(case_id=OuterRef("pk"))),
        "support_panel_interventions": different_interventions("pk"),
        "support_panel_areas": Coalesce(
            Subquery(
                AreaSupport.objects.filter(case_id=OuterRef("pk"), supported="Yes")
                .order_by()
                .values("case_id")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            Value(0),
        ),
    }


def case_panel_context(request, case) -> dict:
    """Plans (kind, latest version), the Safety in Numbers count and band, and the number of
    areas where support was given: 3 queries; on the case page's case (case_panel_annotations)
    one, only when it has a plan."""
    if getattr(case, "support_panel_planned", True):
        plans = list(
            case.safety_plans.annotate(
                latest_number=Max("versions__number"), latest_on=Max("versions__reviewed_on")
            )
        )
    else:
        plans = []
    count = getattr(case, "support_panel_interventions", None)
    if count is None:
        count = intervention_count(case)
    areas_supported = getattr(case, "support_panel_areas", None)
    if areas_supported is None:
        areas_supported = AreaSupport.objects.filter(case=case, supported="Yes").count()
    return {
        "case": case,
        "plans": plans,
        "intervention_count": count,
        "intervention_band": intervention_band(count),
        "areas_supported": areas_supported,
        "areas_total": len(SupportArea.values),
    }


def plans_timeline(case, limit: int = TIMELINE_LIMIT) -> list[TimelineItem]:
    """The newest plan versions and interventions of the case, at most `limit` of each: 2
    queries whatever the number of rows. Both have only a date, shown without a time."""
    items = []
    versions = (
        SafetyPlanVersion.objects.filter(plan__case=case)
        .select_related("plan")
        .order_by("-reviewed_on", "-pk")[:limit]
    )
    for version in versions:
        items.append(
            TimelineItem(
                at=version.reviewed_on,
                kind="Safety plan",
                title=(
                    f"{version.plan.get_kind_display()} "
                    + (f"reviewed (version {version.number})" if version.is_review else "made")
                ),
                url=reverse("support:plan_version", args=[version.plan_id, version.number]),
            )
        )
    interventions = (
        Intervention.objects.filter(case=case)
        .select_related("agency")
        .order_by("-occurred_on", "-pk")[:limit]
    )
    for item in interventions:
        items.append(
            TimelineItem(
                at=item.occurred_on,
                kind="Intervention",
                title=item.get_type_display(),
                detail=item.agency.name if item.agency else item.detail,
                url=reverse("support:intervention_list", args=[case.pk]),
            )
        )
    return items


def plan_review_prompts(user, cases_qs) -> list[Prompt]:
    """The caseworker's open cases whose current safety plan is due for review (its "review
    again by" date has come): one query."""
    today = timezone.localdate()
    latest_number = (
        SafetyPlanVersion.objects.filter(plan_id=OuterRef("plan_id"))
        .order_by("-number")
        .values("number")[:1]
    )
    due = (
        SafetyPlanVersion.objects.filter(
            plan__case__in=cases_qs.filter(status__in=[Case.Status.OPEN, Case.Status.ON_HOLD]),
            next_review_on__lte=today,
            number=Subquery(latest_number),
        )
        .order_by("next_review_on", "pk")
        .values_list(
            "plan_id", "plan__kind", "plan__case_id", "plan__case__reference", "next_review_on"
        )[:PROMPT_LIMIT]
    )
    # A review date already past is overdue (the dashboard's red group), not "due soon".
    return [
        Prompt(
            case_id=case_id,
            reference=reference,
            message=(
                f"{SafetyPlan.Kind(kind).label} review overdue since {date_format(review_on)}"
                if review_on < today
                else f"{SafetyPlan.Kind(kind).label} due for review today"
            ),
            url=reverse("support:plan_detail", args=[plan_id]),
            severity="danger" if review_on < today else "warning",
        )
        for plan_id, kind, case_id, reference, review_on in due
    ]


def no_safety_plan():
    """A condition on Case: no safety plan of any kind (cases.extensions.CaseloadCount)."""
    return ~Q(Exists(SafetyPlan.objects.filter(case_id=OuterRef("pk"))))
