"""Access rows for the Insights tables: managers only, in their own services. A stored result
is read only by a manager of every one of its services (404 otherwise: missing and forbidden
look the same); reports read no single client's record, so nothing here is audited as one."""

import datetime

from reporting.insights.engine import ReportFilters
from reporting.insights.results_store import ResultKey
from reporting.models import InsightsResult
from reporting.periods import last_complete_quarter

from .matrix import MANAGER, Entry, only


def _export_form(world):
    return {
        "period_kind": "quarter",
        "quarter": last_complete_quarter(datetime.date.today()).start.isoformat(),  # noqa: DTZ011
        "compare": "previous",
        "services": world.service.pk,
        "format": "csv",
        "table": "referral_route",
    }


def _result(service) -> InsightsResult:
    period = last_complete_quarter(datetime.date.today())  # noqa: DTZ011
    key = ResultKey(
        period=period,
        comparison=None,
        filters=ReportFilters(service_ids=(service.pk,)),
        suppress_below=5,
    )
    # Queued, not computed: the status panel is what the row reads.
    return InsightsResult.objects.create(key_hash=key.hash, **key.fields())


def build_result(world):
    world.insights_result = _result(world.service)


def build_other_result(world):
    world.other_insights_result = _result(world.other_service)


BUILDERS = {"insights_result": build_result, "other_insights_result": build_other_result}


ENTRIES = [
    Entry("reporting:insights", expected=only(200, {MANAGER}, others=403)),
    Entry("reporting:insights_at_a_glance", expected=only(200, {MANAGER}, others=403)),
    Entry("reporting:insights_key_findings", expected=only(200, {MANAGER}, others=403)),
    Entry(
        "reporting:insights_export",
        method="post",
        data=_export_form,
        # Before the result is stored: back to the page, which says so.
        expected=only(302, {MANAGER}, others=403),
    ),
    Entry(
        "reporting:insights_result_status",
        lambda world: {"pk": world.insights_result.pk, "page": "tables"},
        expected=only(200, {MANAGER}, others=403),
    ),
    Entry(
        "reporting:insights_result_status",
        lambda world: {"pk": world.other_insights_result.pk, "page": "key_findings"},
        expected=only(404, {MANAGER}, others=403),
    ),
    Entry(
        "reporting:insights_result_recompute",
        lambda world: {"pk": world.insights_result.pk},
        method="post",
        expected=only(302, {MANAGER}, others=403),
    ),
    Entry(
        "reporting:insights_result_recompute",
        lambda world: {"pk": world.other_insights_result.pk},
        method="post",
        expected=only(404, {MANAGER}, others=403),
    ),
]
