"""Stored Insights results (reporting.insights.results_store and reporting.freshness): the
serialisation round trip, freshness per service, closed periods kept as snapshots, exports and
the command reading the stored result, and scope. The worker itself: test_insights_worker.py."""

import csv
import datetime
import io
import json
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ExportFile, Role
from reporting import freshness
from reporting.insights import charts
from reporting.insights.engine import ReportFilters
from reporting.insights.output import as_csv, as_xlsx, display_table, report_json
from reporting.insights.results_store import (
    ResultKey,
    insights_result_claim,
    insights_result_request,
    result_to_show,
)
from reporting.insights.shown import insights_report, report_from_json, report_to_json
from reporting.insights.views import tables_context
from reporting.models import InsightsResult, ReportDataVersion
from reporting.periods import Period
from tests.factories import CaseFactory, MembershipFactory, UserFactory
from tests.factories_outcomes import IntakeFormFactory
from tests.factories_riskassessment import submitted
from tests.reporting.insights_results import compute_queued, get_computed
from tests.reporting.test_insights_tables import PERIOD, exit_matched, intake

pytestmark = pytest.mark.django_db
Status = InsightsResult.Status

# Tables of the case records: a stored result is read without touching any of them.
CASE_TABLES = ('"cases_', '"outcomes_', '"riskassessment_', '"support_', '"referrals_')


@pytest.fixture
def author():
    return UserFactory()


def _form(service, **extra):
    return {
        "period_kind": "custom",
        "start": PERIOD.start.isoformat(),
        "end": PERIOD.end.isoformat(),
        "compare": "previous",
        "services": [service.pk],
        **extra,
    }


def _key(service, period=PERIOD, comparison=None, suppress_below=None):
    return ResultKey(
        period=period,
        comparison=comparison,
        filters=ReportFilters(service_ids=(service.pk,)),
        suppress_below=suppress_below,
    )


def _records(service, author):
    for _ in range(6):
        intake(service, author)
    for feel in ("Agree", "Agree", "Strongly agree", "Disagree", "Agree", "Agree"):
        exit_matched(service, author, outcome_feel_safer=feel)


# --- Serialisation --------------------------------------------------------------------------


@pytest.mark.parametrize("suppress_below", [None, 5])
def test_a_round_trip_gives_the_same_report_csv_and_rendered_tables(
    service, author, suppress_below
):
    _records(service, author)
    direct = insights_report(
        period=PERIOD,
        filters=ReportFilters(service_ids=(service.pk,)),
        comparison_period=PERIOD.previous(),
        suppress_below=suppress_below,
        analyses=True,
    )
    stored = report_from_json(json.loads(json.dumps(report_to_json(direct))))

    assert stored == direct
    assert as_csv(stored.tables) == as_csv(direct.tables)
    assert report_json(stored) == report_json(direct)
    assert [display_table(t) for t in stored.tables] == [display_table(t) for t in direct.tables]

    def svgs(report):
        # A chart's title id is the figures object's id(): the same markup otherwise.
        return {
            key: re.sub(r"chart-title-\d+", "chart-title", str(svg))
            for key, svg in charts.for_report(report).items()
        }

    assert svgs(stored) == svgs(direct)
    assert as_xlsx(stored.tables) != b""  # written from stored figures without error

    def page(report):
        cache.clear()  # the tables' fragment is cached per stored result: render it afresh
        context = tables_context(report, {"services": [str(service.pk)]})
        html = render_to_string("reporting/insights/_tables.html", {**context, "query": ""})
        return re.sub(r"chart-title-\d+", "chart-title", html)

    assert "Referral route" in page(stored)
    assert page(stored) == page(direct)


# --- Freshness ------------------------------------------------------------------------------


