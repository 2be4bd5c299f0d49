"""The risk-assessment app's home-page panels (registered in apps.RiskAssessmentConfig.ready
through accounts.dashboard)."""

from django.utils import timezone

from . import selectors


def coordinator_home_panel(request) -> dict | None:
    """The MARAC coordinator's start page: the next meetings of their areas."""
    today = timezone.localdate()
    upcoming = list(
        selectors.meetings_visible_to(request.user)
        .filter(held_on__gte=today)
        .order_by("held_on")[:5]
    )
    return {"upcoming": upcoming}


def admin_home_panel(request) -> dict | None:
    return {}
