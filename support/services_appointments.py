"""Writes of appointments, and the safety warnings a meeting with the client is checked against.

The warnings are one rule (`appointment_warnings`), used by the form before saving, by the
service when it saves, and by the appointment's page. A warned appointment is saved only with the
caseworker's acknowledgement, which is kept with the warnings given.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.concurrency import EditState, check_edit, next_version
from accounts.idempotency import claim_form_token
from accounts.models import User
from cases.matching import normalise_postcode
from cases.models import Case, Client
from cases.models.case import Contact
from cases.services import contact_channel_warnings

from .models import Appointment
from .safe_times import read_safe_times

EDITABLE_FIELDS = (
    "kind",
    "channel",
    "starts_at",
    "ends_at",
    "place",
    "with_whom",
    "notes",
    "caseworker",
)
ACKNOWLEDGE = "Tick to go ahead all the same: your acknowledgement is recorded."
CHANNEL_CONTACT_TYPE = {
    Appointment.Channel.IN_PERSON: Contact.ContactType.FACE_TO_FACE,
    Appointment.Channel.PHONE: Contact.ContactType.PHONE,
    Appointment.Channel.VIDEO: Contact.ContactType.VIDEO,
}
HOME_WORDS = ("home", "her house", "his house", "their house", "client's address")


def _mentions_home(place: str, client: Client) -> bool:
    text = place.lower()
    if any(word in text for word in HOME_WORDS):
        return True
    postcode = normalise_postcode(client.postcode)
    return bool(postcode) and postcode.replace(" ", "") in place.upper().replace(" ", "")


def appointment_warnings(
    client: Client, *, kind: str, channel: str, starts_at, ends_at, place: str
) -> list[str]:
    """Why this appointment may not be safe for the client, one sentence per reason. Only a
    meeting with the client is checked (a professional meeting about her is not a meeting
    with her).

    1. Outside the client's safe times, as far as their text can be read
       (support.safe_times); text it cannot read: "check the client's safe times".
    2. By a channel the client marked unsafe (cases.services.contact_channel_warnings, the
       contact log's rule).
    3. At the client's home (the place says "home" or gives their postcode) when the record
       has no safe address, or says not to contact them at home.
    """
    if kind != Appointment.Kind.CLIENT_MEETING:
        return []
    warnings = []
    if client.safe_times.strip() and starts_at and ends_at:
        safe = read_safe_times(client.safe_times)
        start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
        if safe is None:
            warnings.append(f"Check the client's safe times: {client.safe_times}")
        elif not safe.allows(start, end):
            warnings.append(f"This is outside the client's safe times: {client.safe_times}")
    contact_type = CHANNEL_CONTACT_TYPE.get(channel)
    if contact_type:
        warnings += contact_channel_warnings(
            client, contact_type=contact_type, with_client=True, outcome="successful"
        )
    if channel == Appointment.Channel.IN_PERSON and place and _mentions_home(place, client):
        if not client.safe_address.strip():
            warnings.append(
                "The client has no safe address recorded: check that meeting at home is safe."
            )
        if "home" in client.do_not_contact_via.lower():
            warnings.append(
                f"The client's record says do not contact via: {client.do_not_contact_via}"
            )
    return warnings


def _require_edit(actor: User, case: Case) -> None:
    if not access.can(actor, access.Capability.EDIT_CASES, case.service_id):
        raise PermissionDenied


def _check(appointment: Appointment, case: Case) -> None:
    """1. Ends after it starts, within a day's span. 2. The caseworker is a member of the case's
    service who may edit cases. 3. Warned only with the acknowledgement (stored with the
    warnings; a stale acknowledgement on a safe appointment is dropped)."""
    if appointment.starts_at and appointment.ends_at:
        if appointment.ends_at <= appointment.starts_at:
            raise ValidationError({"ends_at": "It must end after it starts."})
        if appointment.ends_at - appointment.starts_at > datetime.timedelta(hours=24):
            raise ValidationError({"ends_at": "An appointment lasts at most a day."})
    if not access.can(appointment.caseworker, access.Capability.EDIT_CASES, case.service_id):
        raise ValidationError({"caseworker": "Choose a caseworker of the case's service."})
    warnings = appointment_warnings(
        case.client,
        kind=appointment.kind,
        channel=appointment.channel,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        place=appointment.place,
    )
    appointment.warnings = " ".join(warnings)
    if not warnings:
        appointment.warnings_acknowledged = False
    elif not appointment.warnings_acknowledged:
        raise ValidationError({"warnings_acknowledged": f"{appointment.warnings} {ACKNOWLEDGE}"})


def _locked_case(case: Case) -> Case:
    return Case.objects.select_related("client").select_for_update(of=("self",)).get(pk=case.pk)


@transaction.atomic
def appointment_book(
    *, case: Case, actor: User, warnings_acknowledged: bool = False, form_token=None, **fields
) -> Appointment:
    _require_edit(actor, case)
    claim = claim_form_token(form_token, actor=actor)
    case = _locked_case(case)
    if case.is_closed:
        raise ValidationError("Appointments cannot be booked on a closed case.")
    fields.setdefault("caseworker", actor)
    appointment = Appointment(
        case=case, created_by=actor, warnings_acknowledged=warnings_acknowledged, **fields
    )
    _check(appointment, case)
    appointment.full_clean()
    appointment.save()
    return claim.record(appointment)


@transaction.atomic
def appointment_change(
    *,
    appointment: Appointment,
    actor: User,
    edit_state: EditState | None = None,
    warnings_acknowledged: bool = False,
    **fields,
) -> Appointment:
    """Changes an appointment, refusing to undo someone else's save (accounts.concurrency)."""
    _require_edit(actor, appointment.case)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    # Locked and re-read: the version check and the warnings need the row as it is now.
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.is_cancelled:
        raise ValidationError("This appointment was cancelled.")
    if appointment.case.is_closed:
        raise ValidationError("Appointments of a closed case cannot be changed.")
    check_edit(appointment, loaded=edit_state, submitted=fields)
    for name, value in fields.items():
        setattr(appointment, name, value)
    appointment.warnings_acknowledged = warnings_acknowledged
    _check(appointment, _locked_case(appointment.case))
    appointment.full_clean()
    next_version(appointment)
    appointment.save()
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, actor: User, reason: str) -> Appointment:
    _require_edit(actor, appointment.case)
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.is_cancelled:
        raise ValidationError("This appointment was already cancelled.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"cancellation_reason": "Say why it was cancelled."})
    appointment.cancelled_at = timezone.now()
    appointment.cancelled_by = actor
    appointment.cancellation_reason = reason
    next_version(appointment)
    appointment.save()
    return appointment
