"""Issue 16, item 6: small numbers revealed restricted clients. A one-day Insights period gave
n = 1 tables describing a restricted client, and with suppression on the other rows still
showed 0, giving the category away.

- Restricted cases are counted only where the table's n is at least the threshold.
- A zero beside a suppressed count is suppressed too, in every output.
- Suppression cannot be switched off for a period shorter than the provider-wide minimum by a
  user not named on every restricted case in it.
"""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from reporting.impact.forms import ImpactReportRequestForm
from reporting.impact.present import present
from reporting.insights import charts
from reporting.insights.engine import ReportFilters
from reporting.insights.forms import InsightsFilterForm
from reporting.insights.output import as_csv, as_xlsx, display_table, table_json
from reporting.insights.report import build_report
from reporting.insights.results import Figures, Row, TableResult
from reporting.insights.shown import show_table
from reporting.insights.suppression import ShownFigures
from reporting.periods import Period
from tests.factories import CaseFactory, UserFactory
from tests.factories_marac import MaracHearingFactory
from tests.factories_outcomes import IntakeFormFactory
from tests.reporting.insights_results import get_computed
from tests.signin import sign_in_with_second_factor

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 5, 12)
ONE_DAY = Period(DAY, DAY)
TODAY = datetime.date(2026, 1, 15)  # the forms' "today": fixed, so no test depends on the date


def _intake(service, *, restricted=False, level="High"):
    case = CaseFactory(service=service, opened_on=DAY, is_restricted=restricted)
    return IntakeFormFactory(
        case=case,
        created_by=UserFactory(),
        completed_on=DAY,
        status="submitted",
        submitted_at=timezone.now(),
        level_physical=level,
    )


def _level_physical(service, period=ONE_DAY):
    report = build_report(
        period=period,
        filters=ReportFilters(service_ids=(service.pk,)),
        keys=["intake_level_physical"],
    )
    return report.table("intake_level_physical").current


# --- Restricted cases are counted only where n is at least the threshold ---------------------


def test_item_6_a_restricted_client_alone_in_a_one_day_period_is_not_counted(service):
    _intake(service, restricted=True, level="High")

    table = _level_physical(service)

    assert table.n == 0
    assert all(row.count == 0 for row in table.rows)


def test_item_6_a_restricted_case_beside_a_few_others_is_left_out(service):
    _intake(service, restricted=True, level="High")
    for _ in range(2):
        _intake(service, level="Moderate")

    table = _level_physical(service)

    assert table.n == 2
    assert table.count("High") == 0 and table.count("Moderate") == 2


def test_item_6_restricted_cases_are_counted_where_n_reaches_the_threshold(service):
    _intake(service, restricted=True, level="High")
    for _ in range(4):
        _intake(service, level="Moderate")

    table = _level_physical(service)

    assert table.n == 5  # a count of five or more names nobody
    assert table.count("High") == 1


# --- A zero beside a suppressed count is suppressed too, everywhere --------------------------


def _one_client_table():
    """The probe's table: n = 1, one category 1, the others 0, and a median of that one."""
    figures = Figures(
        n=1,
        rows=[Row("Standard", 0), Row("Medium", 0), Row("High", 1)],
        statistics={"median_weeks": 13.0},
    )
    comparison = Figures(n=40, rows=[Row("Standard", 20), Row("Medium", 0), Row("High", 20)])
    return TableResult(
        key="intake_level_physical",
        section="Abuse at intake",
        question="Physical abuse",
        universe="cases at intake",
        current=figures,
        comparison=comparison,
    )


def test_item_6_zeros_beside_a_suppressed_count_are_suppressed_in_json_and_on_the_page():
    table = _one_client_table()

    data = table_json(show_table(table, 5))
    assert data["current"]["n"] == "<5"
    assert [row["count"] for row in data["current"]["rows"]] == ["<5", "<5", "<5"]
    assert [row["percent"] for row in data["current"]["rows"]] == [None, None, None]
    assert data["current"]["statistics"] == {"median_weeks": None}
    # The comparison has no small count: its zero is a zero.
    assert [row["count"] for row in data["comparison"]["rows"]] == [20, 0, 20]

    shown = display_table(show_table(table, 5))
    assert [row["count"] for row in shown["rows"]] == ["<5", "<5", "<5"]
    assert [row["comparison_count"] for row in shown["rows"]] == [20, 0, 20]
    assert [statistic["value"] for statistic in shown["statistics"]] == [None]


def test_item_6_zeros_beside_a_suppressed_count_are_suppressed_in_csv_and_xlsx():
    table = _one_client_table()

    lines = as_csv([show_table(table, 5)]).decode("utf-8-sig").splitlines()
    counts = [line.split(",")[5] for line in lines[1:4]]
    assert counts == ["<5", "<5", "<5"]

    sheet = load_workbook(io.BytesIO(as_xlsx([show_table(table, 5)]))).active
    values = [row for row in sheet.iter_rows(values_only=True) if row[0] in ("Standard", "Medium")]
    assert [row[1] for row in values] == ["<5", "<5"]


