"""Writes of court hearings. A hearing's answers pre-fill the justice forms (outcomes.suggestions)
but never change a form already started: the caseworker confirms them there."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.concurrency import EditState, check_edit, next_version
from accounts.idempotency import claim_form_token
from accounts.models import User
from cases.models import Case

from .models import CourtHearing
from .services_checks import require_edit

HEARING_FIELDS = (
    "court",
    "starts_at",
    "kind",
    "outcome",
    "order_status",
    "special_measures",
    "bail_conditions",
    "bail_ends_on",
)


def _jurisdiction_of(kind: str) -> str:
    if kind in CourtHearing.CRIMINAL_KINDS:
        return CourtHearing.Jurisdiction.CRIMINAL
    return CourtHearing.Jurisdiction.CIVIL


def _check(hearing: CourtHearing) -> None:
    """The jurisdiction follows from the kind of hearing; bail ends after the hearing."""
    hearing.jurisdiction = _jurisdiction_of(hearing.kind)
    if (
        hearing.bail_ends_on
        and hearing.starts_at
        and hearing.bail_ends_on < hearing.starts_at.date()
    ):
        raise ValidationError({"bail_ends_on": "Bail conditions end after the hearing sets them."})
    if hearing.bail_ends_on and not (hearing.bail_conditions or "").strip():
        raise ValidationError({"bail_conditions": "Say what the bail conditions are."})
    hearing.full_clean()


@transaction.atomic
def court_hearing_record(*, case: Case, actor: User, form_token=None, **fields) -> CourtHearing:
    require_edit(actor, case)
    claim = claim_form_token(form_token, actor=actor)
    unknown = set(fields) - set(HEARING_FIELDS)
    if unknown:
        raise TypeError(f"Unknown hearing fields: {sorted(unknown)}")
    hearing = CourtHearing(case=case, recorded_by=actor, **fields)
    _check(hearing)
    hearing.save()
    return claim.record(hearing)


@transaction.atomic
def court_hearing_change(
    *, hearing: CourtHearing, actor: User, edit_state: EditState | None = None, **fields
) -> CourtHearing:
    """Changes a hearing (its outcome, once known), refusing to undo someone else's save."""
    require_edit(actor, hearing.case)
    unknown = set(fields) - set(HEARING_FIELDS)
    if unknown:
        raise TypeError(f"Unknown hearing fields: {sorted(unknown)}")
    # Locked and re-read: the version check compares with the row as it is now.
    hearing = CourtHearing.objects.select_for_update().get(pk=hearing.pk)
    check_edit(hearing, loaded=edit_state, submitted=fields)
    for name, value in fields.items():
        setattr(hearing, name, value)
    _check(hearing)
    next_version(hearing)
    hearing.save()
    return hearing
