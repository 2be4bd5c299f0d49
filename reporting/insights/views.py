"""The Insights tables for managers: a filter form, the tables with charts, CSV/XLSX export.

No view computes a report: each reads the stored result of its filters
(reporting.insights.results_store), computed once by a Celery job; while it is computed the
page shows a progress panel that htmx polls (and a plain Refresh link without JavaScript)."""

import functools
import hashlib
import inspect
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts import access
from accounts.exports import export_file_create
from accounts.models import Service
from catalogue import insights as catalogue_insights

from ..analyses import SERVICE_OF_100_MIN_N
from . import charts, output, shown
from .forms import InsightsFilterForm
from .output import as_csv, as_xlsx, display_table
from .results_store import (
    ResultKey,
    insights_result_recompute,
    insights_result_request,
    key_of,
    result_changed_since,
    result_get_for_user,
    result_to_show,
)
from .summaries import PAGES
from .tables import SPECS_BY_KEY

EXPORT_FORMATS = [("csv", "CSV"), ("xlsx", "Excel")]
# The pages that read a stored result: the tables, and the seed's two opening pages.
PAGE_URLS = {
    "tables": "reporting:insights",
    "at_a_glance": "reporting:insights_at_a_glance",
    "key_findings": "reporting:insights_key_findings",
}


def _filter_form(request, data):
    if not access.service_ids_with(request.user, access.Capability.RUN_REPORTS):
        raise PermissionDenied
    return InsightsFilterForm(data, user=request.user, today=timezone.localdate())


def _bound_form(request):
    form = _filter_form(request, request.GET or None)
    if not request.GET:
        form = _filter_form(request, InsightsFilterForm.initial_data(form))
    return form


def _key(form) -> ResultKey:
    return ResultKey(
        period=form.cleaned_data["period"],
        comparison=form.cleaned_data["comparison_period"],
        filters=form.report_filters(),
        suppress_below=form.suppress_below,
    )


def _query(data) -> str:
    """The filters as a query string (the defaults' too), for links and the status URL."""
    if hasattr(data, "urlencode"):
        return data.urlencode()
    return urlencode(data, doseq=True)


TABLES_TEMPLATE = "reporting/insights/_tables.html"


@functools.cache
def tables_version() -> str:
    """A short hash of what draws the tables' cached HTML (the template, the formatting, the
    charts, the catalogue's labels): part of the fragment's cache key, so that a release that
    changes any of them shows the tables as it draws them, not as the one before did."""
    sources = [get_template(TABLES_TEMPLATE).template.source] + [
        inspect.getsource(module) for module in (output, charts, shown, catalogue_insights)
    ]
    return hashlib.sha256("\n".join(sources).encode()).hexdigest()[:16]


def tables_context(report, data) -> dict:
    """The tables of a report as the page shows them, with their charts and export forms."""
    chart_svgs = charts.for_report(report)
    sections = []
    for index, (section, tables) in enumerate(report.by_section().items(), start=1):
        shown_tables = []
        for table in tables:
            shown_table = display_table(table)
            shown_table["chart"] = chart_svgs.get(table.key)
            shown_tables.append(shown_table)
        sections.append({"anchor": f"section-{index}", "title": section, "tables": shown_tables})
    return {
        "report": report,
        "sections": sections,
        "filter_items": _items(data),
        "export_formats": EXPORT_FORMATS,
        "suppress_below": report.suppress_below,
        "tables_version": tables_version(),
        "service_of_100_min_n": SERVICE_OF_100_MIN_N,
    }


def _result_context(result, page: str, query: str, data) -> dict:
    """What the page's result panel shows: the stored report (tables, or the page's
    statements), or the progress of its computation."""
    report = result_to_show(result)
    context = {
        "result": result,
        "page": page,
        "query": query,
        "report": report,
        "changed_since": report is not None and result_changed_since(result),
        "page_url": reverse(PAGE_URLS[page]) + (f"?{query}" if query else ""),
    }
    if report is None:
        return context
    if page == "tables":
        context |= tables_context(report, data)
    else:
        title, _keys, statements_of = PAGES[page]
        context |= {"title": title, "statements": statements_of(report)}
    return context


