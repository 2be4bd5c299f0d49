"""The Django admin's sign-in page, which signs nobody in.

All sign-in goes through allauth's form: one lockout, one second factor. The admin site's own
login view would authenticate a password on its own (no second factor, no rate limit) and, for a
user already signed in, switch the session to whichever account's password was posted.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode


def admin_login(request, extra_context=None):
    """GET or POST: never reads a password. Anonymous users go to allauth's sign-in (back to a
    safe `next`); a Lantern admin goes on; anyone else signed in is refused."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    next_url = next_url or reverse("admin:index")
    if request.user.is_authenticated:
        if admin.site.has_permission(request):
            return redirect(next_url)
        # The admin sent a signed-in user here because they may not use it: no second sign-in.
        raise PermissionDenied
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
