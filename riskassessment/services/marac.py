"""MARAC: referrals from cases (with the repeat rule), a partnership's meetings, the cases heard
there, their facts and outcomes, and the actions agreed."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.idempotency import claim_form_token
from accounts.models import Marac, User
from cases import services as case_services
from cases.models import Agency, Case, Client

from .. import selectors
from ..models import Assessment, MaracAction, MaracHearing, MaracMeeting, MaracReferral
from .assessments import require


@transaction.atomic
def marac_refer(
    *,
    case: Case,
    actor: User,
    referred_on: datetime.date,
    referring_agency: Agency,
    visible_high_risk: bool = False,
    professional_judgement: bool = False,
    potential_escalation: bool = False,
    assessment: Assessment | None = None,
    different_perpetrator: bool = False,
    notes: str = "",
    form_token=None,
) -> MaracReferral:
    """Refers a case to MARAC (once per form: a resent form refers nothing twice).

    1. The referral names at least one criterion, is not dated in the future, and follows a
       submitted assessment of the same case if it names one.
    2. Repeat (catalogue.marac.REPEAT_MARAC_DEFINITION): the client's latest referral in
       the 12 months before, from any case and any agency, is stored as `repeat_of`; the
       referral is a repeat unless the referrer records that this abuse is by a different
       perpetrator (a repeat is between the same victim and perpetrator).
    3. The case is marked as a MARAC case.
    """
    require(actor, access.Capability.EDIT_CASES, case.service_id)
    errors = {}
    if not (visible_high_risk or professional_judgement or potential_escalation):
        errors["visible_high_risk"] = "Tick at least one MARAC criterion met."
    if referred_on > timezone.localdate():
        errors["referred_on"] = "The referral date is in the future."
    if assessment is not None and (
        assessment.case_id != case.pk or assessment.status != Assessment.Status.SUBMITTED
    ):
        errors["assessment"] = "Choose a submitted assessment of this case."
    if errors:
        raise ValidationError(errors)
    # Lock the client: two referrals of the same client made at once must see each other.
    Client.objects.select_for_update().filter(pk=case.client_id).first()
    claim = claim_form_token(form_token, actor=actor)
    earlier = selectors.earlier_referral_within_window(
        client_id=case.client_id, on_date=referred_on
    )
    referral = MaracReferral(
        case=case,
        referred_on=referred_on,
        referring_agency=referring_agency,
        referred_by=actor,
        assessment=assessment,
        visible_high_risk=visible_high_risk,
        professional_judgement=professional_judgement,
        potential_escalation=potential_escalation,
        notes=notes,
        repeat_of=earlier,
        different_perpetrator=bool(different_perpetrator and earlier is not None),
        is_repeat=earlier is not None and not different_perpetrator,
    )
    referral.full_clean()
    referral.save()
    case_services.case_set_marac(case=case, is_marac=True)
    return claim.record(referral)


def _require_marac(actor: User, marac_id: int) -> None:
    if marac_id not in selectors.marac_ids_for(actor):
        raise PermissionDenied


@transaction.atomic
def marac_meeting_create(
    *, actor: User, marac: Marac, held_on: datetime.date, notes: str = ""
) -> MaracMeeting:
    _require_marac(actor, marac.pk)
    meeting = MaracMeeting(marac=marac, held_on=held_on, notes=notes, created_by=actor)
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def marac_hearing_add(
    *, meeting: MaracMeeting, referral: MaracReferral, actor: User
) -> MaracHearing:
    """Lists a referred case at a meeting of its service's MARAC.

    1. The hearing is a repeat when its referral was (see marac_refer).
    2. Its case facts for the partnership's counts start from the case record
       (selectors.hearing_facts_from_case); the coordinator corrects them with
       marac_hearing_record_facts.
    """
    _require_marac(actor, meeting.marac_id)
    if referral.case.service.marac_id != meeting.marac_id:
        raise ValidationError({"referral": "That case is not of this meeting's MARAC."})
    if meeting.held_on < referral.referred_on:
        raise ValidationError({"referral": "That case was referred after this meeting."})
    hearing = MaracHearing(
        case=referral.case,
        meeting=meeting,
        referral=referral,
        is_repeat=referral.is_repeat,
        **selectors.hearing_facts_from_case(referral.case, meeting.held_on),
    )
    hearing.full_clean()
    hearing.save()
    return hearing


@transaction.atomic
def marac_hearing_record_facts(*, hearing: MaracHearing, actor: User, **facts) -> MaracHearing:
    """The coordinator records the case facts as the meeting heard them (None: not known)."""
    _require_marac(actor, hearing.meeting.marac_id)
    unknown = set(facts) - set(MaracHearing.FACT_FIELDS)
    if unknown:
        raise ValueError(f"Not a hearing fact: {sorted(unknown)}")
    hearing = MaracHearing.objects.select_for_update().get(pk=hearing.pk)
    for name, value in facts.items():
        setattr(hearing, name, value)
    hearing.full_clean()
    hearing.save()
    return hearing


@transaction.atomic
def marac_hearing_record_outcome(
    *, hearing: MaracHearing, actor: User, outcome: str
) -> MaracHearing:
    """The outcome goes back to the case: it is shown on the case page, which is marked as a
    MARAC case."""
    _require_marac(actor, hearing.meeting.marac_id)
    hearing = MaracHearing.objects.select_for_update().get(pk=hearing.pk)
    if not outcome.strip():
        raise ValidationError({"outcome": "Write the outcome."})
    hearing.outcome = outcome.strip()
    hearing.outcome_recorded_at = timezone.now()
    hearing.full_clean()
    hearing.save()
    case_services.case_set_marac(case=hearing.case, is_marac=True)
    return hearing


@transaction.atomic
def marac_action_add(
    *,
    hearing: MaracHearing,
    actor: User,
    agency: Agency,
    action: str,
    owner: str,
    due_on: datetime.date | None = None,
) -> MaracAction:
    _require_marac(actor, hearing.meeting.marac_id)
    row = MaracAction(
        case=hearing.case, hearing=hearing, agency=agency, action=action, owner=owner, due_on=due_on
    )
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def marac_action_set_done(*, action: MaracAction, actor: User, done: bool) -> MaracAction:
    """The coordinator of the MARAC, or an editor of the case, marks an action done."""
    if not (
        action.hearing.meeting.marac_id in selectors.marac_ids_for(actor)
        or access.can(actor, access.Capability.EDIT_CASES, action.case.service_id)
    ):
        raise PermissionDenied
    action = MaracAction.objects.select_for_update().get(pk=action.pk)
    action.done = done
    action.done_on = timezone.localdate() if done else None
    action.full_clean()
    action.save()
    return action
