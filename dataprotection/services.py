"""Writes of data-rights requests: each in one transaction, checked, audited by the change
history (the request's free text masked there, as every note is)."""

import datetime
import functools

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts import access, lookup
from accounts.audit import record_event
from accounts.concurrency import next_version
from accounts.idempotency import claim_form_token
from accounts.models import AuditEvent, User
from cases.models import Case

from . import subject_access
from .models import (
    LegalHold,
    RectificationRequest,
    SubjectAccessRedaction,
    SubjectAccessRequest,
)


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


# --- Subject access ----------------------------------------------------------------------------


class SubjectAccessChanged(Exception):
    """The request moved on (built, redacted, sent) since the page was loaded: nothing saved."""


def _subject_access_event(actor, sar: SubjectAccessRequest, action: str, step: str, **detail):
    # Only the step and counts: never a name or a value from the answer.
    record_event(
        actor=actor,
        action=action,
        service=sar.case.service_id,
        case_id=sar.case_id,
        obj=sar,
        detail={"subject_access": step, **detail},
    )


def _require_data_rights(actor, case: Case) -> None:
    lookup.require(
        actor, access.Capability.HANDLE_DATA_RIGHTS, service_id=case.service_id, case_id=case.pk
    )


def _set_status(sar: SubjectAccessRequest, new: str) -> None:
    if new not in SubjectAccessRequest.TRANSITIONS[sar.status]:
        raise SubjectAccessChanged(f"{sar.audit_label}: {sar.status} cannot become {new}.")
    sar.status = new


