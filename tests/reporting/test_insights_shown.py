"""Issue 17 item 6: one Insights report object applies small-number suppression, to every table
and analysis; the page, the exports and the charts only format it, so they all agree."""

import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reporting.analyses import service_of_100
from reporting.insights import charts
from reporting.insights.engine import ReportFilters
from reporting.insights.output import as_csv, as_xlsx, display_table, report_json
from reporting.insights.shown import insights_report
from reporting.insights.suppression import SUPPRESSION_THRESHOLD
from riskassessment.models import MaracHearing
from tests.factories import ContactFactory, UserFactory
from tests.factories_riskassessment import MaracMeetingFactory
from tests.reporting.insights_results import get_computed
from tests.reporting.test_insights_tables import DURING, IN_PERIOD, PERIOD, exit_matched

pytestmark = pytest.mark.django_db

HIDDEN = f"<{SUPPRESSION_THRESHOLD}"


@pytest.fixture
def few_exits(service):
    """Two exits matched to intakes, both heard at one MARAC meeting: every figure is small."""
    author = UserFactory()
    meeting = MaracMeetingFactory(held_on=IN_PERIOD)
    exits = []
    for feel_safer in ("Agree", "Disagree"):
        form = exit_matched(service, author, outcome_feel_safer=feel_safer)
        ContactFactory(case=form.case, is_significant=True, occurred_at=DURING)
        MaracHearing.objects.create(case=form.case, meeting=meeting, is_repeat=True)
        exits.append(form)
    return exits


def _page(client_for, manager, service, **extra):
    data = {
        "period_kind": "custom",
        "start": PERIOD.start.isoformat(),
        "end": PERIOD.end.isoformat(),
        "compare": "none",
        "services": [service.pk],
        **extra,
    }
    return get_computed(client_for(manager), reverse("reporting:insights"), data)


def test_the_page_shows_safety_in_numbers_and_marac_suppressed(
    client_for, manager, service, few_exits
):
    response = _page(client_for, manager, service, suppress="on")

    report = response.context["report"]
    by_intensity = dict(report.safety_in_numbers[0]["rows"])
    fewer = [cells[1] for cells in by_intensity.values()]
    assert {cell["count"] for cell in fewer} == {HIDDEN}
    assert all(cell["percent"] is None for cell in fewer)
    marac = dict(report.marac)
    assert marac["Cases heard at MARAC"]["count"] == HIDDEN
    assert marac["Repeat cases"]["count"] == HIDDEN
    assert marac["Repeat cases"]["percent"] is None
    page = response.content.decode()
    assert "(&lt;5 of &lt;5)" in page
    assert "(2 of 2)" not in page and "(1 of 2)" not in page
    # The summary gives no share of a hidden count either (1 of 2 feel safer is "50"): two
    # exits are far too few for a per-100 summary at all.
    assert report.service_of_100.sections == []
    assert "too small for a per-100 summary" in report.service_of_100.note


def test_without_suppression_the_analyses_show_their_counts(
    client_for, manager, service, few_exits
):
    response = _page(client_for, manager, service)
    report = response.context["report"]

    assert dict(report.marac)["Cases heard at MARAC"]["count"] == 2
    fewer = [cells[1] for cells in dict(report.safety_in_numbers[0]["rows"]).values()]
    assert fewer[-1]["count"] == 2  # Clients (n)
    # Unsuppressed, two exits are still not scaled to 100 (1 of 2 would read "50 feel safer").
    assert report.service_of_100.sections == []
    assert "too small for a per-100 summary" in response.content.decode()


