"""Outcome form pages. Thin: the selectors scope, the forms validate, the services write.

A case the user cannot see answers 404 (from the selectors); one they can see but not edit
answers 403 on the edit pages.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.concurrency import EditConflict, conflict_message, edit_state_of
from accounts.idempotency import STALE_FORM_MESSAGE, AlreadySubmitted
from cases.selectors import can_edit_case, case_get_for_user, require_case_capability
from cases.views import already_saved

from . import questions as q
from . import selectors, services
from .forms import FormStartForm, IncidentFormSet, PoliceReportForm, form_class_for, section_id
from .models import Incident
from .suggestions import intake_blanks_suggested, justice_suggestions

KIND_TITLES = services.KIND_TITLES


def _kind(kind: str) -> str:
    if kind not in services.KINDS:
        raise Http404
    return kind


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def new_referral_url() -> str:
    """Where a re-referral starts. The referral form finds the client again by its duplicate
    match, so nothing about the client goes into the URL."""
    return reverse("referrals:referral_new")


def _section_nav(form_obj, questions):
    answers = services.answers_of(form_obj, questions)
    nav = []
    for title, section_questions in q.sections(questions):
        asked = [x for x in section_questions if q.applies(x, answers)]
        done = sum(q.is_answered(x, answers) for x in asked)
        nav.append({"title": title, "id": section_id(title), "done": done, "asked": len(asked)})
    return nav


@login_required
def case_forms(request, case_id):
    case = case_get_for_user(request.user, case_id, read=True)
    return render(
        request,
        "outcomes/case_forms.html",
        {
            "case": case,
            # Each kind's Start button posts its own one-time token: a double click starts
            # one review, and a page kept open cannot start a second form from a used token.
            "sections": [
                (kind, forms, uuid.uuid4())
                for kind, forms in selectors.forms_for_case(case).items()
            ],
            "titles": KIND_TITLES,
            "can_edit": can_edit_case(request.user, case),
            "is_closing": services.case_is_closing(case),
        },
    )


@login_required
@require_POST
def form_start(request, case_id, kind):
    kind = _kind(kind)
    case = case_get_for_user(request.user, case_id)
    require_case_capability(request.user, case)
    start = FormStartForm(request.POST)
    if not start.is_valid():
        messages.error(request, STALE_FORM_MESSAGE)
        return redirect("outcomes:case_forms", case_id=case.pk)
    try:
        form_obj = services.outcome_form_start(
            kind=kind, case=case, actor=request.user, form_token=start.cleaned_data["form_token"]
        )
    except AlreadySubmitted as first:
        if first.object_id is None:
            return already_saved(request, "outcomes:case_forms", case_id=case.pk)
        return already_saved(request, "outcomes:form_edit", kind=kind, pk=first.object_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("outcomes:case_forms", case_id=case.pk)
    return redirect("outcomes:form_edit", kind=kind, pk=form_obj.pk)


@login_required
def form_detail(request, kind, pk):
    kind = _kind(kind)
    form_obj = selectors.form_get_for_user(request.user, kind, pk, read=True)
    case = form_obj.case
    _model, questions, _one = services.KINDS[kind]
    answers = services.answers_of(form_obj, questions)
    rows = []
    for title, section_questions in q.sections(questions):
        section_rows = []
        for question in section_questions:
            if not q.applies(question, answers):
                continue
            shown = services.answer_shown(form_obj, question, answers)
            label = form_obj._meta.get_field(question.field).verbose_name
            section_rows.append({"label": label, "value": shown})
        rows.append((title, section_rows))
    context = {
        "case": case,
        "kind": kind,
        "title": KIND_TITLES[kind],
        "form_obj": form_obj,
        "sections": rows,
        "can_edit": can_edit_case(request.user, case),
        "risk": selectors.risk_link_for(form_obj),
        "profile": selectors.client_profile_for_intake(case) if kind == "intake" else None,
    }
    if kind == "criminal":
        context["reports"] = selectors.police_reports_for(form_obj)
    if kind == "civil":
        context["orders"] = list(form_obj.orders.all())
    if kind == "follow_up":
        context["new_referral_url"] = new_referral_url()
    return render(request, "outcomes/form_detail.html", context)


def _editable(request, kind, pk, *, read=False):
    return selectors.form_get_for_editing(request.user, kind, pk, read=read)


@login_required
def form_edit(request, kind, pk):
    kind = _kind(kind)
    form_obj = _editable(request, kind, pk, read=request.method != "POST")
    case = form_obj.case
    form_class = form_class_for(kind)
    _model, questions, _one = services.KINDS[kind]
    gaps = []
    status = 200
    saved_draft = False
    if request.method == "POST":
        form = form_class(request.POST, instance=form_obj)
        submit = "submit" in request.POST
        if form.is_valid():
            try:
                services.outcome_form_save(
                    form=form_obj,
                    actor=request.user,
                    values=form.values(),
                    submit=submit,
                    confirm_gaps=bool(request.POST.get("confirm_gaps")),
                    edit_state=form.cleaned_data["edit_state"],
                )
            except services.SubmitRefused as error:
                _apply_errors(form, error)
                saved_draft = not form_obj.is_submitted
            except ValidationError as error:
                _apply_errors(form, error)
            except EditConflict as conflict:
                form.show_conflict(conflict)
                status = 409
            except services.GapsToConfirm as pending:
                gaps = pending.gaps
                saved_draft = not form_obj.is_submitted
            else:
                if submit:
                    messages.success(request, f"{KIND_TITLES[kind]} submitted.")
                    return redirect("outcomes:form_detail", kind=kind, pk=form_obj.pk)
                messages.success(request, "Draft saved.")
                return redirect("outcomes:form_edit", kind=kind, pk=form_obj.pk)
        # The stored answers, for the progress figures: on a refused submit of a draft they are
        # the answers just saved, and the page takes their edit state for its next save.
        form_obj = selectors.form_get_for_user(request.user, kind, pk)
        if saved_draft:
            form.data = form.data.copy()
            form.data["edit_state"] = edit_state_of(form_obj, form_class._meta.fields).token()
    else:
        form = form_class(
            instance=form_obj,
            edit_state=edit_state_of(form_obj, form_class._meta.fields),
            # A draft intake offers what the records say for its blank answers (changeable).
            initial=intake_blanks_suggested(form_obj) if kind == "intake" else None,
        )
        if kind == "civil" and not form_obj.is_submitted:
            # A draft offers the orders of court hearings recorded since it was started.
            suggested = justice_suggestions(case, "civil").get("orders", {})
            for name, order_type in form.order_type_fields.items():
                if order_type in suggested and not form.fields[name].initial:
                    form.fields[name].initial = suggested[order_type]
    nav = _section_nav(form_obj, questions)
    context = {
        "case": case,
        "kind": kind,
        "title": KIND_TITLES[kind],
        "form_obj": form_obj,
        "form": form,
        "gaps": gaps,
        "saved_draft": saved_draft,
        "nav": nav,
        "answered": sum(s["done"] for s in nav),
        "asked": sum(s["asked"] for s in nav),
        "autosave": not form_obj.is_submitted,
        "can_edit": True,
        "risk": selectors.risk_link_for(form_obj),
        "profile": selectors.client_profile_for_intake(case) if kind == "intake" else None,
    }
    if kind == "criminal":
        context["reports"] = selectors.police_reports_for(form_obj)
    if kind == "follow_up":
        context["new_referral_url"] = new_referral_url()
    return render(request, "outcomes/form_edit.html", context, status=status)


@login_required
@require_POST
def form_autosave(request, kind, pk):
    """Saves a draft from the page's script. Always answers JSON: 200 saved (with the page's
    new edit state), 400 with the errors by field (nothing saved), 403 not allowed, 409 already
    submitted or changed by someone else since the page loaded (nothing saved)."""
    kind = _kind(kind)
    try:
        form_obj = selectors.form_get_for_editing(request.user, kind, pk)
    except PermissionDenied:  # audited by the selector; the page's script shows the message
        return JsonResponse({"saved": False, "error": "You cannot change this case."}, status=403)
    if form_obj.is_submitted:
        return JsonResponse(
            {"saved": False, "error": "Submitted forms are not autosaved."}, status=409
        )
    form = form_class_for(kind)(request.POST, instance=form_obj)
    if not form.is_valid():
        return JsonResponse({"saved": False, "errors": form.errors.get_json_data()}, status=400)
    try:
        saved = services.outcome_form_save(
            form=form_obj,
            actor=request.user,
            values=form.values(),
            edit_state=form.cleaned_data["edit_state"],
        )
    except EditConflict as conflict:
        return JsonResponse(
            {"saved": False, "conflict": True, "error": conflict_message(form, conflict)},
            status=409,
        )
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        return JsonResponse({"saved": False, "errors": errors}, status=400)
    except PermissionDenied:
        return JsonResponse({"saved": False, "error": "You cannot change this case."}, status=403)
    answered, asked = services.progress(saved, services.KINDS[kind][1])
    return JsonResponse(
        {
            "saved": True,
            "saved_at": timezone.localtime().strftime("%H:%M"),
            "answered": answered,
            "asked": asked,
            "edit_state": edit_state_of(saved, form._meta.fields).token(),
        }
    )


@login_required
@require_POST
def form_discard(request, kind, pk):
    kind = _kind(kind)
    form_obj = _editable(request, kind, pk)
    case_id = form_obj.case_id
    try:
        services.outcome_form_discard(form=form_obj, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("outcomes:form_detail", kind=kind, pk=form_obj.pk)
    messages.success(request, f"Draft {KIND_TITLES[kind].lower()} discarded.")
    return redirect("outcomes:case_forms", case_id=case_id)


# --- Police reports ----------------------------------------------------------------------------


def _report_page(request, cj_form, report=None):
    if request.method == "POST":
        form = PoliceReportForm(request.POST, instance=report)
        formset = IncidentFormSet(
            request.POST,
            queryset=report.incidents.all() if report else Incident.objects.none(),
            prefix="incidents",
        )
        if form.is_valid() and formset.is_valid():
            incidents = [
                {
                    "id": row.instance.pk if row.instance.pk else None,
                    **{name: row.cleaned_data.get(name) for name in row.Meta.fields},
                }
                for row in formset.forms
                if row.cleaned_data
                and not row.cleaned_data.get("DELETE")
                and (row.instance.pk or any(row.cleaned_data.get(n) for n in row.Meta.fields))
            ]
            try:
                services.police_report_save(
                    cj_form=cj_form,
                    actor=request.user,
                    values=form.values(),
                    incidents=incidents,
                    report=report,
                    form_token=form.cleaned_data["form_token"],
                )
            except AlreadySubmitted:
                return already_saved(request, "outcomes:form_edit", kind="criminal", pk=cj_form.pk)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, "Police report saved.")
                return redirect("outcomes:form_edit", kind="criminal", pk=cj_form.pk)
    else:
        # A new report starts from what the court hearings recorded (special measures).
        initial = {} if report else justice_suggestions(cj_form.case, "criminal")
        form = PoliceReportForm(instance=report, initial=initial)
        formset = IncidentFormSet(
            queryset=report.incidents.all() if report else Incident.objects.none(),
            prefix="incidents",
        )
    return render(
        request,
        "outcomes/police_report_form.html",
        {
            "case": cj_form.case,
            "cj_form": cj_form,
            "report": report,
            "form": form,
            "formset": formset,
        },
    )


@login_required
def police_report_add(request, pk):
    # The page shows the criminal justice form's reports until one is added: a read of it.
    cj_form = _editable(request, "criminal", pk, read=request.method != "POST")
    return _report_page(request, cj_form)


@login_required
def police_report_edit(request, pk):
    report = selectors.police_report_get_for_editing(
        request.user, pk, read=request.method != "POST"
    )
    return _report_page(request, report.form, report)


@login_required
@require_POST
def police_report_delete(request, pk):
    report = selectors.police_report_get_for_editing(request.user, pk)
    cj_form_pk = report.form_id
    try:
        services.police_report_delete(report=report, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Police report removed.")
    return redirect("outcomes:form_edit", kind="criminal", pk=cj_form_pk)
