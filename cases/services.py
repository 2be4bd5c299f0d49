"""Writes of case data. Every function runs in one transaction, validates before it writes, and
leaves its audit entries (django-auditlog change history, or an AuditEvent) in that transaction.
Views and tasks call these; nothing here reads a request."""

import copy
import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts import access
from accounts.audit import record_event
from accounts.concurrency import EditState, check_edit, next_version
from accounts.idempotency import claim_form_token
from accounts.models import AuditEvent, Service, Team, User
from catalogue import insights, marac

from .models import (
    Agency,
    Case,
    CaseAllocation,
    CaseReferenceCounter,
    CaseStatusChange,
    Client,
    ClosureRequest,
    ConsentRecord,
    Contact,
    ContactRevision,
    InformationSharing,
    Option,
    SafeToContact,
)
from .selectors import clients_visible_to, closure_gaps, closure_sign_off_reason

REVIEW_AFTER = relativedelta(months=4)
FOLLOW_UP_AFTER = relativedelta(months=6)

# Which status moves are allowed, and by what.
ALLOWED_TRANSITIONS = {
    Case.Status.OPEN: {Case.Status.ON_HOLD, Case.Status.CLOSED},
    Case.Status.ON_HOLD: {Case.Status.OPEN, Case.Status.CLOSED},
    Case.Status.CLOSED: set(),  # a closed case is not reopened: a re-referral opens a new case
}

# Multi-select lists whose options live in the Option table (admins may extend them).
BUILTIN_OPTION_LISTS = (
    "client_disability_type",
    "client_employment",
    "cyps_involvement_intake",
)


def _require(user, capability, service_id):
    if not access.can(user, capability, service_id):
        raise PermissionDenied


# --- Built-in lookup data -------------------------------------------------------------------


def sync_builtin_lookups() -> None:
    """Creates the built-in options and agencies from the seed catalogues; idempotent, run after
    every migrate. Existing rows keep their admin changes (retired, position)."""
    sync_option_lists(BUILTIN_OPTION_LISTS)
    existing_agencies = set(Agency.objects.values_list("name", flat=True))
    for agency in marac.AGENCIES:
        if agency.label not in existing_agencies:
            Agency.objects.create(name=agency.label, kind=agency.kind)


def sync_option_lists(list_keys) -> None:
    """Creates any missing built-in Option rows for these Insights tables (other apps call this
    from their own post_migrate handler for the multi-select lists they use)."""
    for list_key in list_keys:
        table = insights.TABLES_BY_KEY[list_key]
        existing = set(Option.objects.of(list_key).values_list("label", flat=True))
        for position, label in enumerate(table.options):
            if label not in existing:
                Option.objects.create(
                    list_key=list_key, label=label, position=position, is_builtin=True
                )


# --- Clients -----------------------------------------------------------------------------------


@transaction.atomic
def client_create(*, service: Service, actor: User, **fields) -> Client:
    _require(actor, access.Capability.EDIT_CASES, service.pk)
    multi = {key: fields.pop(key) for key in ("disability_types", "employment") if key in fields}
    client = Client(provider_id=service.provider_id, service=service, **fields)
    client.full_clean()
    client.save()
    for key, options in multi.items():
        getattr(client, key).set(options)
    return client


@transaction.atomic
def client_update(
    *, client: Client, actor: User, edit_state: EditState | None = None, **fields
) -> Client:
    """Changes the client record; refused with EditConflict where someone else changed the
    same answers since the form was loaded (edit_state)."""
    if not clients_visible_to(actor, access.Capability.EDIT_CASES).filter(pk=client.pk).exists():
        raise PermissionDenied
    multi = {key: fields.pop(key) for key in ("disability_types", "employment") if key in fields}
    client = Client.objects.select_for_update().get(pk=client.pk)
    check_edit(client, loaded=edit_state, submitted={**fields, **multi})
    next_version(client)
    for name, value in fields.items():
        setattr(client, name, value)
    client.full_clean()
    client.save()
    for key, options in multi.items():
        getattr(client, key).set(options)
    return client