def test_a_counted_write_moves_its_services_version_only(
    service, other_service, author, caseworker
):
    before = freshness.versions_of([service.pk, other_service.pk])
    form = intake(service, author)
    after = freshness.versions_of([service.pk, other_service.pk])
    assert after[str(service.pk)] > before[str(service.pk)]
    assert after[str(other_service.pk)] == before[str(other_service.pk)]

    # A record two keys from its service (an answer of an assessment), an edit, a delete and a
    # many-to-many change each count as a change.
    answer = submitted(form.case, caseworker).answers.first()
    for change in (
        lambda: answer.save(),
        lambda: form.save(),
        lambda: form.client_ace_types.add(*form.client_ace_types.model.objects.all()[:1]),
        lambda: form.delete(),
    ):
        version = freshness.versions_of([service.pk])[str(service.pk)]
        change()
        assert freshness.versions_of([service.pk])[str(service.pk)] > version


def test_a_case_moved_to_another_service_changes_both(service, other_service):
    case = CaseFactory(service=service)
    before = freshness.versions_of([service.pk, other_service.pk])
    case.service = other_service
    case.save()
    after = freshness.versions_of([service.pk, other_service.pk])
    assert all(after[key] > before[key] for key in before)


def test_mark_changed_is_for_bulk_writers(service, other_service):
    freshness.mark_changed([service.pk, other_service.pk, None])
    freshness.mark_changed([service.pk])
    versions = dict(ReportDataVersion.objects.values_list("service_id", "version"))
    assert versions == {service.pk: 2, other_service.pk: 1}


def test_a_result_is_computed_once_and_reused_until_its_service_changes(
    client_for, manager, service, other_service, author
):
    _records(service, author)
    today = timezone.localdate()
    current = {
        **_form(service),
        "start": (today - datetime.timedelta(days=30)).isoformat(),
        "end": today.isoformat(),
        "compare": "none",
    }
    client = client_for(manager)
    shown = get_computed(client, reverse("reporting:insights"), current)
    result = shown.context["result"]
    assert not result.is_snapshot
    assert result.attempts == 1

    # Reused: a write in another service leaves it fresh; no job is queued.
    CaseFactory(service=other_service)
    again = client.get(reverse("reporting:insights"), current)
    assert again.context["report"] is not None
    assert compute_queued() == []

    # A counted write in its service: stale, queued again, and the page shows progress.
    IntakeFormFactory(
        case=CaseFactory(service=service, opened_on=today),
        created_by=author,
        completed_on=today,
        status="submitted",
        submitted_at=timezone.now(),
    )
    stale = client.get(reverse("reporting:insights"), current)
    assert stale.context["report"] is None
    assert 'id="insights-progress"' in stale.content.decode()
    assert compute_queued() == [result.pk]
    fresh = client.get(reverse("reporting:insights"), current)
    intakes = fresh.context["report"].table("cases_used").current
    assert intakes.row("Intake forms")[0] == 1


def test_a_closed_periods_snapshot_is_shown_after_a_change_with_a_note(
    client_for, manager, service, author
):
    _records(service, author)
    client = client_for(manager)
    first = get_computed(client, reverse("reporting:insights"), _form(service))
    result = first.context["result"]
    assert result.is_snapshot
    assert 'id="insights-changed"' not in first.content.decode()
    figure = first.context["report"].table("cases_used").current.row("Intake forms")[0]

    intake(service, author)  # a late record in the closed period
    later = client.get(reverse("reporting:insights"), _form(service))
    page = later.content.decode()
    assert later.context["report"].table("cases_used").current.row("Intake forms")[0] == figure
    assert "Computed on" in page
    assert 'id="insights-changed"' in page
    assert "Compute again" in page
    assert compute_queued() == []  # a snapshot is not recomputed on its own

    response = client.post(
        reverse("reporting:insights_result_recompute", args=[result.pk]),
        {"page": "tables", "query": later.context["query"]},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reporting:insights") + "?")
    during = client.get(reverse("reporting:insights"), _form(service))
    assert "being computed again" in during.content.decode()
    assert compute_queued() == [result.pk]
    after = client.get(reverse("reporting:insights"), _form(service))
    assert after.context["report"].table("cases_used").current.row("Intake forms")[0] == (
        figure + 1
    )
    assert 'id="insights-changed"' not in after.content.decode()


# --- Exports and the command read the stored result -----------------------------------------


def test_exports_are_written_from_the_stored_result_without_reading_case_tables(
    client_for, manager, service, author
):
    _records(service, author)
    client = client_for(manager)
    page = get_computed(client, reverse("reporting:insights"), _form(service))
    stored = page.context["report"]
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("reporting:insights_export"), _form(service, format="csv"))
    assert response.status_code == 302
    assert not [q["sql"] for q in queries if any(t in q["sql"] for t in CASE_TABLES)]
    export = ExportFile.objects.get(owner=manager)
    download = client.get(response["Location"])
    content = b"".join(download.streaming_content)
    assert content == as_csv(stored.tables)
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert {row["table"] for row in rows} == {table.key for table in stored.tables}
    assert export.filename.endswith(".csv")