def _locked(sar: SubjectAccessRequest, expected_version: int | None) -> SubjectAccessRequest:
    locked = (
        # The request's row only: the case and client stay free for their own edits.
        SubjectAccessRequest.objects.select_for_update(of=("self",))
        .select_related("case", "case__client")
        .get(pk=sar.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise SubjectAccessChanged(locked.audit_label)
    return locked


@transaction.atomic
def subject_access_open(
    *, actor: User, case: Case, received_on: datetime.date, form_token=None
) -> SubjectAccessRequest:
    """Opens a client's subject access request, received through `case`: a team leader's or
    the manager's; due a calendar month after it was received, on their home page till sent."""
    _require_data_rights(actor, case)
    claim = claim_form_token(form_token, actor=actor)
    sar = SubjectAccessRequest(case=case, received_on=received_on, recorded_by=actor)
    sar.full_clean()
    sar.save()
    _subject_access_event(actor, sar, AuditEvent.Action.ADMIN, "open")
    return claim.record(sar)


@transaction.atomic
def subject_access_set_redactions(
    *,
    actor: User,
    request: SubjectAccessRequest,
    chosen: set[tuple[str, str, str]],
    offered: set[tuple[str, str, str]],
    reason: str,
    expected_version: int | None = None,
) -> tuple[int, int]:
    """Makes the redactions among `offered` (what the review page showed) exactly `chosen`, with
    `reason` for those added; returns (added, removed). Built files no longer match: the
    request goes back to open until built again. Refused once sent."""
    _require_data_rights(actor, request.case)
    locked = _locked(request, expected_version)
    if locked.is_answered:
        raise SubjectAccessChanged(locked.audit_label)
    allowed = subject_access.redactable_keys(subject_access.gather(actor, locked))
    if not chosen <= allowed or not offered <= allowed:
        raise ValidationError("Choose among the records shown.")
    current = {redaction.key: redaction for redaction in locked.redactions.all()}
    added = chosen - set(current)
    removed = {key for key in current if key in offered and key not in chosen}
    if added and not reason.strip():
        raise ValidationError({"reason": "Say why these are withheld: it is kept with them."})
    for model_label, object_pk, field_name in sorted(added):
        redaction = SubjectAccessRedaction(
            request=locked,
            case=locked.case,
            model_label=model_label,
            object_pk=object_pk,
            field_name=field_name,
            reason=reason.strip(),
            redacted_by=actor,
        )
        redaction.full_clean()
        redaction.save()
    for key in removed:
        current[key].delete()
    if added or removed:
        if locked.status == SubjectAccessRequest.Status.READY:
            _set_status(locked, SubjectAccessRequest.Status.OPEN)
        next_version(locked)
        locked.save()
        _subject_access_event(
            actor,
            locked,
            AuditEvent.Action.ADMIN,
            "redact",
            added=len(added),
            removed=len(removed),
        )
    return len(added), len(removed)


@transaction.atomic
def subject_access_request_build(
    *, actor: User, request: SubjectAccessRequest, expected_version: int | None = None
) -> None:
    """Asks for the PDF and JSON to be built (by the worker, after this commits; in-process
    where no worker runs). Only ids go to the task."""
    from . import tasks

    _require_data_rights(actor, request.case)
    locked = _locked(request, expected_version)
    if locked.is_answered:
        raise SubjectAccessChanged(locked.audit_label)
    request_id, user_id = locked.pk, actor.pk
    transaction.on_commit(lambda: tasks.build_subject_access.delay(request_id, user_id))


@transaction.atomic
def subject_access_build(*, request_id: int, user_id: int) -> dict | None:
    """Builds the answer as `user_id` may see it and stores both files (through the storage
    API, under random names). Returns counts (records included, records in cases the user
    cannot see), or None, doing nothing, for a request already sent.

    1. Lock the request; the user must still handle data rights in its service.
    2. Gather, apply the redactions, render the JSON and the PDF from the same structure.
    3. Store both; the files they replace are deleted once this commits.
    """
    sar = SubjectAccessRequest.objects.select_for_update(of=("self",)).select_related(
        "case__client"
    )
    sar = sar.get(pk=request_id)
    if sar.is_answered:
        return None
    user = User.objects.get(pk=user_id, is_active=True)
    _require_data_rights(user, sar.case)
    gathered = subject_access.gather(user, sar)
    output = subject_access.for_output(gathered)
    json_bytes = subject_access.render_json(output)
    pdf_bytes = subject_access.render_pdf(output)
    old_files = [name for name in (sar.pdf.name, sar.json.name) if name]
    storage = sar.pdf.storage
    sar.pdf.save("answer.pdf", ContentFile(pdf_bytes), save=False)
    sar.json.save("answer.json", ContentFile(json_bytes), save=False)
    new_files = [sar.pdf.name, sar.json.name]
    try:
        if sar.status == SubjectAccessRequest.Status.OPEN:
            _set_status(sar, SubjectAccessRequest.Status.READY)
        sar.built_at, sar.built_by = timezone.now(), user
        next_version(sar)
        sar.save()
        summary = {
            "records": sum(len(section["records"]) for section in output["sections"]),
            "not_visible": sum(item["records"] for item in gathered["not_visible"]),
        }
        _subject_access_event(
            user,
            sar,
            AuditEvent.Action.EXPORT,
            "build",
            redactions=sar.redactions.count(),
            **summary,
        )
    except BaseException:
        for name in new_files:
            storage.delete(name)
        raise
    for name in old_files:
        transaction.on_commit(functools.partial(storage.delete, name), robust=True)
    return summary


@transaction.atomic
def subject_access_mark_sent(
    *,
    actor: User,
    request: SubjectAccessRequest,
    sent_on: datetime.date | None = None,
    expected_version: int | None = None,
) -> SubjectAccessRequest:
    """Records that the built answer was sent to the client: the request leaves the home page.
    Sent twice by two people, the first stands (AlreadyAnswered)."""
    _require_data_rights(actor, request.case)
    locked = _locked(request, None)
    if locked.is_answered:
        raise AlreadyAnswered(locked, locked.sent_by)
    if expected_version is not None and locked.version != expected_version:
        raise SubjectAccessChanged(locked.audit_label)
    sent_on = sent_on or timezone.localdate()
    if locked.status != SubjectAccessRequest.Status.READY:
        raise ValidationError("Build the answer before marking it sent.")
    if sent_on < locked.received_on:
        raise ValidationError({"sent_on": "It cannot be sent before the request was received."})
    _set_status(locked, SubjectAccessRequest.Status.SENT)
    locked.sent_on, locked.sent_by = sent_on, actor
    next_version(locked)
    locked.full_clean()
    locked.save()
    _subject_access_event(actor, locked, AuditEvent.Action.ADMIN, "send")
    return locked
