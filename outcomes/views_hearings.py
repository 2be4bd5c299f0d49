"""Views of court hearings: a case's list, recording one, its page and changing it (the outcome,
once known). Thin: scoped selectors (404 outside scope, 403 audited for a read-only user on the
edit pages); outcomes.services_hearings writes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.concurrency import EditConflict, edit_state_of
from accounts.idempotency import ALREADY_SAVED_MESSAGE, AlreadySubmitted
from cases.selectors import can_edit_case, case_get_for_user, require_case_capability

from . import selectors_hearings as selectors
from . import services_hearings as services
from .forms_hearings import CourtHearingEditForm, CourtHearingForm
from .services_hearings import HEARING_FIELDS
from .views import _apply_errors


def _posted(request):
    return request.POST if request.method == "POST" else None


@login_required
def hearing_list(request, case_id):
    case = case_get_for_user(request.user, case_id, read={"page": "court hearings"})
    return render(
        request,
        "outcomes/hearing_list.html",
        {
            "case": case,
            "hearings": list(selectors.hearings_for_case(case)),
            "can_edit": can_edit_case(request.user, case),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def hearing_add(request, case_id):
    case = case_get_for_user(request.user, case_id)
    require_case_capability(request.user, case)
    form = CourtHearingForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            hearing = services.court_hearing_record(
                case=case, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        except AlreadySubmitted:
            messages.info(request, ALREADY_SAVED_MESSAGE)
            return redirect("outcomes:hearing_list", case_id=case.pk)
        else:
            messages.success(request, "Court hearing recorded.")
            return redirect("outcomes:hearing_detail", pk=hearing.pk)
    return render(
        request, "outcomes/hearing_form.html", {"case": case, "form": form, "action": "Record"}
    )


@login_required
def hearing_detail(request, pk):
    hearing = selectors.hearing_get_for_user(request.user, pk, read={"page": "court hearing"})
    return render(
        request,
        "outcomes/hearing_detail.html",
        {
            "case": hearing.case,
            "hearing": hearing,
            "can_edit": can_edit_case(request.user, hearing.case),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def hearing_edit(request, pk):
    hearing = selectors.hearing_get_for_editing(
        request.user, pk, read=request.method == "GET" and {"page": "change court hearing"}
    )
    form = CourtHearingEditForm(
        _posted(request), instance=hearing, edit_state=edit_state_of(hearing, HEARING_FIELDS)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.court_hearing_change(
                hearing=hearing,
                actor=request.user,
                edit_state=form.cleaned_data.get("edit_state"),
                **{name: form.cleaned_data[name] for name in HEARING_FIELDS},
            )
        except EditConflict as conflict:
            form.show_conflict(conflict)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Court hearing changed.")
            return redirect("outcomes:hearing_detail", pk=hearing.pk)
    return render(
        request,
        "outcomes/hearing_form.html",
        {"case": hearing.case, "form": form, "hearing": hearing, "action": "Change"},
    )
