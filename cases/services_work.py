"""Writes of tasks, supervision notes and bulk reallocation (issue 22, items 4 and 5). Each runs
in one transaction; the models are @audited, so every change (a reassignment too) is in the
change history."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.audit import record_event
from accounts.idempotency import claim_form_token
from accounts.models import AuditEvent, User

from .models import Case, SupervisionNote, Task
from .services import case_allocate

LONGEST_SNOOZE = datetime.timedelta(days=92)


def _require(user, capability, service_id):
    if not access.can(user, capability, service_id):
        raise PermissionDenied


def _check_assignee(case: Case, assignee: User) -> None:
    if not access.can(assignee, access.Capability.EDIT_CASES, case.service_id):
        raise ValidationError({"assigned_to": "This person does not work on the service's cases."})


def _assignee_for(*, case: Case, actor: User, assigned_to: User | None) -> User:
    """A caseworker sets tasks for themself; a team leader for anyone working in the service."""
    if assigned_to is None or assigned_to == actor:
        return actor
    if not access.can(actor, access.Capability.ALLOCATE_CASES, case.service_id):
        raise PermissionDenied
    _check_assignee(case, assigned_to)
    return assigned_to


def _locked(task: Task, *, version: int | None = None) -> Task:
    """The task, locked for the write; refused if someone changed it since the form was shown."""
    locked = Task.objects.select_for_update().select_related("case").get(pk=task.pk)
    if version is not None and locked.version != version:
        raise ValidationError(
            "Someone else changed this task meanwhile: reload the page and try again."
        )
    return locked


def _save(task: Task, fields: list[str]) -> Task:
    task.version += 1
    task.full_clean()
    task.save(update_fields=[*fields, "version", "updated_at"])
    return task


def _check_snooze(until, reason, today) -> None:
    errors = {}
    if until is None or until <= today:
        errors["snoozed_until"] = "Snooze until a date after today."
    elif until > today + LONGEST_SNOOZE:
        errors["snoozed_until"] = "Snooze for three months at most."
    if not (reason or "").strip():
        errors["snooze_reason"] = "Say why it can wait."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def task_create(
    *,
    case: Case,
    actor: User,
    title: str,
    details: str = "",
    due_on=None,
    assigned_to: User | None = None,
    form_token=None,
) -> Task:
    _require(actor, access.Capability.EDIT_CASES, case.service_id)
    if case.is_closed:
        raise ValidationError("A closed case takes no new tasks.")
    assignee = _assignee_for(case=case, actor=actor, assigned_to=assigned_to)
    claim = claim_form_token(form_token, actor=actor)
    task = Task(
        case=case, title=title, details=details, due_on=due_on, assigned_to=assignee, set_by=actor
    )
    task.full_clean()
    task.save()
    return claim.record(task)


@transaction.atomic
def task_update(
    *, task: Task, actor: User, version: int, title: str, details: str = "", due_on=None
) -> Task:
    _require(actor, access.Capability.EDIT_CASES, task.case.service_id)
    task = _locked(task, version=version)
    if task.status == Task.Status.DONE:
        raise ValidationError("A task that is done is not changed.")
    task.title, task.details, task.due_on = title, details, due_on
    return _save(task, ["title", "details", "due_on"])


@transaction.atomic
def task_done(*, task: Task, actor: User) -> Task:
    _require(actor, access.Capability.EDIT_CASES, task.case.service_id)
    task = _locked(task)
    if task.status == Task.Status.DONE:
        return task  # a second click: already done, by whoever did it
    task.status = Task.Status.DONE
    task.done_at = timezone.now()
    task.done_by = actor
    return _save(task, ["status", "done_at", "done_by"])


@transaction.atomic
def task_snooze(*, task: Task, actor: User, until, reason: str, version: int | None = None):
    _require(actor, access.Capability.EDIT_CASES, task.case.service_id)
    task = _locked(task, version=version)
    if task.status == Task.Status.DONE:
        raise ValidationError("A task that is done is not snoozed.")
    _check_snooze(until, reason, timezone.localdate())
    task.status = Task.Status.SNOOZED
    task.snoozed_until, task.snooze_reason = until, reason.strip()
    return _save(task, ["status", "snoozed_until", "snooze_reason"])


@transaction.atomic
def task_reassign(*, task: Task, actor: User, assigned_to: User, version: int | None = None):
    """A team leader hands a task to someone else working in the service (the old and new
    assignee are in the task's change history)."""
    _require(actor, access.Capability.ALLOCATE_CASES, task.case.service_id)
    task = _locked(task, version=version)
    if task.status == Task.Status.DONE:
        raise ValidationError("A task that is done is not reassigned.")
    _check_assignee(task.case, assigned_to)
    task.assigned_to = assigned_to
    task.status = Task.Status.OPEN
    task.snoozed_until, task.snooze_reason = None, ""
    return _save(task, ["assigned_to", "status", "snoozed_until", "snooze_reason"])


def _reminder_task(*, case: Case, actor: User, reminder) -> Task:
    """The Task standing for this reminder occurrence, locked, created if it is new (the unique
    key makes two clicks at once find the same row)."""
    task, _ = Task.objects.select_for_update().get_or_create(
        source_key=reminder.key,
        defaults={
            "case": case,
            "title": reminder[1],
            "assigned_to": case.caseworker or actor,
            "set_by": actor,
            "due_on": timezone.localdate(),
        },
    )
    if task.case_id != case.pk:
        raise ValidationError("This reminder belongs to another case.")
    return task


@transaction.atomic
def reminder_snooze(*, case: Case, actor: User, reminder, until, reason: str) -> Task:
    """Hides a dashboard reminder until a date, with a reason: a Task in snoozed state with the
    reminder's key (cases.selectors_work.hidden_reminder_keys). No job is needed: once the date
    has come, the snooze hides nothing and the reminder shows again."""
    _require(actor, access.Capability.EDIT_CASES, case.service_id)
    _check_snooze(until, reason, timezone.localdate())
    task = _reminder_task(case=case, actor=actor, reminder=reminder)
    task.status = Task.Status.SNOOZED
    task.snoozed_until, task.snooze_reason = until, reason.strip()
    return _save(task, ["status", "snoozed_until", "snooze_reason"])


@transaction.atomic
def reminder_reassign(*, case: Case, actor: User, reminder, assigned_to: User) -> Task:
    """A team leader hands a reminder to someone as an open task: it leaves the dashboard's
    reminders and is on their task list until done."""
    _require(actor, access.Capability.ALLOCATE_CASES, case.service_id)
    _check_assignee(case, assigned_to)
    task = _reminder_task(case=case, actor=actor, reminder=reminder)
    task.assigned_to = assigned_to
    task.status = Task.Status.OPEN
    task.snoozed_until, task.snooze_reason = None, ""
    return _save(task, ["assigned_to", "status", "snoozed_until", "snooze_reason"])


@transaction.atomic
def supervision_note_add(
    *, case: Case, actor: User, noted_on, text: str, follow_up_actions: str = "", form_token=None
) -> SupervisionNote:
    _require(actor, access.Capability.ALLOCATE_CASES, case.service_id)
    claim = claim_form_token(form_token, actor=actor)
    note = SupervisionNote(
        case=case,
        written_by=actor,
        noted_on=noted_on,
        text=text,
        follow_up_actions=follow_up_actions,
    )
    note.full_clean()
    note.save()
    return claim.record(note)


@transaction.atomic
def caseload_reallocate(*, service, actor: User, cases, to_caseworker: User) -> int:
    """Moves the chosen open cases of the service to another caseworker of the service, all or
    none (when a caseworker leaves).

    1. Refuse a new caseworker who does not work on the service's cases.
    2. Each case through case_allocate: its lock, its checks, its CaseAllocation history row.
    3. One audit event for the move as a whole (how many, to whom), beside the per-case history.
    Returns the number of cases moved."""
    _require(actor, access.Capability.ALLOCATE_CASES, service.pk)
    if not access.can(to_caseworker, access.Capability.EDIT_CASES, service.pk):
        raise ValidationError({"to_caseworker": "This person is not a caseworker in the service."})
    moved = 0
    for case in cases:
        if case.service_id != service.pk:
            raise ValidationError("A case of another service cannot be moved from here.")
        case_allocate(case=case, actor=actor, caseworker=to_caseworker, team=None)
        moved += 1
    if moved:
        record_event(
            actor=actor,
            action=AuditEvent.Action.ADMIN,
            service=service,
            label="Bulk reallocation",
            detail={"cases": moved, "to_user": to_caseworker.pk},
        )
    return moved