def test_item_6_zeros_beside_a_suppressed_count_are_suppressed_in_charts():
    table = _one_client_table()
    svg = charts.bar_chart(table.question, ShownFigures.of(table.current, 5))
    # Every option gets its "<5" (none is left out for being 0) and no bar has a length.
    assert svg.count("&lt;5") == 3 or svg.count("<5") == 3
    assert 'width="1"' not in svg and ">0<" not in svg


def test_item_6_zeros_beside_a_suppressed_count_are_suppressed_in_the_impact_report():
    content = {
        "headline": [],
        "sections": [
            {
                "title": "Abuse at intake",
                "blocks": [
                    {
                        "kind": "table",
                        "title": "Physical abuse",
                        "n": 12,
                        "chart": True,
                        "rows": [
                            {"label": "Standard", "kind": "option", "count": 11},
                            {"label": "Medium", "kind": "option", "count": 0},
                            {"label": "High", "kind": "option", "count": 1},
                        ],
                    },
                    {
                        "kind": "figures",
                        "title": "Outputs",
                        "items": [
                            {"label": "MARAC referrals", "count": 2},
                            {"label": "Police checks", "count": 0},
                            {"label": "Safety plans", "count": 9},
                        ],
                    },
                ],
            }
        ],
    }

    table, items = present(content, 5)["sections"][0]["blocks"]

    # The zero row stays in the printed table (leaving it out would place the one) and is
    # hidden like the one beside it.
    assert [(row["label"], row["count_text"]) for row in table["rows"]] == [
        ("Standard", "11"),
        ("Medium", "<5"),
        ("High", "<5"),
    ]
    assert ">0<" not in table["svg"] and ">1<" not in table["svg"]
    assert [item["count_text"] for item in items["items"]] == ["<5", "<5", "9"]


# --- Suppression cannot be switched off for a short period -----------------------------------


def _filter_form(user, service, *, start, end, suppress):
    data = {
        "period_kind": InsightsFilterForm.PERIOD_CUSTOM,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "compare": InsightsFilterForm.COMPARE_NONE,
        "services": [str(service.pk)],
    }
    if suppress:
        data["suppress"] = "on"
    return InsightsFilterForm(data, user=user, today=TODAY)


def test_item_6_suppression_cannot_be_switched_off_for_a_short_period(manager, service):
    restricted = CaseFactory(service=service, opened_on=DAY, is_restricted=True)

    refused = _filter_form(manager, service, start=DAY, end=DAY, suppress=False)
    assert not refused.is_valid()
    assert "Small numbers stay suppressed" in refused.errors["suppress"][0]

    # With suppression on, or for a period of the provider's minimum, the report runs ...
    assert _filter_form(manager, service, start=DAY, end=DAY, suppress=True).is_valid()
    four_weeks = DAY + datetime.timedelta(days=27)
    assert _filter_form(manager, service, start=DAY, end=four_weeks, suppress=False).is_valid()
    # ... and a user named on the restricted case may switch it off: they know the client.
    restricted.restricted_to.add(manager)
    assert _filter_form(manager, service, start=DAY, end=DAY, suppress=False).is_valid()


def test_item_6_the_insights_page_refuses_switching_suppression_off_with_a_form_error(
    client, manager, service
):
    CaseFactory(service=service, opened_on=DAY, is_restricted=True)
    sign_in_with_second_factor(client, manager)
    response = client.get(
        "/reports/insights/",
        {
            "period_kind": "custom",
            "start": DAY.isoformat(),
            "end": DAY.isoformat(),
            "compare": "none",
            "services": [service.pk],
        },
    )
    assert response.status_code == 200
    assert response.context["report"] is None
    assert "Small numbers stay suppressed" in response.content.decode()


def test_item_6_an_impact_report_of_a_short_period_keeps_suppression(manager, service):
    CaseFactory(service=service, opened_on=DAY, is_restricted=True)
    form = ImpactReportRequestForm(
        {
            "title": "One day",
            "start": DAY.isoformat(),
            "end": DAY.isoformat(),
            "services": [str(service.pk)],
        },
        user=manager,
        today=TODAY,
    )
    assert not form.is_valid()
    assert "Small numbers stay suppressed" in form.errors["suppress_small_numbers"][0]


# --- The analyses on the Insights page --------------------------------------------------------


def test_item_6_a_lone_restricted_case_heard_at_marac_is_not_described(service):
    from reporting.analyses import marac_table
    from tests.factories_riskassessment import MaracMeetingFactory

    case = CaseFactory(service=service, opened_on=DAY, is_restricted=True)
    meeting = MaracMeetingFactory(held_on=DAY)
    MaracHearingFactory(case=case, meeting=meeting, is_repeat=True, pregnancy=True)

    rows = dict(marac_table(ONE_DAY, ReportFilters(service_ids=(service.pk,))))

    assert rows["Cases heard at MARAC"].count == 0
    assert rows["Repeat cases"].count == 0


