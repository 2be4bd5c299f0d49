"""The caseworker's and team leader's home-page panels."""

from django.utils import timezone

from accounts import access

from . import selectors, selectors_work
from .extensions import prompt_sources
from .models import Case, ClosureRequest


def caseworker_panel(request):
    """My caseload, highest risk and longest without contact first (with the days since the
    last contact), and its reminders grouped by case and urgency."""
    user = request.user
    service = request.current_service
    if service is None or not access.can(user, access.Capability.EDIT_CASES, service.pk):
        return None
    today = timezone.localdate()
    cases = list(selectors.my_open_cases(user))
    prompts = []
    visible = selectors.cases_visible_to(user).filter(caseworker=user)
    # Reminders snoozed, or handed on as a task, wait (cases.selectors_work).
    hidden = selectors_work.hidden_reminder_keys(visible, today)
    for source in prompt_sources("caseworker"):
        prompts.extend(source(user, visible))
    return {
        "cases": cases,
        "rows": [
            {"case": case, "days_since_contact": selectors.days_since_contact(case, today)}
            for case in cases
        ],
        "reminder_sections": selectors.reminder_groups(
            cases=cases,
            reminders=selectors.reminders_for(cases, today, hidden_keys=hidden),
            follow_ups=list(selectors.follow_ups_due(user, today)),
            prompts=prompts,
            today=today,
        ),
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
    today = timezone.localdate()
    overdue = selectors.reminders_for(
        cases,
        today,
        overdue_reviews_only=True,
        hidden_keys=selectors_work.hidden_reminder_keys(team_cases, today),
    )
    return {
        "cases": cases,
        "reminder_sections": selectors.reminder_groups(
            cases=cases, reminders=overdue, follow_ups=[], prompts=prompts, today=today
        ),
        "unallocated": sum(1 for case in cases if case.caseworker_id is None),
        "closure_requests": list(
            ClosureRequest.objects.filter(
                case__in=team_cases, decision=ClosureRequest.Decision.REQUESTED
            ).select_related("case", "requested_by")
        ),
        "statuses": Case.Status,
    }


TASKS_ON_DASHBOARD = 10


def tasks_panel(request):
    """My tasks, overdue first (cases.selectors_work.my_tasks), for anyone who edits cases."""
    service = request.current_service
    if service is None or not access.can(request.user, access.Capability.EDIT_CASES, service.pk):
        return None
    today = timezone.localdate()
    tasks = selectors_work.my_tasks(request.user, today)
    return {
        "tasks": tasks[:TASKS_ON_DASHBOARD],
        "more": max(len(tasks) - TASKS_ON_DASHBOARD, 0),
        "today": today,
    }
