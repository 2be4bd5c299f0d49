"""Views of the diary: a case's appointments, booking, changing and cancelling one, and the
team's week. Thin: scoped selectors (another service's case answers 404, a read-only user 403
on the edit pages), the services write and check the safety warnings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import access
from accounts.audit import record_event
from accounts.concurrency import EditConflict, edit_state_of
from accounts.idempotency import ALREADY_SAVED_MESSAGE, AlreadySubmitted
from accounts.models import AuditEvent
from cases.selectors import can_edit_case, case_get_for_user, require_case_capability

from . import selectors_appointments as selectors
from . import services_appointments as services
from .forms_appointments import (
    APPOINTMENT_FIELDS,
    AppointmentCancelForm,
    AppointmentEditForm,
    AppointmentForm,
)
from .views import _form_errors_from, _posted


@login_required
def appointment_list(request, case_pk):
    case = case_get_for_user(request.user, case_pk, read={"page": "appointments"})
    return render(
        request,
        "support/appointment_list.html",
        {
            "case": case,
            "appointments": list(selectors.appointments_for_case(case)),
            "can_edit": can_edit_case(request.user, case) and not case.is_closed,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def appointment_add(request, case_pk):
    case = case_get_for_user(request.user, case_pk)
    require_case_capability(request.user, case)
    form = AppointmentForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            appointment = services.appointment_book(case=case, actor=request.user, **data)
        except ValidationError as error:
            _form_errors_from(form, error)
        except AlreadySubmitted:
            messages.info(request, ALREADY_SAVED_MESSAGE)
            return redirect("support:appointment_list", case_pk=case.pk)
        else:
            messages.success(request, "Appointment booked.")
            return redirect("support:appointment_detail", pk=appointment.pk)
    return render(
        request, "support/appointment_form.html", {"case": case, "form": form, "title": "Book"}
    )


@login_required
def appointment_detail(request, pk):
    appointment = selectors.appointment_get_for_user(request.user, pk, read={"page": "appointment"})
    case = appointment.case
    # The warnings as they stand now (the client's safe times may have changed since).
    warnings = services.appointment_warnings(
        case.client,
        kind=appointment.kind,
        channel=appointment.channel,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        place=appointment.place,
    )
    return render(
        request,
        "support/appointment_detail.html",
        {
            "case": case,
            "appointment": appointment,
            "warnings": warnings,
            "can_edit": can_edit_case(request.user, case)
            and not appointment.is_cancelled
            and not case.is_closed,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def appointment_edit(request, pk):
    appointment = selectors.appointment_get_for_editing(
        request.user, pk, read=request.method == "GET" and {"page": "change appointment"}
    )
    case = appointment.case
    if appointment.is_cancelled:
        raise Http404("This appointment was cancelled.")
    form = AppointmentEditForm(
        _posted(request),
        instance=appointment,
        edit_state=edit_state_of(appointment, APPOINTMENT_FIELDS),
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in APPOINTMENT_FIELDS}
        try:
            services.appointment_change(
                appointment=appointment,
                actor=request.user,
                edit_state=form.cleaned_data.get("edit_state"),
                warnings_acknowledged=form.cleaned_data["warnings_acknowledged"],
                **data,
            )
        except EditConflict as conflict:
            form.show_conflict(conflict)
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, "Appointment changed.")
            return redirect("support:appointment_detail", pk=appointment.pk)
    return render(
        request,
        "support/appointment_form.html",
        {"case": case, "form": form, "appointment": appointment, "title": "Change"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def appointment_cancel(request, pk):
    appointment = selectors.appointment_get_for_editing(
        request.user, pk, read=request.method == "GET" and {"page": "cancel appointment"}
    )
    form = AppointmentCancelForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_cancel(
                appointment=appointment,
                actor=request.user,
                reason=form.cleaned_data["cancellation_reason"],
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, "Appointment cancelled.")
            return redirect("support:appointment_list", case_pk=appointment.case_id)
    return render(
        request,
        "support/appointment_cancel.html",
        {"case": appointment.case, "appointment": appointment, "form": form},
    )


@login_required
def team_diary(request):
    """The service's week by caseworker, for those who allocate its cases (team leaders)."""
    service = request.current_service
    if service is None or not access.can(
        request.user, access.Capability.ALLOCATE_CASES, service.pk
    ):
        raise Http404
    start, rows = selectors.team_week(request.user, service, timezone.localdate())
    record_event(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        service=service.pk,
        detail={"page": "team diary"},
    )
    return render(request, "support/team_diary.html", {"start": start, "rows": rows})
