"""Synthetic referrals and cases for the demo (never real people).

Made-up names from short lists, a fixed random seed per service, and the Insights proportions
for routes, so the demo's tables look like a real service's. Idempotent: a service that already
has referrals is left alone.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.models import Team
from cases import services as case_services
from cases.models import Case, ChildInCase, ClosureRequest, Contact, Option, Perpetrator
from catalogue import insights

from . import services
from .models import Referral, ReferralRoute

FIRST_NAMES = [
    "Amara", "Beth", "Chloe", "Dana", "Eilidh", "Fatima", "Grace", "Hana", "Imogen", "Jas",
    "Kerry", "Leah", "Maya", "Nadia", "Olivia", "Priya", "Rosa", "Sian", "Tara", "Una",
    "Vicky", "Wendy", "Yasmin", "Zara", "Aled", "Ben", "Callum",
]  # fmt: skip
LAST_NAMES = [
    "Ashdown", "Brook", "Carver", "Dunmore", "Ellery", "Fenwick", "Garside", "Holt", "Ives",
    "Jessop", "Kettle", "Lowry", "Marsh", "Nettle", "Orme", "Pryce", "Quayle", "Rudd", "Stott",
    "Tandy", "Upton", "Vance", "Wray", "Yardley",
]  # fmt: skip
CASES_PER_SERVICE = 24


def _weighted(rng, table_key):
    table = insights.TABLES_BY_KEY[table_key]
    weights = [count or 1 for count in table.seed_counts] or None
    return rng.choices(table.options, weights=weights, k=1)[0]


def _options(rng, list_key, count):
    """`count` different options of a lookup list, drawn in the seed's proportions."""
    table = insights.TABLES_BY_KEY[list_key]
    by_label = {option.label: option for option in Option.objects.of(list_key)}
    labels = [label for label in table.options if label in by_label]
    weights = [
        count or 1
        for label, count in zip(table.options, table.seed_counts, strict=False)
        if label in by_label
    ]
    chosen = set()
    while labels and len(chosen) < min(count, len(labels)):
        chosen.add(rng.choices(labels, weights=weights or None, k=1)[0])
    return [by_label[label] for label in sorted(chosen)]


@transaction.atomic
def seed_referrals_and_cases(*, services, stdout):
    for code, service in services.items():
        if Referral.objects.filter(service=service).exists():
            continue
        _seed_service(service, random.Random(f"lantern-demo-{code}"))  # noqa: S311 - demo data
        stdout.write(f"  demo referrals and cases for {service.name}")


def _seed_service(service, rng):
    caseworkers = list(access.users_with(access.Capability.EDIT_CASES, service))
    if not caseworkers:
        return
    actor = caseworkers[0]
    teams = list(Team.objects.filter(service=service))
    routes = {route.name: route for route in ReferralRoute.objects.offered_to(service)}
    now = timezone.now()
    for number in range(CASES_PER_SERVICE):
        received = now - datetime.timedelta(days=rng.randint(5, 400), hours=rng.randint(0, 9))
        route_name = _weighted(rng, "referral_route")
        client_fields = {
            "first_name": rng.choice(FIRST_NAMES),
            "last_name": rng.choice(LAST_NAMES),
            "date_of_birth": datetime.date(rng.randint(1960, 2004), rng.randint(1, 12), 14),
            "safe_phone": f"07700 9{rng.randint(10000, 99999)}",
            "safe_to_call": rng.choice(["yes", "yes", "no", "unknown"]),
            "safe_to_leave_voicemail": rng.choice(["no", "no", "yes"]),
            "safe_to_text": rng.choice(["yes", "no"]),
            "safe_times": rng.choice(["Weekdays 10:00-14:00", "Mornings only", ""]),
            "code_word": rng.choice(["", "Is that the dentist?", "Wrong number"]),
            "sex_at_birth": _weighted(rng, "client_sex_at_birth"),
            "ethnicity": _weighted(rng, "client_ethnicity"),
            "sexual_orientation": _weighted(rng, "client_sexual_orientation"),
            # "Not sex assigned at birth" is a question of its own on the client record.
            "gender_identity": rng.choices(["Female", "Male", "Not disclosed"], [95, 4, 1])[0],
            "financial_situation": _weighted(rng, "client_financial_situation"),
            "pregnant": rng.choices(["Yes", "No", ""], weights=[6, 84, 10])[0],
            "disability": rng.choices(["Yes", "No", "Don't know", ""], weights=[18, 70, 4, 8])[0],
        }
        referral = services.referral_file(
            service=service,
            actor=actor,
            client_fields=client_fields,
            received_at=received,
            route=routes.get(route_name) or next(iter(routes.values())),
            reason="Synthetic demo referral.",
            consent_to_referral="Yes",
        )
        attempt = received + datetime.timedelta(hours=rng.randint(1, 30))
        services.referral_record_contact(
            referral=referral, actor=actor, at=min(attempt, now), successful=True
        )
        outcome = rng.choices(
            [
                Referral.Triage.ACCEPTED,
                Referral.Triage.MADE_AWARE,
                Referral.Triage.DECLINED,
                Referral.Triage.UNABLE_TO_CONTACT,
                Referral.Triage.PENDING,
            ],
            weights=[70, 8, 6, 6, 10],
        )[0]
        if outcome == Referral.Triage.PENDING or referral.under_16_flag:
            continue
        caseworker = caseworkers[number % len(caseworkers)]
        referral = services.referral_triage(
            referral=referral,
            actor=actor,
            outcome=outcome,
            caseworker=caseworker if outcome == Referral.Triage.ACCEPTED else None,
            team=rng.choice(teams) if teams and outcome == Referral.Triage.ACCEPTED else None,
            opened_on=timezone.localtime(attempt).date(),
        )
        if referral.case is not None:
            _fill_case(referral.case, caseworker, rng, now)


