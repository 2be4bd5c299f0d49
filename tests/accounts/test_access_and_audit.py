"""Issue 3: scope, restricted cases, the audit trail and account security."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone

from accounts.audit import BulkWriteRefused, audited_bulk_write
from accounts.middleware import LAST_SEEN_KEY, SESSION_STARTED_KEY
from accounts.models import AuditEvent, AuditLogIsAppendOnly, Role
from accounts.services import user_deactivate
from cases import services as case_services
from cases.models import Case, Contact
from referrals.models import ReferralRoute
from tests.factories import (
    TEST_PASSWORD,
    CaseFactory,
    ClientFactory,
    MembershipFactory,
    UserFactory,
)
from tests.factories_referrals import ReferralFactory
from tests.signin import fresh_totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(service, caseworker):
    return CaseFactory(service=service, caseworker=caseworker)


# --- Restricted cases -------------------------------------------------------------------------


@pytest.fixture
def restricted_case(service, team_leader, caseworker):
    case = CaseFactory(service=service, caseworker=caseworker)
    named = MembershipFactory(service=service, role=Role.CASEWORKER).user
    case_services.case_set_restriction(
        case=case, actor=team_leader, restricted=True, named_users=[named], reason="Staff member"
    )
    case.named_user = named
    return case


def test_a_restricted_case_is_invisible_to_everyone_not_named(
    client_for, restricted_case, caseworker, manager
):
    last_name = restricted_case.client.last_name
    for user in (caseworker, manager):
        client = client_for(user)
        assert (
            client.get(reverse("cases:case_detail", args=[restricted_case.pk])).status_code == 404
        )
        assert (
            restricted_case.reference
            not in client.get(reverse("cases:case_list") + "?status=all").content.decode()
        )
        results = client.post(reverse("cases:case_search"), {"query": last_name})
        assert restricted_case.reference not in results.content.decode()
        assert (
            client.get(reverse("cases:client_detail", args=[restricted_case.client_id])).status_code
            == 404
        )


def test_the_named_users_and_the_restricter_can_open_a_restricted_case(
    client_for, restricted_case, team_leader
):
    for user in (restricted_case.named_user, team_leader):
        response = client_for(user).get(reverse("cases:case_detail", args=[restricted_case.pk]))
        assert response.status_code == 200


def test_a_restricted_cases_referral_is_hidden_too(client_for, restricted_case, caseworker):
    ReferralFactory(
        service=restricted_case.service,
        reference="R-HIDDEN-1",
        received_at=timezone.now(),
        route=ReferralRoute.objects.get(name="Police"),
        client=restricted_case.client,
        recorded_by=caseworker,
        case=restricted_case,
    )
    html = client_for(caseworker).get(reverse("referrals:referral_list") + "?triage=all")
    assert "R-HIDDEN-1" not in html.content.decode()


def test_restricting_is_audited_and_limited_to_team_leaders_and_managers(case, caseworker, manager):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        case_services.case_set_restriction(case=case, actor=caseworker, restricted=True, reason="x")
    case_services.case_set_restriction(case=case, actor=manager, restricted=True, reason="Staff")
    case_services.case_set_restriction(case=case, actor=manager, restricted=False)
    actions = list(AuditEvent.objects.filter(case_id=case.pk).values_list("action", flat=True))
    assert AuditEvent.Action.RESTRICT in actions
    assert AuditEvent.Action.UNRESTRICT in actions


# --- Audit trail ------------------------------------------------------------------------------


def test_viewing_a_clients_record_writes_an_audit_entry(client_for, case, caseworker):
    client = client_for(caseworker)
    client.get(reverse("cases:case_detail", args=[case.pk]), REMOTE_ADDR="192.0.2.7")
    client.get(reverse("cases:client_detail", args=[case.client_id]))
    views = AuditEvent.objects.filter(actor=caseworker, action=AuditEvent.Action.VIEW)
    case_view = views.get(case_id=case.pk)
    assert case_view.service_id == case.service_id
    assert case_view.ip_address == "192.0.2.7"
    assert case_view.object_label == f"Case {case.reference}"
    assert views.filter(object_type="cases.client", object_id=str(case.client_id)).exists()
    # The label names the case, never the client.
    assert case.client.last_name not in case_view.object_label


def test_searches_are_audited_without_their_query(client_for, case, caseworker):
    client_for(caseworker).post(reverse("cases:case_search"), {"query": "Someone"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
    assert event.detail == {"kind": "name", "results": 0}
    assert event.actor == caseworker


def test_refused_access_is_audited(client_for, case, outsider):
    assert client_for(outsider).get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    denied = AuditEvent.objects.get(action=AuditEvent.Action.DENIED)
    assert denied.actor == outsider and denied.case_id == case.pk


def test_changes_to_case_data_are_recorded_field_by_field(case, caseworker):
    case_services.client_update(client=case.client, actor=caseworker, first_name="Renamed")
    entry = LogEntry.objects.get_for_object(case.client).filter(action=LogEntry.Action.UPDATE)
    changes = entry.latest("timestamp").changes
    assert changes["first_name"][1] == "Renamed"
    assert entry.latest("timestamp").additional_data["service_id"] == case.service_id


def test_audit_entries_cannot_be_changed_or_deleted(case, caseworker):
    from accounts.audit import record_event

    event = record_event(actor=caseworker, action=AuditEvent.Action.VIEW, case_id=case.pk)
    event.detail = {"tampered": True}
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(detail={})
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_the_database_itself_refuses_to_rewrite_the_audit_trail(case, caseworker):
    from accounts.audit import record_event

    event = record_event(actor=caseworker, action=AuditEvent.Action.VIEW, case_id=case.pk)
    case_services.client_update(client=case.client, actor=caseworker, first_name="Changed")
    for sql, params in (
        ("UPDATE accounts_auditevent SET detail = '{}' WHERE id = %s", [event.pk]),
        ("DELETE FROM accounts_auditevent WHERE id = %s", [event.pk]),
        ("UPDATE auditlog_logentry SET changes = NULL", []),
        ("DELETE FROM auditlog_logentry", []),
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)


def test_bulk_writes_cannot_bypass_the_change_history(case, caseworker):
    with pytest.raises(BulkWriteRefused):
        Case.objects.filter(pk=case.pk).update(status="closed")
    with pytest.raises(BulkWriteRefused):
        Case.objects.filter(pk=case.pk).delete()
    contact = Contact(
        case=case, occurred_at=timezone.now(), contact_type="phone", recorded_by=caseworker
    )
    with pytest.raises(BulkWriteRefused):
        Contact.objects.bulk_create([contact])
    with pytest.raises(BulkWriteRefused):
        Contact.objects.bulk_update([contact], ["notes"])
    assert not Contact.objects.exists()

    # An explicit, audited bulk write (imports, generators) is allowed and recorded.
    with audited_bulk_write(actor=caseworker, description="2 contacts", service=case.service):
        Contact.objects.bulk_create([contact])
    assert Contact.objects.count() == 1
    assert AuditEvent.objects.filter(detail__bulk_write="2 contacts").exists()


def test_managers_read_the_audit_trail_of_their_services_only(
    client_for, case, manager, caseworker, other_service
):
    other_case = CaseFactory(service=other_service)
    client_for(caseworker).get(reverse("cases:case_detail", args=[case.pk]))
    case_services.client_update(client=case.client, actor=caseworker, first_name="Audited")
    from accounts.audit import record_event

    record_event(
        actor=caseworker,
        action=AuditEvent.Action.VIEW,
        service=other_service,
        case_id=other_case.pk,
    )

    response = client_for(manager).get(reverse("accounts:audit_log") + f"?case={case.reference}")
    rows = response.context["rows"]
    assert "view" in {row["what"] for row in rows}
    assert {row["trail_case_id"] for row in rows} == {case.pk}
    everything = client_for(manager).get(reverse("accounts:audit_log")).context["rows"]
    assert {"view", "update"} <= {row["what"] for row in everything}
    assert other_case.pk not in {row["trail_case_id"] for row in everything}
    # The trail has no way to change it: only GET is answered.
    assert client_for(manager).post(reverse("accounts:audit_log")).status_code == 405


def test_the_audit_trail_filters_by_user_and_date(client_for, case, manager, caseworker):
    from accounts.audit import record_event

    record_event(
        actor=caseworker, action=AuditEvent.Action.VIEW, service=case.service, case_id=case.pk
    )
    url = reverse("accounts:audit_log")
    rows = client_for(manager).get(url, {"user": caseworker.pk}).context["rows"]
    assert rows and all(row["who"] == caseworker.email for row in rows)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert client_for(manager).get(url, {"date_from": tomorrow}).context["rows"] == []


# --- Account security -------------------------------------------------------------------------


def test_failed_logins_lock_the_account_out(client, caseworker):
    url = reverse("account_login")
    for _ in range(5):
        client.post(url, {"login": caseworker.email, "password": "wrong password here"})
    response = client.post(url, {"login": caseworker.email, "password": TEST_PASSWORD})
    # Even the right password is refused while the account is locked.
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.LOGIN_FAILED, actor_email=caseworker.email
        ).count()
        == 5
    )


def test_the_admin_login_goes_through_the_same_locked_form(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_sessions_end_after_idle_time(client_for, caseworker):
    client = client_for(caseworker)
    assert client.get(reverse("home")).status_code == 200
    # Its last recorded activity 30 minutes ago (and the row's expiry with it).
    session = client.session
    session[LAST_SEEN_KEY] = (
        timezone.now() - datetime.timedelta(minutes=30, seconds=1)
    ).timestamp()
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_idle_timeout_is_thirty_minutes_renewed_at_most_once_a_minute(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # Not saved on every request: accounts.middleware records the activity once a minute
    # (tests/accounts/test_session_writes.py).
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert datetime.timedelta(minutes=1) == settings.SESSION_ACTIVITY_REFRESH
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_sessions_end_ten_hours_after_sign_in_whatever_the_activity(client_for, caseworker):
    client = client_for(caseworker)
    session = client.session
    session[SESSION_STARTED_KEY] = (
        timezone.now() - datetime.timedelta(hours=10, minutes=1)
    ).timestamp()
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("account_login"))


def test_a_disabled_users_sessions_end_at_once(client, caseworker, admin_user):
    client.post(reverse("account_login"), {"login": caseworker.email, "password": TEST_PASSWORD})
    code = fresh_totp_code(caseworker.totp_secret)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert client.get(reverse("home")).status_code == 200
    user_deactivate(user=caseworker, actor=admin_user)
    assert client.get(reverse("home")).status_code == 302
    assert not Session.objects.filter(session_key=client.session.session_key).exists()


def test_weak_and_breached_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("password1234", "P@ssw0rd2024!", "short"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("kettle marmalade lighthouse")


def test_a_user_in_no_service_sees_no_case(client_for, case, no_service_user):
    client = client_for(no_service_user)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("cases:case_list")).status_code == 403


def test_read_only_members_can_read_but_not_change(client_for, service, case):
    reader = MembershipFactory(service=service, role=Role.CASEWORKER, read_only=True).user
    client = client_for(reader)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    response = client.post(
        reverse("cases:contact_add", args=[case.pk]),
        {"occurred_at": "2026-01-01T10:00", "contact_type": "phone", "outcome": "successful"},
    )
    assert response.status_code == 403
    assert not case.contacts.exists()


def test_an_admin_without_a_service_role_sees_no_case_content(client_for, case, admin_user):
    client = client_for(admin_user)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("admin:index")).status_code == 200


def test_caseworkers_cannot_reach_the_admin_site(client_for, caseworker):
    assert client_for(caseworker).get(reverse("admin:index")).status_code == 302


def test_client_factory_is_synthetic(service):
    assert ClientFactory(service=service).provider == service.provider
    assert UserFactory().totp_secret
