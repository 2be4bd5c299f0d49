"""Writes of data-rights requests: each in one transaction, checked, audited by the change
history (the request's free text masked there, as every note is)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import access, lookup
from accounts.idempotency import claim_form_token
from accounts.models import User
from cases.models import Case

from .models import LegalHold, RectificationRequest


class AlreadyAnswered(Exception):
    """Someone else answered (a request) or lifted (a hold) while this person was writing:
    `by` is who, and their answer stands."""

    def __init__(self, answered, by):
        super().__init__(f"{answered.audit_label} has been answered already.")
        self.answered, self.by = answered, by


class AlreadyDecided(AlreadyAnswered):
    def __init__(self, request: RectificationRequest):
        super().__init__(request, request.decided_by)


@transaction.atomic
def rectification_record(
    *,
    actor: User,
    case: Case,
    received_on: datetime.date,
    requested: str,
    form_token=None,
) -> RectificationRequest:
    """Records a client's request to correct their record, received through `case`: anyone
    who may edit the case records it; it is then due a month after it was received."""
    lookup.require(actor, access.Capability.EDIT_CASES, service_id=case.service_id, case_id=case.pk)
    claim = claim_form_token(form_token, actor=actor)
    request = RectificationRequest(
        case=case, received_on=received_on, requested=requested.strip(), recorded_by=actor
    )
    request.full_clean()
    request.save()
    return claim.record(request)


@transaction.atomic
def rectification_decide(
    *,
    actor: User,
    request: RectificationRequest,
    outcome: str,
    changes_made: str = "",
    outcome_reason: str,
    decided_on: datetime.date | None = None,
) -> RectificationRequest:
    """Answers an open request: what was corrected (made on the records themselves, so the
    change history shows each correction) and why, or why nothing was. A team leader's or
    the manager's decision. A request answered meanwhile by someone else is never
    overwritten (AlreadyDecided)."""
    case = request.case
    lookup.require(
        actor, access.Capability.HANDLE_DATA_RIGHTS, service_id=case.service_id, case_id=case.pk
    )
    locked = RectificationRequest.objects.select_for_update().get(pk=request.pk)
    if not locked.is_open:
        raise AlreadyDecided(locked)
    errors = {}
    if outcome not in RectificationRequest.Outcome.values or outcome == "open":
        errors["outcome"] = "Choose what was done."
    if not outcome_reason.strip():
        errors["outcome_reason"] = "Say why: the client is told this."
    correcting = outcome in (
        RectificationRequest.Outcome.CORRECTED,
        RectificationRequest.Outcome.PARTLY,
    )
    if correcting and not changes_made.strip():
        errors["changes_made"] = "Say which records were corrected, and how."
    decided_on = decided_on or timezone.localdate()
    if decided_on < locked.received_on:
        errors["decided_on"] = "The answer cannot come before the request was received."
    if errors:
        raise ValidationError(errors)
    locked.outcome = outcome
    locked.changes_made = changes_made.strip() if correcting else ""
    locked.outcome_reason = outcome_reason.strip()
    locked.decided_by = actor
    locked.decided_on = decided_on
    locked.full_clean()
    locked.save()
    return locked


class AlreadyLifted(AlreadyAnswered):
    def __init__(self, hold: LegalHold):
        super().__init__(hold, hold.lifted_by)


@transaction.atomic
def legal_hold_place(
    *,
    actor: User,
    case: Case,
    reason: str,
    reason_note: str = "",
    placed_on: datetime.date | None = None,
    form_token=None,
) -> LegalHold:
    """Puts a case on legal hold: a team leader's or the manager's decision."""
    lookup.require(
        actor, access.Capability.HANDLE_DATA_RIGHTS, service_id=case.service_id, case_id=case.pk
    )
    claim = claim_form_token(form_token, actor=actor)
    if reason == LegalHold.Reason.OTHER and not reason_note.strip():
        raise ValidationError({"reason_note": "Say what the hold is for."})
    hold = LegalHold(
        case=case,
        reason=reason,
        reason_note=reason_note.strip(),
        placed_by=actor,
        placed_on=placed_on or timezone.localdate(),
    )
    hold.full_clean()
    hold.save()
    return claim.record(hold)


@transaction.atomic
def legal_hold_lift(
    *, actor: User, hold: LegalHold, lift_reason: str, lifted_on: datetime.date | None = None
) -> LegalHold:
    """Lifts a hold, with the reason (the proceedings ended, the review was published). A hold
    lifted meanwhile by someone else is never lifted again over their reason."""
    case = hold.case
    lookup.require(
        actor, access.Capability.HANDLE_DATA_RIGHTS, service_id=case.service_id, case_id=case.pk
    )
    locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if not locked.is_active:
        raise AlreadyLifted(locked)
    lifted_on = lifted_on or timezone.localdate()
    errors = {}
    if not lift_reason.strip():
        errors["lift_reason"] = "Say why the hold can be lifted."
    if lifted_on < locked.placed_on:
        errors["lifted_on"] = "A hold cannot be lifted before it was placed."
    if errors:
        raise ValidationError(errors)
    locked.lifted_by, locked.lifted_on, locked.lift_reason = actor, lifted_on, lift_reason.strip()
    locked.full_clean()
    locked.save()
    return locked
