"""Access rows for case transfers (cases/urls.py, views_transfers).

Requesting a transfer is for a team leader of the case's service (caseworkers, the read-only
caseworker and the manager get 403); the transfers page for anyone who allocates cases somewhere
(403 for the rest); a transfer's decision page for the team leaders of the receiving service only
(404 for everyone else, as for a transfer that does not exist); withdrawing a waiting transfer
for the team leaders of the sending service only (404 for everyone else); the history of a
transferred case for everyone who may read the receiving case. A restricted case's transfer is
decided only by the team leaders named on it: 404 for the matrix team leader when another team
leader of the service was named instead."""

from django.utils import timezone

from accounts.models import Role
from cases.models import CaseTransfer
from tests.factories import CaseFactory, MembershipFactory, UserFactory

from .matrix import ADMIN, ANON, CASEWORKER, MANAGER, READ_ONLY, TEAM_LEADER, Entry, only
from .matrix_cases import statuses


def _waiting(from_service, to_service, requester, *, deciders=None) -> CaseTransfer:
    """A waiting transfer; with `deciders`, of a restricted case naming them."""
    transfer = CaseTransfer.objects.create(
        case=CaseFactory(service=from_service, is_restricted=deciders is not None),
        from_service=from_service,
        to_service=to_service,
        requested_by=requester,
        requested_at=timezone.now(),
        reason="Moved area.",
    )
    if deciders:
        transfer.deciders.set(deciders)
    return transfer


def build(world):
    world.transfer_case = CaseFactory(service=world.service)
    requester = UserFactory()
    # Waiting: from the other service into the matrix service, and out of it into the other.
    world.incoming_transfer = _waiting(world.other_service, world.service, requester)
    world.outgoing_transfer = _waiting(world.service, world.other_service, requester)
    # Accepted: the previous case closed in the other service, continued in the matrix service.
    today = timezone.localdate()
    previous = CaseFactory(service=world.other_service, status="closed", closed_on=today)
    world.continuing_case = CaseFactory(
        service=world.service, referral_status="Continuing case", opened_on=today
    )
    CaseTransfer.objects.create(
        case=previous,
        from_service=world.other_service,
        to_service=world.service,
        requested_by=requester,
        requested_at=timezone.now(),
        reason="Moved area.",
        decision=CaseTransfer.Decision.ACCEPTED,
        decided_by=world.users[TEAM_LEADER],
        decided_at=timezone.now(),
        new_case=world.continuing_case,
    )


def build_restricted(world):
    requester = UserFactory()
    another_leader = MembershipFactory(service=world.service, role=Role.TEAM_LEADER).user
    # Restricted cases of the other service, asked into the matrix service: one naming the
    # matrix team leader, one naming another team leader of the matrix service only.
    world.restricted_transfer_named = _waiting(
        world.other_service, world.service, requester, deciders=[world.users[TEAM_LEADER]]
    )
    world.restricted_transfer_unnamed = _waiting(
        world.other_service, world.service, requester, deciders=[another_leader]
    )


BUILDERS = {
    **dict.fromkeys(
        ("transfer_case", "incoming_transfer", "outgoing_transfer", "continuing_case"), build
    ),
    **dict.fromkeys(("restricted_transfer_named", "restricted_transfer_unnamed"), build_restricted),
}

LEAD = statuses(**{CASEWORKER: 403, READ_ONLY: 403, TEAM_LEADER: 200, MANAGER: 403})
READ = statuses(**{CASEWORKER: 200, READ_ONLY: 200, TEAM_LEADER: 200, MANAGER: 200})
ALLOCATORS_LIST = {**only(200, {TEAM_LEADER}, others=403), ANON: 302, ADMIN: 403}

ENTRIES = [
    Entry("cases:case_transfer", lambda w: {"pk": w.transfer_case.pk}, LEAD),
    Entry(
        "cases:case_transfer",
        lambda w: {"pk": w.transfer_case.pk},
        {**LEAD, TEAM_LEADER: 400},
        method="post",
    ),
    Entry("cases:transfer_list", expected=ALLOCATORS_LIST),
    Entry(
        "cases:transfer_decide",
        lambda w: {"transfer_pk": w.incoming_transfer.pk},
        only(200, {TEAM_LEADER}),
    ),
    Entry(
        "cases:transfer_decide",
        lambda w: {"transfer_pk": w.incoming_transfer.pk},
        only(400, {TEAM_LEADER}),
        method="post",
    ),
    Entry(
        "cases:transfer_decide",
        lambda w: {"transfer_pk": w.restricted_transfer_named.pk},
        only(200, {TEAM_LEADER}),
    ),
    Entry(
        "cases:transfer_decide",
        lambda w: {"transfer_pk": w.restricted_transfer_named.pk},
        only(400, {TEAM_LEADER}),
        method="post",
    ),
    Entry(
        "cases:transfer_decide",
        lambda w: {"transfer_pk": w.restricted_transfer_unnamed.pk},
        only(200, set()),
    ),
    Entry(
        "cases:transfer_decide",
        lambda w: {"transfer_pk": w.restricted_transfer_unnamed.pk},
        only(400, set()),
        method="post",
    ),
    Entry(
        "cases:transfer_withdraw",
        lambda w: {"transfer_pk": w.outgoing_transfer.pk},
        only(302, {TEAM_LEADER}),
        method="post",
    ),
    Entry("cases:case_transfer_history", lambda w: {"pk": w.continuing_case.pk}, READ),
]
