"""Quick exit: blank the screen to a neutral page and lock the session.

For a caseworker whose screen is seen by the wrong person (a client's partner on a hospital ward,
a visitor in the office). static/js/quick-exit.js blanks the page at once, on the button in the
header or on Escape pressed twice, then posts here. The session stays signed in (nothing in
progress on the server is lost) but is locked: every later request, in any tab, gets the unlock
page until the user types their password again.

Quick exit never answers with an error. The screen is blanked by the script before the server is
asked anything; the lock is then written as a best effort: the cache first (no database), the
session with a few short retries when the database is busy (the embedded SQLite demo with several
tabs open), and QuickExitShieldMiddleware answers the neutral page in place of any error left.
"""

import logging
import time

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import ratelimit
from allauth.usersessions.middleware import UserSessionsMiddleware
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import OperationalError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .audit import record_event
from .middleware import session_activity_is_due, session_has_expired
from .models import AuditEvent

logger = logging.getLogger(__name__)

LOCKED_AT_KEY = "lantern_screen_locked_at"
QUICK_EXIT_PATH = "/quick-exit/"
UNLOCK_PATH = "/quick-exit/unlock/"
# A busy database (SQLite's "database is locked") is tried again after these pauses, in seconds:
# under a second in all, the screen being blank already.
LOCK_RETRY_PAUSES = (0.05, 0.15, 0.4)

# Reachable while locked: the lock and unlock pages themselves, signing out, static files and the
# health check. Everything else answers with the unlock page.
OPEN_WHILE_LOCKED = ("/quick-exit/", "/accounts/logout/", "/static/", "/healthz")


def _lock_cache_key(session_key) -> str:
    return f"screen-lock:{session_key}"


def session_is_locked(request) -> bool:
    # Kept in the cache as well as the session: a request of another tab that read the session
    # before the lock and saves it after (as recording its activity does) would otherwise
    # wipe the lock out.
    return LOCKED_AT_KEY in request.session or bool(
        request.session.session_key and cache.get(_lock_cache_key(request.session.session_key))
    )


def session_lock(request) -> None:
    locked_at = time.time()
    request.session[LOCKED_AT_KEY] = locked_at
    request.session.save()  # so that it has a key to lock in the cache
    _cache_lock(request.session.session_key, locked_at)


def _cache_lock(session_key, locked_at) -> None:
    cache.set(
        _lock_cache_key(session_key),
        locked_at,
        timeout=int(settings.SESSION_ABSOLUTE_LIFETIME.total_seconds()),
    )


def _with_retries(write, what: str) -> bool:
    """Runs `write`, again after a short pause while the database answers OperationalError
    (busy or locked). False if it never went through; logged without who or which session."""
    for pause in (*LOCK_RETRY_PAUSES, None):
        try:
            write()
        except OperationalError:
            if pause is None:
                logger.warning("Quick exit: %s failed, the database was busy.", what)
                return False
            time.sleep(pause)
        else:
            return True
    return False


def session_lock_best_effort(request) -> bool:
    """Locks the session without ever raising: True if the lock is recorded somewhere.

    1. The cache, which needs no database, when the session already has a key (a signed-in one
       has): other tabs are locked out at once.
    2. The session itself, retried while the database is busy.
    3. The audit event, retried the same way.
    """
    locked_at = time.time()
    in_cache = False
    if request.session.session_key:
        try:
            _cache_lock(request.session.session_key, locked_at)
            in_cache = True
        except Exception:  # a cache outage must not stop the lock in the session
            logger.warning("Quick exit: the lock could not be put in the cache.")

    def save_session():
        request.session[LOCKED_AT_KEY] = locked_at
        request.session.save()

    in_session = _with_retries(save_session, "saving the session lock")
    if in_session and not in_cache:
        try:
            _cache_lock(request.session.session_key, locked_at)
        except Exception:  # the session holds the lock; the cache is a second copy
            logger.warning("Quick exit: the lock could not be put in the cache.")
    _with_retries(
        lambda: record_event(
            actor=request.user, action=AuditEvent.Action.LOGOUT, detail={"screen_locked": True}
        ),
        "recording the lock in the audit trail",
    )
    return in_cache or in_session


def session_unlock(request) -> bool:
    """Unlocks the session under a new key; False (still locked) if the database stayed busy
    through the retries."""

    def unlock():
        cache.delete(_lock_cache_key(request.session.session_key))
        request.session.pop(LOCKED_AT_KEY, None)
        # A new session key: the cookie that was on screen while locked is not the one used now.
        request.session.cycle_key()

    return _with_retries(unlock, "unlocking the session")


