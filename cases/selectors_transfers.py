"""Reads for transfers between services of one provider (cases.services_transfers writes).

Who sees what:
- the sending case stays its service's: requesting is a team leader's (ALLOCATE_CASES) of a
  case they may see (a restricted case: only if they are named on it);
- a transfer waiting for a decision is seen by the team leaders of the receiving service, with
  no more than it needs to decide: the reference, the services, the reason, the risk; while it
  waits, a team leader of the sending service who may see the case may withdraw it;
- a transfer of a case restricted now is seen (in lists, on the home page, on its decision page)
  only by the receiving service's team leaders the requester named on it (`deciders`): restricted
  cases are seen by named users everywhere, and a colleague of the perpetrator may work in the
  receiving service. A case restricted after its request, with nobody named, is seen by nobody
  there: the sending team is told on the case page to withdraw it and ask again;
- after acceptance, the receiving team reads the sending case's history through the link only:
  the history page of a case they can see (case_history_through_transfer). cases_visible_to is
  not widened: the previous case stays out of their lists, search and reports.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts import access, lookup
from accounts.audit import record_event, record_event_in_services
from accounts.models import AuditEvent, Service, User

from .models import Case, CaseTransfer
from .selectors import (
    case_get_for_user,
    case_timeline,
    cases_visible_to,
    closure_always_signed_off,
    closure_record,
)


def transfer_destinations(case: Case) -> QuerySet[Service]:
    """The services a case may move to: the other active services of its provider."""
    return (
        Service.objects.filter(provider_id=case.service.provider_id, is_active=True)
        .exclude(pk=case.service_id)
        .order_by("name")
    )


def waiting_transfer(case: Case) -> CaseTransfer | None:
    return case.transfers.filter(decision=CaseTransfer.Decision.REQUESTED).first()


def transfer_hidden_from(user) -> Q:
    """The restricted-transfer rule, written once: a transfer of a case restricted now is for
    the team leaders named on it as its deciders. True of the transfers this user is not named
    on (a filter on CaseTransfer)."""
    named = CaseTransfer.deciders.through.objects.filter(
        casetransfer_id=OuterRef("pk"), user_id=user.pk
    )
    return Q(case__is_restricted=True) & ~Q(Exists(named))


def transfers_to_decide(user) -> QuerySet[CaseTransfer]:
    """Transfers into the services where the user allocates cases (any decision); a restricted
    case's only for its named deciders."""
    service_ids = access.service_ids_with(user, access.Capability.ALLOCATE_CASES)
    if not service_ids:
        return CaseTransfer.objects.none()
    return CaseTransfer.objects.filter(to_service_id__in=service_ids).filter(
        ~transfer_hidden_from(user)
    )


def transfer_decider_choices(case: Case) -> list[tuple[Service, User]]:
    """Who a restricted case's transfer may name as its deciders: the team leaders (those who
    allocate cases) of each service it may move to, by service then name (two queries)."""
    destinations = list(transfer_destinations(case))
    by_service = access.users_with_in_services(access.Capability.ALLOCATE_CASES, destinations)
    return [(service, user) for service in destinations for user in by_service.get(service.pk, [])]


def transfer_deciders_able(transfer: CaseTransfer) -> list[User]:
    """The named deciders who may still decide a restricted case's transfer: those who allocate
    cases in the receiving service now and, for a high-risk or MARAC case, are not the requester
    (who may not accept their own: services_transfers.case_transfer_decide)."""
    able = access.users_with(access.Capability.ALLOCATE_CASES, transfer.to_service_id).filter(
        pk__in=transfer.deciders.values("pk")
    )
    if closure_always_signed_off(transfer.case):
        able = able.exclude(pk=transfer.requested_by_id)
    return list(able)


def transfers_for_list(user) -> dict:
    """The transfers page: waiting and recent transfers into the user's services, and those out of
    cases they may see in services where they allocate. Audited as one list view per service."""
    service_ids = access.service_ids_with(user, access.Capability.ALLOCATE_CASES)
    related = ("case", "from_service", "to_service", "requested_by", "decided_by", "new_case")
    incoming = list(
        transfers_to_decide(user)
        .select_related(*related)
        .order_by("decision", "-requested_at")[:100]
    )
    outgoing = list(
        CaseTransfer.objects.filter(
            from_service_id__in=service_ids,
            case__in=cases_visible_to(user, access.Capability.ALLOCATE_CASES),
        )
        .select_related(*related)
        .order_by("-requested_at")[:100]
    )
    record_event_in_services(
        sorted(service_ids),
        actor=user,
        action=AuditEvent.Action.VIEW,
        detail={"list": "transfers"},
    )
    return {"incoming": incoming, "outgoing": outgoing}


def transfer_get_for_decision(user, pk, *, read: lookup.Read = False) -> CaseTransfer:
    """A transfer into one of the user's services, for its decision page; 404 (audited) for one
    into any other service, and for a caseworker (deciding is a team leader's)."""
    transfer = lookup.get_in_scope(
        transfers_to_decide(user).select_related(
            "case", "case__service", "from_service", "to_service", "requested_by"
        ),
        pk,
        user=user,
        capability=access.Capability.ALLOCATE_CASES,
    )
    lookup.record_read(
        user, transfer, read=read, service_id=transfer.case.service_id, case_id=transfer.case_id
    )
    return transfer


