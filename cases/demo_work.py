"""Demo tasks and supervision notes (seed_demo calls seed_demo_work through accounts.demo)."""

import datetime

from django.utils import timezone

from accounts import access
from accounts.models import Membership, Role

from . import services_work
from .models import Case, SupervisionNote, Task

_DEMO_TASKS = (
    ("Chase the housing officer about the move", -3),
    ("Send the non-molestation order paperwork to the solicitor", 2),
    ("Book a safe-times call to go through the safety plan", 6),
)


def _team_leader_of(service):
    membership = (
        Membership.objects.filter(
            service=service, role=Role.TEAM_LEADER, read_only=False, user__is_active=True
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def seed_demo_work(*, services, stdout=None) -> None:
    """Synthetic tasks and supervision notes; a second run creates nothing.

    1. Each service's first four open, allocated cases with no tasks yet get the demo tasks
       (one overdue), set by their caseworker, and one set by the team leader.
    2. The first of those cases gets a supervision note by the team leader, if it has none.
    """
    today = timezone.localdate()
    tasks = notes = 0
    for service in services.values():
        leader = _team_leader_of(service)
        cases = Case.objects.filter(
            service=service, status=Case.Status.OPEN, caseworker__isnull=False
        ).order_by("pk")[:4]
        for index, case in enumerate(cases):
            caseworker = case.caseworker
            if not access.can(caseworker, access.Capability.EDIT_CASES, service.pk):
                continue
            if not Task.objects.filter(case=case).exists():
                for title, days in _DEMO_TASKS[: 1 + index % len(_DEMO_TASKS)]:
                    services_work.task_create(
                        case=case,
                        actor=caseworker,
                        title=title,
                        due_on=today + datetime.timedelta(days=days),
                    )
                    tasks += 1
                if leader is not None:
                    services_work.task_create(
                        case=case,
                        actor=leader,
                        title="Update the risk assessment before supervision",
                        due_on=today + datetime.timedelta(days=4),
                        assigned_to=caseworker,
                    )
                    tasks += 1
            if index == 0 and leader and not SupervisionNote.objects.filter(case=case).exists():
                services_work.supervision_note_add(
                    case=case,
                    actor=leader,
                    noted_on=today - datetime.timedelta(days=7),
                    text="Talked through the risk since the last contact and the plan for court.",
                    follow_up_actions="Refer to MARAC if there is another incident.",
                )
                notes += 1
    if stdout is not None:
        stdout.write(f"Tasks and supervision: {tasks} tasks and {notes} notes added.")
