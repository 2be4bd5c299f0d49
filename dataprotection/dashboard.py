"""The data-protection home-page panels (registered in apps.DataProtectionConfig.ready)."""

from accounts import access

from .retention import selectors


def retention_panel(request):
    """The service manager's count of records waiting for their retention review."""
    service = getattr(request, "current_service", None)
    if service is None or not access.can(request.user, access.Capability.REVIEW_RETENTION, service):
        return None
    return {"service": service, "pending": selectors.pending_count([service.pk])}
