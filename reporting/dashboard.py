"""The reporting app's home-page panels (registered in apps.ReportingConfig.ready through
accounts.dashboard)."""

from accounts import access

from .impact.selectors import impact_reports_visible_to


def impact_panel(request):
    """The manager's home panel: the latest impact report of the current service."""
    service = getattr(request, "current_service", None)
    if service is None or not access.can(request.user, access.Capability.RUN_REPORTS, service):
        return None
    latest = impact_reports_visible_to(request.user).filter(services=service).first()
    return {"latest_impact_report": latest}
