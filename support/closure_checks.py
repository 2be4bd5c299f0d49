"""What the support app finds missing before a case closes (cases.extensions closure checks):
no safety plan agreed with the client, or a plan started and never agreed."""

from django.db.models import Count
from django.urls import reverse

from cases.extensions import ClosureGap

from .models import SafetyPlan


def closure_gaps(case) -> list[ClosureGap]:
    """One query whatever the number of plans. A plan's content lives in its versions: a plan
    with none was started but never agreed with the client (the nearest thing to a draft)."""
    plans = list(SafetyPlan.objects.filter(case=case).annotate(version_count=Count("versions")))
    gaps = []
    if not any(plan.version_count for plan in plans):
        gaps.append(
            ClosureGap(
                kind="safety_plan",
                message="No safety plan agreed with the client",
                url=reverse("support:plan_list", kwargs={"case_pk": case.pk}),
            )
        )
    gaps += [
        ClosureGap(
            kind="draft_plan",
            message=f"{plan.get_kind_display()} started but never agreed",
            url=reverse("support:plan_detail", kwargs={"pk": plan.pk}),
        )
        for plan in plans
        if not plan.version_count
    ]
    return gaps
