"""Issue 16, item 7: audit gaps (search terms, edit forms, sign-ins)."""

import pytest
from django.urls import reverse

from accounts.audit import record_event
from accounts.models import AuditEvent
from tests.factories import TEST_PASSWORD, CaseFactory, PerpetratorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(service, caseworker):
    return CaseFactory(service=service, caseworker=caseworker, client__last_name="Quillfeather")


def test_item_7_search_audit_stores_kind_and_count_not_the_query(client_for, case, caseworker):
    client_for(caseworker).post(reverse("cases:case_search"), {"query": "Quillfeather"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
    assert event.detail == {"kind": "name", "results": 1}
    assert event.actor == caseworker and event.service_id == case.service_id


def test_item_7_search_audit_names_the_kind_of_a_phone_search(client_for, case, caseworker):
    client_for(caseworker).post(reverse("cases:case_search"), {"query": "07700 900 123"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
    assert event.detail == {"kind": "phone", "results": 0}


def test_item_7_audit_page_does_not_show_search_terms(client_for, case, caseworker, manager):
    # A row written before the fix, when the query was stored (the trail is append-only).
    record_event(
        actor=caseworker,
        action=AuditEvent.Action.SEARCH,
        service=case.service,
        detail={"query": "Quillfeather", "results": 1},
    )
    session = client_for(caseworker)
    session.post(reverse("cases:case_search"), {"query": "Quillfeather"})
    page = client_for(manager).get(reverse("accounts:audit_log")).content.decode()
    assert "Searched" in page and "results" in page
    assert "Quillfeather" not in page


@pytest.mark.parametrize(
    ("url_name", "on_client"),
    [
        ("cases:client_edit", True),
        ("cases:client_safe_contact", True),
        ("cases:perpetrator_edit", False),
        ("cases:case_status", False),
        ("cases:contact_add", False),
        ("riskassessment:marac_refer", False),
    ],
)
def test_item_7_opening_an_edit_form_is_audited(client_for, case, caseworker, url_name, on_client):
    if url_name == "cases:perpetrator_edit":
        perpetrator = PerpetratorFactory(case=case, name="P")
        args = [case.pk, perpetrator.pk]
    else:
        args = [case.client_id if on_client else case.pk]
    kwargs = {"case_pk": case.pk} if url_name.startswith("riskassessment") else None
    url = reverse(url_name, kwargs=kwargs) if kwargs else reverse(url_name, args=args)
    response = client_for(caseworker).get(url)
    assert response.status_code == 200
    views = AuditEvent.objects.filter(actor=caseworker, action=AuditEvent.Action.VIEW)
    if on_client:
        assert views.filter(object_type="cases.client", object_id=str(case.client_id)).exists()
        assert views.get().service_id == case.client.service_id
    else:
        assert views.filter(case_id=case.pk, service_id=case.service_id).exists()


def test_item_7_read_only_user_refused_an_edit_form_is_audited(client_for, case, manager):
    response = client_for(manager).get(reverse("cases:client_edit", args=[case.client_id]))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(actor=manager, action=AuditEvent.Action.DENIED).exists()
    assert not AuditEvent.objects.filter(actor=manager, action=AuditEvent.Action.VIEW).exists()


def test_item_7_sign_in_is_recorded_for_the_service_and_shown_to_its_manager(
    client, client_for, service, caseworker, manager
):
    assert client.login(email=caseworker.email, password=TEST_PASSWORD)
    event = AuditEvent.objects.get(actor=caseworker, action=AuditEvent.Action.LOGIN)
    assert event.service_id == service.pk
    client.logout()
    page = client_for(manager).get(reverse("accounts:audit_log")).content.decode()
    assert caseworker.email in page and "Signed in" in page


def test_item_7_failed_sign_in_of_an_existing_account_is_recorded_for_its_service(
    client, service, caseworker
):
    assert not client.login(email=caseworker.email, password="not the password")
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.service_id == service.pk
    assert event.actor_email == caseworker.email
    assert "password" not in str(event.detail)


def test_item_7_failed_sign_in_of_an_unknown_address_has_no_service(client, service):
    assert not client.login(email="nobody@example.test", password="whatever it is")
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.service_id is None and event.actor_email == "nobody@example.test"