# --- Cases -------------------------------------------------------------------------------------


def next_case_reference(service: Service, year: int) -> str:
    # The counter row is locked so that two caseworkers opening cases at once never share a
    # number; get_or_create first, as the year's first case creates the row.
    return reserve_case_references(service, year, 1)[0]


def reserve_case_references(service: Service, year: int, count: int) -> list[str]:
    """The next `count` case references of the service's year, taken at once (a bulk import):
    one locked increment of the counter instead of one per case."""
    CaseReferenceCounter.objects.get_or_create(service=service, year=year)
    counter = CaseReferenceCounter.objects.select_for_update().get(service=service, year=year)
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    return [f"{service.code}-{year}-{number:05d}" for number in range(first, first + count)]


@transaction.atomic
def case_open(
    *,
    client: Client,
    service: Service,
    actor: User,
    opened_on: datetime.date,
    team: Team | None = None,
    caseworker: User | None = None,
    referral_status: str = Case.ReferralStatus.NEW_CLIENT,
) -> Case:
    """Opens a case: reference, status history, allocation and the 4-month review date.

    1. Check the actor may edit cases in the service, and the caseworker belongs to it.
    2. Mark the case a repeat when the client had an earlier closed case in this service.
    3. Give it the next reference, and record the opening and the allocation.
    """
    _require(actor, access.Capability.EDIT_CASES, service.pk)
    if caseworker is not None and not access.can(
        caseworker, access.Capability.EDIT_CASES, service.pk
    ):
        raise ValidationError({"caseworker": "This person is not a caseworker in the service."})
    if team is not None and team.service_id != service.pk:
        raise ValidationError({"team": "This team belongs to another service."})
    if (
        referral_status == Case.ReferralStatus.NEW_CLIENT
        and Case.objects.filter(client=client, service=service, status=Case.Status.CLOSED).exists()
    ):
        referral_status = Case.ReferralStatus.REPEAT
    case = Case(
        reference=next_case_reference(service, opened_on.year),
        client=client,
        service=service,
        team=team,
        caseworker=caseworker,
        opened_on=opened_on,
        referral_status=referral_status,
        review_due_on=opened_on + REVIEW_AFTER,
    )
    case.full_clean()
    case.save()
    now = _moment_of(opened_on)
    CaseStatusChange.objects.create(
        case=case, old_status="", new_status=case.status, changed_by=actor, changed_at=now
    )
    if caseworker is not None or team is not None:
        CaseAllocation.objects.create(
            case=case, caseworker=caseworker, team=team, allocated_by=actor, allocated_at=now
        )
    return case


def _moment_of(day: datetime.date) -> datetime.datetime:
    """When a dated event happened, for its history row: now if it is today, else midday of
    that day (a backdated opening or closure keeps its true date in the timeline)."""
    now = timezone.now()
    if day == timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def case_allocate(
    *, case: Case, actor: User, caseworker: User | None, team: Team | None = None
) -> Case:
    """Team leaders (re)allocate cases within their service; the history keeps every holder."""
    _require(actor, access.Capability.ALLOCATE_CASES, case.service_id)
    case = _locked(case)
    if case.is_closed:
        raise ValidationError("A closed case cannot be reallocated.")
    if caseworker is not None and not access.can(
        caseworker, access.Capability.EDIT_CASES, case.service_id
    ):
        raise ValidationError({"caseworker": "This person is not a caseworker in the service."})
    if team is not None and team.service_id != case.service_id:
        raise ValidationError({"team": "This team belongs to another service."})
    case.caseworker = caseworker
    if team is not None:
        case.team = team
    case.save(update_fields=["caseworker", "team", "updated_at"])
    CaseAllocation.objects.create(
        case=case,
        caseworker=caseworker,
        team=case.team,
        allocated_by=actor,
        allocated_at=timezone.now(),
    )
    return case


