"""Quick exit: blank the screen to a neutral page and lock the session.

For a caseworker whose screen is seen by the wrong person (a client's partner on a hospital ward,
a visitor in the office). static/js/quick-exit.js blanks the page at once, on the button in the
header or on Escape pressed twice, then posts here. The session stays signed in (nothing in
progress on the server is lost) but is locked: every later request, in any tab, gets the unlock
page until the user types their password again.
"""

import time

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import ratelimit
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .audit import record_event
from .models import AuditEvent

LOCKED_AT_KEY = "lantern_screen_locked_at"

# Reachable while locked: the lock and unlock pages themselves, signing out, static files and the
# health check. Everything else answers with the unlock page.
OPEN_WHILE_LOCKED = ("/quick-exit/", "/accounts/logout/", "/static/", "/healthz")


def _lock_cache_key(session_key) -> str:
    return f"screen-lock:{session_key}"


def session_is_locked(request) -> bool:
    # Kept in the cache as well as the session: a request of another tab that read the session
    # before the lock and saves it after (sessions are saved on every request) would otherwise
    # wipe the lock out.
    return LOCKED_AT_KEY in request.session or bool(
        request.session.session_key and cache.get(_lock_cache_key(request.session.session_key))
    )


def session_lock(request) -> None:
    locked_at = time.time()
    request.session[LOCKED_AT_KEY] = locked_at
    request.session.save()  # so that it has a key to lock in the cache
    cache.set(
        _lock_cache_key(request.session.session_key),
        locked_at,
        timeout=int(settings.SESSION_ABSOLUTE_LIFETIME.total_seconds()),
    )


def session_unlock(request) -> None:
    cache.delete(_lock_cache_key(request.session.session_key))
    request.session.pop(LOCKED_AT_KEY, None)
    # A new session key: the cookie that was on screen while locked is not the one used now.
    request.session.cycle_key()


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
            session_lock(request)
            record_event(
                actor=request.user, action=AuditEvent.Action.LOGOUT, detail={"screen_locked": True}
            )
        return redirect("accounts:quick_exit", permanent=False)
    return render(request, "accounts/quick_exit.html")


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
            session_unlock(request)
            record_event(
                actor=request.user, action=AuditEvent.Action.LOGIN, detail={"screen_unlocked": True}
            )
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/unlock.html", {"form": form, "next": next_url})