def _fill_case(case, caseworker, rng, now):
    Perpetrator.objects.create(
        case=case,
        is_primary=True,
        relationship=_weighted(rng, "primary_perpetrator_relationship"),
        sex_at_birth=_weighted(rng, "perpetrator_sex_at_birth"),
    )
    client = case.client
    client.employment.set(_options(rng, "client_employment", 1))
    if client.disability == "Yes":
        client.disability_types.set(_options(rng, "client_disability_type", rng.randint(1, 2)))
    for _ in range(rng.choice([0, 0, 1, 2, 3])):
        child = ChildInCase.objects.create(
            case=case, age_years=rng.randint(0, 17), lives_with="client"
        )
        child.cyps_involvement.set(_options(rng, "cyps_involvement_intake", 1))
    start = datetime.datetime.combine(case.opened_on, datetime.time(10), tzinfo=datetime.UTC)
    for index in range(rng.randint(1, 14)):
        at = start + datetime.timedelta(days=index * rng.randint(2, 9), hours=rng.randint(0, 6))
        if at >= now:
            break
        outcome = rng.choice(["successful", "successful", "successful", "attempted"])
        contact_type = rng.choice(list(Contact.ContactType.values))
        with_client = rng.random() < 0.8
        # A way the client marked unsafe: now and then the caseworker confirms it was safe
        # that time (as the service requires); otherwise they met her instead.
        unsafe = case_services.contact_channel_warnings(
            client, contact_type=contact_type, with_client=with_client, outcome=outcome
        )
        confirmed = bool(unsafe) and rng.random() < 0.3
        if unsafe and not confirmed:
            contact_type = Contact.ContactType.FACE_TO_FACE
        case_services.contact_log(
            case=case,
            actor=caseworker,
            occurred_at=at,
            contact_type=contact_type,
            with_client=with_client,
            outcome=outcome,
            duration_minutes=rng.choice([10, 20, 30, 45, 60]),
            is_significant=outcome == "successful" and rng.random() < 0.55,
            unsafe_channel_confirmed=confirmed,
            unsafe_channel_reason=(
                "She rang from a safe phone and asked us to reply this way." if confirmed else ""
            ),
        )
    age_days = (now.date() - case.opened_on).days
    if age_days > 100 and rng.random() < 0.6:
        closed_on = case.opened_on + datetime.timedelta(days=rng.randint(60, min(age_days, 200)))
        planned = rng.random() < 0.7
        _close(
            case,
            caseworker,
            closed_on=min(closed_on, now.date()),
            closure_type="Planned closure" if planned else "Unplanned closure",
            unplanned_closure_reason="" if planned else _weighted(rng, "unplanned_closure_reason"),
        )


def _close(case, caseworker, **closure):
    """Closes a demo case the way the rules say (issue 18, item 2): the caseworker asks, having
    checked what is missing, and a team leader of the service signs it off. A service with no
    other team leader keeps the request waiting, as it would."""
    result = case_services.case_close(
        case=Case.objects.get(pk=case.pk), actor=caseworker, gaps_checked=True, **closure
    )
    if not isinstance(result, ClosureRequest):
        return
    signer = (
        access.users_with(access.Capability.SIGN_OFF_CLOSURES, case.service)
        .exclude(pk=caseworker.pk)
        .first()
    )
    if signer is not None:
        case_services.closure_decide(request=result, actor=signer, approve=True, gaps_checked=True)
