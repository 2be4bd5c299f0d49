"""Case pages. Thin: scope through selectors, validate with forms, write with services."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import access, lookup
from accounts.concurrency import EditConflict, edit_state_of
from accounts.idempotency import ALREADY_SAVED_MESSAGE, AlreadySubmitted

from . import selectors, services
from .extensions import case_panels
from .forms import (
    CONTACT_FIELDS,
    AliasForm,
    AllocationForm,
    CaseCloseForm,
    ChildForm,
    ClientForm,
    ClosureDecisionForm,
    ConsentForm,
    ContactCorrectionForm,
    ContactForm,
    InformationSharingForm,
    PerpetratorForm,
    RestrictionForm,
    SafeContactForm,
    SearchForm,
    StatusForm,
)
from .models import Case, ClosureRequest


def apply_errors(form, error: ValidationError) -> None:
    """Puts a service's ValidationError on the form, field by field where it names fields."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            target = field if field in form.fields else None
            for message in field_errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def edit_case_or_403(user, pk, capability=access.Capability.EDIT_CASES) -> Case:
    """The case for an edit page: 404 if the user cannot see it, 403 if they only may read it;
    opening it is audited."""
    return selectors.case_get_for_editing(user, pk, capability=capability)


def form_page(request, *, case=None, client=None, form, title, submit="Save", intro="", status=200):
    return render(
        request,
        "cases/form_page.html",
        {
            "case": case,
            "client": client or (case.client if case else None),
            "form": form,
            "title": title,
            "submit": submit,
            "intro": intro,
        },
        status=status,
    )


def already_saved(request, to, *args, **kwargs):
    """A second post of a create form that was saved: nothing is created again; the person is
    sent where the first post went."""
    messages.info(request, ALREADY_SAVED_MESSAGE)
    return redirect(to, *args, **kwargs)


# --- Lists and search --------------------------------------------------------------------------