def test_every_renderer_shows_what_the_report_object_shows(service, few_exits):
    report = insights_report(
        period=PERIOD,
        filters=ReportFilters(service_ids=(service.pk,)),
        suppress_below=SUPPRESSION_THRESHOLD,
        keys=["client_outcome_feel_safer", "exit_case_status"],
    )
    table = report.table("client_outcome_feel_safer")
    expected = dict(zip(table.current.labels, table.current.counts, strict=True))
    assert expected["Agree"] == expected["Disagree"] == HIDDEN
    assert table.current.n == HIDDEN

    page = {row["label"]: row["count"] for row in display_table(table)["rows"]}
    assert page == expected

    payload = json.loads(json.dumps(report_json(report)))
    rows = next(t for t in payload["tables"] if t["key"] == table.key)["current"]["rows"]
    assert {row["label"]: row["count"] for row in rows} == expected

    lines = csv.DictReader(io.StringIO(as_csv(report.tables).decode("utf-8-sig")))
    in_csv = {row["row"]: row["count"] for row in lines if row["table"] == table.key}
    assert {label: str(count) for label, count in expected.items()} == in_csv

    sheet = load_workbook(io.BytesIO(as_xlsx([table]))).active
    in_xlsx = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0] in expected}
    assert in_xlsx == expected

    # Every closure count hidden: no chart is drawn, so none can give a count away.
    closures = report.table("exit_case_status").current
    assert closures.counts[closures.labels.index("Planned closure")] == HIDDEN
    assert "exit_case_status" not in charts.for_report(report)
    svg = charts.bar_chart("Closures", closures)
    assert "&lt;5" in svg and "(2)" not in svg


def test_client_reported_outcomes_everywhere_are_over_those_who_answered(
    client_for, manager, service
):
    # Six exits: three answered "I feel safer" (two agree, one disagrees), three did not.
    author = UserFactory()
    said = ["Agree", "Strongly agree", "Disagree", "", "", ""]
    for answer in said:
        exit_matched(service, author, outcome_feel_safer=answer)
    given = [answer for answer in said if answer]
    agree = sum(answer in ("Agree", "Strongly agree") for answer in given)

    report = insights_report(
        period=PERIOD,
        filters=ReportFilters(service_ids=(service.pk,)),
        suppress_below=None,
        analyses=True,
    )
    # Six exits are under the per-100 page's minimum n: it shows no figure (its "feel safer"
    # over those who answered is in test_service_of_100).
    assert report.service_of_100.sections == []
    # Six exits are too few for the page itself (SERVICE_OF_100_MIN_N): its arithmetic is read
    # with the minimum lowered to 1, over the report's own shown tables.
    page_of_100 = service_of_100({table.key: table.current for table in report.tables}, min_n=1)
    lines = [line for _, section in page_of_100.sections for line in section]
    # Per 100 of those who answered (67), not per 100 exits (33).
    assert f"{round(100 * agree / len(given))} feel safer" in lines
    assert f"{round(100 * agree / len(said))} feel safer" not in lines

    payload = json.loads(json.dumps(report_json(report)))
    table = next(t for t in payload["tables"] if t["key"] == "client_outcome_feel_safer")
    rows = {row["label"]: row for row in table["current"]["rows"]}
    assert table["current"]["n"] == len(given)
    assert table["universe"] == "exits matched to intake, where the client answered"
    assert rows["Total Agree"]["percent"] == round(100 * agree / len(given), 1)
    # Missing is shown apart, as a share of every exit.
    missing = len(said) - len(given)
    assert rows["Missing"]["count"] == missing
    assert rows["Missing"]["percent"] == round(100 * missing / len(said), 1)
    # ... and the table says so, beside it.
    assert table["note"].endswith(
        "Missing is a percentage of all exits matched to intake (answered or not), not of n."
    )
    other = next(t for t in payload["tables"] if t["key"] == "exit_case_status")
    assert "Missing is a percentage" not in other["note"]

    # The chart's bars are the table's shares: Missing over every exit, the answers over n.
    svg = charts.for_report(report)["client_outcome_feel_safer"]
    assert f"{round(100 * missing / len(said))}% ({missing})" in svg
    agreed = given.count("Agree")
    assert f"{round(100 * agreed / len(given))}% ({agreed})" in svg

    page = _page(client_for, manager, service).content.decode()
    assert "per 100 of the clients who answered each question" in page
    shown = page.split('id="table-client_outcome_feel_safer"', 1)[1].split("Export this table", 1)[
        0
    ]
    assert "Missing is a percentage of all exits matched to intake" in shown
