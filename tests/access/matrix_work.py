"""Rows of tasks, reminders, supervision notes and caseloads (cases.views_work)."""

import datetime

from django.utils import timezone

from tests.factories import CaseFactory
from tests.factories_work import SupervisionNoteFactory, TaskFactory

from .matrix import (
    ADMIN,
    ANON,
    CASEWORKER,
    MANAGER,
    MARAC_COORDINATOR,
    NO_SERVICE,
    OUTSIDER,
    READ_ONLY,
    TEAM_LEADER,
    Entry,
    everyone_signed_in,
    only,
)


def build(world):
    caseworker = world.users[CASEWORKER]
    world.work_case = CaseFactory(
        service=world.service,
        caseworker=caseworker,
        review_due_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    world.task = TaskFactory(case=world.work_case, assigned_to=caseworker, set_by=caseworker)
    world.supervision_note = SupervisionNoteFactory(
        case=world.work_case, written_by=world.users[TEAM_LEADER]
    )


BUILDERS = dict.fromkeys(("work_case", "task", "supervision_note"), build)


def statuses(**given):
    base = {ANON: 302, NO_SERVICE: 404, MARAC_COORDINATOR: 404, ADMIN: 404, OUTSIDER: 404}
    return {**base, **given}


READ = statuses(**{CASEWORKER: 200, READ_ONLY: 200, TEAM_LEADER: 200, MANAGER: 200})
EDIT = statuses(**{CASEWORKER: 200, READ_ONLY: 403, TEAM_LEADER: 200, MANAGER: 403})
LEAD = statuses(**{CASEWORKER: 403, READ_ONLY: 403, TEAM_LEADER: 200, MANAGER: 403})
# Supervision is line management: the team leaders and the allocated caseworker only; everyone
# else gets the 404 of a case they cannot see.
SUPERVISION_READ = only(200, {CASEWORKER, TEAM_LEADER})
SUPERVISION_WRITE = only(200, {TEAM_LEADER})
TEAM_LEADERS = only(200, {TEAM_LEADER}, others=403)


def case_kwargs(world):
    return {"pk": world.work_case.pk}


def task_kwargs(world):
    return {"pk": world.work_case.pk, "task_pk": world.task.pk}


def reminder_kwargs(world):
    case = world.work_case
    return {"pk": case.pk, "key": f"review_due:{case.pk}:{case.review_due_on.isoformat()}"}


ENTRIES = [
    Entry("cases:task_list", case_kwargs, READ),
    Entry("cases:task_add", case_kwargs, EDIT),
    Entry("cases:task_edit", task_kwargs, EDIT),
    Entry("cases:task_snooze", task_kwargs, EDIT),
    Entry("cases:task_reassign", task_kwargs, LEAD),
    Entry(
        "cases:task_done",
        task_kwargs,
        statuses(**{CASEWORKER: 302, READ_ONLY: 403, TEAM_LEADER: 302, MANAGER: 403}),
        method="post",
    ),
    Entry("cases:reminder_act", reminder_kwargs, EDIT),
    Entry("cases:reminder_act", reminder_kwargs, EDIT, method="post"),
    Entry("cases:supervision_notes", case_kwargs, SUPERVISION_READ),
    Entry("cases:supervision_note_add", case_kwargs, SUPERVISION_WRITE),
    Entry("cases:supervision_note_add", case_kwargs, SUPERVISION_WRITE, method="post"),
    Entry("cases:my_tasks", expected=everyone_signed_in(200)),
    Entry("cases:caseloads", expected=TEAM_LEADERS),
    Entry(
        "cases:caseload_reallocate",
        lambda w: {"caseworker_pk": w.users[CASEWORKER].pk},
        TEAM_LEADERS,
    ),
    Entry(
        "cases:caseload_reallocate",
        lambda w: {"caseworker_pk": w.users[CASEWORKER].pk},
        TEAM_LEADERS,
        method="post",
    ),
]
