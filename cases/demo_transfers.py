"""Demo data for transfers (seed_demo calls seed_demo_transfer through accounts.demo's registry):
one case of the first demo service moved to the second, so the demo shows both ends of a
transfer and the history read through it. Idempotent: nothing is done once a transfer exists."""

from django.db import transaction

from accounts import access
from accounts.models import Service

from . import services_transfers
from .models import Case, CaseTransfer, ClosureRequest, RiskLevel


def _team_leader(service: Service):
    return access.users_with(access.Capability.ALLOCATE_CASES, service).order_by("pk").first()


@transaction.atomic
def seed_demo_transfer(*, services, stdout):
    chosen = list(services.values())[:2]
    if len(chosen) < 2 or chosen[0].provider_id != chosen[1].provider_id:
        return
    sending, receiving = chosen
    if CaseTransfer.objects.filter(from_service=sending).exists():
        return
    requester, decider = _team_leader(sending), _team_leader(receiving)
    case = (
        # Not high-risk or MARAC: the demo's one team leader both asks and accepts, which those
        # cases' second-look rule refuses.
        Case.objects.filter(
            service=sending, status=Case.Status.OPEN, is_restricted=False, is_marac=False
        )
        .exclude(risk_level=RiskLevel.HIGH)
        .exclude(closure_requests__decision=ClosureRequest.Decision.REQUESTED)
        .order_by("pk")
        .first()
    )
    if case is None or requester is None or decider is None:
        return
    transfer = services_transfers.case_transfer_request(
        case=case,
        actor=requester,
        to_service=receiving,
        reason="The client has moved into the hospital's area and asked for support there.",
    )
    caseworker = access.users_with(access.Capability.EDIT_CASES, receiving).order_by("pk").first()
    services_transfers.case_transfer_decide(
        transfer=transfer, actor=decider, accept=True, caseworker=caseworker
    )
    stdout.write(f"  demo transfer from {sending.name} to {receiving.name}")
