"""Referral pages: the queue, filing a referral (with the duplicate-client check) and triage."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access, lookup
from accounts.idempotency import ALREADY_SAVED_MESSAGE, AlreadySubmitted, first_submission
from cases import selectors as case_selectors
from cases.selectors import ClientMatches
from cases.views import apply_errors

from . import selectors, services
from .forms import ContactAttemptForm, ReferralClientForm, ReferralForm, TriageForm


def _current_service_for_editing(request):
    service = request.current_service
    if service is None or not access.can(request.user, access.Capability.EDIT_CASES, service.pk):
        raise PermissionDenied
    return service


@login_required
def referral_list(request):
    service = request.current_service
    if service is None or not access.can(request.user, access.Capability.VIEW_CASES, service.pk):
        raise PermissionDenied
    filters, page = selectors.referral_list_page(
        request.user, service=service, params=request.GET, page_number=request.GET.get("page")
    )
    return render(
        request,
        "referrals/referral_list.html",
        {
            "page": page,
            "filters": filters,
            "can_file": access.can(request.user, access.Capability.EDIT_CASES, service.pk),
        },
        status=200 if filters.is_valid() else 400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request):
    """Files a referral. Before creating a client, shows anyone already known who may be the
    same person (a similar name or alias, date of birth, phone, postcode: ranked, with what
    matched), whom the caseworker may see, and links to them if the caseworker confirms; of
    anyone else it says only that a possible match exists. "None of these" records each one
    shown as not the same person."""
    service = _current_service_for_editing(request)
    client_form = ReferralClientForm(request.POST or None, prefix="client")
    referral_form = ReferralForm(request.POST or None, prefix="referral", service=service)
    matches = ClientMatches()
    status = 200
    if request.method == "POST" and client_form.is_valid() and referral_form.is_valid():
        # A resend of a filed referral would otherwise meet its own client as a match.
        if first := first_submission(referral_form.cleaned_data["form_token"], actor=request.user):
            return _already_filed(request, first)
        client_data = client_form.cleaned_data
        matches = case_selectors.client_matches_for(
            request.user,
            provider=service.provider,
            first_name=client_data["first_name"],
            last_name=client_data["last_name"],
            date_of_birth=client_data["date_of_birth"],
            phone=client_data["safe_phone"],
            postcode=client_data["postcode"],
        )
        decision = request.POST.get("match", "")
        chosen = None
        if decision.isdigit():
            chosen = next((c for c in matches.shown if c.pk == int(decision)), None)
        if decision and decision != "new" and chosen is None:
            # Not one of the records shown (a stale page or a forged id): nothing is written.
            client_form.add_error(
                None, "Choose one of the records shown, or file the referral for a new client."
            )
            status = 400
        elif matches and not decision and request.POST.get("match_asked"):
            client_form.add_error(
                None,
                "Choose who this referral is about: one of the records shown, or a new client.",
            )
        elif decision or not matches:  # with possible matches, file only once asked
            try:
                referral = services.referral_file(
                    service=service,
                    actor=request.user,
                    client=chosen,
                    client_fields=None if chosen else client_data,
                    # "None of these": each record shown is recorded as someone else.
                    not_same_as=matches.shown if decision == "new" else (),
                    **referral_form.cleaned_data,
                )
            except ValidationError as error:
                apply_errors(referral_form, error)
            except AlreadySubmitted as first:
                return _already_filed(request, first)
            else:
                if chosen:
                    messages.success(request, "Referral filed and linked to the existing client.")
                else:
                    messages.success(request, "Referral filed.")
                if referral.under_16_flag:
                    messages.warning(
                        request,
                        "The client is under 16: route this referral to young people's "
                        "safeguarding.",
                    )
                return redirect("referrals:referral_detail", pk=referral.pk)
    return render(
        request,
        "referrals/referral_form.html",
        {"client_form": client_form, "referral_form": referral_form, "matches": matches},
        status=status,
    )


def _already_filed(request, first: AlreadySubmitted):
    messages.info(request, ALREADY_SAVED_MESSAGE)
    if first.object_id is not None:
        return redirect("referrals:referral_detail", pk=first.object_id)
    return redirect("referrals:referral_list")


@login_required
def referral_detail(request, pk):
    referral = selectors.referral_get_for_user(request.user, pk, read=True)
    can_edit = access.can(request.user, access.Capability.EDIT_CASES, referral.service_id)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "client": referral.client,
            "can_edit": can_edit,
            "triage_form": TriageForm(service=referral.service) if can_edit else None,
            "contact_form": ContactAttemptForm() if can_edit else None,
        },
    )


def _editable_referral(request, pk):
    referral = selectors.referral_get_for_user(request.user, pk)
    lookup.require(
        request.user,
        access.Capability.EDIT_CASES,
        service_id=referral.service_id,
        case_id=referral.case_id,
        obj=referral,
    )
    return referral


@login_required
@require_POST
def referral_triage(request, pk):
    referral = _editable_referral(request, pk)
    form = TriageForm(request.POST, service=referral.service)
    if form.is_valid():
        try:
            referral = services.referral_triage(
                referral=referral, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Triage recorded: {referral.get_triage_display()}.")
            if referral.case_id:
                return redirect("cases:case_detail", pk=referral.case_id)
            return redirect("referrals:referral_detail", pk=referral.pk)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "client": referral.client,
            "can_edit": True,
            "triage_form": form,
            "contact_form": ContactAttemptForm(),
        },
        status=400,
    )


@login_required
@require_POST
def referral_contact(request, pk):
    referral = _editable_referral(request, pk)
    form = ContactAttemptForm(request.POST)
    if form.is_valid():
        try:
            services.referral_record_contact(
                referral=referral, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Contact attempt recorded.")
            return redirect("referrals:referral_detail", pk=referral.pk)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "client": referral.client,
            "can_edit": True,
            "triage_form": TriageForm(service=referral.service),
            "contact_form": form,
        },
        status=400,
    )