@login_required
def case_list(request):
    """The current service's cases, filterable by status, risk and caseworker."""
    service = request.current_service
    if service is None or not access.can(request.user, access.Capability.VIEW_CASES, service.pk):
        raise PermissionDenied
    filters, page = selectors.case_list_page(
        request.user, service=service, params=request.GET, page_number=request.GET.get("page")
    )
    return render(
        request,
        "cases/case_list.html",
        {"page": page, "filters": filters, "today": timezone.localdate()},
        status=200 if filters.is_valid() else 400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_search(request):
    """Search by POST so that names never appear in a URL, a log or browser history."""
    if not access.can(request.user, access.Capability.VIEW_CASES):
        raise PermissionDenied
    form = SearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        results = selectors.search_results(
            request.user, form.cleaned_data["query"], service=request.current_service
        )
    return render(request, "cases/search.html", {"form": form, "results": results})


# --- The case page -----------------------------------------------------------------------------


@login_required
def case_detail(request, pk):
    case = selectors.case_get_for_user(request.user, pk, read=True, for_case_page=True)
    can_edit = access.can(request.user, access.Capability.EDIT_CASES, case.service_id)
    contact_counts = selectors.contact_counts(case)
    panels = [
        {"template": panel.template, "context": panel.context(request, case)}
        for panel in case_panels()
    ]
    # The timeline is its own request (htmx loads it into the page, a link opens it without
    # JavaScript): the case page's queries and CPU stay those of its panels.
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "client": case.client,
            # A stub (dataprotection.erasure) takes no new records.
            "can_edit": can_edit and not case.is_closed and not case.client.is_erased,
            "can_allocate": access.can(
                request.user, access.Capability.ALLOCATE_CASES, case.service_id
            ),
            "can_restrict": access.can(
                request.user, access.Capability.RESTRICT_CASES, case.service_id
            ),
            "can_sign_off": access.can(
                request.user, access.Capability.SIGN_OFF_CLOSURES, case.service_id
            ),
            "latest_contacts": selectors.latest_contacts(case),
            "contact_counts": contact_counts,
            "perpetrators": case.perpetrators.all(),
            # Read only for a case that has them (the case query says: children_exist...).
            "children": case.children.prefetch_related("cyps_involvement")
            if case.children_exist
            else (),
            "shares": case.information_shares.select_related("agency", "authorised_by")
            if case.shares_exist
            else (),
            "pending_closure": selectors.pending_closure(case),
            "closure": selectors.closure_record(case),
            "panels": panels,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request, pk):
    case = edit_case_or_403(request.user, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_log(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except AlreadySubmitted:
            return already_saved(request, "cases:case_detail", pk=case.pk)
        else:
            messages.success(request, "Contact saved.")
            if "add_another" in request.POST:
                return redirect("cases:contact_add", pk=case.pk)
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/contact_form.html",
        {
            "case": case,
            "client": case.client,
            "form": form,
            "title": "Log a contact",
            "channel_warnings": services.contact_channel_warning_table(case.client),
        },
    )


@login_required
def contact_list(request, pk):
    """Every contact of the case, newest first, a page at a time."""
    case = selectors.case_get_for_user(request.user, pk, read={"list": "contacts"})
    page = selectors.contacts_page(case, request.GET.get("page"))
    return render(
        request,
        "cases/contact_list.html",
        {
            "case": case,
            "client": case.client,
            "page": page,
            "can_edit": selectors.can_edit_case(request.user, case) and not case.is_closed,
        },
    )


@login_required
def contact_detail(request, pk, contact_pk):
    """One contact in full, with its earlier versions (to anyone who may see the case)."""
    case = selectors.case_get_for_user(request.user, pk)
    contact = selectors.contact_of_case(case, contact_pk)
    lookup.record_read(
        request.user, contact, read=True, service_id=case.service_id, case_id=case.pk
    )
    return render(
        request,
        "cases/contact_detail.html",
        {
            "case": case,
            "client": case.client,
            "contact": contact,
            "history": selectors.contact_history(contact),
            "can_edit": selectors.can_edit_case(request.user, case) and not case.is_closed,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, pk, contact_pk):
    case = edit_case_or_403(request.user, pk)
    contact = selectors.contact_of_case(case, contact_pk)
    loaded = edit_state_of(contact, CONTACT_FIELDS) if request.method == "GET" else None
    form = ContactCorrectionForm(request.POST or None, instance=contact, edit_state=loaded)
    status = 200
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in CONTACT_FIELDS}
        try:
            services.contact_correct(
                contact=contact,
                actor=request.user,
                correction_reason=form.cleaned_data["correction_reason"],
                edit_state=form.cleaned_data["edit_state"],
                **fields,
            )
        except ValidationError as error:
            apply_errors(form, error)
        except EditConflict as conflict:
            form.show_conflict(conflict)
            status = 409
        else:
            messages.success(request, "Contact corrected. The earlier version is kept.")
            return redirect("cases:contact_detail", pk=case.pk, contact_pk=contact.pk)
    return render(
        request,
        "cases/contact_form.html",
        {
            "case": case,
            "client": case.client,
            "form": form,
            "contact": contact,
            "title": "Correct a contact",
            "channel_warnings": services.contact_channel_warning_table(case.client),
        },
        status=status,
    )


@login_required
def case_timeline(request, pk):
    """The case's whole timeline, a page at a time; asked by htmx from the case page, its first
    page alone, as the page's timeline panel."""
    case = selectors.case_get_for_user(request.user, pk, read={"list": "timeline"})
    try:
        # Bounded: each source is asked for page times page-size rows (a huge number in the
        # address must not reach the database as a LIMIT it cannot take).
        number = min(max(1, int(request.GET.get("page", 1))), selectors.TIMELINE_MAX_PAGE)
    except ValueError:
        number = 1
    return render(
        request,
        "cases/_timeline_panel.html" if request.htmx else "cases/timeline.html",
        {
            "case": case,
            "client": case.client,
            "timeline": selectors.case_timeline(case, page=number),
        },
    )


def closure_page(request, *, case, form, title, intro, submit, gaps, pending=None):
    """The closure and sign-off pages: what is missing is listed above the form, with links."""
    return render(
        request,
        "cases/closure_form.html",
        {
            "case": case,
            "client": case.client,
            "form": form,
            "title": title,
            "intro": intro,
            "submit": submit,
            "gaps": gaps,
            "pending": pending,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_close(request, pk):
    case = edit_case_or_403(request.user, pk)
    if case.is_closed:
        messages.info(request, "This case is already closed.")
        return redirect("cases:case_detail", pk=case.pk)
    gaps = selectors.closure_gaps(case)
    form = CaseCloseForm(
        request.POST or None, initial={"closed_on": timezone.localdate()}, gaps=gaps
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.case_close(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            # What is missing may have changed since the page was drawn: show it as it is now.
            gaps = selectors.closure_gaps(case)
            form = CaseCloseForm(request.POST, gaps=gaps)
            form.is_valid()
            apply_errors(form, error)
        else:
            if isinstance(result, ClosureRequest):
                messages.success(request, "Closure requested: a team leader will sign it off.")
            else:
                messages.success(request, "Case closed.")
            return redirect("cases:case_detail", pk=case.pk)
    sign_off_reason = selectors.closure_sign_off_reason(case, request.user)
    return closure_page(
        request,
        case=case,
        form=form,
        title=f"Close case {case.reference}",
        intro=sign_off_reason,
        submit="Request closure" if sign_off_reason else "Close case",
        gaps=gaps,
    )


@login_required
@require_http_methods(["GET", "POST"])
def closure_decide(request, pk, request_pk):
    case = edit_case_or_403(request.user, pk, access.Capability.SIGN_OFF_CLOSURES)
    closure = get_object_or_404(
        case.closure_requests.select_related("requested_by"),
        pk=request_pk,
        decision=ClosureRequest.Decision.REQUESTED,
    )
    gaps = selectors.closure_gaps(case)
    form = ClosureDecisionForm(request.POST or None, gaps=gaps)
    if request.method == "POST" and form.is_valid():
        try:
            services.closure_decide(request=closure, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            gaps = selectors.closure_gaps(case)
            form = ClosureDecisionForm(request.POST, gaps=gaps)
            form.is_valid()
            apply_errors(form, error)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("cases:case_detail", pk=case.pk)
    return closure_page(
        request,
        case=case,
        form=form,
        title="Sign off closure",
        intro=(
            "You asked for this closure: another team leader signs it off, or you may return "
            "(withdraw) it."
            if closure.requested_by_id == request.user.pk
            else ""
        ),
        submit="Record decision",
        gaps=gaps,
        pending=closure,
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_allocate(request, pk):
    case = edit_case_or_403(request.user, pk, access.Capability.ALLOCATE_CASES)
    form = AllocationForm(
        request.POST or None,
        service=case.service,
        initial={"caseworker": case.caseworker_id, "team": case.team_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_allocate(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Allocation saved.")
            return redirect("cases:case_detail", pk=case.pk)
    return form_page(request, case=case, form=form, title=f"Allocate case {case.reference}")


@login_required
@require_http_methods(["GET", "POST"])
def case_status(request, pk):
    case = edit_case_or_403(request.user, pk)
    form = StatusForm(request.POST or None, initial={"status": case.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.case_set_status(
                case=case,
                actor=request.user,
                new_status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Status changed.")
            return redirect("cases:case_detail", pk=case.pk)
    return form_page(request, case=case, form=form, title="Put on hold or reopen")


@login_required
@require_http_methods(["GET", "POST"])
def case_restrict(request, pk):
    case = edit_case_or_403(request.user, pk, access.Capability.RESTRICT_CASES)
    form = RestrictionForm(
        request.POST or None,
        service=case.service,
        initial={"restricted": case.is_restricted, "named_users": case.restricted_to.all()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_set_restriction(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Restriction saved.")
            return redirect("cases:case_detail", pk=case.pk)
    return form_page(
        request,
        case=case,
        form=form,
        title="Restrict access",
        intro="A restricted case is hidden from everyone not named here, in lists, search and "
        "reports' case inputs. You are always named.",
    )


def _case_child_form(request, pk, form_class, title, create, child_pk=None, related=None):
    case = edit_case_or_403(request.user, pk)
    instance = get_object_or_404(getattr(case, related), pk=child_pk) if child_pk else None
    loaded = None
    if instance is not None and request.method == "GET":
        loaded = edit_state_of(instance, form_class._meta.fields)
    form = form_class(request.POST or None, instance=instance, edit_state=loaded)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            create(
                case=case,
                actor=request.user,
                form=form,
                edit_state=form.cleaned_data["edit_state"],
                form_token=form.cleaned_data["form_token"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        except EditConflict as conflict:
            form.show_conflict(conflict)
            status = 409
        except AlreadySubmitted:
            return already_saved(request, "cases:case_detail", pk=case.pk)
        else:
            messages.success(request, "Saved.")
            return redirect("cases:case_detail", pk=case.pk)
    return form_page(request, case=case, form=form, title=title, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def perpetrator_form(request, pk, perpetrator_pk=None):
    return _case_child_form(
        request,
        pk,
        PerpetratorForm,
        "Perpetrator",
        services.case_child_save,
        child_pk=perpetrator_pk,
        related="perpetrators",
    )


@login_required
@require_http_methods(["GET", "POST"])
def child_form(request, pk, child_pk=None):
    return _case_child_form(
        request,
        pk,
        ChildForm,
        "Child or young person",
        services.case_child_save,
        child_pk=child_pk,
        related="children",
    )


@login_required
@require_http_methods(["GET", "POST"])
def information_share_add(request, pk):
    case = edit_case_or_403(request.user, pk)
    form = InformationSharingForm(request.POST or None, service=case.service)
    if request.method == "POST" and form.is_valid():
        try:
            services.information_share(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except AlreadySubmitted:
            return already_saved(request, "cases:case_detail", pk=case.pk)
        else:
            messages.success(request, "Information sharing recorded.")
            return redirect("cases:case_detail", pk=case.pk)
    return form_page(request, case=case, form=form, title="Record information shared")


# --- Clients -----------------------------------------------------------------------------------


def _editable_client(user, pk):
    return selectors.client_get_for_editing(user, pk)


@login_required
def client_detail(request, pk):
    if kept := selectors.merged_client_kept(request.user, pk):
        messages.info(request, "That record was merged into this one.")
        return redirect("cases:client_detail", pk=kept)
    client = selectors.client_get_for_user(request.user, pk, read=True)
    return render(
        request,
        "cases/client_detail.html",
        {
            "client": client,
            "can_edit": selectors.can_edit_client(request.user, client),
            "cases": selectors.cases_visible_to(request.user)
            .filter(client=client)
            .select_related("service"),
            "aliases": client.aliases.all(),
            "consents": client.consents.select_related("agency", "recorded_by", "withdrawn_by"),
            "disability_types": client.disability_types.all(),
            "employment": client.employment.all(),
        },
    )


def _client_record_page(request, pk, form_class, title, saved):
    client = _editable_client(request.user, pk)
    loaded = None
    if request.method == "GET":
        loaded = edit_state_of(client, form_class._meta.fields)
    # The form works on a copy: its validation writes the person's input onto its instance,
    # and the page's safe-contact banner must show what is saved, not what was typed.
    form = form_class(request.POST or None, instance=copy.copy(client), edit_state=loaded)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(client=client, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except EditConflict as conflict:
            form.show_conflict(conflict)
            status = 409
        else:
            messages.success(request, saved)
            return redirect("cases:client_detail", pk=client.pk)
    return form_page(request, client=client, form=form, title=title, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def client_edit(request, pk):
    return _client_record_page(request, pk, ClientForm, "Client record", "Client record saved.")


@login_required
@require_http_methods(["GET", "POST"])
def client_safe_contact(request, pk):
    return _client_record_page(
        request, pk, SafeContactForm, "Safe contact", "Safe-contact instructions saved."
    )


@login_required
@require_http_methods(["GET", "POST"])
def alias_add(request, pk):
    client = _editable_client(request.user, pk)
    form = AliasForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_alias_add(client=client, actor=request.user, **form.cleaned_data)
        except AlreadySubmitted:
            return already_saved(request, "cases:client_detail", pk=client.pk)
        messages.success(request, "Alias added.")
        return redirect("cases:client_detail", pk=client.pk)
    return form_page(request, client=client, form=form, title="Add an alias")


@login_required
@require_http_methods(["GET", "POST"])
def consent_add(request, pk):
    client = _editable_client(request.user, pk)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(client=client, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except AlreadySubmitted:
            return already_saved(request, "cases:client_detail", pk=client.pk)
        else:
            messages.success(request, "Consent recorded.")
            return redirect("cases:client_detail", pk=client.pk)
    return form_page(request, client=client, form=form, title="Record consent")


@login_required
@require_http_methods(["POST"])
def consent_withdraw(request, pk, consent_pk):
    client = _editable_client(request.user, pk)
    consent = get_object_or_404(client.consents, pk=consent_pk)
    try:
        services.consent_withdraw(
            consent=consent, actor=request.user, withdrawn_on=timezone.localdate()
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Consent withdrawn.")
    return redirect("cases:client_detail", pk=client.pk)