@transaction.atomic
def case_set_status(*, case: Case, new_status: str, actor: User, note: str = "") -> Case:
    """Moves a case between open and on hold. Closing goes through case_close."""
    _require(actor, access.Capability.EDIT_CASES, case.service_id)
    case = _locked(case)
    if new_status == Case.Status.CLOSED:
        raise ValidationError("Close a case with the closure form.")
    if new_status not in ALLOWED_TRANSITIONS[case.status]:
        raise ValidationError(
            f"A case that is {case.get_status_display().lower()} cannot be set to "
            f"{Case.Status(new_status).label.lower()}."
        )
    old = case.status
    case.status = new_status
    case.save(update_fields=["status", "updated_at"])
    CaseStatusChange.objects.create(
        case=case,
        old_status=old,
        new_status=new_status,
        changed_by=actor,
        changed_at=timezone.now(),
        note=note,
    )
    return case


def validate_closure(case: Case, *, closed_on, closure_type, unplanned_closure_reason) -> None:
    errors = {}
    if closed_on is None:
        errors["closed_on"] = "Give the closure date."
    elif closed_on < case.opened_on:
        errors["closed_on"] = (
            f"The closure date is before the case opened ({date_format(case.opened_on)})."
        )
    elif closed_on > timezone.localdate():
        errors["closed_on"] = "The closure date is in the future."
    if closure_type == Case.ClosureType.UNPLANNED and not unplanned_closure_reason:
        errors["unplanned_closure_reason"] = "Give the reason for an unplanned closure."
    if closure_type == Case.ClosureType.PLANNED and unplanned_closure_reason:
        errors["unplanned_closure_reason"] = "A planned closure has no unplanned reason."
    if errors:
        raise ValidationError(errors)


GAPS_NOT_CHECKED = "Tick that you have checked what is missing, or put it right first."


def _acknowledged_gaps(case: Case, *, gaps_checked: bool) -> str:
    """What is missing before the case closes, which the person closing (or signing off) must
    say they have checked. Gaps do not stop a closure: a client who moved away or stopped
    answering will never complete an exit form, and refusing would only push people into
    filling forms in for the sake of it. They are acknowledged and kept with the closure."""
    gaps = [gap.message for gap in closure_gaps(case)]
    if gaps and not gaps_checked:
        raise ValidationError({"gaps_checked": GAPS_NOT_CHECKED})
    return "\n".join(gaps)


@transaction.atomic
def case_close(
    *,
    case: Case,
    actor: User,
    closed_on: datetime.date,
    closure_type: str,
    unplanned_closure_reason: str = "",
    closure_note: str = "",
    gaps_checked: bool = False,
) -> Case | ClosureRequest:
    """Closes the case, or files a closure request for a team leader's sign-off instead
    (returned to the caller).

    1. The actor may edit the case, it is not closed yet, and the dates and type are valid.
    2. Whatever is missing (selectors.closure_gaps) must be acknowledged (`gaps_checked`).
    3. Sign-off follows selectors.closure_sign_off_reason: on by default for every service,
       always for high-risk and MARAC cases. Where it is needed a request is filed (one at a
       time); otherwise the case closes now.
    """
    _require(actor, access.Capability.EDIT_CASES, case.service_id)
    case = _locked(case)
    if case.is_closed:
        raise ValidationError("This case is already closed.")
    validate_closure(
        case,
        closed_on=closed_on,
        closure_type=closure_type,
        unplanned_closure_reason=unplanned_closure_reason,
    )
    gaps = _acknowledged_gaps(case, gaps_checked=gaps_checked)
    if closure_sign_off_reason(case, actor):
        if case.closure_requests.filter(decision=ClosureRequest.Decision.REQUESTED).exists():
            raise ValidationError("A closure request is already waiting for sign-off.")
        return ClosureRequest.objects.create(
            case=case,
            requested_by=actor,
            requested_at=timezone.now(),
            closed_on=closed_on,
            closure_type=closure_type,
            unplanned_closure_reason=unplanned_closure_reason,
            closure_note=closure_note,
            gaps_acknowledged=gaps,
        )
    return _apply_closure(
        case,
        actor=actor,
        closed_on=closed_on,
        closure_type=closure_type,
        unplanned_closure_reason=unplanned_closure_reason,
        closure_note=closure_note,
        gaps=gaps,
    )


