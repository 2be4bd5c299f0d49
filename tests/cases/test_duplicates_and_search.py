"""Issue 18, item 7: duplicate clients are found, linked, dismissed or merged; search finds
referrals, aliases and misspelt names through an index. Item 9: search shows the last contact."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audited_bulk_write
from accounts.models import AuditEvent, Role
from cases import matching, selectors
from cases import services as case_services
from cases import services_duplicates as merge_services
from cases.models import Client, ClientAlias, ClientMatchDismissal, ConsentRecord
from referrals import services as referral_services
from referrals.models import Referral, ReferralRoute
from tests.factories import (
    CaseFactory,
    ClientFactory,
    ConsentRecordFactory,
    ContactFactory,
    MembershipFactory,
)

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
    case_services.client_alias_add(client=rosa, actor=caseworker, name="Ro Kellaway")
    for query in ("Ashdon", "rosie ashdown", "Kelaway"):
        assert list(selectors.case_search(caseworker, query)) == [rosa.cases.get()], query
    assert check(caseworker, service, first_name="Rosa", last_name="Kelaway").shown == [rosa]


# --- Referrals: link, or "not the same person" ---------------------------------------------------


def referral_form(**client):
    return {
        "client-first_name": "Rosa",
        "client-last_name": "Ashdon",
        "client-safe_to_call": "unknown",
        "client-safe_to_leave_voicemail": "unknown",
        "client-safe_to_text": "unknown",
        "client-safe_to_email": "unknown",
        "referral-received_at": "2026-01-05T10:00",
        "referral-route": ReferralRoute.objects.get(name="Police").pk,
        **client,
    }


def test_a_referral_for_a_misspelt_name_shows_the_match_and_links_it(client_for, caseworker, rosa):
    browser = client_for(caseworker)
    response = browser.post(reverse("referrals:referral_new"), referral_form())
    page = response.content.decode()
    assert "may already be known" in page and "Similar name" in page
    # The score says what it is, not a bare number beside the name.
    assert f"Match {response.context['matches'].shown[0].match_score}/100" in page
    assert not Referral.objects.exists()
    response = browser.post(reverse("referrals:referral_new"), referral_form(match=rosa.pk))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.client == rosa
    assert Client.objects.count() == 1
    page = browser.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert reverse("cases:client_duplicates", args=[rosa.pk]) in page


def test_not_the_same_person_is_recorded_and_not_offered_again(client_for, caseworker, rosa):
    browser = client_for(caseworker)
    response = browser.post(reverse("referrals:referral_new"), referral_form(match="new"))
    assert response.status_code == 302
    new_client = Referral.objects.get().client
    assert new_client != rosa
    dismissal = ClientMatchDismissal.objects.get()
    assert {dismissal.client_id, dismissal.other_id} == {rosa.pk, new_client.pk}
    assert dismissal.dismissed_by == caseworker
    assert LogEntry.objects.get_for_object(dismissal).get().actor == caseworker
    assert not selectors.client_duplicates_of(caseworker, new_client)
    assert not selectors.client_duplicates_of(caseworker, rosa)


def test_the_client_page_check_dismisses_a_pair(client_for, service, caseworker, rosa):
    twin = ClientFactory(service=service, first_name="Rosa", last_name="Ashdon", date_of_birth=None)
    CaseFactory(service=service, client=twin)
    browser = client_for(caseworker)
    page = browser.get(reverse("cases:client_duplicates", args=[twin.pk])).content.decode()
    assert "Same name" in page or "Similar name" in page
    assert "/100</span> Rosa Ashdown" in page
    response = browser.post(
        reverse("cases:client_not_duplicate", args=[twin.pk, rosa.pk]),
        {"note": "Different person: checked with the referrer"},
    )
    assert response.status_code == 302
    assert ClientMatchDismissal.objects.get().note.startswith("Different person")
    assert not selectors.client_duplicates_of(caseworker, twin)


# --- Search --------------------------------------------------------------------------------------


def test_search_finds_misspelt_names_aliases_and_referrals(client_for, service, caseworker, rosa):
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
    page = client_for(caseworker).post(reverse("cases:case_search"), {"query": "Nadia Veral"})
    assert reverse("referrals:referral_detail", args=[referral.pk]) in page.content.decode()
    accepted = referral_services.referral_triage(
        referral=referral, actor=caseworker, outcome=Referral.Triage.ACCEPTED
    )
    results = selectors.search_results(caseworker, referral.reference, service=service)
    assert results.cases == [accepted.case] and results.others == []


TRIGRAM_INDEXES = (
    "client_first_name_trgm",
    "client_last_name_trgm",
    "client_preferred_name_trgm",
    "clientalias_name_trgm",
)


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
    many_clients(service, caseworker, 10000)
    with connection.cursor() as cursor:
        # Bulk inserts wait in GIN's pending list until (auto)vacuum: flush it, as a live
        # database's autovacuum would, so that the planner costs the indexes as they will be.
        for index in TRIGRAM_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
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

    # The duplicate check's name queries are index-served too.
    with CaptureQueriesContext(connection) as run:
        matches = check(caseworker, service, first_name="Rosie", last_name="Ashdon")
    assert matches.shown == [rosa]
    trigram_queries = [q["sql"] for q in run.captured_queries if " %> " in q["sql"]]
    assert trigram_queries
    with connection.cursor() as cursor:
        for sql in trigram_queries:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "_trgm" in plan and "Seq Scan on cases_client " not in plan, plan


def test_the_duplicate_checks_phone_number_is_served_by_its_digits_indexes(
    service, caseworker, rosa
):
    """The phone part of the duplicate check compares numbers without their spaces: the
    same expression is indexed, so the check reads the clients with that number, not every
    client of the provider (it did, once per referral)."""
    many_clients(service, caseworker, 10000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_client")
    with CaptureQueriesContext(connection) as run:
        matches = check(caseworker, service, first_name="Zed", phone="+44 7700 900321")
    assert matches.shown == [rosa]
    phone_queries = [q["sql"] for q in run.captured_queries if "REPLACE(" in q["sql"].upper()]
    assert phone_queries
    with connection.cursor() as cursor:
        for sql in phone_queries:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "client_duplicate_phone_digits" in plan, plan
            assert "client_duplicate_other_digits" in plan, plan
            assert "Seq Scan on cases_client " not in plan, plan


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


# --- Merge ---------------------------------------------------------------------------------------


@pytest.fixture
def duplicate(service, caseworker):
    """A second record of Rosa, made before the check could find her, with its own work."""
    client = ClientFactory(
        service=service,
        first_name="Rosie",
        last_name="Ashdon",
        date_of_birth=None,
        postcode="BS2 0AA",
        safe_phone="",
    )
    case = CaseFactory(service=service, client=client)
    case_services.client_alias_add(client=client, actor=caseworker, name="Rosie Kell")
    ConsentRecordFactory(
        client=client,
        purpose=ConsentRecord.Purpose.CONTACT,
        recorded_on=case.opened_on,
        recorded_by=caseworker,
    )
    referral_services.referral_file(
        service=service,
        actor=caseworker,
        client=client,
        received_at=timezone.now() - datetime.timedelta(hours=1),
        route=ReferralRoute.objects.get(name="Police"),
    )
    return client


def test_a_team_leader_merges_a_duplicate_found_later(service, team_leader, rosa, duplicate):
    rosa.date_of_birth = None
    rosa.save()
    own_case, moved_case = rosa.cases.get(), duplicate.cases.get()
    kept = merge_services.client_merge(keep=rosa, merge_away=duplicate, actor=team_leader)

    assert set(kept.cases.all()) == {own_case, moved_case}
    assert {alias.name for alias in kept.aliases.all()} == {"Rosie Kell", "Rosie Ashdon"}
    assert kept.consents.count() == 1
    assert Referral.objects.get().client == kept
    kept.refresh_from_db()
    assert kept.postcode == "BS1 4DJ"  # its own answer kept; blanks are filled
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept and duplicate.merged_by == team_leader
    # The tombstone stays for the audit trail, hidden from lists, search and checks.
    assert not selectors.clients_visible_to(team_leader).filter(pk=duplicate.pk).exists()
    rematch = selectors.client_matches_for(
        team_leader, provider=service.provider, first_name="Rosie", last_name="Ashdon"
    )
    assert rematch.shown == [kept]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.ADMIN).latest("pk")
    assert event.detail["client_merge"] == f"Client {duplicate.pk} merged into Client {kept.pk}"
    assert event.detail["moved_cases"] == 1 and event.detail["moved_other"] == 1
    assert LogEntry.objects.get_for_object(moved_case).filter(changes__has_key="client").exists()


def test_not_the_same_person_carries_over_to_the_kept_record(
    service, team_leader, caseworker, rosa, duplicate
):
    """A third record dismissed against the merged-away one is not offered for the kept one."""
    cousin = ClientFactory(
        service=service, first_name="Rosa", last_name="Ashdown", date_of_birth=None
    )
    merge_services.client_match_dismiss(
        client=duplicate, other=cousin, actor=caseworker, note="Her cousin"
    )
    kept = merge_services.client_merge(keep=rosa, merge_away=duplicate, actor=team_leader)
    low, high = sorted((kept.pk, cousin.pk))
    carried = ClientMatchDismissal.objects.get(client_id=low, other_id=high)
    assert carried.dismissed_by == caseworker
    event = AuditEvent.objects.filter(action=AuditEvent.Action.ADMIN).latest("pk")
    assert event.detail["moved_dismissals"] == 1


def test_a_blank_of_the_kept_record_is_filled_from_the_other(team_leader, rosa, duplicate):
    rosa.postcode = ""
    rosa.save()
    kept = merge_services.client_merge(keep=rosa, merge_away=duplicate, actor=team_leader)
    kept.refresh_from_db()
    assert kept.postcode == "BS2 0AA"


def test_a_caseworker_may_not_merge(caseworker, rosa, duplicate):
    with pytest.raises(PermissionDenied):
        merge_services.client_merge(keep=rosa, merge_away=duplicate, actor=caseworker)
    assert duplicate.cases.count() == 1


def test_a_merge_across_providers_is_refused(service, other_service, team_leader, rosa):
    elsewhere = ClientFactory(service=other_service, first_name="Rosa", last_name="Ashdown")
    MembershipFactory(user=team_leader, service=other_service, role=Role.TEAM_LEADER)
    CaseFactory(service=other_service, client=elsewhere)
    with pytest.raises(ValidationError, match="different organisations"):
        merge_services.client_merge(keep=rosa, merge_away=elsewhere, actor=team_leader)
    elsewhere.refresh_from_db()
    assert elsewhere.merged_into is None and elsewhere.cases.count() == 1


def test_a_merge_moving_a_case_the_leader_cannot_see_is_refused(
    service, team_leader, caseworker, rosa, duplicate
):
    hidden = duplicate.cases.get()
    hidden.is_restricted = True
    hidden.save()
    hidden.restricted_to.add(caseworker)
    with pytest.raises(PermissionDenied):
        merge_services.client_merge(keep=rosa, merge_away=duplicate, actor=team_leader)
    assert hidden.client_id == duplicate.pk


def test_the_merge_page_shows_both_records_and_merges_on_confirmation(
    client_for, team_leader, rosa, duplicate
):
    browser = client_for(team_leader)
    page = browser.get(reverse("cases:client_duplicates", args=[rosa.pk])).content.decode()
    merge_url = reverse("cases:client_merge", args=[rosa.pk, duplicate.pk])
    assert merge_url in page
    page = browser.get(merge_url).content.decode()
    assert duplicate.cases.get().reference in page and "Rosie Kell" in page
    response = browser.post(merge_url, {})
    assert response.status_code == 400 and duplicate.cases.count() == 1
    response = browser.post(merge_url, {"confirm": "on"})
    assert response.status_code == 302
    assert rosa.cases.count() == 2


def test_a_caseworker_sees_no_merge_and_is_refused_it(client_for, caseworker, rosa, duplicate):
    browser = client_for(caseworker)
    merge_url = reverse("cases:client_merge", args=[rosa.pk, duplicate.pk])
    page = browser.get(reverse("cases:client_duplicates", args=[rosa.pk])).content.decode()
    assert "Not the same person" in page and merge_url not in page
    assert browser.post(merge_url, {"confirm": "on"}).status_code == 403
    assert duplicate.cases.count() == 1


def test_a_link_to_a_merged_record_leads_to_the_kept_one(
    client_for, team_leader, outsider, rosa, duplicate
):
    merge_services.client_merge(keep=rosa, merge_away=duplicate, actor=team_leader)
    old_link = reverse("cases:client_detail", args=[duplicate.pk])
    response = client_for(team_leader).get(old_link)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:client_detail", args=[rosa.pk])
    assert client_for(outsider).get(old_link).status_code == 404
