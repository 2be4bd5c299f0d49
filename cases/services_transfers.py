"""Transferring a case to another service of the same provider (issue 22 item 6).

A transfer is a closure path of its own: the sending case closes (planned, "Transferred to
<service>") without an exit form, which measures the end of support and is filled by the service
where support ends, and without a follow-up, as the client is still supported. Two team leaders
see it: one of the sending service requests it (and may withdraw it while it waits), one of the
receiving service accepts or declines. For a restricted case, only the receiving team leaders the
requester names may see and decide it (selectors_transfers.transfers_to_decide).
"""

from collections.abc import Collection

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.audit import record_event
from accounts.models import AuditEvent, Service, User

from .models import Case, CaseTransfer, ChildInCase, ClosureRequest, Perpetrator
from .selectors import closure_always_signed_off, closure_gaps
from .selectors_transfers import transfer_destinations
from .services import _apply_closure, _locked, _require, case_open

# What a transfer closes without: the exit form belongs to the end of the client's support, which
# the receiving service records.
GAPS_NOT_NEEDED_FOR_TRANSFER = frozenset({"exit_form"})

_PERPETRATOR_FIELDS = (
    "is_primary", "name", "date_of_birth", "relationship", "sex_at_birth", "gender_identity",
    "need_mental_health", "need_drugs", "need_alcohol", "multiple_victims", "criminal_record",
    "bail_conditions", "notes",
)  # fmt: skip
_CHILD_FIELDS = ("first_name", "age_years", "age_band", "lives_with")


def _refuse_if_closing(case: Case) -> None:
    if case.is_closed:
        raise ValidationError("This case is closed: a closed case is not transferred.")
    if case.closure_requests.filter(decision=ClosureRequest.Decision.REQUESTED).exists():
        raise ValidationError(
            "A closure of this case waits for sign-off: decide it before transferring the case."
        )


def _refuse_deciders(
    case: Case, *, actor: User, to_service: Service, deciders: Collection[User]
) -> None:
    """A restricted case's transfer names who in the receiving service sees and decides it:
    at least one user, each allocating cases there; for a high-risk or MARAC case, someone
    besides the requester, who may not accept their own. Any other case names nobody."""
    if not case.is_restricted:
        if deciders:
            raise ValidationError(
                {"deciders": "Team leaders are named only for a restricted case's transfer."}
            )
        return
    if not deciders:
        raise ValidationError(
            {
                "deciders": "This case is restricted: name the team leaders of the receiving "
                "service who may see and decide its transfer."
            }
        )
    allocators = set(
        access.users_with(access.Capability.ALLOCATE_CASES, to_service).values_list("pk", flat=True)
    )
    others = sorted(str(user) for user in deciders if user.pk not in allocators)
    if others:
        raise ValidationError(
            {
                "deciders": f"{', '.join(others)} cannot decide transfers in {to_service.name}: "
                "name team leaders of the service the case moves to."
            }
        )
    if closure_always_signed_off(case) and {user.pk for user in deciders} == {actor.pk}:
        raise ValidationError(
            {
                "deciders": "A high-risk or MARAC case's transfer is accepted by someone other "
                "than the team leader who asked: name another team leader of "
                f"{to_service.name} too."
            }
        )