def _apply_closure(
    case,
    *,
    actor,
    closed_on,
    closure_type,
    unplanned_closure_reason,
    closure_note,
    gaps,
    follow_up=True,
):
    # follow_up False: the client's support continues elsewhere (a transfer), nothing to follow.
    old = case.status
    case.status = Case.Status.CLOSED
    case.closed_on = closed_on
    case.closure_type = closure_type
    case.unplanned_closure_reason = unplanned_closure_reason
    case.closure_note = closure_note
    case.closure_gaps_acknowledged = gaps
    case.follow_up_due_on = closed_on + FOLLOW_UP_AFTER if follow_up else None
    case.full_clean()
    case.save()
    CaseStatusChange.objects.create(
        case=case,
        old_status=old,
        new_status=Case.Status.CLOSED,
        changed_by=actor,
        changed_at=_moment_of(closed_on),
        note=closure_type,
    )
    return case


@transaction.atomic
def closure_decide(
    *,
    request: ClosureRequest,
    actor: User,
    approve: bool,
    comment: str = "",
    gaps_checked: bool = False,
) -> ClosureRequest:
    """A team leader approves a closure request (the case closes) or returns it with a comment.

    1. Only a team leader of the case's service decides, and nobody approves their own request
       (a team leader's own high-risk case goes to another team leader).
    2. Returning needs a comment saying why.
    3. Approving checks the closure again as the case is now, and the team leader acknowledges
       what is missing now (it may differ from what the requester saw).
    """
    _require(actor, access.Capability.SIGN_OFF_CLOSURES, request.case.service_id)
    request = ClosureRequest.objects.select_for_update().get(pk=request.pk)
    if request.decision != ClosureRequest.Decision.REQUESTED:
        raise ValidationError("This request has already been decided.")
    if approve and request.requested_by_id == actor.pk:
        raise ValidationError("Another team leader signs off a closure you asked for.")
    if not approve and not comment.strip():
        raise ValidationError({"comment": "Say why the closure is returned."})
    request.decision = (
        ClosureRequest.Decision.APPROVED if approve else ClosureRequest.Decision.RETURNED
    )
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.comment = comment
    request.save()
    if approve:
        case = _locked(request.case)
        validate_closure(
            case,
            closed_on=request.closed_on,
            closure_type=request.closure_type,
            unplanned_closure_reason=request.unplanned_closure_reason,
        )
        _apply_closure(
            case,
            actor=actor,
            closed_on=request.closed_on,
            closure_type=request.closure_type,
            unplanned_closure_reason=request.unplanned_closure_reason,
            closure_note=request.closure_note,
            gaps=_acknowledged_gaps(case, gaps_checked=gaps_checked),
        )
    return request


@transaction.atomic
def case_set_restriction(
    *, case: Case, actor: User, restricted: bool, named_users=(), reason: str = ""
) -> Case:
    """Marks a case restricted to named users (or lifts it). Team leaders and managers only;
    the actor is always among the named users, so nobody locks themselves out by mistake."""
    _require(actor, access.Capability.RESTRICT_CASES, case.service_id)
    if restricted and not reason.strip():
        raise ValidationError({"reason": "Say why the case is restricted."})
    case = _locked(case)
    case.is_restricted = restricted
    case.save(update_fields=["is_restricted", "updated_at"])
    if restricted:
        case.restricted_to.set({*named_users, actor})
    else:
        case.restricted_to.clear()
    record_event(
        actor=actor,
        action=AuditEvent.Action.RESTRICT if restricted else AuditEvent.Action.UNRESTRICT,
        service=case.service_id,
        case_id=case.pk,
        obj=case,
        detail={"reason": reason, "named_users": sorted(u.pk for u in case.restricted_to.all())},
    )
    return case


