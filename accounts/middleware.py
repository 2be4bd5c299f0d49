"""Session lifetime, second-factor enforcement, the current service and no-store caching."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from . import access

SESSION_STARTED_KEY = "lantern_session_started"
CURRENT_SERVICE_KEY = "lantern_current_service"


class SessionLifetimeMiddleware:
    """Ends a session 10 hours after sign-in whatever the activity (idle expiry is the cookie's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            started = request.session.get(SESSION_STARTED_KEY)
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_LIFETIME.total_seconds():
                logout(request)
                messages.info(request, "Your session has ended. Please sign in again.")
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class RequireSecondFactorMiddleware:
    """Every signed-in user must have a second factor before reaching anything else."""

    allowed_prefixes = ("/accounts/", "/static/", "/healthz", "/quick-exit")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.allowed_prefixes)
            and not has_second_factor(user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def has_second_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    if user.is_demo_user and settings.LANTERN_DEMO_MODE:
        return True
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


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
    services = list(access.member_services(user))
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
