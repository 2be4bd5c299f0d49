"""What the risk app finds missing before a case closes (cases.extensions closure checks):
risk assessments left as drafts, and MARAC actions not yet done."""

from django.urls import reverse
from django.utils.formats import date_format

from cases.extensions import ClosureGap

from .models import Assessment, MaracAction


def closure_gaps(case) -> list[ClosureGap]:
    """Two queries whatever the number of rows."""
    gaps = [
        ClosureGap(
            kind="draft_assessment",
            message=(
                f"Draft risk assessment: {assessment.version.checklist.name}, "
                f"{assessment.get_stage_display().lower()}, started "
                f"{date_format(assessment.assessed_on)}, not submitted"
            ),
            url=reverse("riskassessment:assessment_edit", kwargs={"pk": assessment.pk}),
        )
        for assessment in Assessment.objects.filter(
            case=case, status=Assessment.Status.DRAFT
        ).select_related("version__checklist")
    ]
    open_actions = MaracAction.objects.filter(case=case, done=False).count()
    if open_actions:
        gaps.append(
            ClosureGap(
                kind="marac_actions",
                message=(
                    f"{open_actions} MARAC action{'s' if open_actions != 1 else ''} not marked done"
                ),
                url=reverse("riskassessment:case_risk", kwargs={"case_pk": case.pk}),
            )
        )
    return gaps