@transaction.atomic
def case_set_risk(*, case: Case, level: str, label: str, assessed_at) -> Case:
    """The case's current risk level, stored by the risk-assessment app under its current-risk
    rule (riskassessment.current_risk) when an assessment is submitted or a reasoned decision
    to lower the risk recorded; nothing else sets it."""
    case = _locked(case)
    case.risk_level = level
    case.risk_level_label = label
    case.risk_assessed_at = assessed_at
    case.save(update_fields=["risk_level", "risk_level_label", "risk_assessed_at", "updated_at"])
    return case


@transaction.atomic
def case_set_review_due(*, case: Case, review_due_on: datetime.date | None) -> Case:
    """The date the case's next review falls due, moved by the outcomes app when a 4-month
    review form is submitted."""
    case = _locked(case)
    case.review_due_on = review_due_on
    case.save(update_fields=["review_due_on", "updated_at"])
    return case


@transaction.atomic
def case_set_marac(*, case: Case, is_marac: bool) -> Case:
    case = _locked(case)
    case.is_marac = is_marac
    case.save(update_fields=["is_marac", "updated_at"])
    return case


# --- Contacts ----------------------------------------------------------------------------------


def contact_channel_warnings(client: Client, *, contact_type: str, with_client: bool, outcome: str):
    """Why this contact went by a way the client marked unsafe, one sentence per reason; none
    for a safe one. Only contact with the client counts (a call to the police about her is not a
    call to her); "not known" is not "no" (the first call is often the one that asks).

    1. A phone or video call when she is marked not safe to call.
    2. An unanswered call when she is marked not safe to leave a voicemail.
    3. A text when she is marked not safe to text.
    4. A letter when there is no safe postal address.
    5. An e-mail when she is marked not safe to e-mail.
    """
    if not with_client:
        return []
    kinds = Contact.ContactType
    warnings = []
    if contact_type in (kinds.PHONE, kinds.VIDEO) and client.safe_to_call == SafeToContact.NO:
        warnings.append("The client is marked not safe to call.")
    if (
        contact_type == kinds.PHONE
        and outcome == Contact.Outcome.ATTEMPTED
        and client.safe_to_leave_voicemail == SafeToContact.NO
    ):
        warnings.append("The client is marked not safe to leave a voicemail.")
    if contact_type == kinds.TEXT and client.safe_to_text == SafeToContact.NO:
        warnings.append("The client is marked not safe to text.")
    if contact_type == kinds.EMAIL and client.safe_to_email == SafeToContact.NO:
        warnings.append("The client is marked not safe to e-mail.")
    if contact_type == kinds.LETTER and not client.safe_address.strip():
        warnings.append("The client has no safe postal address: nothing should be sent by post.")
    return warnings


def contact_channel_warning_table(client: Client) -> dict[str, str]:
    """The warnings of contact_channel_warnings for every type and outcome of a contact with
    the client, keyed "type:outcome" (only those with a warning): the contact form shows the
    warning as soon as it applies, from this table, without a rule of its own."""
    table = {}
    for contact_type in Contact.ContactType.values:
        for outcome in Contact.Outcome.values:
            warnings = contact_channel_warnings(
                client, contact_type=contact_type, with_client=True, outcome=outcome
            )
            if warnings:
                table[f"{contact_type}:{outcome}"] = " ".join(warnings)
    return table


UNSAFE_CHANNEL_CONFIRM = "Tick to confirm it was safe this time, and say why."


