"""Session lifetime, second-factor enforcement, the current service and no-store caching."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import urlencode

from . import access, mfa
from .audit import record_event_in_services, user_service_ids
from .lookup import AuditedRefusal
from .models import AuditEvent

SESSION_STARTED_KEY = "lantern_session_started"
LAST_SEEN_KEY = "lantern_session_last_seen"
CURRENT_SERVICE_KEY = "lantern_current_service"


def session_has_expired(request, now: float) -> bool:
    """Whether this signed-in session is over: idle for SESSION_COOKIE_AGE since its last
    recorded activity, or signed in more than SESSION_ABSOLUTE_LIFETIME ago."""
    session = request.session
    started = session.get(SESSION_STARTED_KEY)
    last_seen = session.get(LAST_SEEN_KEY)
    return (
        started is not None and now - started > settings.SESSION_ABSOLUTE_LIFETIME.total_seconds()
    ) or (last_seen is not None and now - last_seen > settings.SESSION_COOKIE_AGE)


def session_activity_is_due(request, now: float) -> bool:
    """Whether this request records the session's activity (its last-seen time, the row's
    expiry and allauth's list of sessions): at most once a SESSION_ACTIVITY_REFRESH, so that a
    plain page view writes no session row."""
    last_seen = request.session.get(LAST_SEEN_KEY)
    return last_seen is None or now - last_seen >= settings.SESSION_ACTIVITY_REFRESH.total_seconds()


class SessionLifetimeMiddleware:
    """Ends a session 30 minutes after its last recorded activity (idle) and 10 hours after
    sign-in whatever the activity.

    The session is saved only when something in it changes (not SESSION_SAVE_EVERY_REQUEST):
    the last-seen time is moved on at most once a SESSION_ACTIVITY_REFRESH, and that save also
    renews the row's expiry (SESSION_COOKIE_AGE from the save), so the database ends an idle
    session at the same moment as this check, and sign-out or a disabled account (whose session
    rows are deleted) ends it at once.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            if session_has_expired(request, now):
                logout(request)
                messages.info(request, "Your session has ended. Please sign in again.")
                return redirect(settings.LOGIN_URL)
            if request.session.get(SESSION_STARTED_KEY) is None:
                request.session[SESSION_STARTED_KEY] = now
            if session_activity_is_due(request, now):
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class RequireSecondFactorMiddleware:
    """A signed-in session reaches nothing until it has passed the second factor.

    A user with TOTP is sent to type a code (allauth's re-authentication by code, which records
    the pass in the session); a user without is sent to set TOTP up. Until then only those
    steps, signing out, the quick exit, static files and the health check answer.
    """

    open_prefixes = ("/static/", "/healthz", "/quick-exit/")
    # The steps themselves: a code, or setting TOTP up (which may first ask for the password again).
    second_factor_steps = frozenset(
        {
            "account_logout",
            "mfa_reauthenticate",
            "mfa_activate_totp",
            "account_reauthenticate",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.open_prefixes)
            and not has_second_factor(request)
            and _view_name(request) not in self.second_factor_steps
        ):
            if mfa.user_has_totp(user):
                code_step = reverse("mfa_reauthenticate")
                if request.method == "GET":
                    # The path only: a query string (a search, say) could name a client.
                    code_step += "?" + urlencode({"next": request.path})
                return redirect(code_step)
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def has_second_factor(request) -> bool:
    """Whether this session passed the second factor (see accounts.mfa)."""
    return mfa.session_passed_second_factor(request)


def _view_name(request) -> str | None:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


class CurrentServiceMiddleware:
    """Sets request.current_service: the service the user is working in, chosen by the switcher.

    The choice lives in the session and is checked against the user's memberships on every
    request, so a stale or forged value falls back to the user's first service.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.current_service = _current_service(request)
        return self.get_response(request)


def _current_service(request):
    user = request.user
    if not user.is_authenticated:
        return None
    services = access.member_services_and_capabilities(user)
    request.member_services = services
    if not services:
        return None
    chosen = request.session.get(CURRENT_SERVICE_KEY)
    for service in services:
        if service.pk == chosen:
            return service
    return services[0]


class NoStoreMiddleware:
    """Pages for a signed-in user may show client data: no browser or proxy may keep a copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class AuditRefusalsMiddleware:
    """Every 403 a signed-in user meets is in the audit trail, once: refusals about a record are
    audited where they are made (accounts.lookup.AuditedRefusal); any other (a page the role may
    not open, a service-level check) is audited here, naming the page, in the user's services."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PermissionDenied) or isinstance(exception, AuditedRefusal):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        record_event_in_services(
            user_service_ids(user),
            actor=user,
            action=AuditEvent.Action.DENIED,
            detail={"page": _view_name(request) or "", "method": request.method},
        )
        return None
