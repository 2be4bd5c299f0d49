"""A client's correction requests, a case's legal holds and the erasure of its client's record, on
pages of the case."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.audit import record_event
from accounts.idempotency import AlreadySubmitted
from accounts.models import AuditEvent
from cases import selectors as case_selectors
from cases.views import already_saved, apply_errors

from . import erasure, selectors, services
from . import subject_access as answer
from .forms import (
    ErasureForm,
    LegalHoldLiftForm,
    LegalHoldPlaceForm,
    RectificationDecideForm,
    RectificationRecordForm,
    SubjectAccessOpenForm,
    SubjectAccessRedactForm,
    SubjectAccessSentForm,
    SubjectAccessVersionForm,
)


def _data_rights_case(request, pk, *, read=False):
    """The case, for a team leader or the manager of its service (404 outside the user's
    scope, 403 within it for anyone else)."""
    case = case_selectors.case_get_for_user(request.user, pk, read=read)
    case_selectors.require_case_capability(request.user, case, access.Capability.HANDLE_DATA_RIGHTS)
    return case


def _create(request, case, form, write, *, page, done, shown_again):
    """A create form's post: saved once (a second post of the same form is not), or shown
    again with its errors in place (400)."""
    if form.is_valid():
        try:
            write(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except AlreadySubmitted:
            return already_saved(request, page, pk=case.pk)
        else:
            messages.success(request, done)
            return redirect(page, pk=case.pk)
    return shown_again(form)


def _answer(request, row, form, write, *, page, done, shown_again):
    """An answer's post (to a request, or lifting a hold), by a team leader or the manager:
    saved, shown again with its errors (400), or refused when someone else answered first."""
    if form.is_valid():
        try:
            write(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except services.AlreadyAnswered as answered:
            messages.warning(
                request,
                f"{answered.by.get_full_name() or answered.by.email} answered this meanwhile: "
                "yours was not saved. Theirs is shown below.",
            )
            return redirect(page, pk=row.case_id)
        else:
            messages.success(request, done)
            return redirect(page, pk=row.case_id)
    return shown_again(form)


def _answerable(request, pk, row_pk, get):
    row = get(request.user, pk, row_pk)
    case_selectors.require_case_capability(
        request.user, row.case, access.Capability.HANDLE_DATA_RIGHTS
    )
    return row


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
    return _create(
        request,
        case,
        RectificationRecordForm(request.POST),
        services.rectification_record,
        page="dataprotection:corrections",
        done="Correction request recorded: it is due in one month.",
        shown_again=lambda form: _page(request, case, record_form=form, status=400),
    )


@login_required
@require_POST
def correction_answer(request, pk, request_pk):
    found = _answerable(request, pk, request_pk, selectors.rectification_get_for_user)
    return _answer(
        request,
        found,
        RectificationDecideForm(request.POST, auto_id=f"id_answer{found.pk}_%s"),
        functools.partial(services.rectification_decide, request=found),
        page="dataprotection:corrections",
        done="Answer recorded.",
        shown_again=lambda form: _page(
            request, found.case, answering=found.pk, answer_form=form, status=400
        ),
    )


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
    case = _data_rights_case(request, pk)
    return _create(
        request,
        case,
        LegalHoldPlaceForm(request.POST),
        services.legal_hold_place,
        page="dataprotection:legal_hold",
        done="Legal hold placed: no retention step will touch this case.",
        shown_again=lambda form: _hold_page(request, case, place_form=form, status=400),
    )


@login_required
@require_POST
def legal_hold_lift(request, pk, hold_pk):
    hold = _answerable(request, pk, hold_pk, selectors.legal_hold_get_for_user)
    return _answer(
        request,
        hold,
        LegalHoldLiftForm(request.POST, auto_id=f"id_lift{hold.pk}_%s"),
        functools.partial(services.legal_hold_lift, hold=hold),
        page="dataprotection:legal_hold",
        done="Legal hold lifted.",
        shown_again=lambda form: _hold_page(
            request, hold.case, lifting=hold.pk, lift_form=form, status=400
        ),
    )


# --- Erasure -----------------------------------------------------------------------------------


def _erase_page(request, case, form, *, refusal="", status=200):
    return render(
        request,
        "dataprotection/erase.html",
        {
            "case": case,
            "client": case.client,
            "form": form,
            "refusal": refusal,
            "extent": None if refusal else selectors.erasure_extent(case),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def erase(request, pk):
    """Erasing the client's record (de-identified to a stub, or entirely on their request), by a
    team leader or the manager of every service the client has a case at, never on legal hold."""
    case = _data_rights_case(request, pk, read={"page": "erase"})
    refusal = selectors.erasure_refusal(request.user, case)
    if request.method == "GET":
        return _erase_page(request, case, ErasureForm(case=case), refusal=refusal)
    form = ErasureForm(request.POST, case=case)
    if refusal:
        return _erase_page(request, case, form, refusal=refusal, status=409)
    if not form.is_valid():
        return _erase_page(request, case, form, status=400)
    keep_stub = form.cleaned_data["kind"] == ErasureForm.KEEP_STUB
    try:
        erasure.erase_client(
            case.client,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            keep_stub=keep_stub,
        )
    except erasure.OnLegalHold:
        # Placed between the page's check and the erasure.
        refusal = "A case of this client was put on legal hold meanwhile: nothing was erased."
        return _erase_page(request, case, form, refusal=refusal, status=409)
    if keep_stub:
        messages.success(request, "The client's record is de-identified.")
        return redirect("cases:case_detail", pk=case.pk)
    messages.success(request, "The client's record is erased.")
    return redirect("home")


# --- Subject access ----------------------------------------------------------------------------


def _subject_access_list(request, case, *, open_form=None, status=200):
    return render(
        request,
        "dataprotection/subject_access_list.html",
        {
            "case": case,
            "client": case.client,
            "requests": list(selectors.subject_access_requests_of_case(case)),
            "open_form": open_form or SubjectAccessOpenForm(),
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
def subject_access(request, pk):
    """The case's subject access requests and the form to open one."""
    case = _data_rights_case(request, pk, read={"page": "subject_access"})
    return _subject_access_list(request, case)


