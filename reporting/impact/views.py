"""Impact reports for managers: ask for one, watch it build, add the narrative and case studies,
download the PDF (audited) or the same figures as XLSX. PDFs are rendered by workers only."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.audit import record_event
from accounts.concurrency import EditConflict, edit_state_of
from accounts.exports import export_file_create
from accounts.models import AuditEvent

from ..models import ImpactReport
from . import selectors, services
from .forms import CaseStudyForm, ImpactNarrativeForm, ImpactReportRequestForm
from .render import render_xlsx

LIST_SIZE = 50


def _require_reports(request):
    if not access.service_ids_with(request.user, access.Capability.RUN_REPORTS):
        raise PermissionDenied


def _list_page(request, form, status=200):
    reports = selectors.impact_reports_visible_to(request.user)[:LIST_SIZE]
    return render(
        request, "reporting/impact/list.html", {"form": form, "reports": reports}, status=status
    )


@login_required
@require_GET
def impact_list(request):
    _require_reports(request)
    form = ImpactReportRequestForm(user=request.user, today=timezone.localdate())
    return _list_page(request, form)


@login_required
@require_POST
def impact_create(request):
    _require_reports(request)
    form = ImpactReportRequestForm(request.POST, user=request.user, today=timezone.localdate())
    if not form.is_valid():
        return _list_page(request, form)
    data = form.cleaned_data
    report = services.impact_report_request(
        user=request.user,
        services=data["service_objects"],
        period=data["period"],
        title=data["title"],
        introduction=data["introduction"],
        suppress_small_numbers=data["suppress_small_numbers"],
        attribution_percent=data["attribution_percent"],
    )
    # No status in the message: it stays on the page while the panel below follows the job
    # (and in the embedded demo the report is already built when the page opens).
    messages.success(request, "Report asked for. Its status below follows the build.")
    return redirect("reporting:impact_detail", pk=report.pk)


@login_required
@require_http_methods(["GET", "POST"])
def impact_detail(request, pk):
    report = selectors.impact_report_get_for_user(request.user, pk)
    loaded = None
    if request.method == "GET":
        loaded = edit_state_of(report, ImpactNarrativeForm._meta.fields)
    # A copy: the form writes its input into its instance; the page shows the report as stored.
    form = ImpactNarrativeForm(request.POST or None, instance=copy.copy(report), edit_state=loaded)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.impact_report_narrative_save(
                user=request.user,
                report=report,
                title=form.cleaned_data["title"],
                introduction=form.cleaned_data["introduction"],
                suppress_small_numbers=form.cleaned_data["suppress_small_numbers"],
                edit_state=form.cleaned_data["edit_state"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except EditConflict as conflict:
            form.show_conflict(conflict)
            status = 409
        else:
            if saved.pk != report.pk:
                messages.success(
                    request,
                    f"Edition {saved.edition} asked for with the new settings. Edition "
                    f"{report.edition} stays exactly as it was built.",
                )
                return redirect("reporting:impact_detail", pk=saved.pk)
            messages.success(request, "Saved. Build the report again to print the changes.")
            return redirect("reporting:impact_detail", pk=report.pk)
    return render(
        request,
        "reporting/impact/detail.html",
        {
            "report": report,
            "form": form,
            "case_studies": report.case_studies.order_by("position"),
            "replaced_by": ImpactReport.objects.filter(replaces=report).first(),
            **_status_context(report),
        },
        status=status,
    )


@login_required
@require_GET
def impact_status(request, pk):
    """The status panel alone: htmx polls it every few seconds until the job finishes."""
    report = selectors.impact_report_get_for_user(request.user, pk)
    return render(request, "reporting/impact/status.html", _status_context(report))


def _status_context(report):
    """The status panel's context: the job and its latest history, refreshed together, so the
    history never says "queued" beside "Status: Done"."""
    return {"report": report, "events": report.events.order_by("-at", "-pk")[:10]}


@login_required
@require_POST
def impact_rebuild(request, pk):
    report = selectors.impact_report_get_for_user(request.user, pk)
    try:
        services.impact_report_rebuild(user=request.user, report=report)
    except services.IllegalTransition:
        messages.error(request, "The report is already being built.")
    return redirect("reporting:impact_detail", pk=report.pk)


@login_required
@require_GET
def impact_download(request, pk):
    report = selectors.impact_report_get_for_user(request.user, pk)
    if report.status != ImpactReport.Status.DONE or not report.pdf:
        raise Http404("The report is not ready.")
    try:
        stored = report.pdf.open("rb")
    except FileNotFoundError:
        # The row says done but the storage has no file (lost from a bucket or a disk): the
        # manager can build it again from the report's page.
        messages.error(request, "The report's PDF could not be found. Build it again.")
        return redirect("reporting:impact_detail", pk=report.pk)
    record_event(
        actor=request.user,
        action=AuditEvent.Action.DOWNLOAD,
        service=report.services.first(),
        obj=report,
        detail={"kind": "impact_report_pdf", "bytes": report.pdf_bytes},
    )
    name = f"impact-report-{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}.pdf"
    # Streamed through this scoped, audited view, never a link to the storage.
    return FileResponse(stored, as_attachment=True, filename=name, content_type="application/pdf")


@login_required
@require_POST
def impact_xlsx(request, pk):
    """The same figures as the PDF, as XLSX, through the owner-only expiring export link."""
    report = selectors.impact_report_get_for_user(request.user, pk)
    if report.status != ImpactReport.Status.DONE or not report.figures:
        raise Http404("The report is not ready.")
    name = f"impact-report-{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}.xlsx"
    export = export_file_create(
        owner=request.user,
        kind="impact_report_xlsx",
        filename=name,
        content=render_xlsx(report, report.figures),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        service=report.services.first(),
    )
    return redirect("accounts:export_download", token=export.token)


@login_required
@require_http_methods(["GET", "POST"])
def impact_case_study(request, pk, study_pk=None):
    report = selectors.impact_report_get_for_user(request.user, pk)
    study = None
    if study_pk is not None:
        study = get_object_or_404(report.case_studies, pk=study_pk)
    form = CaseStudyForm(request.POST or None, instance=study)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_study_save(
                user=request.user,
                report=report,
                study=study,
                data=form.cleaned_data,
                consent_given=form.cleaned_data["consent"],
            )
        except (ValueError, ValidationError) as error:
            form.add_error(None, error.messages if hasattr(error, "messages") else str(error))
        else:
            messages.success(request, "Case study saved. Build the report again to print it.")
            return redirect("reporting:impact_detail", pk=report.pk)
    return render(
        request,
        "reporting/impact/case_study.html",
        {"report": report, "form": form, "study": study},
    )
