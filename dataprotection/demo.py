"""Demo data-protection work (synthetic people only), each seeder idempotent.

- Records past their retention date, so that the retention review and `retention_run --dry-run`
  show something on a fresh demo: in the first demo service, two clients whose cases closed
  seven years ago, one of them on legal hold, and a referral declined two months ago that never
  became a case. A service with a case closed more than six years ago is left alone.
- In each demo service, a correction request waiting for its answer and an open case kept on
  legal hold, so the dashboard's reminder, the case page's panel and the pages behind them have
  something to show. A service with a correction request already is left alone.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.models import Membership, Role
from cases import services as case_services
from cases.models import Case, ClosureRequest
from referrals import services as referral_services
from referrals.models import Referral, ReferralRoute

from .models import LegalHold, RectificationRequest
from .services import legal_hold_place, rectification_record

PEOPLE = [
    ("Orla", "Penrose", datetime.date(1971, 5, 14)),
    ("Mina", "Haworth", datetime.date(1984, 9, 14)),
    ("Iris", "Calloway", datetime.date(1990, 2, 14)),
]


def _years_ago(today: datetime.date, years: int, days: int = 0) -> datetime.date:
    return today.replace(year=today.year - years, day=min(today.day, 28)) - datetime.timedelta(
        days=days
    )


def _moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(11)))


def _referral(service, actor, person, received: datetime.datetime) -> Referral:
    first_name, last_name, born = person
    route = ReferralRoute.objects.offered_to(service).first()
    return referral_services.referral_file(
        service=service,
        actor=actor,
        client_fields={"first_name": first_name, "last_name": last_name, "date_of_birth": born},
        received_at=received,
        route=route,
        reason="Synthetic demo referral.",
        consent_to_referral="Yes",
    )


def _closed_long_ago(service, actor, signer, person, today) -> Case:
    opened = _years_ago(today, 7, days=200)
    referral = _referral(service, actor, person, _moment(opened))
    referral = referral_services.referral_triage(
        referral=referral,
        actor=actor,
        outcome=Referral.Triage.ACCEPTED,
        caseworker=actor,
        opened_on=opened,
    )
    case = referral.case
    for weeks in (1, 4, 9):
        case_services.contact_log(
            case=case,
            actor=actor,
            occurred_at=_moment(opened + datetime.timedelta(weeks=weeks)),
            contact_type="face_to_face",
            with_client=True,
            outcome="successful",
            duration_minutes=45,
        )
    result = case_services.case_close(
        case=Case.objects.get(pk=case.pk),
        actor=actor,
        closed_on=opened + datetime.timedelta(weeks=12),
        closure_type="Planned closure",
        gaps_checked=True,
    )
    if isinstance(result, ClosureRequest) and signer is not None:
        case_services.closure_decide(request=result, actor=signer, approve=True, gaps_checked=True)
    return Case.objects.get(pk=case.pk)


@transaction.atomic
def seed_demo_retention(*, services, stdout):
    service = next(iter(services.values()), None)
    if service is None:
        return
    today = timezone.localdate()
    if Case.objects.filter(service=service, closed_on__lt=_years_ago(today, 6)).exists():
        return
    caseworker = access.users_with(access.Capability.EDIT_CASES, service).first()
    # A team leader: signs the closures off and places the hold.
    leader = (
        access.users_with(access.Capability.SIGN_OFF_CLOSURES, service)
        .exclude(pk=getattr(caseworker, "pk", None))
        .first()
    )
    if caseworker is None or leader is None:
        return
    _closed_long_ago(service, caseworker, leader, PEOPLE[0], today)
    held = _closed_long_ago(service, caseworker, leader, PEOPLE[1], today)
    legal_hold_place(
        actor=leader,
        case=held,
        reason=LegalHold.Reason.COMPLAINT,
        reason_note="Synthetic demo hold: a complaint about the service is being reviewed.",
    )
    # Declined two months ago: six weeks after triage it is due. The triage time is the demo's
    # clock, set after the fact (the service stamps "now").
    received = timezone.now() - datetime.timedelta(days=62)
    referral = _referral(service, caseworker, PEOPLE[2], received)
    referral = referral_services.referral_triage(
        referral=referral, actor=caseworker, outcome=Referral.Triage.DECLINED
    )
    referral.triaged_at = received + datetime.timedelta(days=2)
    referral.save(update_fields=["triaged_at", "updated_at"])
    stdout.write(f"  demo records past their retention date for {service.name}")


def seed_demo_data_rights(*, services, stdout=None) -> None:
    today = timezone.localdate()
    added = 0
    for service in services.values():
        if RectificationRequest.objects.filter(case__service=service).exists():
            continue
        leader = (
            Membership.objects.filter(service=service, role=Role.TEAM_LEADER)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        cases = list(
            Case.objects.filter(service=service, status=Case.Status.OPEN, caseworker__isnull=False)
            .select_related("caseworker")
            .order_by("pk")[:2]
        )
        if leader is None or len(cases) < 2:
            continue
        first, second = cases
        rectification_record(
            actor=first.caseworker,
            case=first,
            received_on=today - datetime.timedelta(days=12),
            requested=(
                "The client says the date her partner moved out is wrong on the intake form, "
                "and asks for her previous address to be removed."
            ),
        )
        if not LegalHold.objects.filter(case=second, lifted_on__isnull=True).exists():
            legal_hold_place(
                actor=leader.user,
                case=second,
                reason=LegalHold.Reason.COURT,
                reason_note="Trial listed at the Crown Court: the file may be needed as evidence.",
                placed_on=today - datetime.timedelta(days=30),
            )
        added += 1
    if stdout is not None:
        stdout.write(f"Data rights: a correction request and a legal hold in {added} service(s).")