@login_required
@require_POST
def subject_access_open(request, pk):
    case = _data_rights_case(request, pk)
    form = SubjectAccessOpenForm(request.POST)
    if form.is_valid():
        try:
            sar = services.subject_access_open(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except AlreadySubmitted:
            return already_saved(request, "dataprotection:subject_access", pk=case.pk)
        else:
            messages.success(request, "Subject access request opened: it is due in one month.")
            return redirect("dataprotection:subject_access_detail", pk=case.pk, request_pk=sar.pk)
    return _subject_access_list(request, case, open_form=form, status=400)


def _subject_access_request(request, pk, request_pk):
    sar = selectors.subject_access_get_for_user(request.user, pk, request_pk)
    case_selectors.require_case_capability(
        request.user, sar.case, access.Capability.HANDLE_DATA_RIGHTS
    )
    return sar


def _subject_access_page(request, sar, *, redact_form=None, sent_form=None, status=200):
    gathered = answer.gather(request.user, sar)
    flagged = answer.flagged_items(gathered)
    tokens = [item["token"] for item in flagged]
    if redact_form is None:
        redact_form = SubjectAccessRedactForm(
            tokens=tokens,
            initial={
                "version": sar.version,
                "offered": tokens,
                "redact": [item["token"] for item in flagged if item["redacted"]],
            },
        )
    record_event(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        service=sar.case.service_id,
        case_id=sar.case_id,
        obj=sar,
        detail={"subject_access": "gather", "flagged": len(flagged)},
    )
    return render(
        request,
        "dataprotection/subject_access_detail.html",
        {
            "case": sar.case,
            "client": sar.case.client,
            "sar": sar,
            "counts": answer.counts(gathered),
            "not_visible": gathered["not_visible"],
            "lawful_basis": gathered["lawful_basis"],
            "flagged": flagged,
            "redact_form": redact_form,
            "sent_form": sent_form or SubjectAccessSentForm(initial={"version": sar.version}),
            "version": sar.version,
            "overdue": not sar.is_answered and sar.due_on < timezone.localdate(),
        },
        status=status,
    )


@login_required
def subject_access_detail(request, pk, request_pk):
    """One request: what was gathered (counts per section), what this user cannot see, the
    third-party items to review, the build, the downloads and the sending."""
    sar = _subject_access_request(request, pk, request_pk)
    return _subject_access_page(request, sar)


def _changed_meanwhile(request, sar):
    messages.warning(
        request,
        "This request changed while you were on the page (someone built, redacted or sent it): "
        "nothing was saved. Here it is as it is now.",
    )
    return redirect("dataprotection:subject_access_detail", pk=sar.case_id, request_pk=sar.pk)


@login_required
@require_POST
def subject_access_redact(request, pk, request_pk):
    sar = _subject_access_request(request, pk, request_pk)
    tokens = request.POST.getlist("offered")
    form = SubjectAccessRedactForm(request.POST, tokens=tokens)
    if form.is_valid():
        parsed = [answer.parse_token(token) for token in form.cleaned_data["offered"]]
        chosen = [answer.parse_token(token) for token in form.cleaned_data["redact"]]
        if None in parsed or None in chosen:
            form.add_error(None, "Choose among the items shown.")
        else:
            try:
                added, removed = services.subject_access_set_redactions(
                    actor=request.user,
                    request=sar,
                    chosen=set(chosen),
                    offered=set(parsed),
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            except services.SubjectAccessChanged:
                return _changed_meanwhile(request, sar)
            else:
                messages.success(request, f"Redactions saved: {added} added, {removed} removed.")
                return redirect(
                    "dataprotection:subject_access_detail", pk=sar.case_id, request_pk=sar.pk
                )
    return _subject_access_page(request, sar, redact_form=form, status=400)


@login_required
@require_POST
def subject_access_build(request, pk, request_pk):
    sar = _subject_access_request(request, pk, request_pk)
    form = SubjectAccessVersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The page was incomplete: nothing was built. Try again.")
        return _subject_access_page(request, sar, status=400)
    built_before = sar.built_at
    try:
        services.subject_access_request_build(
            actor=request.user, request=sar, expected_version=form.cleaned_data["version"]
        )
    except services.SubjectAccessChanged:
        return _changed_meanwhile(request, sar)
    # Where no worker runs (the embedded demo) the build has already happened in-process.
    sar.refresh_from_db(fields=["built_at"])
    if sar.built_at is not None and sar.built_at != built_before:
        messages.success(request, "The PDF and JSON are built: download them below.")
    else:
        messages.success(
            request,
            "The PDF and JSON are being built: reload this page in a moment to download them.",
        )
    return redirect("dataprotection:subject_access_detail", pk=sar.case_id, request_pk=sar.pk)


DOWNLOADS = {"pdf": "application/pdf", "json": "application/json"}


@login_required
@require_GET
def subject_access_download(request, pk, request_pk, kind):
    """The built answer, streamed through this scoped, audited view (never a storage link)."""
    sar = _subject_access_request(request, pk, request_pk)
    stored = getattr(sar, kind) if kind in DOWNLOADS else None
    if not stored or sar.status == sar.Status.OPEN:
        raise Http404("Not built.")
    record_event(
        actor=request.user,
        action=AuditEvent.Action.DOWNLOAD,
        service=sar.case.service_id,
        case_id=sar.case_id,
        obj=sar,
        detail={"subject_access": "download", "kind": kind},
    )
    # The case reference only: a file name never carries the client's name.
    name = f"{sar.case.reference}-subject-access.{kind}"
    return FileResponse(
        stored.open("rb"), as_attachment=True, filename=name, content_type=DOWNLOADS[kind]
    )


@login_required
@require_POST
def subject_access_send(request, pk, request_pk):
    sar = _subject_access_request(request, pk, request_pk)
    form = SubjectAccessSentForm(request.POST)
    if form.is_valid():
        try:
            services.subject_access_mark_sent(
                actor=request.user,
                request=sar,
                sent_on=form.cleaned_data["sent_on"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        except services.AlreadyAnswered as answered:
            messages.warning(
                request,
                f"{answered.by.get_full_name() or answered.by.email} marked it sent meanwhile.",
            )
            return redirect(
                "dataprotection:subject_access_detail", pk=sar.case_id, request_pk=sar.pk
            )
        except services.SubjectAccessChanged:
            return _changed_meanwhile(request, sar)
        else:
            messages.success(request, "Recorded as sent.")
            return redirect(
                "dataprotection:subject_access_detail", pk=sar.case_id, request_pk=sar.pk
            )
    return _subject_access_page(request, sar, sent_form=form, status=400)
