"""What the outcomes app adds to the case page and the caseworker's dashboard."""

from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone

from cases.extensions import Prompt, TimelineItem
from cases.models import Case
from cases.selectors import can_edit_case

from . import selectors
from .models import FollowUp, FormStatus, IntakeForm
from .services import KIND_TITLES, KINDS, case_is_closing

PROMPT_LIMIT = 20
# A source called directly (not through the case page's timeline) gives this many of each kind.
TIMELINE_LIMIT = 50


def panel_context(request, case) -> dict:
    forms_by_kind = selectors.forms_for_case(case)
    rows = [
        {"kind": kind, "title": form.display_name, "form": form}
        for kind, forms in forms_by_kind.items()
        for form in forms
    ]
    return {
        "outcome_rows": rows,
        "outcome_forms_url": reverse("outcomes:case_forms", kwargs={"case_id": case.pk}),
        "outcome_can_edit": can_edit_case(request.user, case),
        "outcome_missing_intake": not forms_by_kind["intake"],
        "outcome_exit_possible": not forms_by_kind["exit"] and case_is_closing(case),
    }


# The day each kind of form is about, where it has one (else it is shown when it was saved).
FORM_DAYS = {
    "intake": "completed_on",
    "review": "reviewed_on",
    "exit": "exit_date",
    "follow_up": "followed_up_on",
}


def timeline_items(case, limit: int = TIMELINE_LIMIT) -> list[TimelineItem]:
    """The newest forms of each kind, at most `limit` of each: one query per kind of form,
    whatever the number of forms. A form with a day of its own is shown on that day, without a
    time; any other at the moment it was submitted (or started)."""
    items = []
    for kind, (model, _questions, _single) in KINDS.items():
        saved = Coalesce("submitted_at", "created_at")
        day_field = FORM_DAYS.get(kind)
        day = Coalesce(day_field, TruncDate(saved)) if day_field else TruncDate(saved)
        forms = (
            model.objects.filter(case=case)
            .annotate(timeline_day=day, timeline_moment=saved)
            .order_by("-timeline_day", "-timeline_moment", "-pk")[:limit]
        )
        for form in forms:
            on = getattr(form, day_field) if day_field else None
            items.append(
                TimelineItem(
                    at=on if on is not None else form.timeline_moment,
                    kind=KIND_TITLES[kind],
                    title=f"{KIND_TITLES[kind]} ({form.get_status_display().lower()})",
                    url=reverse("outcomes:form_detail", kwargs={"kind": kind, "pk": form.pk}),
                )
            )
    return items


def caseworker_prompts(user, cases_qs) -> list[Prompt]:
    """Open cases with no submitted intake form, and closed cases whose follow-up is due."""
    today = timezone.localdate()
    submitted_intake = IntakeForm.objects.filter(
        case_id=OuterRef("pk"), status=FormStatus.SUBMITTED
    )
    prompts = []
    no_intake = (
        cases_qs.filter(status__in=[Case.Status.OPEN, Case.Status.ON_HOLD])
        .filter(~Exists(submitted_intake))
        .order_by("opened_on")
        .values_list("pk", "reference")[:PROMPT_LIMIT]
    )
    for pk, reference in no_intake:
        prompts.append(
            Prompt(
                case_id=pk,
                reference=reference,
                message="Intake form not submitted",
                url=reverse("outcomes:case_forms", kwargs={"case_id": pk}),
                severity="warning",
            )
        )
    follow_up = FollowUp.objects.filter(case_id=OuterRef("pk"))
    due = (
        cases_qs.filter(status=Case.Status.CLOSED, follow_up_due_on__lte=today)
        .filter(~Exists(follow_up))
        .order_by("follow_up_due_on")
        .values_list("pk", "reference")[:PROMPT_LIMIT]
    )
    for pk, reference in due:
        prompts.append(
            Prompt(
                case_id=pk,
                reference=reference,
                message="6-month follow-up due",
                url=reverse("outcomes:case_forms", kwargs={"case_id": pk}),
                severity="info",
            )
        )
    return prompts
