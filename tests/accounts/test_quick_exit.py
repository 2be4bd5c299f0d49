"""Quick exit without a browser: the lock, what a locked session can reach, and the unlock."""

import pytest
from django.urls import reverse

from accounts.lock import LOCKED_AT_KEY
from accounts.models import AuditEvent
from tests.factories import TEST_PASSWORD, CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked_client(client_for, caseworker):
    client = client_for(caseworker)
    response = client.post(reverse("accounts:quick_exit"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:quick_exit")
    return client


def test_the_neutral_page_names_neither_product_nor_subject(client):
    response = client.get(reverse("accounts:quick_exit"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>New tab</title>" in page
    for word in ("Lantern", "abuse", "Idva", "case", "<script"):
        assert word.lower() not in page.lower()
    assert response["Cache-Control"] == "no-store"


def test_quick_exit_locks_the_session_and_is_audited(locked_client, caseworker):
    assert LOCKED_AT_KEY in locked_client.session
    event = AuditEvent.objects.filter(actor=caseworker).latest("at")
    assert event.action == AuditEvent.Action.LOGOUT
    assert event.detail == {"screen_locked": True}


def test_the_lock_survives_a_request_that_saves_an_older_copy_of_the_session(locked_client):
    """Another tab's request that read the session before the lock and saved it after."""
    session = locked_client.session
    del session[LOCKED_AT_KEY]
    session.save()
    assert reverse("accounts:unlock") in locked_client.get(reverse("home"))["Location"]


def test_a_stale_page_without_a_csrf_token_still_locks(caseworker):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(caseworker)
    assert client.post(reverse("accounts:quick_exit")).status_code == 302
    assert LOCKED_AT_KEY in client.session


@pytest.mark.parametrize(
    "url_name,kwargs",
    [("home", {}), ("cases:case_list", {}), ("referrals:referral_list", {}), ("admin:index", {})],
)
def test_every_page_of_a_locked_session_asks_for_the_password(locked_client, url_name, kwargs):
    path = reverse(url_name, kwargs=kwargs)
    response = locked_client.get(path + "?q=Smith")
    assert response.status_code == 302
    # Only the path is carried over: a query string could name a client.
    assert response["Location"] == reverse("accounts:unlock") + "?next=" + path.replace("/", "%2F")


def test_a_locked_session_cannot_read_a_case(locked_client, service):
    case = CaseFactory(service=service)
    response = locked_client.get(reverse("cases:case_detail", args=[case.pk]))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(case_id=case.pk).exists()


def test_a_locked_session_cannot_post(locked_client, service):
    case = CaseFactory(service=service)
    response = locked_client.post(reverse("cases:contact_add", args=[case.pk]), {"summary": "x"})
    assert response["Location"] == reverse("accounts:unlock")
    assert not case.contacts.exists()


def test_htmx_requests_of_a_locked_session_are_sent_to_the_unlock_page(locked_client):
    response = locked_client.get(reverse("home"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("accounts:unlock"))


def test_the_unlock_page_shows_no_menu_and_no_client_data(locked_client, caseworker):
    response = locked_client.get(reverse("accounts:unlock"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Screen locked" in page
    assert caseworker.get_short_name() not in page
    assert 'id="main-nav"' not in page
    assert 'for="id_password"' in page


def test_a_wrong_password_keeps_the_lock_and_says_so_on_the_field(locked_client):
    response = locked_client.post(reverse("accounts:unlock"), {"password": "wrong"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "That is not your password." in page
    assert 'aria-invalid="true" aria-describedby="id_password_error"' in page
    assert LOCKED_AT_KEY in locked_client.session
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).exists()


def test_the_password_unlocks_and_returns_to_the_page(locked_client, caseworker):
    cases = reverse("cases:case_list")
    response = locked_client.post(
        reverse("accounts:unlock"), {"password": TEST_PASSWORD, "next": cases}
    )
    assert response.status_code == 302
    assert response["Location"] == cases
    assert LOCKED_AT_KEY not in locked_client.session
    event = AuditEvent.objects.filter(actor=caseworker).latest("at")
    assert event.detail == {"screen_unlocked": True}
    assert locked_client.get(cases).status_code == 200


def test_a_busy_database_is_retried_and_then_says_so_and_stays_locked(
    locked_client, caseworker, monkeypatch
):
    """Unlocking writes a new session key; a database busy past the retries (the embedded
    SQLite, say) answers 503 with a message on the form, the session still locked, never a
    500. A busy moment that passes within the retries unlocks as usual."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    from accounts import lock

    monkeypatch.setattr(lock, "LOCK_RETRY_PAUSES", (0, 0))
    cycle_key = SessionStore.cycle_key
    busy_for = {"calls": 99}

    def busy_cycle_key(self):
        if busy_for["calls"] > 0:
            busy_for["calls"] -= 1
            raise OperationalError("database is locked")
        return cycle_key(self)

    monkeypatch.setattr(SessionStore, "cycle_key", busy_cycle_key)
    url = reverse("accounts:unlock")
    response = locked_client.post(url, {"password": TEST_PASSWORD})
    assert response.status_code == 503
    assert lock.UNLOCK_BUSY in response.content.decode()
    assert LOCKED_AT_KEY in locked_client.session
    assert locked_client.get(reverse("cases:case_list")).status_code == 302  # to unlock

    busy_for["calls"] = 2  # fewer than the tries
    response = locked_client.post(url, {"password": TEST_PASSWORD})
    assert response.status_code == 302
    assert LOCKED_AT_KEY not in locked_client.session
    assert locked_client.get(reverse("cases:case_list")).status_code == 200


def test_unlock_refuses_to_send_the_user_off_site(locked_client):
    response = locked_client.post(
        reverse("accounts:unlock"), {"password": TEST_PASSWORD, "next": "https://evil.test/"}
    )
    assert response["Location"] == reverse("home")


def test_signing_out_is_open_while_locked(locked_client):
    response = locked_client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in locked_client.session


# --- Quick exit never fails (issue 18, item 3) --------------------------------------------------


@pytest.fixture
def busy_database(monkeypatch):
    """Called once signed in: from then on every session write fails as SQLite's does when
    another tab holds the write lock; the pauses between retries are counted, not slept."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    pauses = []

    def locked(self, must_create=False):
        raise OperationalError("database is locked")

    def make_busy(client):
        # As a real server: the session middleware's own failing save is answered, not raised.
        client.raise_request_exception = False
        monkeypatch.setattr(SessionStore, "save", locked)
        monkeypatch.setattr("accounts.lock.time.sleep", pauses.append)
        return pauses

    return make_busy


def test_quick_exit_answers_the_blank_page_when_the_session_cannot_be_written(
    client_for, caseworker, busy_database, caplog
):
    client = client_for(caseworker)
    session_key = client.session.session_key
    pauses = busy_database(client)
    response = client.post(reverse("accounts:quick_exit"), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>New tab</title>" in page
    assert "OperationalError" not in page
    assert "Something went wrong" not in page
    # Tried again with a short backoff before giving up; the view itself never raised.
    assert pauses[:3] == [0.05, 0.15, 0.4]
    # Logged, naming neither the user nor the session.
    assert "Quick exit: saving the session lock failed" in caplog.text
    assert caseworker.email not in caplog.text
    assert session_key not in caplog.text


def test_the_lock_holds_through_the_cache_when_the_session_cannot_be_written(
    client_for, caseworker, busy_database, monkeypatch
):
    client = client_for(caseworker)
    busy_database(client)
    client.post(reverse("accounts:quick_exit"))
    monkeypatch.undo()  # the database free again
    # Still locked for every tab: the cache held the lock though the session write failed.
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:unlock"))


def test_the_neutral_page_itself_survives_a_failing_session_write(
    client_for, caseworker, busy_database
):
    """Every tab goes to the neutral page at once; each of those requests saves the session."""
    client = client_for(caseworker)
    busy_database(client)
    response = client.get(reverse("accounts:quick_exit"))
    assert response.status_code == 200
    assert "<title>New tab</title>" in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_a_busy_database_is_tried_again_and_the_lock_saved(client_for, caseworker, monkeypatch):
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    real_save = SessionStore.save
    failures = iter([True, True])

    def busy_twice(self, must_create=False):
        if next(failures, False):
            raise OperationalError("database is locked")
        return real_save(self, must_create=must_create)

    client = client_for(caseworker)
    monkeypatch.setattr(SessionStore, "save", busy_twice)
    monkeypatch.setattr("accounts.lock.time.sleep", lambda seconds: None)
    response = client.post(reverse("accounts:quick_exit"))
    assert response.status_code == 302
    assert LOCKED_AT_KEY in client.session
    assert AuditEvent.objects.filter(actor=caseworker, detail={"screen_locked": True}).exists()


def test_quick_exit_writes_no_session_activity_record(client_for, caseworker):
    """allauth records each request's session activity; quick exit's answer waits on no write."""
    from allauth.usersessions.models import UserSession

    client = client_for(caseworker)
    client.get(reverse("home"))
    seen = UserSession.objects.get(user=caseworker).last_seen_at
    client.post(reverse("accounts:quick_exit"))
    client.get(reverse("accounts:quick_exit"))
    assert UserSession.objects.get(user=caseworker).last_seen_at == seen
