"""Issue 18, item 7: duplicate clients are found, linked, dismissed or merged; search finds
referrals, aliases and misspelt names through an index. Item 9: search shows the last contact."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audited_bulk_write
from accounts.models import AuditEvent, Role
from cases import matching, selectors
from cases import services as case_services
from cases.models import Client, ClientAlias, ClientMatchDismissal
from referrals import services as referral_services
from referrals.models import Referral, ReferralRoute
from tests.factories import CaseFactory, ClientFactory, ContactFactory, MembershipFactory

pytestmark = pytest.mark.django_db

ROSA_BORN = datetime.date(1988, 4, 12)


@pytest.fixture
def rosa(service):
    """The client already known: Rosa Ashdown, with a case in the service."""
    client = ClientFactory(
        service=service,
        first_name="Rosa",
        last_name="Ashdown",
        date_of_birth=ROSA_BORN,
        safe_phone="07700 900 321",
        postcode="BS1 4DJ",
    )
    CaseFactory(service=service, client=client)
    return client


@pytest.fixture
def strangers(service):
    """Other clients of the provider who are not Rosa."""
    return [
        ClientFactory(service=service, first_name="Maya", last_name="Patel"),
        ClientFactory(service=service, first_name="Rosa", last_name="Quince"),
        ClientFactory(service=service, first_name="Dana", last_name="Ashworth-Lee"),
    ]


def check(user, service, **typed):
    return selectors.client_matches_for(user, provider=service.provider, **typed)


# --- Matching: the three failures --------------------------------------------------------


def test_a_misspelt_surname_finds_the_known_client(service, caseworker, rosa, strangers):
    matches = check(caseworker, service, first_name="Rosa", last_name="Ashdon")
    assert matches.shown[0] == rosa
    assert "Similar name" in matches.shown[0].match_reasons
    assert strangers[0] not in matches.shown


def test_another_form_of_the_first_name_with_the_same_birth_date_finds_her(
    service, caseworker, rosa, strangers
):
    matches = check(
        caseworker, service, first_name="Rosie", last_name="Ashdown", date_of_birth=ROSA_BORN
    )
    assert matches.shown[0] == rosa
    assert matches.shown[0].match_reasons == ["Similar name", "same date of birth"]
    without_birth_date = check(caseworker, service, first_name="Rosie", last_name="Ashdown")
    assert matches.shown[0].match_score > without_birth_date.shown[0].match_score


def test_the_same_name_without_a_birth_date_finds_her(service, caseworker, rosa, strangers):
    matches = check(caseworker, service, first_name="Rosa", last_name="Ashdown")
    assert matches.shown == [rosa]
    assert matches.shown[0].match_reasons == ["Same name"]


def test_matches_are_ranked_and_say_what_matched(service, caseworker, rosa):
    cousin = ClientFactory(
        service=service, first_name="Rosa", last_name="Ashdowne", date_of_birth=None
    )
    CaseFactory(service=service, client=cousin)
    matches = check(
        caseworker,
        service,
        first_name="Rosa",
        last_name="Ashdown",
        date_of_birth=ROSA_BORN,
        phone="+44 7700 900321",
        postcode="bs14dj",
    )
    assert matches.shown == [rosa, cousin]
    assert matches.shown[0].match_reasons == [
        "Same name",
        "same date of birth",
        "same phone number",
        "same postcode",
    ]
    assert matches.shown[0].match_score == 100
    assert matches.shown[1].match_score < matches.shown[0].match_score


def test_an_alias_is_matched(service, caseworker, rosa):
    case_services.client_alias_add(client=rosa, actor=caseworker, name="Rosa Kellaway")
    matches = check(caseworker, service, first_name="Rosa", last_name="Kelaway")
    assert matches.shown == [rosa]
    assert matches.shown[0].match_reasons[0] == "Similar name (known as Rosa Kellaway)"


def test_a_different_birth_date_needs_the_same_name(service, caseworker, rosa):
    other_day = datetime.date(1990, 1, 1)
    assert not check(
        caseworker, service, first_name="Rosie", last_name="Ashdon", date_of_birth=other_day
    )
    same_name = check(
        caseworker, service, first_name="Rosa", last_name="Ashdown", date_of_birth=other_day
    )
    assert same_name.shown == [rosa]
    assert "different date of birth" in same_name.shown[0].match_reasons


def test_a_match_in_another_service_is_withheld_and_every_disclosure_audited(
    service, other_service, caseworker, outsider, rosa
):
    other_service.provider = service.provider
    other_service.save()
    shown = check(caseworker, service, first_name="Rosa", last_name="Ashdon")
    assert shown.shown == [rosa]
    withheld = check(outsider, other_service, first_name="Rosa", last_name="Ashdon")
    assert withheld.shown == [] and withheld.withheld
    events = AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH, object_type="cases.case")
    assert sorted(e.detail["duplicate_check"] for e in events) == ["shown", "withheld"]


def test_a_restricted_case_is_matched_only_for_the_named_users(service, caseworker, rosa):
    case = rosa.cases.get()
    colleague = MembershipFactory(service=service, role=Role.CASEWORKER).user
    case.is_restricted = True
    case.save()
    case.restricted_to.add(caseworker)
    assert check(caseworker, service, first_name="Rosa", last_name="Ashdon").shown == [rosa]
    hidden = check(colleague, service, first_name="Rosa", last_name="Ashdon")
    assert hidden.shown == [] and hidden.withheld


def test_another_provider_is_never_matched(service, other_service, outsider, rosa):
    assert not check(outsider, other_service, first_name="Rosa", last_name="Ashdown")


# --- The fallback scorer (SQLite) --------------------------------------------------------------


def test_the_python_trigrams_agree_with_pg_trgm():
    pairs = [
        ("Rosa Ashdon", "Rosa Ashdown"),
        ("Rosie Ashdown", "Rosa Ashdown"),
        ("Ellis", "Ro Ellis"),
        ("Maya Patel", "Rosa Ashdown"),
    ]
    with connection.cursor() as cursor:
        for a, b in pairs:
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
            assert matching.similarity(a, b) == pytest.approx(cursor.fetchone()[0], abs=1e-6)


def test_the_fallback_scorer_on_its_own():
    class Row:
        first_name, last_name, preferred_name = "Rosa", "Ashdown", ""
        date_of_birth = ROSA_BORN
        safe_phone, safe_phone_alternative, postcode = "07700 900321", "", "BS1 4DJ"

    def facts(**typed):
        return matching.facts_for(matching.Typed(**typed), Row, [])

    misspelt = facts(first_name="Rosa", last_name="Ashdon")
    assert matching.is_possible_match(misspelt)
    assert misspelt.reasons == ["Similar name"]
    rosie = facts(first_name="Rosie", last_name="Ashdown", date_of_birth=ROSA_BORN)
    assert matching.is_possible_match(rosie)
    assert matching.match_score(rosie) > matching.match_score(misspelt)
    assert not matching.is_possible_match(facts(first_name="Maya", last_name="Patel"))
    by_phone = facts(first_name="M", last_name="P", phone="+447700900321")
    assert matching.is_possible_match(by_phone) and by_phone.reasons == ["same phone number"]
    assert matching.normalise_postcode(" bs14dj ") == "BS1 4DJ"


def test_matching_on_sqlite_uses_the_fallback(service, caseworker, rosa, monkeypatch):
    monkeypatch.setattr(matching, "on_postgresql", lambda: False)
    matches = check(
        caseworker, service, first_name="Rosie", last_name="Ashdown", date_of_birth=ROSA_BORN
    )
    assert matches.shown == [rosa]
    assert [c.pk for c in selectors.case_search(caseworker, "Ashdon")] == [rosa.cases.get().pk]


# --- Referrals: link, or "not the same person" ---------------------------------------------------


def referral_form(**client):
    return {
        "client-first_name": "Rosa",
        "client-last_name": "Ashdon",
        "client-safe_to_call": "unknown",
        "client-safe_to_leave_voicemail": "unknown",
        "client-safe_to_text": "unknown",
        "referral-received_at": "2026-01-05T10:00",
        "referral-route": ReferralRoute.objects.get(name="Police").pk,
        **client,
    }


def test_a_referral_for_a_misspelt_name_shows_the_match_and_links_it(client_for, caseworker, rosa):
    browser = client_for(caseworker)
    response = browser.post(reverse("referrals:referral_new"), referral_form())
    page = response.content.decode()
    assert "may already be known" in page and "Similar name" in page
    assert not Referral.objects.exists()
    response = browser.post(reverse("referrals:referral_new"), referral_form(match=rosa.pk))
    assert response.status_code == 302
    assert Referral.objects.get().client == rosa
    assert Client.objects.count() == 1


def test_not_the_same_person_is_recorded_and_not_offered_again(client_for, caseworker, rosa):
    browser = client_for(caseworker)
    response = browser.post(reverse("referrals:referral_new"), referral_form(match="new"))
    assert response.status_code == 302
    new_client = Referral.objects.get().client
    assert new_client != rosa
    dismissal = ClientMatchDismissal.objects.get()
    assert {dismissal.client_id, dismissal.other_id} == {rosa.pk, new_client.pk}
    assert dismissal.dismissed_by == caseworker
    assert not selectors.client_duplicates_of(caseworker, new_client)
    assert not selectors.client_duplicates_of(caseworker, rosa)


def test_the_client_page_check_dismisses_a_pair(client_for, service, caseworker, rosa):
    twin = ClientFactory(
        service=service, first_name="Rosa", last_name="Ashdon", date_of_birth=None
    )
    CaseFactory(service=service, client=twin)
    browser = client_for(caseworker)
    page = browser.get(reverse("cases:client_duplicates", args=[twin.pk])).content.decode()
    assert "Same name" in page or "Similar name" in page
    response = browser.post(
        reverse("cases:client_not_duplicate", args=[twin.pk, rosa.pk]),
        {"note": "Different person: checked with the referrer"},
    )
    assert response.status_code == 302
    assert ClientMatchDismissal.objects.get().note.startswith("Different person")
    assert not selectors.client_duplicates_of(caseworker, twin)


# --- Search --------------------------------------------------------------------------------------


def test_search_finds_misspelt_names_aliases_and_referrals(service, caseworker, rosa):
    case = rosa.cases.get()
    case_services.client_alias_add(client=rosa, actor=caseworker, name="Ro Kellaway")
    for query in ("Ashdon", "rosie ashdown", "Kellaway", "Kelaway", case.reference.lower()):
        assert list(selectors.case_search(caseworker, query)) == [case], query

    referral = referral_services.referral_file(
        service=service,
        actor=caseworker,
        client_fields={"first_name": "Nadia", "last_name": "Verrall"},
        received_at=timezone.now() - datetime.timedelta(hours=2),
        route=ReferralRoute.objects.get(name="Police"),
    )
    for query in ("Nadia Veral", referral.reference):
        results = selectors.search_results(caseworker, query, service=service)
        assert [hit.reference for hit in results.others] == [referral.reference], query
    accepted = referral_services.referral_triage(
        referral=referral, actor=caseworker, outcome=Referral.Triage.ACCEPTED
    )
    results = selectors.search_results(caseworker, referral.reference, service=service)
    assert results.cases == [accepted.case] and results.others == []


def many_clients(service, actor, count):
    """`count` synthetic clients with made-up names, inserted in bulk (audited)."""
    syllables = ["ka", "lo", "mi", "ren", "sa", "tor", "vel", "bri", "dun", "fen", "gal", "hob"]
    rows = [
        Client(
            provider_id=service.provider_id,
            service=service,
            first_name=(syllables[n % 12] + syllables[(n // 12) % 12]).title(),
            last_name=(syllables[(n // 7) % 12] + syllables[n % 11] + syllables[n % 5]).title(),
        )
        for n in range(count)
    ]
    with audited_bulk_write(actor=actor, description="test clients", service=service):
        Client.objects.bulk_create(rows)
        ClientAlias.objects.bulk_create(
            [ClientAlias(client=row, name=f"{row.last_name} {row.first_name}") for row in rows]
        )


def test_search_by_name_is_served_by_the_trigram_indexes(service, caseworker, rosa):
    """With a realistic number of clients the planner serves a name search from the trigram
    indexes, not a scan of every client (as the old UPPER(last_name) LIKE '%...%' did)."""
    many_clients(service, caseworker, 30000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_client")
        cursor.execute("ANALYZE cases_clientalias")
    by_name, by_alias = selectors._name_queries([service.provider_id], "Rosie Ashdon")
    plans = {"names": by_name.explain(), "aliases": by_alias.explain()}
    assert "client_first_name_trgm" in plans["names"], plans["names"]
    assert "client_last_name_trgm" in plans["names"], plans["names"]
    assert "clientalias_name_trgm" in plans["aliases"], plans["aliases"]
    for plan in plans.values():
        assert "Seq Scan on cases_client " not in plan, plan
        assert "Seq Scan on cases_clientalias" not in plan, plan
    assert [case.client for case in selectors.case_search(caseworker, "Rosie Ashdon")] == [rosa]


def test_search_shows_each_cases_real_last_contact(client_for, service, caseworker, rosa):
    case = rosa.cases.get()
    quiet = CaseFactory(service=service, client=ClientFactory(service=service, last_name="Ashdown"))
    ContactFactory(
        case=case,
        outcome="successful",
        occurred_at=timezone.now() - datetime.timedelta(days=3),
    )
    results = selectors.search_results(caseworker, "Ashdown", service=service)
    last = {found.pk: found.last_contact_at for found in results.cases}
    assert last[case.pk] is not None and last[quiet.pk] is None
    page = client_for(caseworker).post(reverse("cases:case_search"), {"query": "Ashdown"})
    html = page.content.decode()
    assert "3\xa0days ago" in html and html.count("None yet") == 1


def test_search_is_audited_without_what_was_typed(service, caseworker, rosa):
    selectors.search_results(caseworker, "Rosa Ashdon", service=service)
    event = AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH).latest("pk")
    assert event.detail == {"kind": "name", "results": 1}
