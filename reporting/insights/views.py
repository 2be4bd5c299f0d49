"""The Insights tables for managers: a filter form, the tables with charts, CSV/XLSX export."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts import access
from accounts.exports import export_file_create
from accounts.models import Service

from ..analyses import SERVICE_OF_100_MIN_N
from . import charts
from .forms import InsightsFilterForm
from .output import as_csv, as_xlsx, display_table
from .shown import insights_report
from .summaries import PAGES
from .tables import SPECS_BY_KEY

EXPORT_FORMATS = [("csv", "CSV"), ("xlsx", "Excel")]


def _filter_form(request, data):
    if not access.service_ids_with(request.user, access.Capability.RUN_REPORTS):
        raise PermissionDenied
    return InsightsFilterForm(data, user=request.user, today=timezone.localdate())


@login_required
@require_GET
def insights(request):
    form = _filter_form(request, request.GET or None)
    if not request.GET:
        form = _filter_form(request, InsightsFilterForm.initial_data(form))
    report, sections = None, []
    if form.is_valid():
        report = insights_report(
            period=form.cleaned_data["period"],
            filters=form.report_filters(),
            comparison_period=form.cleaned_data["comparison_period"],
            suppress_below=form.suppress_below,
            analyses=True,
        )
        chart_svgs = charts.for_report(report)
        for index, (section, tables) in enumerate(report.by_section().items(), start=1):
            shown_tables = []
            for table in tables:
                shown_table = display_table(table)
                shown_table["chart"] = chart_svgs.get(table.key)
                shown_tables.append(shown_table)
            sections.append(
                {"anchor": f"section-{index}", "title": section, "tables": shown_tables}
            )
    return render(
        request,
        "reporting/insights/report.html",
        {
            "form": form,
            "report": report,
            "sections": sections,
            "filter_items": _items(form.data),
            "export_formats": EXPORT_FORMATS,
            "suppress_below": report.suppress_below if report else None,
            "service_of_100_min_n": SERVICE_OF_100_MIN_N,
            "query": request.GET.urlencode(),
        },
    )


def _summary(request, page: str):
    """The seed's "At a glance" or "Key findings" page, from the Insights report of the same
    filters (reporting.insights.summaries: every figure is the report object's)."""
    title, keys, statements_of = PAGES[page]
    form = _filter_form(request, request.GET or None)
    if not request.GET:
        form = _filter_form(request, InsightsFilterForm.initial_data(form))
    report, statements = None, []
    if form.is_valid():
        report = insights_report(
            period=form.cleaned_data["period"],
            filters=form.report_filters(),
            suppress_below=form.suppress_below,
            keys=keys,
        )
        statements = statements_of(report)
    return render(
        request,
        "reporting/insights/summary.html",
        {
            "title": title,
            "form": form,
            "report": report,
            "statements": statements,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def insights_at_a_glance(request):
    return _summary(request, "at_a_glance")


@login_required
@require_GET
def insights_key_findings(request):
    return _summary(request, "key_findings")


@login_required
@require_POST
def insights_export(request):
    """Every table, or one (`table`), as CSV or XLSX, through an expiring owner-only link."""
    form = _filter_form(request, request.POST)
    file_format = request.POST.get("format")
    table_key = request.POST.get("table") or None
    if file_format not in ("csv", "xlsx") or (table_key and table_key not in SPECS_BY_KEY):
        return HttpResponseBadRequest("Choose CSV or Excel, and a table of the report.")
    if not form.is_valid():
        return render(
            request,
            "reporting/insights/report.html",
            {"form": form, "report": None, "sections": []},
            status=400,
        )
    period = form.cleaned_data["period"]
    filters = form.report_filters()
    report = insights_report(
        period=period,
        filters=filters,
        comparison_period=form.cleaned_data["comparison_period"],
        suppress_below=form.suppress_below,
        keys=[table_key] if table_key else None,
    )
    name = f"insights-{table_key or 'all'}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    if file_format == "csv":
        content, content_type = as_csv(report.tables), "text/csv"
    else:
        content = as_xlsx(report.tables, title=f"Insights {period.label}")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    services = filters.service_ids
    export = export_file_create(
        owner=request.user,
        kind="insights",
        filename=f"{name}.{file_format}",
        content=content,
        content_type=content_type,
        service=Service.objects.get(pk=services[0]) if len(services) == 1 else None,
        service_ids=services,
    )
    return redirect("accounts:export_download", token=export.token)


def _items(data) -> list[tuple[str, str]]:
    """The filters as (name, value) pairs, for the export forms' hidden fields."""
    items = []
    for name in data:
        values = data.getlist(name) if hasattr(data, "getlist") else data[name]
        for value in values if isinstance(values, list) else [values]:
            items.append((name, value))
    return items