def _check_contact(contact: Contact, case: Case) -> None:
    """The rules of a contact, new or corrected, beyond the model's own validation.

    1. Significant only when it reached the client.
    2. Not in the future, nor long before the case opened.
    3. By a way the client marked unsafe only with a recorded confirmation and reason; the
       warning given is stored with it (and a stray confirmation on a safe contact dropped).
    """
    if contact.is_significant and contact.outcome != Contact.Outcome.SUCCESSFUL:
        raise ValidationError(
            {"is_significant": "Only a contact that reached the client can be significant."}
        )
    if contact.occurred_at and contact.occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"occurred_at": "A contact cannot be in the future."})
    if contact.occurred_at and contact.occurred_at.date() < case.opened_on - datetime.timedelta(
        days=30
    ):
        raise ValidationError({"occurred_at": "This is more than 30 days before the case opened."})
    warnings = contact_channel_warnings(
        case.client,
        contact_type=contact.contact_type,
        with_client=contact.with_client,
        outcome=contact.outcome,
    )
    if not warnings:
        contact.unsafe_channel_warning = ""
        contact.unsafe_channel_confirmed = False
        contact.unsafe_channel_reason = ""
        return
    contact.unsafe_channel_warning = " ".join(warnings)[:300]
    contact.unsafe_channel_reason = (contact.unsafe_channel_reason or "").strip()
    if not contact.unsafe_channel_confirmed:
        message = f"{contact.unsafe_channel_warning} {UNSAFE_CHANNEL_CONFIRM}"
        raise ValidationError({"unsafe_channel_confirmed": message})
    if not contact.unsafe_channel_reason:
        raise ValidationError(
            {"unsafe_channel_reason": "Say why it was safe to contact the client this way."}
        )


@transaction.atomic
def contact_log(*, case: Case, actor: User, form_token=None, **fields) -> Contact:
    _require(actor, access.Capability.EDIT_CASES, case.service_id)
    claim = claim_form_token(form_token, actor=actor)
    # Locked and re-read (with the client's safe-contact answers as they are now): the caller's
    # copy may predate a closure or a safe-contact change made a moment ago.
    case = _locked(case)
    if case.is_closed:
        raise ValidationError("Contacts cannot be added to a closed case.")
    contact = Contact(case=case, recorded_by=actor, **fields)
    _check_contact(contact, case)
    contact.full_clean()
    contact.save()
    return claim.record(contact)


CORRECTABLE_FIELDS = frozenset(ContactRevision.COPIED_FIELDS) - {"unsafe_channel_warning"}


@transaction.atomic
def contact_correct(
    *,
    contact: Contact,
    actor: User,
    correction_reason: str,
    edit_state: EditState | None = None,
    **fields,
) -> Contact:
    """Corrects a contact, keeping what it said before.

    1. Lock the case (no correction of a closed case's record) and the contact.
    2. Refuse with EditConflict where someone else changed the same answers since the form
       was loaded (accounts.concurrency).
    3. Check the corrected contact as a new one is checked (_check_contact).
    4. Nothing changed: nothing is written. Otherwise store the values being replaced as a
       ContactRevision (who wrote them, who replaced them, when and why), raise the version
       and save; both writes are in the audit log.
    """
    _require(actor, access.Capability.EDIT_CASES, contact.case.service_id)
    # Only what the correction form shows: never who recorded it, its case or its warning
    # (the warning is worked out again from the corrected contact).
    unknown = set(fields) - CORRECTABLE_FIELDS
    if unknown:
        raise TypeError(f"contact_correct cannot change {sorted(unknown)}")
    case = _locked(contact.case)
    if case.is_closed:
        raise ValidationError("The contacts of a closed case cannot be changed.")
    stored = Contact.objects.select_for_update().get(pk=contact.pk, case=case)
    check_edit(stored, loaded=edit_state, submitted=fields)
    corrected = copy.copy(stored)
    for name, value in fields.items():
        setattr(corrected, name, value)
    _check_contact(corrected, case)
    names = ContactRevision.COPIED_FIELDS
    if all(getattr(corrected, name) == getattr(stored, name) for name in names):
        return stored
    if not (correction_reason or "").strip():
        raise ValidationError({"correction_reason": "Say what you are correcting and why."})
    previous = stored.revisions.order_by("-version").first()
    revision = ContactRevision(
        contact=stored,
        case=case,
        version=stored.version,
        written_by_id=previous.replaced_by_id if previous else stored.recorded_by_id,
        replaced_by=actor,
        replaced_at=timezone.now(),
        correction_reason=correction_reason.strip(),
        **{name: getattr(stored, name) for name in names},
    )
    revision.full_clean()
    revision.save()
    next_version(corrected)
    corrected.full_clean()
    corrected.save()
    return corrected