def test_item_6_a_lone_restricted_exit_is_not_in_safety_in_numbers(service):
    from reporting.analyses import safety_in_numbers
    from tests.reporting.test_insights_tables import exit_matched

    case = exit_matched(service, UserFactory(), exit_on=DAY).case
    case.is_restricted = True
    case.save()

    by_intensity, _ = safety_in_numbers(ONE_DAY, ReportFilters(service_ids=(service.pk,)))

    clients = dict(by_intensity.rows)["Clients (n)"]
    assert [cell.count for cell in clients] == [0, 0]


def test_item_6_zeros_beside_a_suppressed_count_are_suppressed_in_the_analyses():
    from reporting.analyses import Cell, CrossTable
    from reporting.insights.suppression import shown_cells, shown_cross_table

    marac = shown_cells([Cell(12, 0), Cell(1, 12), Cell(0, 12), Cell(11, 12)], 5)
    assert [cell["count"] for cell in marac] == [12, "<5", "<5", 11]
    assert [cell["percent"] for cell in marac][1:3] == [None, None]

    cross = CrossTable(
        title="Outcomes by intensity of support",
        columns=["6+ significant contacts", "Fewer than 6"],
        rows=[
            ("Feels safer", [Cell(1, 1), Cell(10, 20)]),
            ("Total cessation", [Cell(0, 1), Cell(0, 20)]),
            ("Clients (n)", [Cell(1, 0), Cell(20, 0)]),
        ],
    )
    shown = dict(shown_cross_table(cross, 5)["rows"])
    # The one client's column is hidden whole; the other column's zero is a zero.
    assert [cell["count"] for cell in (shown["Feels safer"][0], shown["Total cessation"][0])] == [
        "<5",
        "<5",
    ]
    assert shown["Clients (n)"][0]["count"] == "<5"
    assert shown["Total cessation"][1]["count"] == 0


def test_item_6_the_insights_page_hides_the_zeros_beside_a_lone_client(client, manager, service):
    _intake(service, level="High")
    sign_in_with_second_factor(client, manager)
    response = get_computed(
        client,
        "/reports/insights/",
        {
            "period_kind": "custom",
            "start": "2025-05-01",
            "end": "2025-05-31",
            "compare": "none",
            "services": [service.pk],
            "suppress": "on",
        },
    )
    assert response.status_code == 200
    tables = {
        table["key"]: table
        for section in response.context["sections"]
        for table in section["tables"]
    }
    level = tables["intake_level_physical"]
    assert level["n"] == "<5"
    assert {row["count"] for row in level["rows"]} == {"<5"}
    assert "Counts under 5 are shown as" in response.content.decode()
    cells = [cell for _, cell in response.context["report"].marac]
    assert all(cell["count"] == 0 for cell in cells)  # nothing heard: zeros stay zeros


def test_item_6_a_follow_on_table_of_a_few_people_shows_no_zero_n(service):
    """One client in the period: "If yes, what type?" with n = 0 would say they did not answer
    Yes, so a table of a small universe shows nothing, its n and zeros included."""
    _intake(service, level="High")
    report = build_report(period=ONE_DAY, filters=ReportFilters(service_ids=(service.pk,)))

    small = [t for t in report.tables if 0 < (t.current.universe_n or 0) < 5]
    empty_follow_ons = [t for t in small if t.current.n == 0]
    assert empty_follow_ons, "the data should have a table of n = 0 beside one of n = 1"
    for table in small:
        view = ShownFigures.of(table.current, 5)
        assert view.n == "<5", table.key
        assert 0 not in view.counts, table.key
    csv_text = as_csv([show_table(t, 5) for t in empty_follow_ons]).decode("utf-8-sig")
    assert ",0," not in csv_text


def test_a_chart_with_every_count_hidden_or_nil_is_not_drawn():
    """A small filter with suppression on drew a chart of "<5" and "no data" beside its table
    (found walking the demo); a chart is drawn only where it has a bar."""
    hidden = Figures(n=2, rows=[Row("Police", 1), Row("Self", 1), Row("Health", 0)])
    nil = Figures(n=0, rows=[Row("Police", 0), Row("Self", 0), Row("Health", 0)])
    shown = Figures(n=30, rows=[Row("Police", 20), Row("Self", 10), Row("Health", 0)])

    def charted(current, comparison):
        table = TableResult(
            key="referral_route",
            section="Service inputs",
            question="Referral route",
            universe="cases at intake",
            current=current,
            comparison=comparison,
        )
        report = SimpleNamespace(tables=[show_table(table, 5)])
        return "referral_route" in charts.for_report(report)

    assert not charted(hidden, nil)
    assert not charted(nil, None)
    assert charted(hidden, shown)
    assert charted(shown, None)