def _keep_locked(request) -> None:
    """An unlock that did not go through leaves the session locked: the lock is put back where
    the attempt took it from (the cache, the session), and the user tries again."""
    locked_at = time.time()
    request.session[LOCKED_AT_KEY] = locked_at
    try:
        _cache_lock(request.session.session_key, locked_at)
    except Exception:  # the session holds the lock; the cache is a second copy
        logger.warning("Unlock: the lock could not be put back in the cache.")


# Said on the unlock page when the database stayed busy: the password was right, nothing is lost.
UNLOCK_BUSY = "Lantern is busy and could not unlock just now. Enter your password again."


class ScreenLockMiddleware:
    """Sends every request of a locked session to the unlock page (htmx requests are told to
    navigate there, so a background tab's polling also takes its page off the screen)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.screen_locked = request.user.is_authenticated and session_is_locked(request)
        if request.screen_locked and not request.path.startswith(OPEN_WHILE_LOCKED):
            unlock_url = reverse("accounts:unlock")
            if request.method == "GET":
                # The path only: a query string (a search, say) could name a client.
                unlock_url += "?" + urlencode({"next": request.path})
            if request.headers.get("HX-Request"):
                return HttpResponse(status=204, headers={"HX-Redirect": unlock_url})
            return redirect(unlock_url)
        return self.get_response(request)


# No CSRF check: a forged request can only lock a session, and a stale token on a page left
# open all day must never stop the lock.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def quick_exit(request):
    """POST locks the session; GET is the neutral page the screen goes to (no product name, no
    subject, nothing to go back to)."""
    if request.method == "POST":
        if request.user.is_authenticated and not session_is_locked(request):
            session_lock_best_effort(request)
        return redirect("accounts:quick_exit", permanent=False)
    return render(request, "accounts/quick_exit.html")


def neutral_page() -> HttpResponse:
    """The neutral page, drawn without the request, the session or the database."""
    response = HttpResponse(render_to_string("accounts/quick_exit.html"))
    response["Cache-Control"] = "no-store"
    return response


def _is_quick_exit(request) -> bool:
    return request.path == QUICK_EXIT_PATH


class QuickExitShieldMiddleware:
    """Quick exit answers the neutral page, never an error page: whatever failed further in (the
    session saved on the way out, the user's session record, a database that stayed locked) is
    logged as usual and the blank page is sent in its place. Sits outside the session
    middleware so that it sees those failures too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _is_quick_exit(request) and response.status_code >= 500:
            logger.warning("Quick exit: an error answer was replaced by the neutral page.")
            return neutral_page()
        return response


class ActivityTrackingMiddleware(UserSessionsMiddleware):
    """allauth's record of the user's sessions (last seen, address), written when the session's
    own activity is (accounts.middleware.session_activity_is_due: at most once a minute, so a
    page view writes no row of it), never for a session that has ended, and never for quick
    exit: a write there could only delay the blank screen or fail it."""

    def __call__(self, request):
        if _is_quick_exit(request):
            return self.get_response(request)
        if request.user.is_authenticated:
            now = time.time()
            if session_has_expired(request, now) or not session_activity_is_due(request, now):
                return self.get_response(request)
        return super().__call__(request)


class UnlockForm(forms.Form):
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args, request, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = self.request.user
        # allauth's authenticate() rather than check_password(): a failure is audited and counts
        # toward the account's sign-in lockout like any failed sign-in, a locked-out account
        # cannot unlock (ValidationError), and a deactivated account cannot unlock either.
        checked = get_account_adapter(self.request).authenticate(
            self.request, email=user.email, password=password
        )
        if checked is None or checked.pk != user.pk:
            raise forms.ValidationError("That is not your password.", code="incorrect_password")
        return password


@login_required
@require_http_methods(["GET", "POST"])
def unlock(request):
    """The password again, then back to where the user was going."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if not session_is_locked(request):
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = UnlockForm(request.POST or None, request=request)
    if request.method == "POST":
        # The same per-user limit as allauth's re-authentication: guessing is slow.
        limited = ratelimit.consume_or_429(request, action="reauthenticate", user=request.user)
        if limited:
            return limited
        if form.is_valid():
            if session_unlock(request):
                _with_retries(
                    lambda: record_event(
                        actor=request.user,
                        action=AuditEvent.Action.LOGIN,
                        detail={"screen_unlocked": True},
                    ),
                    "recording the unlock in the audit trail",
                )
                return redirect(next_url or settings.LOGIN_REDIRECT_URL)
            _keep_locked(request)
            form.add_error(None, UNLOCK_BUSY)
            return render(
                request, "accounts/unlock.html", {"form": form, "next": next_url}, status=503
            )
    return render(request, "accounts/unlock.html", {"form": form, "next": next_url})