# --- Consent and information sharing ----------------------------------------------------------


@transaction.atomic
def consent_record(*, client: Client, actor: User, form_token=None, **fields) -> ConsentRecord:
    claim = claim_form_token(form_token, actor=actor)
    consent = ConsentRecord(client=client, recorded_by=actor, **fields)
    consent.full_clean()
    consent.save()
    return claim.record(consent)


@transaction.atomic
def consent_withdraw(*, consent: ConsentRecord, actor: User, withdrawn_on) -> ConsentRecord:
    consent = ConsentRecord.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        raise ValidationError("This consent has already been withdrawn.")
    consent.withdrawn_on = withdrawn_on
    consent.withdrawn_by = actor
    consent.full_clean()
    consent.save()
    return consent


def has_consent_to_share(client: Client, agency: Agency, on_date) -> bool:
    return (
        ConsentRecord.objects.filter(
            client=client,
            purpose=ConsentRecord.Purpose.SHARE,
            agency=agency,
            given=True,
            recorded_on__lte=on_date,
        )
        .exclude(withdrawn_on__lte=on_date)
        .exists()
    )


@transaction.atomic
def information_share(
    *,
    case: Case,
    actor: User,
    agency: Agency,
    shared_on,
    what_was_shared: str = "",
    reason_without_consent: str = "",
    authorised_by: User | None = None,
    form_token=None,
) -> InformationSharing:
    """Records a share. Without the client's consent for this agency it needs a reason and the
    team leader who authorised it (e.g. a MARAC referral or a safeguarding concern)."""
    _require(actor, access.Capability.EDIT_CASES, case.service_id)
    claim = claim_form_token(form_token, actor=actor)
    with_consent = has_consent_to_share(case.client, agency, shared_on)
    if not with_consent:
        errors = {}
        if not reason_without_consent.strip():
            errors["reason_without_consent"] = (
                "The client has not consented to sharing with this agency: give the reason."
            )
        if authorised_by is None:
            errors["authorised_by"] = "Name the team leader who authorised sharing without consent."
        elif not access.can(authorised_by, access.Capability.SIGN_OFF_CLOSURES, case.service_id):
            errors["authorised_by"] = "Only a team leader of the service can authorise this."
        if errors:
            raise ValidationError(errors)
    share = InformationSharing(
        case=case,
        agency=agency,
        shared_on=shared_on,
        with_consent=with_consent,
        reason_without_consent="" if with_consent else reason_without_consent,
        authorised_by=None if with_consent else authorised_by,
        shared_by=actor,
        what_was_shared=what_was_shared,
    )
    share.full_clean()
    share.save()
    return claim.record(share)


@transaction.atomic
def case_child_save(
    *, case: Case, actor: User, form, edit_state: EditState | None = None, form_token=None
):
    """Saves a perpetrator or child form for the case (new or existing row of this case).

    1. Claim the form's one-time token (a second post of the same form saves nothing).
    2. For an existing row: lock it, and refuse with EditConflict where someone else changed
       the same answers since the form was loaded.
    3. Write the row and its many-to-many answers.
    """
    _require(actor, access.Capability.EDIT_CASES, case.service_id)
    claim = claim_form_token(form_token, actor=actor)
    instance = form.save(commit=False)
    if instance.pk is not None:
        stored = type(instance).objects.select_for_update().get(pk=instance.pk, case=case)
        check_edit(stored, loaded=edit_state, submitted=form.cleaned_data)
        next_version(stored)
        instance.version = stored.version
    instance.case = case
    instance.full_clean()
    instance.save()
    form.save_m2m()
    return claim.record(instance)


@transaction.atomic
def client_alias_add(*, client: Client, actor: User, name: str, form_token=None):
    from .models import ClientAlias

    claim = claim_form_token(form_token, actor=actor)
    alias = ClientAlias(client=client, name=name.strip())
    alias.full_clean()
    alias.save()
    return claim.record(alias)