def test_the_summary_pages_read_the_same_stored_result(client_for, manager, service, author):
    _records(service, author)
    client = client_for(manager)
    get_computed(client, reverse("reporting:insights"), _form(service))
    with CaptureQueriesContext(connection) as queries:
        glance = client.get(reverse("reporting:insights_at_a_glance"), _form(service))
    assert glance.context["report"] is not None
    assert not [q["sql"] for q in queries if any(t in q["sql"] for t in CASE_TABLES)]
    assert "6 cases opened" in glance.content.decode()
    assert InsightsResult.objects.count() == 1


def test_the_command_computes_and_stores_then_reads_the_stored_result(service, author):
    _records(service, author)
    arguments = [
        "insights_report",
        "--from",
        PERIOD.start.isoformat(),
        "--to",
        PERIOD.end.isoformat(),
        "--service",
        service.code,
    ]
    first = io.StringIO()
    call_command(*arguments, stdout=first)
    result = InsightsResult.objects.get()
    assert result.status == Status.DONE
    assert json.loads(first.getvalue()) == report_json(report_from_json(result.result))

    computed_at = result.computed_at
    second = io.StringIO()
    with CaptureQueriesContext(connection) as queries:
        call_command(*arguments, stdout=second)
    assert second.getvalue() == first.getvalue()
    assert not [q["sql"] for q in queries if any(t in q["sql"] for t in CASE_TABLES)]
    result.refresh_from_db()
    assert result.computed_at == computed_at

    # A snapshot whose data changed since: the command prints current figures, and stores them.
    intake(service, author)
    third = io.StringIO()
    call_command(*arguments, stdout=third)
    result.refresh_from_db()
    assert result.computed_at > computed_at
    assert json.loads(third.getvalue()) == report_json(report_from_json(result.result))
    assert third.getvalue() != first.getvalue()


# --- The job's claim --------------------------------------------------------------------------


