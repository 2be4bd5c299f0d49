"""Reads of tasks, supervision notes and caseloads (issue 22, items 4 and 5). Scoped through
cases.selectors: a case the user cannot see is a 404, audited there."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts import access, lookup
from accounts.audit import record_event
from accounts.models import AuditEvent, User

from . import selectors
from .extensions import caseload_counts
from .models import Case, Contact, RiskLevel, SupervisionNote, Task


# --- Tasks -------------------------------------------------------------------------------------
def tasks_of_case(case: Case) -> QuerySet[Task]:
    """A case's tasks, open ones first (earliest due first), then snoozed, then done. Tasks that
    only shadow a snoozed reminder are listed too: the snooze and its reason are on record."""
    return (
        Task.objects.filter(case=case)
        .select_related("assigned_to", "set_by", "done_by")
        .order_by("status", "due_on", "pk")
    )


def task_of_case(case: Case, task_pk) -> Task:
    """A task of a case the user already reached through case_get_for_user; else 404."""
    task = (
        Task.objects.filter(case=case, pk=lookup.pk_or_404(task_pk))
        .select_related("case", "assigned_to")
        .first()
    )
    if task is None:
        raise Http404("No such task.")
    return task


def my_tasks(user, today=None) -> list[Task]:
    """The user's tasks on cases they may see that need doing: open ones, and snoozed ones whose
    date has come (a snoozed reminder comes back as the reminder, not as a task). Overdue first,
    then by due date (undated last)."""
    today = today or timezone.localdate()
    tasks = (
        Task.objects.filter(assigned_to=user, case__in=selectors.cases_visible_to(user))
        .filter(
            Q(status=Task.Status.OPEN)
            | Q(status=Task.Status.SNOOZED, snoozed_until__lte=today, source_key="")
        )
        .select_related("case")
    )
    return sorted(
        tasks,
        key=lambda task: (
            not (task.due_on and task.due_on < today),
            task.due_on is None,
            task.due_on or today,
            task.pk,
        ),
    )


def hidden_reminder_keys(cases, today) -> frozenset[str]:
    """Keys of reminders that a Task stands in for (one query): snoozed until a later date,
    handed to someone as an open task, or marked done. A snooze whose date has come hides
    nothing: the reminder shows again."""
    return frozenset(
        Task.objects.filter(case__in=cases)
        .exclude(source_key="")
        .filter(~Q(status=Task.Status.SNOOZED) | Q(snoozed_until__gt=today))
        .values_list("source_key", flat=True)
    )


def current_reminder(case: Case, key: str, today=None):
    """The case's reminder with this key, as the dashboard shows it now; else 404 (a stale link:
    the review was done, a contact was logged)."""
    today = today or timezone.localdate()
    annotated = selectors.with_last_contact(Case.objects.filter(pk=case.pk)).first()
    for reminder in selectors.reminders_for([annotated], today):
        if reminder.key == key:
            return reminder
    raise Http404("No such reminder.")


# --- Supervision -------------------------------------------------------------------------------
def can_read_supervision(user, case: Case) -> bool:
    """Supervision is line management: the service's team leaders and the caseworker the case is
    allocated to, nobody else (not the service manager, not another caseworker)."""
    if access.can(user, access.Capability.ALLOCATE_CASES, case.service_id):
        return True
    return case.caseworker_id == user.pk and access.can(
        user, access.Capability.VIEW_CASES, case.service_id
    )


def case_get_for_supervision(user, pk, *, read: lookup.Read = False, write: bool = False) -> Case:
    """The case, if the user may read its supervision notes (or write them: team leaders only);
    otherwise 404 as for a case they cannot see, the refusal audited. The read is audited."""
    case = selectors.case_get_for_user(user, pk)
    allowed = (
        access.can(user, access.Capability.ALLOCATE_CASES, case.service_id)
        if write
        else can_read_supervision(user, case)
    )
    if not allowed:
        record_event(
            actor=user,
            action=AuditEvent.Action.DENIED,
            service=case.service_id,
            case_id=case.pk,
            detail={"supervision": case.pk, "write": write},
        )
        raise Http404("No such case.")
    lookup.record_read(user, case, read=read, service_id=case.service_id, case_id=case.pk)
    return case


def supervision_notes_for(user, case: Case) -> QuerySet[SupervisionNote]:
    """The case's supervision notes for a user who may read them, else none."""
    if not can_read_supervision(user, case):
        return SupervisionNote.objects.none()
    return SupervisionNote.objects.filter(case=case).select_related("written_by")