def transfer_get_for_withdrawal(user, pk) -> CaseTransfer:
    """A transfer of a case the user may allocate (a restricted case: only if they are named on
    it), to withdraw; 404 (audited) for any other, whoever asks."""
    return lookup.get_in_scope(
        CaseTransfer.objects.filter(
            case__in=cases_visible_to(user, access.Capability.ALLOCATE_CASES)
        ).select_related("case", "to_service"),
        pk,
        user=user,
        capability=access.Capability.ALLOCATE_CASES,
    )


def case_transfer_panel_annotations() -> dict:
    """Whether the case was transferred or came by a transfer (read with the case page's case)."""
    return {
        "transfer_panel_any": Exists(
            CaseTransfer.objects.filter(Q(case_id=OuterRef("pk")) | Q(new_case_id=OuterRef("pk")))
        )
    }


def case_transfer_panel(request, case: Case) -> dict:
    """The case page's transfer panel: where the case went or came from, and the request button.
    No query for a case the case page read with no transfer either way (most cases)."""
    user = request.user
    if getattr(case, "transfer_panel_any", True):
        outgoing = list(
            case.transfers.select_related("to_service", "new_case", "requested_by", "decided_by")
        )
        incoming = (
            CaseTransfer.objects.filter(new_case=case)
            .select_related("case", "from_service")
            .first()
        )
    else:
        outgoing, incoming = [], None
    accepted = [t for t in outgoing if t.new_case_id]
    # The receiving case is linked only for those who may see it (the sending team usually not).
    visible_new = (
        set(
            cases_visible_to(user)
            .filter(pk__in=[t.new_case_id for t in accepted])
            .values_list("pk", flat=True)
        )
        if accepted
        else set()
    )
    allocates = access.can(user, access.Capability.ALLOCATE_CASES, case.service_id)
    waiting = next((t for t in outgoing if t.decision == CaseTransfer.Decision.REQUESTED), None)
    # A restricted case's waiting transfer is seen only by its named deciders: the sending team
    # is told who they are, and told to ask again when none of them can decide it (the case
    # restricted after the request, a decider who left the receiving service).
    waiting_deciders = (
        transfer_deciders_able(waiting) if waiting is not None and case.is_restricted else None
    )
    return {
        "case": case,
        "outgoing": outgoing,
        "incoming": incoming,
        "visible_new_case_ids": visible_new,
        "can_request": allocates and not case.is_closed and waiting is None,
        # The sending team's team leaders may take back the transfer that waits.
        "can_withdraw": allocates and waiting is not None,
        "waiting_deciders": waiting_deciders,
    }


# How far back a chain of transfers is read (a client moved between services more often than
# this is not a chain anyone follows page by page); also a bound on the walk.
TRANSFER_CHAIN_MOST = 20


def _accepted_transfer_into(case: Case) -> CaseTransfer | None:
    return (
        CaseTransfer.objects.filter(new_case=case, decision=CaseTransfer.Decision.ACCEPTED)
        .select_related(
            "case", "case__service", "from_service", "to_service", "requested_by", "decided_by"
        )
        .first()
    )


def case_history_through_transfer(user, pk, *, page: int = 1, back: int = 1) -> dict:
    """A previous case's history for the team that received the client: `pk` is the receiving
    case (scoped as any case page); its accepted transfer names the previous case, shown
    read-only. A client moved more than once: `back` steps back along the chain of accepted
    transfers (2: the case before the previous one, and so on), so the whole history is read.

    1. The receiving case must be one the user may see (restricted: named users only), else 404.
    2. It must have come by an accepted transfer, and each step back by another, else 404.
    3. The read of the case shown is audited in that case's service and case, so its service's
       managers see who read it, and why (detail names the receiving case).
    """
    if not 1 <= back <= TRANSFER_CHAIN_MOST:
        raise Http404("No such transfer.")
    case = case_get_for_user(user, pk, read={"page": "history through transfer"})
    later, transfer = case, None
    for _step in range(back):
        transfer = _accepted_transfer_into(later)
        if transfer is None:
            raise Http404("No such transfer.")
        later = transfer.case
    previous = transfer.case
    earlier = _accepted_transfer_into(previous) if back < TRANSFER_CHAIN_MOST else None
    record_event(
        actor=user,
        action=AuditEvent.Action.VIEW,
        service=previous.service_id,
        case_id=previous.pk,
        obj=previous,
        detail={
            "page": "history through transfer",
            "receiving_case": case.pk,
            **({"transfers_back": back} if back > 1 else {}),
        },
    )
    return {
        "case": case,
        "client": case.client,
        "transfer": transfer,
        "previous": previous,
        "back": back,
        # The case before this one, when the client came to it by a transfer too.
        "earlier": earlier,
        "closure": closure_record(previous),
        "timeline": case_timeline(previous, page=page),
        "perpetrators": list(previous.perpetrators.all()),
        "children": list(previous.children.prefetch_related("cyps_involvement")),
    }


def transfers_home_panel(request) -> dict | None:
    """A team leader's home panel: transfers into the current service waiting for a decision
    (hidden when none waits). Names no client: the reference, the services, who asked."""
    service = getattr(request, "current_service", None)
    if service is None or not access.can(
        request.user, access.Capability.ALLOCATE_CASES, service.pk
    ):
        return None
    waiting = list(
        transfers_to_decide(request.user)
        .filter(to_service=service, decision=CaseTransfer.Decision.REQUESTED)
        .select_related("case", "from_service", "requested_by")
        .order_by("requested_at")
    )
    return {"waiting": waiting} if waiting else None
