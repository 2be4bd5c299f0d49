"""Tasks, reminders' snooze and reassignment, supervision notes and caseloads (issue 22, items
4 and 5). Thin: scope through selectors, validate with forms, write with services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access, lookup
from accounts.audit import record_event
from accounts.idempotency import AlreadySubmitted
from accounts.models import AuditEvent

from . import selectors, selectors_work, services_work
from .forms_work import (
    ReallocationForm,
    ReassignForm,
    SnoozeForm,
    SupervisionNoteForm,
    TaskCreateForm,
    TaskForm,
)
from .views import already_saved, apply_errors, edit_case_or_403, form_page


def _may_assign(user, case) -> bool:
    return access.can(user, access.Capability.ALLOCATE_CASES, case.service_id)


# --- Tasks -------------------------------------------------------------------------------------
@login_required
def task_list(request, pk):
    case = selectors.case_get_for_user(request.user, pk, read={"page": "tasks"})
    return render(
        request,
        "cases/work/task_list.html",
        {
            "case": case,
            "client": case.client,
            "tasks": selectors_work.tasks_of_case(case),
            "can_edit": selectors.can_edit_case(request.user, case),
            "may_assign": _may_assign(request.user, case),
            "may_supervise": selectors_work.can_read_supervision(request.user, case),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_add(request, pk):
    case = edit_case_or_403(request.user, pk)
    form = TaskCreateForm(
        request.POST or None, service=case.service, may_assign=_may_assign(request.user, case)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_work.task_create(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except AlreadySubmitted:
            return already_saved(request, "cases:task_list", pk=case.pk)
        else:
            messages.success(request, "Task added.")
            return redirect("cases:task_list", pk=case.pk)
    return form_page(request, case=case, form=form, title="New task", submit="Add task")


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request, pk, task_pk):
    case = edit_case_or_403(request.user, pk)
    task = selectors_work.task_of_case(case, task_pk)
    form = TaskForm(
        request.POST or None,
        initial={
            "title": task.title,
            "details": task.details,
            "due_on": task.due_on,
            "version": task.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services_work.task_update(
                task=task,
                actor=request.user,
                version=data["version"] if data["version"] is not None else task.version,
                title=data["title"],
                details=data["details"],
                due_on=data["due_on"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Task saved.")
            return redirect("cases:task_list", pk=case.pk)
    return form_page(request, case=case, form=form, title="Edit task")


@login_required
@require_POST
def task_done(request, pk, task_pk):
    case = edit_case_or_403(request.user, pk)
    task = selectors_work.task_of_case(case, task_pk)
    try:
        services_work.task_done(task=task, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Task done.")
    return redirect("cases:task_list", pk=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def task_snooze(request, pk, task_pk):
    case = edit_case_or_403(request.user, pk)
    task = selectors_work.task_of_case(case, task_pk)
    form = SnoozeForm(request.POST or None, initial={"version": task.version})
    if request.method == "POST" and form.is_valid():
        try:
            services_work.task_snooze(
                task=task,
                actor=request.user,
                until=form.cleaned_data["snoozed_until"],
                reason=form.cleaned_data["snooze_reason"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Task snoozed.")
            return redirect("cases:task_list", pk=case.pk)
    return form_page(request, case=case, form=form, title="Snooze task", submit="Snooze")


@login_required
@require_http_methods(["GET", "POST"])
def task_reassign(request, pk, task_pk):
    case = edit_case_or_403(request.user, pk, access.Capability.ALLOCATE_CASES)
    task = selectors_work.task_of_case(case, task_pk)
    form = ReassignForm(
        request.POST or None,
        service=case.service,
        initial={"assigned_to": task.assigned_to_id, "version": task.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_work.task_reassign(
                task=task,
                actor=request.user,
                assigned_to=form.cleaned_data["assigned_to"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Task reassigned.")
            return redirect("cases:task_list", pk=case.pk)
    return form_page(request, case=case, form=form, title="Reassign task", submit="Reassign")


@login_required
def my_tasks(request):
    return render(
        request,
        "cases/work/my_tasks.html",
        {"tasks": selectors_work.my_tasks(request.user), "today": timezone.localdate()},
    )


# --- Reminders ---------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def reminder_act(request, pk, key):
    """Snooze a dashboard reminder with a reason, or (a team leader) hand it to someone."""
    case = edit_case_or_403(request.user, pk)
    reminder = selectors_work.current_reminder(case, key)
    may_assign = _may_assign(request.user, case)
    action = request.POST.get("action", "snooze")
    posted = request.method == "POST"
    snooze_form = SnoozeForm(request.POST if posted and action == "snooze" else None)
    reassign_form = (
        ReassignForm(
            request.POST if posted and action == "reassign" else None, service=case.service
        )
        if may_assign
        else None
    )
    if posted and action == "reassign" and reassign_form is None:
        raise PermissionDenied
    if posted:
        form = snooze_form if action == "snooze" else reassign_form
        if form.is_valid():
            try:
                if action == "snooze":
                    services_work.reminder_snooze(
                        case=case,
                        actor=request.user,
                        reminder=reminder,
                        until=form.cleaned_data["snoozed_until"],
                        reason=form.cleaned_data["snooze_reason"],
                    )
                else:
                    services_work.reminder_reassign(
                        case=case,
                        actor=request.user,
                        reminder=reminder,
                        assigned_to=form.cleaned_data["assigned_to"],
                    )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, "Reminder snoozed." if action == "snooze" else "Reminder handed on."
                )
                return redirect("home")
    return render(
        request,
        "cases/work/reminder_act.html",
        {
            "case": case,
            "client": case.client,
            "reminder_message": reminder[1],
            "snooze_form": snooze_form,
            "reassign_form": reassign_form,
        },
    )


# --- Supervision -------------------------------------------------------------------------------
@login_required
def supervision_notes(request, pk):
    case = selectors_work.case_get_for_supervision(request.user, pk, read={"page": "supervision"})
    return render(
        request,
        "cases/work/supervision_notes.html",
        {
            "case": case,
            "client": case.client,
            "notes": selectors_work.supervision_notes_for(request.user, case),
            "may_write": _may_assign(request.user, case),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def supervision_note_add(request, pk):
    case = selectors_work.case_get_for_supervision(
        request.user, pk, read={"form": "supervision"}, write=True
    )
    form = SupervisionNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_work.supervision_note_add(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except AlreadySubmitted:
            return already_saved(request, "cases:supervision_notes", pk=case.pk)
        else:
            messages.success(request, "Supervision note saved.")
            return redirect("cases:supervision_notes", pk=case.pk)
    return form_page(request, case=case, form=form, title="New supervision note")


# --- Caseloads ---------------------------------------------------------------------------------
def _service_led_by(request):
    """The current service, if the user leads a team in it (may allocate); else 403."""
    service = request.current_service
    if service is None or not access.can(
        request.user, access.Capability.ALLOCATE_CASES, service.pk
    ):
        raise PermissionDenied
    return service


@login_required
def caseloads(request):
    service = _service_led_by(request)
    rows = selectors_work.caseloads(request.user, service)
    record_event(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        service=service,
        label="Caseloads",
        detail={"page": "caseloads"},
    )
    return render(
        request,
        "cases/work/caseloads.html",
        {"service": service, "rows": rows, "columns": selectors_work.caseload_columns()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def caseload_reallocate(request, caseworker_pk):
    service = _service_led_by(request)
    caseworker_pk = lookup.pk_or_404(caseworker_pk)
    cases = selectors_work.open_cases_of_caseworker(request.user, service, caseworker_pk)
    form = ReallocationForm(
        request.POST or None,
        service=service,
        cases=cases,
        from_caseworker_pk=caseworker_pk,
    )
    record_event(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        service=service,
        label="Caseload reallocation",
        detail={"from_user": caseworker_pk},
    )
    if request.method == "POST" and form.is_valid():
        try:
            moved = services_work.caseload_reallocate(
                service=service,
                actor=request.user,
                cases=list(form.cleaned_data["cases"]),
                to_caseworker=form.cleaned_data["to_caseworker"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{moved} case{'s' if moved != 1 else ''} moved.")
            return redirect("cases:caseloads")
    return form_page(
        request,
        form=form,
        title="Move cases to another caseworker",
        submit="Move cases",
        intro="Each case moved is recorded in its allocation history.",
    )
