"""The reporting app's home-page panels (registered in apps.ReportingConfig.ready through
accounts.dashboard)."""

from accounts import access

from .impact.selectors import impact_reports_visible_to
from .models import ImpactReport


def impact_panel(request):
    """The manager's home panel: the current service's latest built impact report, and the one
    being built now if there is a newer one, each with its own status (the home page never says
    "no report" while one exists, nor "built" while it is only queued)."""
    service = getattr(request, "current_service", None)
    if service is None or not access.can(request.user, access.Capability.RUN_REPORTS, service):
        return None
    reports = impact_reports_visible_to(request.user).filter(services=service)
    latest_built = reports.filter(status=ImpactReport.Status.DONE).first()
    newer = reports
    if latest_built is not None:
        newer = reports.filter(created_at__gt=latest_built.created_at)
    in_progress = newer.filter(
        status__in=(ImpactReport.Status.QUEUED, ImpactReport.Status.RUNNING)
    ).first()
    failed = newer.filter(status=ImpactReport.Status.FAILED).first()
    return {
        "latest_built": latest_built,
        "in_progress": in_progress,
        "failed": failed,
    }
