"""What the search page finds among referrals (registered in apps.py with cases.extensions)."""

from django.db.models import Q
from django.urls import reverse

from cases.extensions import SearchHit

from .selectors import referrals_visible_to


def _references(query: str) -> set[str]:
    return {query, query.upper()}


def case_ids(user, query: str):
    """The cases opened from a referral whose reference was typed."""
    return (
        referrals_visible_to(user)
        .filter(reference__in=_references(query), case__isnull=False)
        .values("case_id")
    )


def hits(user, query: str, client_ids) -> list[SearchHit]:
    """Referrals with no case yet (awaiting triage, or not taken on) found by their reference or
    their client's name; a referral that opened a case is found through the case."""
    referrals = (
        referrals_visible_to(user)
        .filter(case__isnull=True)
        .filter(Q(reference__in=_references(query)) | Q(client_id__in=client_ids))
        .select_related("client")
        .order_by("-received_at")[:100]
    )
    return [
        SearchHit(
            kind="Referral",
            reference=referral.reference,
            title=f"{referral.client.display_name}: {referral.get_triage_display()}",
            url=reverse("referrals:referral_detail", args=[referral.pk]),
            at=referral.received_at,
        )
        for referral in referrals
    ]
