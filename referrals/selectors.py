"""Reads for referrals, through the signed-in user's scope (missing and forbidden both 404)."""

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from accounts import access, lookup
from accounts.audit import record_event
from accounts.models import AuditEvent
from cases.selectors import cases_visible_to

from .filters import ReferralFilter
from .models import Referral

REFERRAL_LIST_PAGE_SIZE = 50


def referrals_visible_to(user) -> QuerySet[Referral]:
    """Referrals of the services where the user may see cases; one that opened a case only if
    the user may see that case (cases.selectors holds the rule, restricted cases included)."""
    service_ids = access.service_ids_with(user, access.Capability.VIEW_CASES)
    referrals = Referral.objects.filter(service_id__in=service_ids)
    return referrals.filter(Q(case__isnull=True) | Q(case__in=cases_visible_to(user)))


def referral_get_for_user(user, pk, *, read: lookup.Read = False) -> Referral:
    """The referral if the user may see it; otherwise 404, audited. `read`: the page shows it,
    and its view is audited here."""
    referral = lookup.get_in_scope(
        referrals_visible_to(user).select_related(
            "client", "route", "initial_route", "referring_agency", "service", "case"
        ),
        pk,
        user=user,
        service="service_id",
    )
    lookup.record_read(
        user, referral, read=read, service_id=referral.service_id, case_id=referral.case_id
    )
    return referral


def referral_list_page(user, *, service, params, page_number) -> tuple[ReferralFilter, Page]:
    """The referral queue of a service: the referrals the user may see there, narrowed by the
    query string's filters (referrals.filters.ReferralFilter), newest first, a page at a time.
    Filters that do not validate list nothing (the page shows why). The read is audited here:
    the filter and the page, never a name."""
    referrals = (
        referrals_visible_to(user).filter(service=service).select_related("client", "route", "case")
    )
    filters = ReferralFilter(params, queryset=referrals)
    listed = filters.qs if filters.is_valid() else referrals.none()
    page = Paginator(listed.order_by("-received_at"), REFERRAL_LIST_PAGE_SIZE).get_page(page_number)
    chosen = filters.form.cleaned_data if filters.is_valid() else {}
    record_event(
        actor=user,
        action=AuditEvent.Action.VIEW,
        service=service,
        detail={"list": "referrals", "triage": chosen.get("triage") or "", "page": page.number},
    )
    return filters, page
