"""Issue 3: expiring export links, a user's own sessions, and audited administration."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from accounts.exports import export_file_create, purge_expired_exports
from accounts.models import AuditEvent, ExportFile, Membership, Role
from tests.factories import TEST_PASSWORD
from tests.signin import fresh_totp_code, sign_in_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(manager, service):
    return export_file_create(
        owner=manager,
        kind="insights_csv",
        filename="insights-2026-q3.csv",
        content=b"table,count\nreferrals,12\n",
        content_type="text/csv",
        service=service,
    )


def test_an_export_is_audited_and_downloadable_by_its_owner(client_for, export, manager):
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=manager).exists()
    response = client_for(manager).get(reverse("accounts:export_download", args=[export.token]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"table,count\nreferrals,12\n"
    assert 'filename="insights-2026-q3.csv"' in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, actor=manager).exists()


def test_nobody_else_can_use_the_link(client_for, export, caseworker):
    url = reverse("accounts:export_download", args=[export.token])
    assert client_for(caseworker).get(url).status_code == 404


def test_links_expire_after_24_hours(client_for, export, manager):
    assert export.expires_at - export.created_at == datetime.timedelta(hours=24)
    ExportFile.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    url = reverse("accounts:export_download", args=[export.token])
    assert client_for(manager).get(url).status_code == 410
    assert purge_expired_exports() == 1
    assert not ExportFile.objects.exists()


def test_users_see_and_end_their_other_sessions(client, caseworker):
    from allauth.usersessions.models import UserSession

    sign_in_with_second_factor(client, caseworker)
    client.get(reverse("home"))
    other = type(client)()
    sign_in_with_second_factor(other, caseworker)
    other.get(reverse("home"))
    assert UserSession.objects.filter(user=caseworker).count() == 2
    page = client.get(reverse("usersessions_list"))
    assert page.status_code == 200
    client.post(reverse("usersessions_list"), {"action": "logout"})
    assert other.get(reverse("home")).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_changing_the_second_factor_needs_the_password_again(client, caseworker):
    client.post(reverse("account_login"), {"login": caseworker.email, "password": TEST_PASSWORD})
    code = fresh_totp_code(caseworker.totp_secret)
    client.post(reverse("mfa_authenticate"), {"code": code})
    # Sign-in happened long ago as far as re-authentication is concerned.
    session = client.session
    for key in list(session.keys()):
        if key.startswith("account_reauthentication"):
            session[key] = 0
    session.save()
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert reverse("account_reauthenticate") in response["Location"]


def test_admin_changes_are_recorded_field_by_field(client_for, admin_user, service, caseworker):
    membership = Membership.objects.get(user=caseworker)
    response = client_for(admin_user).post(
        reverse("admin:accounts_membership_change", args=[membership.pk]),
        {
            "user": caseworker.pk,
            "service": service.pk,
            "role": Role.TEAM_LEADER,
            "team": "",
        },
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(membership).latest("timestamp")
    assert entry.changes["role"] == ["caseworker", "team_leader"]
    assert entry.actor == admin_user
