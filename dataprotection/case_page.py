"""What the data-protection app adds to the case page and the team leader's dashboard (through
cases.extensions): a case's legal hold and its open correction requests, so nobody works on a
held case unaware, and a request is answered within its month."""

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from cases.extensions import Prompt
from cases.models import Case

from .dates import one_month_after
from .models import LegalHold, RectificationRequest

PROMPT_LIMIT = 20


def case_panel_annotations() -> dict:
    """Whether the case is held or has a correction request to answer, read with the case page's
    case (cases.extensions): most cases have neither, and then the panel runs no query."""
    return {
        "data_protection_panel_any": Exists(
            LegalHold.objects.filter(case_id=OuterRef("pk"), lifted_on__isnull=True)
        )
        | Exists(
            RectificationRequest.objects.filter(
                case_id=OuterRef("pk"), outcome=RectificationRequest.Outcome.OPEN
            )
        )
    }


def case_panel_context(request, case) -> dict | None:
    """The case's active holds and open correction requests, in one query; nothing to show
    when there are neither (no query when the case page read that with the case)."""
    if getattr(case, "data_protection_panel_any", True) is False:
        return None
    counts = Case.objects.filter(pk=case.pk).aggregate(
        active_holds=Count(
            "legal_holds", filter=Q(legal_holds__lifted_on__isnull=True), distinct=True
        ),
        held_since=Min("legal_holds__placed_on", filter=Q(legal_holds__lifted_on__isnull=True)),
        open_corrections=Count(
            "rectification_requests",
            filter=Q(rectification_requests__outcome=RectificationRequest.Outcome.OPEN),
            distinct=True,
        ),
        oldest_open_received=Min(
            "rectification_requests__received_on",
            filter=Q(rectification_requests__outcome=RectificationRequest.Outcome.OPEN),
        ),
    )
    if not counts["active_holds"] and not counts["open_corrections"]:
        return None
    oldest_received = counts["oldest_open_received"]
    first_due = one_month_after(oldest_received) if oldest_received else None
    return {
        "case": case,
        **counts,
        "first_due": first_due,
        "overdue": first_due is not None and first_due < timezone.localdate(),
    }


def correction_request_prompts(user, cases_qs) -> list[Prompt]:
    """The team leader's reminders of open correction requests, soonest due first; overdue
    ones in red. Due a calendar month after receipt, so ordered by receipt."""
    today = timezone.localdate()
    open_requests = (
        RectificationRequest.objects.filter(
            case__in=cases_qs, outcome=RectificationRequest.Outcome.OPEN
        )
        .order_by("received_on", "pk")
        .values_list("case_id", "case__reference", "received_on")[:PROMPT_LIMIT]
    )
    prompts = []
    for case_id, reference, received_on in open_requests:
        due_on = one_month_after(received_on)
        prompts.append(
            Prompt(
                case_id=case_id,
                reference=reference,
                message=(
                    f"Correction request overdue since {date_format(due_on)}"
                    if due_on < today
                    else f"Correction request to answer by {date_format(due_on)}"
                ),
                url=reverse("dataprotection:corrections", args=[case_id]),
                severity="danger" if due_on < today else "warning",
            )
        )
    return prompts
