"""The data-protection app's home-page panels (registered in apps.DataProtectionConfig.ready
through accounts.dashboard): subject access requests not yet answered, with their due dates, and
the records waiting for the manager's retention review."""

from django.utils import timezone

from accounts import access
from accounts.models import Role

from . import selectors
from .retention import selectors as retention_selectors

SHOWN = 20


def subject_access_panel(request) -> dict | None:
    service = request.current_service
    due = list(selectors.subject_access_due(request.user, service)[: SHOWN + 1])
    if not due:
        return None
    today = timezone.localdate()
    return {
        "requests": [{"request": sar, "overdue": sar.due_on < today} for sar in due[:SHOWN]],
        "more": len(due) > SHOWN,
    }


def subject_access_panel_for_manager(request) -> dict | None:
    # A service manager who is also a team leader there sees the panel once.
    if Role.TEAM_LEADER in access.roles_in(request.user, request.current_service):
        return None
    return subject_access_panel(request)


def retention_panel(request):
    """The service manager's count of records waiting for their retention review."""
    service = getattr(request, "current_service", None)
    if service is None or not access.can(request.user, access.Capability.REVIEW_RETENTION, service):
        return None
    return {"service": service, "pending": retention_selectors.pending_count([service.pk])}
