"""Issue 16, item 3: the duplicate check on a new referral respects restriction and scope."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role
from cases.models import Client
from referrals import services as referral_services
from referrals.models import Referral, ReferralRoute
from tests.factories import CaseFactory, ClientFactory, MembershipFactory, ServiceFactory

pytestmark = pytest.mark.django_db

PHONE = "07700 900 555"


@pytest.fixture
def sister_service(service):
    """Another service of the same provider."""
    return ServiceFactory(provider=service.provider, name="Sister Idva")


@pytest.fixture
def restricted_case(sister_service):
    """A restricted case of the sister service, named to one of its team leaders only."""
    known = ClientFactory(
        service=sister_service,
        first_name="Rowan",
        last_name="Hidden",
        date_of_birth=datetime.date(1984, 2, 29),
        safe_phone=PHONE,
    )
    case = CaseFactory(service=sister_service, client=known, is_restricted=True)
    named = MembershipFactory(service=sister_service, role=Role.TEAM_LEADER).user
    case.restricted_to.add(named)
    case.named_user = named
    return case


def referral_post(**extra):
    return {
        "client-first_name": "Someone",
        "client-last_name": "Else",
        "client-safe_phone": "07700900555",
        "client-safe_to_call": "unknown",
        "client-safe_to_leave_voicemail": "unknown",
        "client-safe_to_text": "unknown",
        "client-safe_to_email": "unknown",
        "referral-received_at": "2026-01-05T10:00",
        "referral-route": ReferralRoute.objects.get(name="Police").pk,
        **extra,
    }


def test_item_3_duplicate_check_hides_restricted_client_from_another_service(
    client_for, caseworker, restricted_case
):
    response = client_for(caseworker).post(reverse("referrals:referral_new"), referral_post())
    page = response.content.decode()
    assert response.status_code == 200
    assert "A possible match exists" in page and "ask your team leader" in page
    assert "Rowan" not in page and "Hidden" not in page
    assert "29 Feb 1984" not in page and "Sister Idva" not in page
    assert f'id="match-{restricted_case.client_id}"' not in page
    assert not Referral.objects.exists()


def test_item_3_duplicate_check_hides_restricted_client_from_unnamed_colleague(
    client_for, restricted_case, sister_service
):
    colleague = MembershipFactory(service=sister_service, role=Role.CASEWORKER).user
    session = client_for(colleague)
    response = session.post(reverse("referrals:referral_new"), referral_post())
    page = response.content.decode()
    assert "A possible match exists" in page
    assert "Rowan" not in page


def test_item_3_duplicate_check_shows_restricted_client_to_the_user_named_on_it(
    client_for, restricted_case, sister_service
):
    named = restricted_case.named_user
    response = client_for(named).post(reverse("referrals:referral_new"), referral_post())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Rowan" in page and f'id="match-{restricted_case.client_id}"' in page
    assert "A possible match exists" not in page


def test_item_3_duplicate_check_hides_another_services_client(
    client_for, caseworker, sister_service
):
    ClientFactory(service=sister_service, first_name="Morwenna", safe_phone=PHONE)
    page = client_for(caseworker).post(reverse("referrals:referral_new"), referral_post())
    page = page.content.decode()
    assert "A possible match exists" in page and "Morwenna" not in page


def test_item_3_forged_match_of_a_hidden_client_is_refused_and_writes_nothing(
    client_for, caseworker, restricted_case
):
    clients_before = Client.objects.count()
    response = client_for(caseworker).post(
        reverse("referrals:referral_new"), referral_post(match=restricted_case.client_id)
    )
    assert response.status_code == 400
    assert "Choose one of the records shown" in response.content.decode()
    assert not Referral.objects.exists()
    assert Client.objects.count() == clients_before


def test_item_3_linking_a_hidden_client_is_refused_by_the_service(caseworker, restricted_case):
    with pytest.raises(ValidationError, match="Choose one of the records shown"):
        referral_services.referral_file(
            service=caseworker.memberships.get().service,
            actor=caseworker,
            client=restricted_case.client,
            received_at=timezone.now() - datetime.timedelta(hours=1),
            route=ReferralRoute.objects.get(name="Police"),
        )
    assert not Referral.objects.exists()


def test_item_3_another_services_client_page_and_edit_stay_refused(
    client_for, caseworker, restricted_case
):
    session = client_for(caseworker)
    session.post(reverse("referrals:referral_new"), referral_post(match=restricted_case.client_id))
    for referral in Referral.objects.all():  # today's code links it: accepting opens a case
        referral_services.referral_triage(
            referral=referral, actor=caseworker, outcome=Referral.Triage.ACCEPTED
        )
    for name in ("cases:client_detail", "cases:client_edit", "cases:client_safe_contact"):
        response = session.get(reverse(name, args=[restricted_case.client_id]))
        assert response.status_code == 404, name


def test_item_3_match_disclosure_is_audited_without_what_was_typed(
    client_for, caseworker, service, restricted_case
):
    own_case = CaseFactory(service=service, client=ClientFactory(service=service, safe_phone=PHONE))
    client_for(caseworker).post(reverse("referrals:referral_new"), referral_post())

    shown = AuditEvent.objects.get(case_id=own_case.pk, action=AuditEvent.Action.SEARCH)
    assert shown.actor == caseworker
    assert shown.object_label == f"Case {own_case.reference}"
    assert shown.detail == {"duplicate_check": "shown"}
    withheld = AuditEvent.objects.get(case_id=restricted_case.pk, action=AuditEvent.Action.SEARCH)
    assert withheld.actor == caseworker
    assert withheld.service_id == restricted_case.service_id
    assert withheld.detail == {"duplicate_check": "withheld"}
    for event in (shown, withheld):
        assert "900555" not in str(event.detail) and "Someone" not in str(event.detail)


def test_item_3_confirming_without_choosing_says_so_and_files_nothing(
    client_for, caseworker, restricted_case
):
    response = client_for(caseworker).post(
        reverse("referrals:referral_new"), referral_post(match_asked="1")
    )
    assert response.status_code == 200
    assert "Choose who this referral is about" in response.content.decode()
    assert not Referral.objects.exists()