def test_the_claim_leaves_a_done_result_alone_and_takes_over_a_stale_running_one(service):
    result = insights_result_request(key=_key(service))
    assert insights_result_claim(result_id=result.pk, worker_token="a")
    # Another delivery while the first runs: left alone; the same message again: taken.
    assert not insights_result_claim(result_id=result.pk, worker_token="b")
    assert insights_result_claim(result_id=result.pk, worker_token="a")
    InsightsResult.objects.filter(pk=result.pk).update(
        started_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert insights_result_claim(result_id=result.pk, worker_token="c")
    compute_queued()  # nothing queued: it is running
    InsightsResult.objects.filter(pk=result.pk).update(status=Status.DONE)
    assert not insights_result_claim(result_id=result.pk, worker_token="d")


def test_a_failed_result_is_shown_as_failed_with_a_retry(client_for, manager, service):
    client = client_for(manager)
    client.get(reverse("reporting:insights"), _form(service))
    InsightsResult.objects.update(status=Status.FAILED, error="OperationalError")
    page = client.get(reverse("reporting:insights"), _form(service)).content.decode()
    assert "could not be computed (OperationalError)" in page
    assert "Try again" in page
    assert compute_queued() == []


# --- Scope ----------------------------------------------------------------------------------


def test_a_manager_of_another_service_cannot_read_or_recompute_a_result(
    client_for, service, other_service, author
):
    _records(service, author)
    result = insights_result_request(key=_key(service, suppress_below=5))
    compute_queued()
    other_manager = MembershipFactory(service=other_service, role=Role.SERVICE_MANAGER).user
    client = client_for(other_manager)
    status = client.get(reverse("reporting:insights_result_status", args=[result.pk, "tables"]))
    assert status.status_code == 404
    recompute = client.post(reverse("reporting:insights_result_recompute", args=[result.pk]))
    assert recompute.status_code == 404
    assert InsightsResult.objects.get().status == Status.DONE


def test_a_short_period_unsuppressed_is_read_only_by_those_named_on_its_restricted_cases(
    client_for, service, author
):
    """A result with small numbers shown is computed for a manager named on the period's
    restricted case; another manager of the service cannot read it by its id."""
    day = PERIOD.start
    restricted = CaseFactory(service=service, opened_on=day, is_restricted=True)
    named, other = (
        MembershipFactory(service=service, role=Role.SERVICE_MANAGER).user for _ in range(2)
    )
    restricted.restricted_to.add(named)
    result = insights_result_request(key=_key(service, period=Period(day, day)))
    compute_queued()
    status_url = reverse("reporting:insights_result_status", args=[result.pk, "tables"])
    assert client_for(named).get(status_url).status_code == 200
    assert client_for(other).get(status_url).status_code == 404
    recompute_url = reverse("reporting:insights_result_recompute", args=[result.pk])
    assert client_for(other).post(recompute_url).status_code == 404


def test_the_status_panel_swaps_in_the_tables_once_stored(client_for, manager, service, author):
    _records(service, author)
    client = client_for(manager)
    page = client.get(reverse("reporting:insights"), _form(service))
    result = page.context["result"]
    status_url = reverse("reporting:insights_result_status", args=[result.pk, "tables"])
    assert f'hx-get="{status_url}?' in page.content.decode()
    polled = client.get(status_url + "?" + page.context["query"])
    assert 'id="insights-progress"' in polled.content.decode()
    compute_queued()
    polled = client.get(status_url + "?" + page.context["query"])
    body = polled.content.decode()
    assert 'id="insights-progress"' not in body
    assert "Referral route" in body
    assert 'name="services"' in body  # the export forms carry the filters
    assert result_to_show(InsightsResult.objects.get()) is not None
    assert Period(result.period_start, result.period_end) == PERIOD


def test_the_cached_tables_are_rendered_again_for_a_new_computation(
    client_for, manager, service, author
):
    _records(service, author)
    client = client_for(manager)
    first = get_computed(client, reverse("reporting:insights"), _form(service))
    assert "Referral route" in first.content.decode()
    result = first.context["result"]
    intake(service, author)
    client.post(reverse("reporting:insights_result_recompute", args=[result.pk]))
    compute_queued()
    after = client.get(reverse("reporting:insights"), _form(service))
    # The fragment of the earlier computation is not reused: the new figure shows.
    intakes = after.context["report"].table("cases_used").current.row("Intake forms")[0]
    assert intakes == first.context["report"].table("cases_used").current.row("Intake forms")[0] + 1
    html = after.content.decode()
    table = html[html.index('id="table-cases_used"') :]
    table = table[: table.index("</table>")]
    assert f'Intake forms</th>\n              <td class="text-end">{intakes}</td>' in table


def test_the_summary_pages_poll_and_swap_in_their_statements(client_for, manager, service, author):
    _records(service, author)
    client = client_for(manager)
    page = client.get(reverse("reporting:insights_key_findings"), _form(service))
    result = page.context["result"]
    status_url = reverse("reporting:insights_result_status", args=[result.pk, "key_findings"])
    assert f'hx-get="{status_url}?' in page.content.decode()
    compute_queued()
    body = client.get(f"{status_url}?{page.context['query']}").content.decode()
    assert "Key findings: " in body
    assert 'id="summary-statements"' in body
    assert client.get(status_url.replace("key_findings", "nothing")).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_with_tasks_in_process_the_first_request_shows_the_tables(
    client_for, manager, service, author, settings
):
    """The embedded demo (no Redis) runs tasks in-process: the job runs as the request queues
    it, so the page shows the tables at once. (The task itself is tested with a real worker in
    test_insights_worker.py; this is the demo's configuration only.)"""
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    _records(service, author)
    app.conf.task_always_eager = True
    try:
        response = client_for(manager).get(reverse("reporting:insights"), _form(service))
    finally:
        app.conf.task_always_eager = False
    assert response.context["report"] is not None
    assert response.context["result"].status == Status.DONE
    assert 'id="insights-progress"' not in response.content.decode()


def test_a_result_whose_job_was_lost_is_sent_again_when_viewed(
    client_for, manager, service, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    with django_capture_on_commit_callbacks() as sent:
        client.get(reverse("reporting:insights"), _form(service))
    assert len(sent) == 1  # queued, the job sent after commit
    with django_capture_on_commit_callbacks() as sent:
        client.get(reverse("reporting:insights"), _form(service))
    assert sent == []  # queued a moment ago: its job is on its way

    long_ago = timezone.now() - datetime.timedelta(days=1)
    InsightsResult.objects.update(queued_at=long_ago)
    with django_capture_on_commit_callbacks() as sent:
        client.get(reverse("reporting:insights"), _form(service))
    assert len(sent) == 1  # the message must have been lost

    # Running past the task's time limit: its worker was killed; sent again, and the claim
    # takes it over.
    InsightsResult.objects.update(status=Status.RUNNING, started_at=long_ago, worker_token="x")
    with django_capture_on_commit_callbacks() as sent:
        client.get(reverse("reporting:insights"), _form(service))
    assert len(sent) == 1
    assert insights_result_claim(result_id=InsightsResult.objects.get().pk, worker_token="y")


def test_a_result_stale_on_arrival_is_queued_again_by_the_polling_panel(
    client_for, manager, service, author
):
    client = client_for(manager)
    page = client.get(reverse("reporting:insights"), _form(service))
    result = page.context["result"]
    compute_queued()
    intake(service, author)  # written while it was computed, say: stale once stored
    InsightsResult.objects.update(is_snapshot=False)
    status_url = reverse("reporting:insights_result_status", args=[result.pk, "tables"])
    polled = client.get(f"{status_url}?{page.context['query']}")
    assert 'id="insights-progress"' in polled.content.decode()
    assert InsightsResult.objects.get().status == Status.QUEUED
    assert compute_queued() == [result.pk]


def test_old_results_of_open_periods_are_purged_and_snapshots_kept(service, other_service):
    from reporting.insights.results_store import insights_results_purge

    today = timezone.localdate()
    open_key = _key(service, period=Period(today - datetime.timedelta(days=10), today))
    open_result = insights_result_request(key=open_key)
    snapshot = insights_result_request(key=_key(service))
    queued = insights_result_request(key=_key(other_service))
    InsightsResult.objects.filter(pk__in=[open_result.pk, snapshot.pk]).update(
        status=Status.DONE, is_snapshot=False
    )
    InsightsResult.objects.filter(pk=snapshot.pk).update(is_snapshot=True)
    long_ago = timezone.now() - datetime.timedelta(days=31)
    InsightsResult.objects.update(updated_at=long_ago)

    assert insights_results_purge() == 1
    assert set(InsightsResult.objects.values_list("pk", flat=True)) == {snapshot.pk, queued.pk}


def test_the_purge_runs_daily_from_the_beat_schedule():
    from django.conf import settings

    from reporting import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["purge-old-insights-results"]
    assert entry["task"] == tasks.purge_old_insights_results.name
    assert entry["schedule"] == datetime.timedelta(hours=24)
