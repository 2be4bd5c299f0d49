from django.conf import settings

from . import access
from .models import Service


def lantern(request):
    """The product name, demo-mode flag, current service and the switcher's choices."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    current = getattr(request, "current_service", None) if signed_in else None
    return {
        "product_name": settings.LANTERN_PRODUCT_NAME,
        "demo_mode": settings.LANTERN_DEMO_MODE,
        "current_service": current,
        # The nav offers the case pages only where they open (a MARAC coordinator's role does not).
        "can_view_cases": current is not None
        and access.can(user, access.Capability.VIEW_CASES, current.pk),
        "can_run_reports": signed_in
        and bool(access.service_ids_with(user, access.Capability.RUN_REPORTS)),
        "can_read_audit": signed_in
        and bool(access.service_ids_with(user, access.Capability.READ_AUDIT)),
        # The MARAC meetings open to a coordinator of a service that belongs to an active MARAC
        # (riskassessment.selectors.marac_ids_for); the checklists and the admin site to admins.
        "can_manage_marac": signed_in and _runs_a_marac(user),
        "can_administer": signed_in
        and (access.can(user, access.Capability.ADMINISTER) or access.administers_everything(user)),
        "switchable_services": getattr(request, "member_services", None)
        or (access.member_services(user) if signed_in else []),
    }


def _runs_a_marac(user) -> bool:
    service_ids = access.service_ids_with(user, access.Capability.MANAGE_MARAC)
    return bool(service_ids) and (
        Service.objects.filter(pk__in=service_ids, marac__is_active=True).exists()
    )
