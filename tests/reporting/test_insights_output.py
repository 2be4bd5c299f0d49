"""The Insights page, its exports and the insights_report command."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent, ExportFile
from reporting.insights import output
from tests.factories import UserFactory
from tests.reporting.insights_results import compute_queued, get_computed
from tests.reporting.test_insights_tables import PERIOD, exit_matched, intake

pytestmark = pytest.mark.django_db


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


def test_page_shows_every_table_with_n_and_the_comparison(client_for, manager, service, author):
    for _ in range(6):
        intake(service, author)
    response = get_computed(client_for(manager), reverse("reporting:insights"), _form(service))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Referral route" in page
    assert "Civil justice outcomes" in page
    assert "Previous count" in page
    assert "If the service supported 100 people" in page


def test_bad_dates_are_form_errors_not_500(client_for, manager, service):
    data = _form(service, start="2025-06-30", end="2025-04-01")
    response = client_for(manager).get(reverse("reporting:insights"), data)
    assert response.status_code == 200
    assert "The last day cannot be before the first." in response.content.decode()
    assert response.context["report"] is None


def test_another_services_id_is_refused(client_for, manager, service, other_service):
    response = client_for(manager).get(
        reverse("reporting:insights"), _form(service, services=[other_service.pk])
    )
    assert response.context["report"] is None
    assert response.context["form"].errors["services"]


def test_csv_export_of_one_table_is_suppressed_and_audited(client_for, manager, service, author):
    for _ in range(3):
        intake(service, author)
    client = client_for(manager)
    data = _form(service, format="csv", table="referral_route", suppress="on")
    # Before the result is stored: back to the page, which says so, and nothing exported.
    response = client.post(reverse("reporting:insights_export"), data, follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("reporting:insights") + "?")
    assert "still being computed" in response.content.decode()
    assert not ExportFile.objects.exists()
    compute_queued()
    response = client.post(reverse("reporting:insights_export"), data)
    assert response.status_code == 302
    export = ExportFile.objects.get(owner=manager)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=manager).exists()
    download = client.get(response["Location"])
    rows = list(
        csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig")))
    )
    assert {row["table"] for row in rows} == {"referral_route"}
    assert next(row for row in rows if row["row"] == "Police")["n"] == "<5"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, actor=manager).exists()
    assert export.filename.startswith("insights-referral_route-")


def test_xlsx_export_of_every_table(client_for, manager, service):
    client = client_for(manager)
    get_computed(client, reverse("reporting:insights"), _form(service))
    response = client.post(reverse("reporting:insights_export"), _form(service, format="xlsx"))
    assert response.status_code == 302
    assert ExportFile.objects.get(owner=manager).content_type.endswith("spreadsheetml.sheet")


def test_unknown_export_format_is_a_400(client_for, manager, service):
    response = client_for(manager).post(
        reverse("reporting:insights_export"), _form(service, format="pdf")
    )
    assert response.status_code == 400


def test_command_prints_every_table_as_json_with_stable_keys(service, author):
    exit_matched(service, author, outcome_feel_safer="Agree")
    out = io.StringIO()
    call_command(
        "insights_report",
        "--from",
        PERIOD.start.isoformat(),
        "--to",
        PERIOD.end.isoformat(),
        "--compare-from",
        "2025-01-01",
        "--compare-to",
        "2025-03-31",
        "--service",
        service.code,
        "--format",
        "json",
        stdout=out,
    )
    payload = json.loads(out.getvalue())
    assert payload["format"] == "lantern-insights/1"
    assert set(payload) >= {"period", "comparison_period", "services", "tables"}
    table = next(t for t in payload["tables"] if t["key"] == "client_outcome_feel_safer")
    assert set(table) == {"key", "section", "question", "universe", "note", "current", "comparison"}
    agree = next(row for row in table["current"]["rows"] if row["label"] == "Agree")
    assert agree == {"label": "Agree", "kind": "option", "count": 1, "percent": 100.0}


def test_command_csv_and_bad_input(service):
    out = io.StringIO()
    call_command(
        "insights_report",
        "--from",
        "2025-04-01",
        "--to",
        "2025-06-30",
        "--format",
        "csv",
        stdout=out,
    )
    assert out.getvalue().splitlines()[0].startswith("table,section,question,row,kind,count")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="cannot end before"):
        call_command("insights_report", "--from", "2025-06-30", "--to", "2025-04-01")
    with pytest.raises(CommandError, match="No service"):
        call_command(
            "insights_report", "--from", "2025-04-01", "--to", "2025-06-30", "--service", "NOPE"
        )


def test_charts_keep_suppressed_counts_hidden(client_for, manager, service, author):
    for _ in range(2):
        exit_matched(service, author)  # two planned closures: under 5
    response = get_computed(
        client_for(manager), reverse("reporting:insights"), _form(service, suppress="on")
    )
    chart = next(
        table["chart"]
        for section in response.context["sections"]
        for table in section["tables"]
        if table["key"] == "exit_case_status"
    )
    # Every closure count hidden: no chart is drawn beside the table (its bars would be "<5"
    # alone), so it gives nothing away; bar_chart's "<5" is tested in test_insights_shown.
    assert chart is None


def test_cases_used_is_counts_alone_with_no_n_or_percentages(client_for, manager, service, author):
    """The seed's "Cases used in the analysis" counts forms of several kinds, which add to no
    common n: its counts are shown, with no n row and no % column, in every format."""
    for _ in range(2):
        intake(service, author)
    exit_matched(service, author)
    client = client_for(manager)
    response = get_computed(client, reverse("reporting:insights"), _form(service))
    shown = next(
        table
        for section in response.context["sections"]
        for table in section["tables"]
        if table["key"] == "cases_used"
    )
    assert shown["counts_only"] and shown["n"] is None
    assert shown["universe"] == "forms dated in the period"
    counts = {row["label"]: row["count"] for row in shown["rows"]}
    assert counts["Intake forms"] >= 2 and counts["Exit forms"] == 1
    page = response.content.decode()
    cases_used = page.split('id="table-cases_used"', 1)[1].split("</table>", 1)[0]
    assert "n=" not in cases_used and ">%<" not in cases_used
    assert "Intake forms" in cases_used and "Previous count" in cases_used
    other = page.split('id="table-referral_route"', 1)[1].split("</table>", 1)[0]
    assert "n=" in other and ">%<" in other  # other tables keep theirs

    out = io.StringIO()
    arguments = ["--from", PERIOD.start.isoformat(), "--to", PERIOD.end.isoformat()]
    call_command("insights_report", *arguments, "--format", "json", stdout=out)
    table = next(t for t in json.loads(out.getvalue())["tables"] if t["key"] == "cases_used")
    assert table["current"]["n"] is None
    out = io.StringIO()
    call_command("insights_report", *arguments, "--format", "csv", stdout=out)
    rows = [
        row for row in csv.DictReader(io.StringIO(out.getvalue())) if row["table"] == "cases_used"
    ]
    assert rows and all(row["n"] == "" and row["percent"] == "" for row in rows)

    cases_used_result = response.context["report"].table("cases_used")
    referral_route = response.context["report"].table("referral_route")
    sheet = load_workbook(io.BytesIO(output.as_xlsx([cases_used_result, referral_route]))).active
    sheet_rows = list(sheet.iter_rows(values_only=True))
    first, second = (
        sheet_rows.index((result.question, *[None] * (sheet.max_column - 1)))
        for result in (cases_used_result, referral_route)
    )
    headings = [cell for cell in sheet_rows[first + 1] if cell is not None]
    assert headings == ["Count", "Comparison count"]
    assert all(row[0] != "n" for row in sheet_rows[first:second])
    assert sheet_rows[first + 2][:2] == ("Intake forms", counts["Intake forms"])
    assert "%" in sheet_rows[second + 1] and sheet_rows[second + 2][0] == "n"


def test_the_cached_tables_are_drawn_again_by_a_release_that_changes_them(
    client_for, manager, service, author, monkeypatch
):
    """The tables' HTML is cached per stored result; its key holds a hash of what draws it, so
    a new release never shows the tables as the one before drew them."""
    from reporting.insights import views

    intake(service, author)
    client = client_for(manager)
    monkeypatch.setattr(views, "tables_version", lambda: "release-1")
    first = get_computed(client, reverse("reporting:insights"), _form(service))
    assert "Drawn by release 2" not in first.content.decode()

    def display_table_of_release_2(result):
        table = output.display_table(result)
        table["question"] = f"{table['question']} (Drawn by release 2)"
        return table

    monkeypatch.setattr(views, "display_table", display_table_of_release_2)
    same_release = client.get(reverse("reporting:insights"), _form(service))
    assert "Drawn by release 2" not in same_release.content.decode()  # cached: the same key
    monkeypatch.setattr(views, "tables_version", lambda: "release-2")
    next_release = client.get(reverse("reporting:insights"), _form(service))
    assert "Drawn by release 2" in next_release.content.decode()


def test_the_tables_version_follows_the_template(monkeypatch):
    from types import SimpleNamespace

    from reporting.insights import views

    views.tables_version.cache_clear()
    version = views.tables_version()
    assert len(version) == 16 and views.tables_version() == version
    real = views.get_template(views.TABLES_TEMPLATE).template.source
    changed = SimpleNamespace(template=SimpleNamespace(source=real + "<p>A new column</p>"))
    monkeypatch.setattr(views, "get_template", lambda name: changed)
    views.tables_version.cache_clear()
    try:
        assert views.tables_version() != version
    finally:
        views.tables_version.cache_clear()
