from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from . import access, dashboard, exports, selectors
from .audit import record_event
from .forms import AuditFilterForm
from .middleware import CURRENT_SERVICE_KEY
from .models import AuditEvent, ExportFile, Role


@login_required
def home(request):
    """The signed-in user's start page: its panels depend on the roles held in the current
    service (a user may hold several)."""
    service = request.current_service
    roles = access.roles_in(request.user, service)
    panels = []
    for panel in dashboard.home_panels(roles):
        panel_context = panel.context(request)
        if panel_context is not None:
            panels.append({"template": panel.template, "context": panel_context})
    context = {
        "roles": roles,
        "panels": panels,
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


@login_required
@require_GET
def audit_log(request):
    """The audit trail of the manager's services, in words, filtered by user, case reference
    and date, 50 entries a page."""
    service_ids = access.service_ids_with(request.user, access.Capability.READ_AUDIT)
    if not service_ids:
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None, service_ids=service_ids)
    filters = {}
    if form.is_bound and not form.is_valid():
        # A filter that cannot be applied (an unknown reference) shows nothing, not everything.
        trail = AuditEvent.objects.none().values_list("pk")
        page = Paginator(trail, 50).get_page(1)
        return render(request, "accounts/audit_log.html", {"form": form, "page": page, "rows": []})
    if form.is_bound:
        data = form.cleaned_data
        filters = {
            "actor_id": data["user"].pk if data["user"] else None,
            "case_id": data["case"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }
    trail = selectors.audit_trail(request.user, **filters)
    page = Paginator(trail, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_log.html",
        {"form": form, "page": page, "rows": selectors.as_rows(page.object_list)},
    )


@login_required
@require_GET
def export_download(request, token):
    """An export file, for its owner only while they keep the role that made it, until its link
    expires; every download audited, and so is a refusal of the owner."""
    export = ExportFile.objects.filter(token=token, owner=request.user).first()
    if export is None:
        raise Http404("No such file.")
    if not exports.export_usable_by(export, request.user):
        record_event(
            actor=request.user,
            action=AuditEvent.Action.DENIED,
            service=export.service_id,
            obj=export,
            label=f"{export.kind}: {export.filename}",
            detail={"reason": "export_capability_lost", "capability": export.capability},
        )
        raise Http404("No such file.")
    if export.is_expired:
        return HttpResponse(
            "This download link has expired. Export the data again.",
            status=410,
            content_type="text/plain",
        )
    try:
        stored = export.file.open("rb")
    except FileNotFoundError:
        # Gone from storage though its link has not expired (removed by hand, or by a bucket's
        # own expiry rule): the same answer as an expired link.
        return HttpResponse(
            "This file is no longer available. Export the data again.",
            status=410,
            content_type="text/plain",
        )
    record_event(
        actor=request.user,
        action=AuditEvent.Action.DOWNLOAD,
        service=export.service_id,
        obj=export,
        label=f"{export.kind}: {export.filename}",
    )
    # Streamed through this view, never a link to the storage: the owner check and the audit
    # above stay the only way to the file.
    return FileResponse(
        stored,
        as_attachment=True,
        filename=export.filename,
        content_type=export.content_type,
    )