@transaction.atomic
def case_transfer_request(
    *,
    case: Case,
    actor: User,
    to_service: Service,
    reason: str,
    deciders: Collection[User] = (),
) -> CaseTransfer:
    """A team leader of the case's service asks another service of the provider to take it on.

    1. The actor allocates cases in the case's service (a caseworker asks their team leader).
    2. The case is open or on hold, no closure waits for sign-off, no transfer is waiting.
    3. The receiving service is another active service of the same provider; a reason is given.
    4. A restricted case names its deciders: team leaders of the receiving service, the only
       ones there who will see the request (_refuse_deciders); any other case names none.
    """
    _require(actor, access.Capability.ALLOCATE_CASES, case.service_id)
    case = _locked(case)
    _refuse_if_closing(case)
    if case.transfers.filter(decision=CaseTransfer.Decision.REQUESTED).exists():
        raise ValidationError("A transfer of this case is already waiting for a decision.")
    if not transfer_destinations(case).filter(pk=to_service.pk).exists():
        raise ValidationError(
            {"to_service": "Choose another active service of this case's provider."}
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case moves to this service."})
    _refuse_deciders(case, actor=actor, to_service=to_service, deciders=deciders)
    transfer = CaseTransfer(
        case=case,
        from_service_id=case.service_id,
        to_service=to_service,
        requested_by=actor,
        requested_at=timezone.now(),
        reason=reason.strip(),
    )
    transfer.full_clean()
    transfer.save()
    if deciders:
        transfer.deciders.set(deciders)
    return transfer


@transaction.atomic
def case_transfer_withdraw(*, transfer: CaseTransfer, actor: User) -> CaseTransfer:
    """A team leader of the sending service takes back a transfer that still waits (asked in
    error, or the client's plans changed): the case stays open where it is, and a new transfer
    may be asked for. One decided meanwhile is refused, so a case accepted by the receiving
    service is never withdrawn from under it (both lock the transfer's row)."""
    _require(actor, access.Capability.ALLOCATE_CASES, transfer.from_service_id)
    transfer = CaseTransfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.decision != CaseTransfer.Decision.REQUESTED:
        raise ValidationError(
            f"This transfer was {transfer.get_decision_display().lower()} already: "
            "only a waiting transfer is withdrawn."
        )
    transfer.decision = CaseTransfer.Decision.WITHDRAWN
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.save()
    return transfer


@transaction.atomic
def case_transfer_decide(
    *,
    transfer: CaseTransfer,
    actor: User,
    accept: bool,
    declined_reason: str = "",
    caseworker: User | None = None,
) -> CaseTransfer:
    """A team leader of the receiving service accepts the transfer or declines it with a reason.

    1. The actor allocates cases in the receiving service and, for a case restricted now, is
       one of the transfer's named deciders; the transfer is still waiting (one decided
       meanwhile, by another team leader, is refused rather than decided twice). A high-risk
       or MARAC case is accepted by someone other than the requester (a team leader of both
       services), as its closure would be signed off by a second person.
    2. Declining needs a reason; the case stays open where it was.
    3. Accepting, in this one transaction: the sending case closes (planned, "Transferred to
       <service>", the gaps other than the exit form kept as acknowledged by the transfer, no
       follow-up), and a new case opens in the receiving service for the same client as a
       "Continuing case", with the current risk, MARAC flag and restriction, and copies of the
       perpetrators and children (the receiving case's own records, which its team will edit).
       The rest of the history is read through the link (selectors_transfers).
    """
    _require(actor, access.Capability.ALLOCATE_CASES, transfer.to_service_id)
    transfer = CaseTransfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.case.is_restricted and not transfer.deciders.filter(pk=actor.pk).exists():
        # The pages never show it to them (selectors_transfers); a caller that skipped the
        # scope is refused as one without the capability.
        raise PermissionDenied
    if transfer.decision != CaseTransfer.Decision.REQUESTED:
        raise ValidationError(
            f"This transfer was {transfer.get_decision_display().lower()} already."
        )
    if not accept and not declined_reason.strip():
        raise ValidationError({"declined_reason": "Say why the transfer is declined."})
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    if not accept:
        transfer.decision = CaseTransfer.Decision.DECLINED
        transfer.declined_reason = declined_reason.strip()
        transfer.save()
        return transfer

    case = _locked(transfer.case)
    _refuse_if_closing(case)
    if closure_always_signed_off(case) and transfer.requested_by_id == actor.pk:
        # The closure rule's second look: a high-risk or MARAC case never closes on one
        # person's word, and a transfer closes it.
        raise ValidationError(
            "Another team leader of the receiving service accepts a high-risk or MARAC case's "
            "transfer you asked for."
        )
    to_service = transfer.to_service
    if not to_service.is_active:
        raise ValidationError("The receiving service is no longer active.")
    today = timezone.localdate()
    gaps = [
        gap.message for gap in closure_gaps(case) if gap.kind not in GAPS_NOT_NEEDED_FOR_TRANSFER
    ]
    _apply_closure(
        case,
        actor=actor,
        closed_on=today,
        closure_type=Case.ClosureType.PLANNED,
        unplanned_closure_reason="",
        closure_note=f"Transferred to {to_service.name}",
        gaps="\n".join(gaps),
        follow_up=False,
    )
    new_case = case_open(
        client=case.client,
        service=to_service,
        actor=actor,
        opened_on=today,
        caseworker=caseworker,
        referral_status=Case.ReferralStatus.CONTINUING,
    )
    new_case.risk_level = case.risk_level
    new_case.risk_level_label = case.risk_level_label
    new_case.risk_assessed_at = case.risk_assessed_at
    new_case.is_marac = case.is_marac
    new_case.save(
        update_fields=[
            "risk_level", "risk_level_label", "risk_assessed_at", "is_marac", "updated_at"
        ]
    )  # fmt: skip
    if case.is_restricted:
        _carry_restriction(case, new_case, actor=actor, caseworker=caseworker)
    _copy_people(case, new_case)
    transfer.decision = CaseTransfer.Decision.ACCEPTED
    transfer.new_case = new_case
    transfer.save()
    return transfer


def _carry_restriction(case: Case, new_case: Case, *, actor: User, caseworker: User | None):
    """A restricted case stays restricted: in the receiving service, for the team leader who
    accepted it (always one of the transfer's named deciders), the caseworker they allocated,
    and those named on it before who work in the receiving service too. Nobody else there sees
    it until a team leader names them: the other named deciders neither, as they needed to see
    the request, not the case."""
    receiving = new_case.service_id
    named = {actor, *([caseworker] if caseworker else [])}
    named |= {
        user
        for user in case.restricted_to.all()
        if access.can(user, access.Capability.VIEW_CASES, receiving)
    }
    new_case.is_restricted = True
    new_case.save(update_fields=["is_restricted", "updated_at"])
    new_case.restricted_to.set(named)
    record_event(
        actor=actor,
        action=AuditEvent.Action.RESTRICT,
        service=receiving,
        case_id=new_case.pk,
        obj=new_case,
        detail={
            "reason": f"Restricted before its transfer from case {case.reference}",
            "named_users": sorted(user.pk for user in named),
        },
    )


def _copy_people(case: Case, new_case: Case) -> None:
    """The perpetrators and children, copied row by row (audited) into the new case."""
    for perpetrator in case.perpetrators.all():
        Perpetrator.objects.create(
            case=new_case, **{name: getattr(perpetrator, name) for name in _PERPETRATOR_FIELDS}
        )
    for child in case.children.prefetch_related("cyps_involvement"):
        copy = ChildInCase.objects.create(
            case=new_case, **{name: getattr(child, name) for name in _CHILD_FIELDS}
        )
        copy.cyps_involvement.set(child.cyps_involvement.all())
