"""The caseworker's and team leader's home-page panels."""

from django.utils import timezone

from accounts import access

from . import selectors
from .extensions import prompt_sources
from .models import Case, ClosureRequest


def caseworker_panel(request):
    user = request.user
    service = request.current_service
    if service is None or not access.can(user, access.Capability.EDIT_CASES, service.pk):
        return None
    today = timezone.localdate()
    cases = list(selectors.my_open_cases(user))
    prompts = []
    visible = selectors.cases_visible_to(user).filter(caseworker=user)
    for source in prompt_sources("caseworker"):
        prompts.extend(source(user, visible))
    return {
        "cases": cases,
        "reminders": selectors.reminders_for(cases, today),
        "follow_ups": list(selectors.follow_ups_due(user, today)),
        "prompts": prompts,
    }


def team_leader_panel(request):
    user = request.user
    service = request.current_service
    if service is None or not access.can(user, access.Capability.ALLOCATE_CASES, service.pk):
        return None
    cases = list(selectors.team_open_cases(user, service))
    team_cases = selectors.cases_visible_to(user).filter(service=service)
    prompts = []
    for source in prompt_sources("team_leader"):
        prompts.extend(source(user, team_cases))
    return {
        "cases": cases,
        "unallocated": sum(1 for case in cases if case.caseworker_id is None),
        "closure_requests": list(
            ClosureRequest.objects.filter(
                case__in=team_cases, decision=ClosureRequest.Decision.REQUESTED
            ).select_related("case", "requested_by")
        ),
        "prompts": prompts,
        "statuses": Case.Status,
    }
