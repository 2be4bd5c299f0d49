from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import access
from .middleware import CURRENT_SERVICE_KEY
from .models import Role


@login_required
def home(request):
    """The signed-in user's start page: its panels depend on the roles held in the current
    service (a user may hold several)."""
    service = request.current_service
    roles = access.roles_in(request.user, service)
    context = {
        "roles": roles,
        "is_caseworker": Role.CASEWORKER in roles,
        "is_team_leader": Role.TEAM_LEADER in roles,
        "is_service_manager": Role.SERVICE_MANAGER in roles,
        "is_admin": Role.ADMIN in roles,
    }
    return render(request, "accounts/home.html", context)


@login_required
@require_POST
def switch_service(request):
    """Choose which of the user's services the screens show. Only the user's own services."""
    try:
        service_id = int(request.POST.get("service", ""))
    except ValueError:
        return HttpResponseBadRequest("Choose a service.")
    service = access.member_services(request.user).filter(pk=service_id).first()
    if service is None:
        messages.error(request, "You are not a member of that service.")
    else:
        request.session[CURRENT_SERVICE_KEY] = service.pk
        messages.success(request, f"You are now working in {service.name}.")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "home"
    return redirect(next_url)