# --- Caseloads ---------------------------------------------------------------------------------
def caseloads(user, service, today=None) -> list[dict]:
    """Per caseworker of the service, their open cases counted in the database (one query for the
    counts, one for the caseworkers): by risk level, high risk with no successful contact in seven
    days, reviews overdue, and what other apps count (cases.extensions.caseload_counts: no safety
    plan). Caseworkers with no cases are listed with zeros; unallocated cases as caseworker None."""
    if not access.can(user, access.Capability.ALLOCATE_CASES, service.pk):
        return []
    today = today or timezone.localdate()
    cutoff = timezone.make_aware(
        datetime.datetime.combine(
            today - datetime.timedelta(days=selectors.HIGH_RISK_CONTACT_DAYS), datetime.time.min
        )
    )
    recent_contact = Exists(
        Contact.objects.filter(
            case_id=OuterRef("pk"), outcome="successful", occurred_at__gte=cutoff
        )
    )
    high = Q(risk_level=RiskLevel.HIGH)
    columns = {
        "total": Count("pk"),
        "high": Count("pk", filter=high),
        "medium": Count("pk", filter=Q(risk_level=RiskLevel.MEDIUM)),
        "standard": Count("pk", filter=Q(risk_level=RiskLevel.STANDARD)),
        "not_assessed": Count("pk", filter=Q(risk_level="")),
        "high_no_contact": Count("pk", filter=high & ~Q(recent_contact)),
        "reviews_overdue": Count("pk", filter=Q(review_due_on__lt=today)),
    }
    extra = caseload_counts()
    for count in extra:
        columns[count.key] = Count("pk", filter=count.condition())
    rows = (
        selectors.cases_visible_to(user)
        .filter(service=service)
        .exclude(status=Case.Status.CLOSED)
        .values("caseworker_id")
        .annotate(**columns)
        .order_by()
    )
    by_caseworker = {row["caseworker_id"]: row for row in rows}
    zeros = dict.fromkeys(columns, 0)
    result = []
    caseworkers = list(access.users_with(access.Capability.EDIT_CASES, service))
    known = {caseworker.pk for caseworker in caseworkers}
    # Someone who left the service may still hold cases: listed so they can be moved.
    former = [pk for pk in by_caseworker if pk is not None and pk not in known]
    if former:
        caseworkers += list(User.objects.filter(pk__in=former).order_by("full_name"))
    keys = [key for key, _ in caseload_columns()]

    def row(caseworker, counts):
        counts = {**zeros, **counts}
        return {
            "caseworker": caseworker,
            "counts": counts,
            "cells": [(key, counts[key]) for key in keys],
        }

    for caseworker in caseworkers:
        result.append(row(caseworker, by_caseworker.get(caseworker.pk, {})))
    if None in by_caseworker:
        result.append(row(None, by_caseworker[None]))
    return result


def caseload_columns() -> list[tuple[str, str]]:
    """(key, heading) of the caseload table's counts, the apps' own after the case's."""
    return [
        ("total", "Open cases"),
        ("high", "High risk"),
        ("medium", "Medium"),
        ("standard", "Standard"),
        ("not_assessed", "Not assessed"),
        ("high_no_contact", "High risk, no contact in 7 days"),
        ("reviews_overdue", "Reviews overdue"),
        *[(count.key, count.label) for count in caseload_counts()],
    ]


def open_cases_of_caseworker(user, service, caseworker_pk) -> QuerySet[Case]:
    """A caseworker's open cases in the service, for the team leader's bulk reallocation."""
    if not access.can(user, access.Capability.ALLOCATE_CASES, service.pk):
        return Case.objects.none()
    return (
        selectors.cases_visible_to(user)
        .filter(service=service, caseworker_id=caseworker_pk)
        .exclude(status=Case.Status.CLOSED)
        .order_by("reference")
    )
