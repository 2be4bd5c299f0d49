"""The caseworker's week on the home page: their appointments and their cases' court dates, by
day, from every diary source (cases.extensions)."""

from django.utils import timezone

from accounts import access

from .selectors_appointments import my_week


def week_panel(request):
    user = request.user
    service = request.current_service
    if service is None or not access.can(user, access.Capability.EDIT_CASES, service.pk):
        return None
    days = my_week(user, service, timezone.localdate())
    return {
        "days": days,
        "count": sum(len(day["entries"]) for day in days),
        "today": timezone.localdate(),
        "team_view": access.can(user, access.Capability.ALLOCATE_CASES, service.pk),
    }
