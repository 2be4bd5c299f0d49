"""A client's correction requests, on a page of the case they came through."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import access
from accounts.idempotency import AlreadySubmitted
from cases import selectors as case_selectors
from cases.views import already_saved, apply_errors

from . import selectors, services
from .forms import (
    LegalHoldLiftForm,
    LegalHoldPlaceForm,
    RectificationDecideForm,
    RectificationRecordForm,
)


def _page(request, case, *, record_form=None, answering=None, answer_form=None, status=200):
    requests = list(selectors.rectifications_of_case(case))
    can_decide = selectors.can_decide(request.user, case)
    for item in requests:
        if item.is_open and can_decide:
            # Each open request its own form (and element ids); the one just posted with errors.
            item.answer_form = (
                answer_form
                if item.pk == answering
                else RectificationDecideForm(auto_id=f"id_answer{item.pk}_%s")
            )
    earliest_open = min((item.received_on for item in requests if item.is_open), default=None)
    return render(
        request,
        "dataprotection/corrections.html",
        {
            "case": case,
            "client": case.client,
            "requests": requests,
            "can_record": case_selectors.can_edit_case(request.user, case),
            "can_decide": can_decide,
            "record_form": record_form or RectificationRecordForm(),
            # Beside the open requests, for whoever answers them: the changes made since the
            # earliest was received.
            "history": selectors.case_change_history(case, since=earliest_open)
            if can_decide and earliest_open
            else [],
        },
        status=status,
    )


@login_required
def corrections(request, pk):
    """The case's correction requests, a form to record one, and the answer to each."""
    case = case_selectors.case_get_for_user(request.user, pk, read={"page": "corrections"})
    return _page(request, case)


@login_required
@require_POST
def correction_record(request, pk):
    case = case_selectors.case_get_for_user(request.user, pk)
    case_selectors.require_case_capability(request.user, case)
    form = RectificationRecordForm(request.POST)
    if form.is_valid():
        try:
            services.rectification_record(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except AlreadySubmitted:
            return already_saved(request, "dataprotection:corrections", pk=case.pk)
        else:
            messages.success(request, "Correction request recorded: it is due in one month.")
            return redirect("dataprotection:corrections", pk=case.pk)
    return _page(request, case, record_form=form, status=400)


@login_required
@require_POST
def correction_answer(request, pk, request_pk):
    found = selectors.rectification_get_for_user(request.user, pk, request_pk)
    case_selectors.require_case_capability(
        request.user, found.case, access.Capability.HANDLE_DATA_RIGHTS
    )
    form = RectificationDecideForm(request.POST, auto_id=f"id_answer{found.pk}_%s")
    if form.is_valid():
        try:
            services.rectification_decide(actor=request.user, request=found, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except services.AlreadyDecided as decided:
            who = decided.request.decided_by
            messages.warning(
                request,
                f"{who.get_full_name() or who.email} answered this request meanwhile: your "
                "answer was not saved. Theirs is shown below.",
            )
            return redirect("dataprotection:corrections", pk=found.case_id)
        else:
            messages.success(request, "Answer recorded.")
            return redirect("dataprotection:corrections", pk=found.case_id)
    case = case_selectors.case_get_for_user(request.user, pk)
    return _page(request, case, answering=found.pk, answer_form=form, status=400)


# --- Legal hold --------------------------------------------------------------------------------


def _hold_page(request, case, *, place_form=None, lifting=None, lift_form=None, status=200):
    holds = list(selectors.legal_holds_of_case(case))
    can_decide = selectors.can_decide(request.user, case)
    for hold in holds:
        if hold.is_active and can_decide:
            hold.lift_form = (
                lift_form
                if hold.pk == lifting
                else LegalHoldLiftForm(auto_id=f"id_lift{hold.pk}_%s")
            )
    return render(
        request,
        "dataprotection/legal_hold.html",
        {
            "case": case,
            "client": case.client,
            "holds": holds,
            "on_hold": any(hold.is_active for hold in holds),
            "can_decide": can_decide,
            "place_form": place_form or LegalHoldPlaceForm(),
        },
        status=status,
    )


@login_required
def legal_hold(request, pk):
    """The case's legal holds, past and present, and (for a team leader or the manager) the
    forms to place and lift one."""
    case = case_selectors.case_get_for_user(request.user, pk, read={"page": "legal_hold"})
    return _hold_page(request, case)


@login_required
@require_POST
def legal_hold_place(request, pk):
    case = case_selectors.case_get_for_user(request.user, pk)
    case_selectors.require_case_capability(request.user, case, access.Capability.HANDLE_DATA_RIGHTS)
    form = LegalHoldPlaceForm(request.POST)
    if form.is_valid():
        try:
            services.legal_hold_place(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except AlreadySubmitted:
            return already_saved(request, "dataprotection:legal_hold", pk=case.pk)
        else:
            messages.success(request, "Legal hold placed: no retention step will touch this case.")
            return redirect("dataprotection:legal_hold", pk=case.pk)
    return _hold_page(request, case, place_form=form, status=400)


@login_required
@require_POST
def legal_hold_lift(request, pk, hold_pk):
    hold = selectors.legal_hold_get_for_user(request.user, pk, hold_pk)
    case_selectors.require_case_capability(
        request.user, hold.case, access.Capability.HANDLE_DATA_RIGHTS
    )
    form = LegalHoldLiftForm(request.POST, auto_id=f"id_lift{hold.pk}_%s")
    if form.is_valid():
        try:
            services.legal_hold_lift(actor=request.user, hold=hold, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except services.AlreadyLifted as lifted:
            who = lifted.hold.lifted_by
            messages.warning(
                request,
                f"{who.get_full_name() or who.email} lifted this hold meanwhile: your reason was "
                "not saved. Theirs is shown below.",
            )
            return redirect("dataprotection:legal_hold", pk=hold.case_id)
        else:
            messages.success(request, "Legal hold lifted.")
            return redirect("dataprotection:legal_hold", pk=hold.case_id)
    case = case_selectors.case_get_for_user(request.user, pk)
    return _hold_page(request, case, lifting=hold.pk, lift_form=form, status=400)
