"""What the outcomes app adds to the case page and the caseworker's dashboard."""

import datetime

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from cases.extensions import Prompt, TimelineItem
from cases.models import Case
from cases.selectors import can_edit_case

from . import selectors
from .models import FollowUp, FormStatus, IntakeForm
from .services import KIND_TITLES, case_is_closing

PROMPT_LIMIT = 20


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


def _at(day, fallback):
    if day is None:
        return fallback
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


def timeline_items(case) -> list[TimelineItem]:
    """One query per kind of form, whatever the number of forms."""
    items = []
    dates = {
        "intake": "completed_on",
        "review": "reviewed_on",
        "exit": "exit_date",
        "follow_up": "followed_up_on",
    }
    for kind, forms in selectors.forms_for_case(case).items():
        for form in forms:
            day = getattr(form, dates[kind]) if kind in dates else None
            items.append(
                TimelineItem(
                    at=_at(day, form.submitted_at or form.created_at),
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
