"""Transfer pages: a team leader requests a case's transfer to another service of the provider
(and may withdraw it while it waits), a team leader of that service accepts or declines it, and
the receiving team reads the previous case's history. Thin: scope through selectors_transfers,
write through services_transfers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access

from . import selectors, selectors_transfers, services_transfers
from .forms_transfers import TransferDecisionForm, TransferRequestForm
from .models import CaseTransfer
from .views import apply_errors, form_page


@login_required
@require_http_methods(["GET", "POST"])
def case_transfer_request(request, pk):
    case = selectors.case_get_for_editing(
        request.user, pk, capability=access.Capability.ALLOCATE_CASES
    )
    if case.is_closed:
        messages.info(request, "This case is closed: a closed case is not transferred.")
        return redirect("cases:case_detail", pk=case.pk)
    waiting = selectors_transfers.waiting_transfer(case)
    if waiting is not None:
        messages.info(request, f"A transfer to {waiting.to_service.name} is already waiting.")
        return redirect("cases:case_detail", pk=case.pk)
    form = TransferRequestForm(
        request.POST or None,
        destinations=selectors_transfers.transfer_destinations(case),
        decider_choices=(
            selectors_transfers.transfer_decider_choices(case) if case.is_restricted else None
        ),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services_transfers.case_transfer_request(
                    case=case, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    "Transfer requested: the team leaders you named decide."
                    if case.is_restricted
                    else "Transfer requested: the receiving service's team leaders decide.",
                )
                return redirect("cases:case_detail", pk=case.pk)
        status = 400
    return form_page(
        request,
        case=case,
        form=form,
        title=f"Transfer case {case.reference}",
        intro="The case moves to another service of your provider if one of its team leaders "
        "accepts: this case then closes (planned, no exit form needed) and a continuing case "
        "opens there, with the risk, MARAC flag, restriction, perpetrators and children, and "
        "its team can read this case's history.",
        submit="Request transfer",
        status=status,
    )


@login_required
@require_POST
def transfer_withdraw(request, transfer_pk):
    transfer = selectors_transfers.transfer_get_for_withdrawal(request.user, transfer_pk)
    try:
        services_transfers.case_transfer_withdraw(transfer=transfer, actor=request.user)
    except ValidationError as error:
        # Decided meanwhile: the case page says what happened.
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Transfer to {transfer.to_service.name} withdrawn: the case stays in this service.",
        )
    return redirect("cases:case_detail", pk=transfer.case_id)


@login_required
@require_GET
def transfer_list(request):
    if not access.service_ids_with(request.user, access.Capability.ALLOCATE_CASES):
        raise PermissionDenied
    return render(
        request,
        "cases/transfer_list.html",
        selectors_transfers.transfers_for_list(request.user),
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer_decide(request, transfer_pk):
    transfer = selectors_transfers.transfer_get_for_decision(
        request.user, transfer_pk, read={"page": "transfer decision"}
    )
    if transfer.decision != CaseTransfer.Decision.REQUESTED:
        messages.info(request, f"This transfer was {transfer.get_decision_display().lower()}.")
        return redirect("cases:transfer_list")
    form = TransferDecisionForm(request.POST or None, service=transfer.to_service)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                transfer = services_transfers.case_transfer_decide(
                    transfer=transfer, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                if transfer.decision == CaseTransfer.Decision.ACCEPTED:
                    messages.success(request, "Transfer accepted: the continuing case is open.")
                    return redirect("cases:case_detail", pk=transfer.new_case_id)
                messages.success(request, "Transfer declined.")
                return redirect("cases:transfer_list")
        status = 400
    return render(
        request,
        "cases/transfer_decide.html",
        {"transfer": transfer, "form": form},
        status=status,
    )


@login_required
@require_GET
def case_transfer_history(request, pk):
    try:
        number = min(max(1, int(request.GET.get("page", 1))), selectors.TIMELINE_MAX_PAGE)
    except ValueError:
        number = 1
    try:
        back = int(request.GET.get("back", 1))
    except ValueError:
        back = 1
    return render(
        request,
        "cases/transfer_history.html",
        selectors_transfers.case_history_through_transfer(request.user, pk, page=number, back=back),
    )