def _page(request, page: str, template: str, extra: dict):
    form = _bound_form(request)
    context = {"form": form, "report": None, "result": None, "page": page, **extra}
    if form.is_valid():
        result = insights_result_request(key=_key(form))
        context |= _result_context(result, page, _query(form.data), form.data)
    else:
        context["query"] = request.GET.urlencode()
    return render(request, template, context)


@login_required
@require_GET
def insights(request):
    return _page(request, "tables", "reporting/insights/report.html", {})


@login_required
@require_GET
def insights_at_a_glance(request):
    return _summary(request, "at_a_glance")


@login_required
@require_GET
def insights_key_findings(request):
    return _summary(request, "key_findings")


def _summary(request, page: str):
    """The seed's "At a glance" or "Key findings" page, read from the stored Insights report of
    the same filters (reporting.insights.summaries: every figure is the report object's)."""
    title, _keys, _statements_of = PAGES[page]
    return _page(request, page, "reporting/insights/summary.html", {"title": title})


@login_required
@require_GET
def insights_result_status(request, pk: int, page: str):
    """The result panel alone, for htmx to poll: progress until the result is stored, then
    the tables (or the page's statements) in its place."""
    if page not in PAGE_URLS:
        raise Http404
    _filter_form(request, None)  # managers only, as the pages
    result = result_get_for_user(request.user, pk)
    # Asked as the page asks: a result stale on arrival (its data changed while it was
    # computed) or whose job was lost is queued again, so the panel never polls in vain.
    result = insights_result_request(key=key_of(result))
    context = _result_context(result, page, request.GET.urlencode(), request.GET)
    return render(request, "reporting/insights/_result.html", context)


@login_required
@require_POST
def insights_result_recompute_view(request, pk: int):
    """Computes a result again: a snapshot of a closed period after later changes, or a
    failed one. Back to the page it was asked from."""
    _filter_form(request, None)
    result = result_get_for_user(request.user, pk)
    insights_result_recompute(result_id=result.pk)
    page = request.POST.get("page")
    query = request.POST.get("query", "")
    url = reverse(PAGE_URLS.get(page, "reporting:insights"))
    return redirect(f"{url}?{query}" if query else url)


@login_required
@require_POST
def insights_export(request):
    """Every table, or one (`table`), as CSV or XLSX, written from the stored result, through
    an expiring owner-only link. Before the result is stored: back to the page, which says so."""
    form = _filter_form(request, request.POST)
    file_format = request.POST.get("format")
    table_key = request.POST.get("table") or None
    if file_format not in ("csv", "xlsx") or (table_key and table_key not in SPECS_BY_KEY):
        return HttpResponseBadRequest("Choose CSV or Excel, and a table of the report.")
    if not form.is_valid():
        return render(
            request,
            "reporting/insights/report.html",
            {"form": form, "report": None, "sections": [], "page": "tables"},
            status=400,
        )
    result = insights_result_request(key=_key(form))
    report = result_to_show(result)
    if report is None:
        messages.info(
            request,
            "The tables are still being computed: export them once they show on this page.",
        )
        query = urlencode(
            [(name, value) for name, value in _items(request.POST) if name in form.fields]
        )
        return redirect(f"{reverse('reporting:insights')}?{query}")
    period = report.period
    tables = [t for t in report.tables if table_key is None or t.key == table_key]
    name = f"insights-{table_key or 'all'}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    if file_format == "csv":
        content, content_type = as_csv(tables), "text/csv"
    else:
        content = as_xlsx(tables, title=f"Insights {period.label}")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    services = form.report_filters().service_ids
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
