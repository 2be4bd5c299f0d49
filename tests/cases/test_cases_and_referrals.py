"""Issue 4: referrals, clients and the case lifecycle."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Role
from cases import selectors
from cases import services as case_services
from cases.models import Agency, Case, Client, ClosureRequest, ConsentRecord, Contact
from referrals import services as referral_services
from referrals.models import Referral, ReferralRoute
from tests.factories import CaseFactory, ClientFactory, ContactFactory, MembershipFactory
from tests.factories_referrals import ReferralRouteFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now


def file_referral(service, actor, client=None, hours_ago=3, **client_fields):
    fields = {"first_name": "Ava", "last_name": "Stone", **client_fields}
    return referral_services.referral_file(
        service=service,
        actor=actor,
        client=client,
        client_fields=None if client else fields,
        received_at=NOW() - datetime.timedelta(hours=hours_ago),
        route=ReferralRoute.objects.get(name="Police"),
    )


def sign_off_off(service):
    """The service turned closure sign-off off (on by default): a caseworker closes directly."""
    service.requires_closure_sign_off = False
    service.save()


def accept(referral, actor, **kwargs):
    return referral_services.referral_triage(
        referral=referral, actor=actor, outcome=Referral.Triage.ACCEPTED, **kwargs
    )


# --- Referral status: new, repeat, continuing ----------------------------------------------


def test_a_first_referral_is_a_new_client(service, caseworker):
    referral = file_referral(service, caseworker)
    assert referral.referral_status == Case.ReferralStatus.NEW_CLIENT
    case = accept(referral, caseworker).case
    assert case.referral_status == Case.ReferralStatus.NEW_CLIENT
    assert case.reference.startswith(f"{service.code}-")


def test_a_client_with_an_earlier_closed_case_here_is_a_repeat(service, caseworker):
    sign_off_off(service)
    first = accept(file_referral(service, caseworker), caseworker).case
    case_services.case_close(
        case=first,
        actor=caseworker,
        closed_on=timezone.localdate(),
        closure_type=Case.ClosureType.PLANNED,
        gaps_checked=True,
    )
    again = file_referral(service, caseworker, client=first.client)
    assert again.referral_status == Case.ReferralStatus.REPEAT
    second = accept(again, caseworker).case
    assert second.referral_status == Case.ReferralStatus.REPEAT
    assert second.pk != first.pk and second.client_id == first.client_id


def test_a_closed_case_elsewhere_does_not_make_a_repeat(service, other_service, caseworker):
    client = ClientFactory(service=service)
    CaseFactory(service=service, client=client)  # how the caseworker knows the client
    CaseFactory(
        service=other_service, client=client, status="closed", closed_on=timezone.localdate()
    )
    assert file_referral(service, caseworker, client=client).referral_status == "New client"


def test_a_transfer_between_teams_is_a_continuing_case(service, caseworker):
    referral = referral_services.referral_file(
        service=service,
        actor=caseworker,
        client_fields={"first_name": "Kit"},
        received_at=NOW(),
        route=ReferralRoute.objects.get(name="DVA & SV services (internal)"),
        is_transfer=True,
    )
    assert referral.referral_status == Case.ReferralStatus.CONTINUING


# --- Duplicate match ----------------------------------------------------------------------


def test_filing_for_a_known_client_shows_the_match_and_links_it(client_for, service, caseworker):
    known = ClientFactory(
        service=service,
        first_name="Ava",
        last_name="Stone",
        date_of_birth=datetime.date(1990, 5, 1),
        safe_phone="07700 900111",
    )
    client = client_for(caseworker)
    form = {
        "client-first_name": "ava",
        "client-last_name": "STONE",
        "client-date_of_birth": "1990-05-01",
        "client-safe_to_call": "unknown",
        "client-safe_to_leave_voicemail": "unknown",
        "client-safe_to_text": "unknown",
        "client-safe_to_email": "unknown",
        "referral-received_at": "2026-01-05T10:00",
        "referral-route": ReferralRoute.objects.get(name="Police").pk,
    }
    response = client.post(reverse("referrals:referral_new"), form)
    assert response.status_code == 200
    assert "may already be known" in response.content.decode()
    assert not Referral.objects.exists()

    response = client.post(reverse("referrals:referral_new"), {**form, "match": known.pk})
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert referral.client_id == known.pk
    assert Client.objects.count() == 1


def test_the_same_phone_number_is_a_match_whatever_its_spacing(service, caseworker):
    known = ClientFactory(service=service, safe_phone="07700 900 222")
    matches = selectors.client_matches_for(
        caseworker, provider=service.provider, phone="07700900222"
    )
    assert matches.shown == [known]


def test_choosing_a_new_client_creates_one(client_for, service, caseworker):
    ClientFactory(
        service=service,
        first_name="Ava",
        last_name="Stone",
        date_of_birth=datetime.date(1990, 5, 1),
    )
    form = {
        "client-first_name": "Ava",
        "client-last_name": "Stone",
        "client-date_of_birth": "1990-05-01",
        "client-safe_to_call": "yes",
        "client-safe_to_leave_voicemail": "no",
        "client-safe_to_text": "no",
        "client-safe_to_email": "unknown",
        "referral-received_at": "2026-01-05T10:00",
        "referral-route": ReferralRoute.objects.get(name="Police").pk,
        "match": "new",
    }
    client_for(caseworker).post(reverse("referrals:referral_new"), form)
    assert Client.objects.count() == 2


def test_an_under_16_referral_is_flagged_and_not_accepted(service, caseworker):
    born = timezone.localdate().replace(year=timezone.localdate().year - 15)
    referral = file_referral(service, caseworker, date_of_birth=born)
    assert referral.under_16_flag
    with pytest.raises(ValidationError, match="under 16"):
        accept(referral, caseworker)
    referral.refresh_from_db()
    assert referral.triage == Referral.Triage.PENDING and referral.case is None
    referral_services.referral_triage(
        referral=referral, actor=caseworker, outcome=Referral.Triage.YOUNG_PERSON
    )


def test_time_to_first_attempt_and_contact_is_recorded(service, caseworker):
    referral = file_referral(service, caseworker, hours_ago=8)
    attempt = referral.received_at + datetime.timedelta(hours=2)
    reached = referral.received_at + datetime.timedelta(hours=5)
    referral_services.referral_record_contact(
        referral=referral, actor=caseworker, at=attempt, successful=False
    )
    referral = referral_services.referral_record_contact(
        referral=referral, actor=caseworker, at=reached, successful=True
    )
    assert referral.hours_to_first_attempt == pytest.approx(2)
    assert referral.hours_to_first_contact == pytest.approx(5)
    with pytest.raises(ValidationError):
        referral_services.referral_record_contact(
            referral=referral,
            actor=caseworker,
            at=referral.received_at - datetime.timedelta(hours=1),
            successful=False,
        )


# --- Referral routes ----------------------------------------------------------------------


def test_the_insights_routes_are_seeded():
    names = list(ReferralRoute.objects.values_list("name", flat=True))
    assert names[:3] == ["Police", "Marac", "Self"]
    assert "Hospital - Emergency department" in names and len(names) == 25


def test_a_retired_route_stays_on_old_referrals_but_is_not_offered(client_for, service, caseworker):
    referral = file_referral(service, caseworker)
    police = ReferralRoute.objects.get(name="Police")
    police.is_retired = True
    police.save()
    assert police not in ReferralRoute.objects.offered_to(service)
    referral.refresh_from_db()
    assert referral.route == police
    page = client_for(caseworker).get(reverse("referrals:referral_new")).content.decode()
    assert f'value="{police.pk}"' not in page.split('name="referral-initial_route"')[0]
    with pytest.raises(ValidationError):
        file_referral(service, caseworker)


def test_a_route_offered_to_one_service_is_offered_only_there(service, other_service):
    route = ReferralRouteFactory(name="Pharmacy", position=999)
    route.offered_by.add(other_service)
    assert route in ReferralRoute.objects.offered_to(other_service)
    assert route not in ReferralRoute.objects.offered_to(service)
    # Routes naming no service are offered everywhere.
    assert ReferralRoute.objects.get(name="Self") in ReferralRoute.objects.offered_to(service)


# --- Closure ------------------------------------------------------------------------------


@pytest.fixture
def open_case(service, caseworker):
    return accept(
        file_referral(service, caseworker),
        caseworker,
        caseworker=caseworker,
        opened_on=timezone.localdate() - datetime.timedelta(days=30),
    ).case


def test_a_closure_before_the_opening_date_is_refused_and_nothing_changes(
    client_for, open_case, caseworker
):
    response = client_for(caseworker).post(
        reverse("cases:case_close", args=[open_case.pk]),
        {
            "closed_on": (open_case.opened_on - datetime.timedelta(days=1)).isoformat(),
            "closure_type": "Planned closure",
        },
    )
    assert response.status_code == 200
    assert "before the case opened" in response.content.decode()
    open_case.refresh_from_db()
    assert open_case.status == Case.Status.OPEN and open_case.closed_on is None


def test_an_unplanned_closure_needs_its_reason(open_case, caseworker):
    with pytest.raises(ValidationError) as error:
        case_services.case_close(
            case=open_case,
            actor=caseworker,
            closed_on=timezone.localdate(),
            closure_type=Case.ClosureType.UNPLANNED,
        )
    assert "unplanned_closure_reason" in error.value.error_dict


def test_closing_sets_the_six_month_follow_up(service, open_case, caseworker):
    sign_off_off(service)
    closed = case_services.case_close(
        case=open_case,
        actor=caseworker,
        closed_on=timezone.localdate(),
        closure_type=Case.ClosureType.UNPLANNED,
        unplanned_closure_reason="Client disengaged",
        gaps_checked=True,
    )
    assert closed.status == Case.Status.CLOSED
    assert closed.follow_up_due_on.month == (timezone.localdate().month + 5) % 12 + 1


def test_services_requiring_sign_off_close_only_when_a_team_leader_approves(
    service, open_case, caseworker, team_leader
):
    assert service.requires_closure_sign_off  # the default
    request = case_services.case_close(
        case=open_case,
        actor=caseworker,
        closed_on=timezone.localdate(),
        closure_type=Case.ClosureType.PLANNED,
        gaps_checked=True,
    )
    assert isinstance(request, ClosureRequest)
    open_case.refresh_from_db()
    assert open_case.status == Case.Status.OPEN

    with pytest.raises(PermissionDenied):
        case_services.closure_decide(request=request, actor=caseworker, approve=True)
    with pytest.raises(ValidationError):
        case_services.closure_decide(request=request, actor=team_leader, approve=False)
    returned = case_services.closure_decide(
        request=request, actor=team_leader, approve=False, comment="Add the exit form first."
    )
    assert returned.decision == ClosureRequest.Decision.RETURNED

    again = case_services.case_close(
        case=open_case,
        actor=caseworker,
        closed_on=timezone.localdate(),
        closure_type=Case.ClosureType.PLANNED,
        gaps_checked=True,
    )
    case_services.closure_decide(request=again, actor=team_leader, approve=True, gaps_checked=True)
    open_case.refresh_from_db()
    assert open_case.status == Case.Status.CLOSED


def test_a_closed_case_takes_no_contacts_and_is_not_reopened(service, open_case, caseworker):
    sign_off_off(service)
    case_services.case_close(
        case=open_case,
        actor=caseworker,
        closed_on=timezone.localdate(),
        closure_type="Planned closure",
        gaps_checked=True,
    )
    with pytest.raises(ValidationError):
        case_services.contact_log(
            case=open_case, actor=caseworker, occurred_at=NOW(), contact_type="phone"
        )
    with pytest.raises(ValidationError):
        case_services.case_set_status(case=open_case, actor=caseworker, new_status="open")


# --- Contacts ----------------------------------------------------------------------------


def test_logging_a_contact_from_the_form(client_for, open_case, caseworker):
    response = client_for(caseworker).post(
        reverse("cases:contact_add", args=[open_case.pk]),
        {
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "contact_type": "phone",
            "with_client": "on",
            "outcome": "successful",
            "duration_minutes": "20",
            "is_significant": "on",
            "notes": "Safety planning call.",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.is_significant and contact.recorded_by == caseworker


def test_a_contact_longer_than_a_day_is_refused_with_a_message(client_for, open_case, caseworker):
    response = client_for(caseworker).post(
        reverse("cases:contact_add", args=[open_case.pk]),
        {
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "contact_type": "phone",
            "with_client": "on",
            "outcome": "successful",
            "duration_minutes": "99999",
            "notes": "Safety planning call.",
        },
    )
    assert response.status_code == 200
    assert "cannot last more than 24 hours" in response.content.decode()
    assert not Contact.objects.exists()
    with pytest.raises(ValidationError, match="24 hours"):
        case_services.contact_log(
            case=open_case,
            actor=caseworker,
            occurred_at=NOW(),
            contact_type="phone",
            duration_minutes=24 * 60 + 1,
        )


def test_an_attempted_contact_cannot_be_significant(open_case, caseworker):
    with pytest.raises(ValidationError):
        case_services.contact_log(
            case=open_case,
            actor=caseworker,
            occurred_at=NOW(),
            contact_type="phone",
            outcome="attempted",
            is_significant=True,
        )


def test_the_contact_form_shows_the_safe_contact_instructions(client_for, open_case, caseworker):
    case_services.client_update(
        client=open_case.client, actor=caseworker, safe_to_call="no", code_word="Wrong number"
    )
    html = client_for(caseworker).get(reverse("cases:contact_add", args=[open_case.pk]))
    text = html.content.decode()
    assert "Safe contact" in text and "Wrong number" in text


# --- Reminders and dashboards -----------------------------------------------------------------


def test_a_review_falls_due_four_months_after_opening(open_case):
    assert open_case.review_due_on == open_case.opened_on + case_services.REVIEW_AFTER


def test_reminders_for_review_due_and_high_risk_without_contact(service, caseworker):
    today = timezone.localdate()
    due = CaseFactory(
        service=service, caseworker=caseworker, review_due_on=today - datetime.timedelta(days=1)
    )
    quiet_high = CaseFactory(
        service=service,
        caseworker=caseworker,
        risk_level="high",
        review_due_on=today + datetime.timedelta(days=60),
    )
    ContactFactory(case=quiet_high, occurred_at=NOW() - datetime.timedelta(days=9))
    contacted_high = CaseFactory(
        service=service,
        caseworker=caseworker,
        risk_level="high",
        review_due_on=today + datetime.timedelta(days=60),
    )
    ContactFactory(case=contacted_high, occurred_at=NOW() - datetime.timedelta(days=1))
    reminders = selectors.reminders_for(selectors.my_open_cases(caseworker), today)
    by_case = {(case.pk, message.split(":")[0]) for case, message, _ in reminders}
    assert (due.pk, "Review overdue since " + date_format(due.review_due_on)) in by_case
    assert (quiet_high.pk, "High risk") in by_case
    assert not any(case.pk == contacted_high.pk for case, _, _ in reminders)


def test_follow_ups_fall_due_six_months_after_closure(service, caseworker):
    today = timezone.localdate()
    due = CaseFactory(
        service=service,
        caseworker=caseworker,
        status="closed",
        opened_on=today - datetime.timedelta(days=300),
        closed_on=today - datetime.timedelta(days=183),
        follow_up_due_on=today - datetime.timedelta(days=1),
    )
    CaseFactory(
        service=service,
        caseworker=caseworker,
        status="closed",
        opened_on=today - datetime.timedelta(days=100),
        closed_on=today - datetime.timedelta(days=10),
        follow_up_due_on=today + datetime.timedelta(days=170),
    )
    assert list(selectors.follow_ups_due(caseworker, today)) == [due]


def test_allocation_is_for_team_leaders_and_keeps_history(
    open_case, caseworker, team_leader, service
):
    other = MembershipFactory(service=service, role=Role.CASEWORKER).user
    with pytest.raises(PermissionDenied):
        case_services.case_allocate(case=open_case, actor=caseworker, caseworker=other)
    case_services.case_allocate(case=open_case, actor=team_leader, caseworker=other)
    open_case.refresh_from_db()
    assert open_case.caseworker == other
    assert list(open_case.allocations.values_list("caseworker", flat=True)) == [
        caseworker.pk,
        other.pk,
    ]


# --- Search -----------------------------------------------------------------------------------


def test_search_finds_by_name_alias_date_of_birth_phone_and_reference(service, caseworker):
    case = CaseFactory(
        service=service,
        client=ClientFactory(
            service=service,
            first_name="Rowan",
            last_name="Birch",
            date_of_birth=datetime.date(1985, 2, 3),
            safe_phone="07700 900 777",
        ),
    )
    case_services.client_alias_add(client=case.client, actor=caseworker, name="Ro Ellis")
    for query in (
        "birch",
        "Rowan Birch",
        "Ellis",
        "03/02/1985",
        "1985-02-03",
        "07700900777",
        case.reference,
    ):
        assert list(selectors.case_search(caseworker, query)) == [case], query


def test_search_is_scoped_to_the_users_services(service, other_service, outsider, caseworker):
    CaseFactory(service=service, client=ClientFactory(service=service, last_name="Quill"))
    assert not selectors.case_search(outsider, "Quill").exists()
    assert selectors.case_search(caseworker, "Quill").exists()


def test_search_never_puts_the_query_in_the_url(client_for, caseworker):
    response = client_for(caseworker).post(reverse("cases:case_search"), {"query": "Birch"})
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == reverse("cases:case_search")
    assert "Birch" not in response.request.get("QUERY_STRING", "")


# --- Consent and sharing ------------------------------------------------------------------------


def test_sharing_without_consent_needs_a_reason_and_a_team_leader(
    open_case, caseworker, team_leader
):
    police = Agency.objects.get(name="Police")
    with pytest.raises(ValidationError) as error:
        case_services.information_share(
            case=open_case, actor=caseworker, agency=police, shared_on=timezone.localdate()
        )
    assert {"reason_without_consent", "authorised_by"} <= set(error.value.error_dict)
    share = case_services.information_share(
        case=open_case,
        actor=caseworker,
        agency=police,
        shared_on=timezone.localdate(),
        reason_without_consent="MARAC referral: high risk",
        authorised_by=team_leader,
    )
    assert not share.with_consent


def test_sharing_with_consent_needs_no_authority_until_consent_is_withdrawn(open_case, caseworker):
    police = Agency.objects.get(name="Police")
    consent = case_services.consent_record(
        client=open_case.client,
        actor=caseworker,
        purpose=ConsentRecord.Purpose.SHARE,
        agency=police,
        recorded_on=timezone.localdate() - datetime.timedelta(days=2),
    )
    share = case_services.information_share(
        case=open_case, actor=caseworker, agency=police, shared_on=timezone.localdate()
    )
    assert share.with_consent
    case_services.consent_withdraw(
        consent=consent, actor=caseworker, withdrawn_on=timezone.localdate()
    )
    with pytest.raises(ValidationError):
        case_services.information_share(
            case=open_case, actor=caseworker, agency=police, shared_on=timezone.localdate()
        )


# --- Query counts do not grow with the data -------------------------------------------------------


@pytest.fixture
def busy_caseload(service, caseworker):
    cases = [
        CaseFactory(service=service, caseworker=caseworker, risk_level="high") for _ in range(55)
    ]
    for case in cases[:5]:
        for _ in range(12):
            ContactFactory(case=case, recorded_by=caseworker)
    return cases


def test_dashboard_queries_do_not_grow(
    client_for, caseworker, busy_caseload, django_assert_max_num_queries
):
    client = client_for(caseworker)
    client.get(reverse("home"))  # sign-in bookkeeping happens on the first request
    with django_assert_max_num_queries(20):
        response = client.get(reverse("home"))
    assert len(response.context["panels"][0]["context"]["cases"]) == 55


def test_case_list_queries_do_not_grow(
    client_for, caseworker, busy_caseload, django_assert_max_num_queries
):
    client = client_for(caseworker)
    client.get(reverse("home"))
    with django_assert_max_num_queries(18):
        response = client.get(reverse("cases:case_list"))
    assert response.context["page"].paginator.count == 55


def test_case_page_and_timeline_queries_do_not_grow(client_for, caseworker, service):
    """The case page costs a fixed number of queries per panel and timeline source, however long
    the case's history is."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = CaseFactory(service=service, caseworker=caseworker)
    ContactFactory(case=case, recorded_by=caseworker)
    client = client_for(caseworker)
    client.get(reverse("home"))
    url = reverse("cases:case_detail", args=[case.pk])
    with CaptureQueriesContext(connection) as short_history:
        client.get(url)
    for _ in range(59):
        ContactFactory(case=case, recorded_by=caseworker)
    with CaptureQueriesContext(connection) as long_history:
        response = client.get(url)
    assert len(long_history) == len(short_history)
    assert len(long_history) < 60
    assert response.status_code == 200
    # The timeline is paged: the panel the case page loads shows its first page, not all 60.
    panel = client.get(reverse("cases:case_timeline", args=[case.pk]), HTTP_HX_REQUEST="true")
    timeline = panel.context["timeline"]
    assert [i.kind for i in timeline.items] == ["Contact"] * 20
    assert timeline.has_next
