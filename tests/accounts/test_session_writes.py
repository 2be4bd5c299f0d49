"""The session is not written on every request (issue 20, target 5): its activity is recorded
at most once a minute, and the 30-minute idle limit and the 10-hour limit still end it."""

import datetime

from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import LAST_SEEN_KEY


def _writes(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def _set_last_seen(client, seconds_ago: float) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = timezone.now().timestamp() - seconds_ago
    session.save()


def _signed_in(client_for, user):
    client = client_for(user)
    assert client.get(reverse("home")).status_code == 200  # records the first activity
    return client


def test_a_second_request_within_the_minute_writes_no_session(client_for, caseworker):
    client = _signed_in(client_for, caseworker)
    seen = UserSession.objects.get(user=caseworker).last_seen_at
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert [sql for sql in _writes(queries) if "django_session" in sql] == []
    assert [sql for sql in _writes(queries) if "usersession" in sql] == []
    assert UserSession.objects.get(user=caseworker).last_seen_at == seen


def test_activity_older_than_a_minute_is_recorded_once(client_for, caseworker):
    client = _signed_in(client_for, caseworker)
    _set_last_seen(client, 61)
    before = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert len([sql for sql in _writes(queries) if "django_session" in sql]) == 1
    assert UserSession.objects.get(user=caseworker).last_seen_at >= before
    assert client.session[LAST_SEEN_KEY] >= before.timestamp()
    # The write renews the row's expiry: 30 minutes from now.
    row = Session.objects.get(session_key=client.session.session_key)
    assert row.expire_date >= before + datetime.timedelta(minutes=29, seconds=59)
    with CaptureQueriesContext(connection) as again:
        client.get(reverse("home"))
    assert [sql for sql in _writes(again) if "django_session" in sql] == []


def test_a_session_idle_for_thirty_minutes_ends(client_for, caseworker):
    client = _signed_in(client_for, caseworker)
    key = client.session.session_key
    _set_last_seen(client, 30 * 60 + 1)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("home"))["Location"].startswith(reverse("account_login"))


def test_a_session_idle_for_less_than_thirty_minutes_goes_on(client_for, caseworker):
    client = _signed_in(client_for, caseworker)
    _set_last_seen(client, 29 * 60)
    assert client.get(reverse("home")).status_code == 200
    # The request counted as activity: another 29 minutes later the session is still there.
    session = client.session
    assert timezone.now().timestamp() - session[LAST_SEEN_KEY] < 60


def test_signing_out_ends_the_session_row(client_for, caseworker):
    client = _signed_in(client_for, caseworker)
    key = client.session.session_key
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("home")).status_code == 302


def test_removing_the_second_factor_is_noticed_at_once(client_for, caseworker):
    """Whether the user has TOTP is cached (asked on every request) and forgotten on any change
    to their authenticators."""
    from allauth.mfa.models import Authenticator

    client = _signed_in(client_for, caseworker)
    assert client.get(reverse("home")).status_code == 200  # the answer is now cached
    Authenticator.objects.filter(user=caseworker).delete()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
