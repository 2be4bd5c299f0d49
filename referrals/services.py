"""Writes for referrals: routes, filing, duplicate matching and triage."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.idempotency import claim_form_token
from accounts.models import Service, User
from cases import selectors as case_selectors
from cases import services as case_services
from cases import services_duplicates
from cases.models import Case, Client
from catalogue import insights

from .models import Referral, ReferralCounter, ReferralRoute

ROUTE_GROUPS = {
    "Police": "Criminal justice",
    "Marac": "Multi-agency",
    "MASH": "Multi-agency",
    "Domestic Violence Court": "Criminal justice",
    "Probation": "Criminal justice",
    "CRC": "Criminal justice",
    "Health": "Health",
    "Hospital - Emergency department": "Health",
    "Hospital - Maternity": "Health",
    "Community health": "Health",
    "Mental health": "Health",
    "Drug services": "Health",
    "Alcohol services": "Health",
    "Children's social services": "Social care",
    "Adult's social services": "Social care",
    "Housing": "Housing",
    "Education": "Education",
    "Refuge": "Specialist domestic abuse",
    "Outreach": "Specialist domestic abuse",
    "DVA & SV services (internal)": "Specialist domestic abuse",
    "DVA & SV services (external)": "Specialist domestic abuse",
    "Helpline": "Specialist domestic abuse",
    "Specialist services": "Specialist domestic abuse",
    "Self": "Self",
    "Other": "Other",
}


@transaction.atomic
def sync_builtin_routes() -> None:
    """Creates the Insights referral routes once, as the national list: superusers then rename,
    regroup, reorder or retire them, and a provider's admins withdraw them from their services
    (a route offered by no service in particular is offered by all, so a new service starts
    with the whole list)."""
    existing = set(ReferralRoute.objects.filter(provider=None).values_list("name", flat=True))
    for position, name in enumerate(insights.TABLES_BY_KEY["referral_route"].options):
        if name not in existing:
            ReferralRoute.objects.create(
                name=name,
                group=ROUTE_GROUPS.get(name, ""),
                position=(position + 1) * 10,
                is_builtin=True,
            )


def next_referral_reference(service, year: int) -> str:
    # Locked so that two referrals filed at the same moment never share a number.
    return reserve_referral_references(service, year, 1)[0]


def reserve_referral_references(service, year: int, count: int) -> list[str]:
    """The next `count` referral references of the service's year, taken at once (a bulk
    import): one locked increment of the counter instead of one per referral."""
    ReferralCounter.objects.get_or_create(service=service, year=year)
    counter = ReferralCounter.objects.select_for_update().get(service=service, year=year)
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    return [f"R{service.code}-{year}-{number:05d}" for number in range(first, first + count)]


def age_on(born: datetime.date | None, on: datetime.date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@transaction.atomic
def referral_file(
    *,
    service: Service,
    actor: User,
    client: Client | None = None,
    client_fields: dict | None = None,
    not_same_as=(),
    form_token=None,
    **fields,
) -> Referral:
    """Files a referral for an existing client (a confirmed duplicate match) or a new one.

    1. Check the actor may edit cases in the service and the route is offered to it; claim the
       form's one-time token (the same form posted twice files one referral).
    2. Link the existing client (only one the actor may already see), or create the client
       from what the referrer knows; the possible matches the caseworker said are someone
       else (`not_same_as`) are recorded as such, and not offered again.
    3. Work out the referral status: continuing case (transfer between teams), repeat to
       service (an earlier closed case here), or new client.
    4. Flag anyone under 16: the Domestic Abuse Act 2021 covers people aged 16 and over, so the
       referral waits for young people's safeguarding instead of being accepted.
    """
    if not access.can(actor, access.Capability.EDIT_CASES, service.pk):
        raise PermissionDenied
    route = fields.get("route")
    if (
        route is not None
        and not ReferralRoute.objects.offered_to(service).filter(pk=route.pk).exists()
    ):
        raise ValidationError({"route": "This referral route is not offered by the service."})
    claim = claim_form_token(form_token, actor=actor)
    if client is None:
        client = case_services.client_create(service=service, actor=actor, **(client_fields or {}))
        for other in not_same_as:
            services_duplicates.client_match_dismiss(
                client=client, other=other, actor=actor, note="Not the same person (new referral)"
            )
    elif not case_selectors.clients_visible_to(actor).filter(pk=client.pk).exists():
        # Linking would open a case on this client's shared record: only a client the actor
        # may already see (which also keeps it within the provider) is linked.
        raise ValidationError(
            {"client": "Choose one of the records shown, or file the referral for a new client."}
        )

    received_at = fields["received_at"]
    if fields.get("is_transfer"):
        status = Case.ReferralStatus.CONTINUING
    elif Case.objects.filter(client=client, service=service, status=Case.Status.CLOSED).exists():
        status = Case.ReferralStatus.REPEAT
    else:
        status = Case.ReferralStatus.NEW_CLIENT
    age = age_on(client.date_of_birth, timezone.localtime(received_at).date())
    referral = Referral(
        service=service,
        reference=next_referral_reference(service, received_at.year),
        client=client,
        referral_status=status,
        under_16_flag=age is not None and age < 16,
        recorded_by=actor,
        **fields,
    )
    referral.full_clean()
    referral.save()
    return claim.record(referral)


@transaction.atomic
def referral_record_contact(*, referral: Referral, actor: User, at, successful: bool) -> Referral:
    """Records the first attempt to reach the client, and the first successful contact."""
    if not access.can(actor, access.Capability.EDIT_CASES, referral.service_id):
        raise PermissionDenied
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if at < referral.received_at:
        raise ValidationError({"at": "This is before the referral was received."})
    if at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"at": "This is in the future."})
    if referral.first_contact_attempt_at is None or at < referral.first_contact_attempt_at:
        referral.first_contact_attempt_at = at
    if successful and (referral.first_contact_at is None or at < referral.first_contact_at):
        referral.first_contact_at = at
    referral.save()
    return referral


@transaction.atomic
def referral_triage(
    *,
    referral: Referral,
    actor: User,
    outcome: str,
    note: str = "",
    signposted_to=None,
    team=None,
    caseworker=None,
    opened_on: datetime.date | None = None,
) -> Referral:
    """Records the triage decision; accepting opens the case through the cases services."""
    if not access.can(actor, access.Capability.EDIT_CASES, referral.service_id):
        raise PermissionDenied
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.triage not in (Referral.Triage.PENDING, Referral.Triage.MADE_AWARE):
        raise ValidationError("This referral has already been triaged.")
    if outcome == Referral.Triage.PENDING:
        raise ValidationError({"outcome": "Choose a triage outcome."})
    if outcome == Referral.Triage.ACCEPTED and referral.under_16_flag:
        raise ValidationError(
            {
                "outcome": "The client is under 16: route the referral to young people's "
                "safeguarding instead of accepting it."
            }
        )
    if outcome == Referral.Triage.SIGNPOSTED and signposted_to is None:
        raise ValidationError({"signposted_to": "Say where the client was signposted."})
    referral.triage = outcome
    referral.triage_note = note
    referral.signposted_to = signposted_to
    referral.triaged_at = timezone.now()
    referral.triaged_by = actor
    if outcome == Referral.Triage.ACCEPTED:
        referral.case = case_services.case_open(
            client=referral.client,
            service=referral.service,
            actor=actor,
            opened_on=opened_on or timezone.localdate(),
            team=team,
            caseworker=caseworker,
            referral_status=referral.referral_status,
        )
    referral.full_clean()
    referral.save()
    return referral


def referrals_move_on_client_merge(keep: Client, merged_away: Client, actor: User) -> int:
    """The merge step of cases.services_duplicates.client_merge: the merged-away record's
    referrals move to the kept record, one row at a time (audited)."""
    moved = 0
    for referral in Referral.objects.select_for_update().filter(client=merged_away).order_by("pk"):
        referral.client = keep
        referral.save(update_fields=["client", "updated_at"])
        moved += 1
    return moved
