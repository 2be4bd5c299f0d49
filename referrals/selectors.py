"""Reads for referrals, through the signed-in user's scope (missing and forbidden both 404)."""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import access
from accounts.audit import record_event
from accounts.models import AuditEvent
from cases.selectors import cases_visible_to

from .models import Referral


def referrals_visible_to(user) -> QuerySet[Referral]:
    service_ids = access.service_ids_with(user, access.Capability.VIEW_CASES)
    referrals = Referral.objects.filter(service_id__in=service_ids)
    # A referral that opened a case is as visible as the case (restricted ones included).
    return referrals.filter(Q(case__isnull=True) | Q(case__in=cases_visible_to(user)))


def referral_get_for_user(user, pk) -> Referral:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    referral = (
        referrals_visible_to(user)
        .select_related("client", "route", "initial_route", "referring_agency", "service", "case")
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        service_id = Referral.objects.filter(pk=pk).values_list("service_id", flat=True).first()
        if service_id is not None:
            record_event(
                actor=user,
                action=AuditEvent.Action.DENIED,
                service=service_id,
                detail={"referral": pk},
            )
        raise Http404("No such referral.")
    return referral
