"""A statistic that counts people ("cases whose score fell", "high risk at intake, score fell"
on the Dash at exit table) is hidden when small, as a row's count is: before, only the table's
n hid it, so with five or more pairs a count of 1 to 4 was shown on the page, in the CSV, the
XLSX and the JSON."""

import io

import pytest
from openpyxl import load_workbook

from reporting.insights.output import as_csv, as_xlsx, display_table, table_json
from reporting.insights.results import Figures, Row, TableResult
from reporting.insights.shown import show_table
from reporting.insights.suppression import ShownFigures
from tests.reporting.test_impact_value import _closed_case
from tests.reporting.test_insights_dash_bands import _figures

COUNTED = frozenset({"reduced", "reduced_from_high"})


def _exit_table(reduced, reduced_from_high, n=12):
    figures = Figures(
        n,
        [Row("1-5", n // 2), Row("6-9", n - n // 2), Row("10+", 0)],
        statistics={
            "average": 6.25,
            "reduced": reduced,
            "reduced_from_high": reduced_from_high,
        },
        counted_statistics=COUNTED,
    )
    return TableResult(
        key="dash_ticks_exit",
        section="Outcomes",
        question="Dash ticks at exit",
        universe="exits matched to intake",
        current=figures,
    )


def test_a_small_count_statistic_is_hidden_and_an_average_is_not():
    shown = ShownFigures.of(_exit_table(7, 3).current, 5)
    assert shown.statistics == {"average": 6.25, "reduced": 7, "reduced_from_high": "<5"}


def test_a_zero_beside_a_hidden_count_statistic_is_hidden_too():
    # "No high-risk client's score fell" beside "<5" would say the few were not high risk.
    shown = ShownFigures.of(_exit_table(2, 0).current, 5)
    assert shown.statistics["reduced"] == "<5"
    assert shown.statistics["reduced_from_high"] == "<5"


def test_without_suppression_the_count_statistics_are_shown():
    shown = ShownFigures.of(_exit_table(2, 1).current, None)
    assert shown.statistics == {"average": 6.25, "reduced": 2, "reduced_from_high": 1}


def test_every_output_shows_the_hidden_count_statistic_as_hidden():
    table = show_table(_exit_table(9, 2), 5)

    assert table_json(table)["current"]["statistics"] == {
        "average": 6.25,
        "reduced": 9,
        "reduced_from_high": "<5",
    }
    page = {item["label"]: item["value"] for item in display_table(table)["statistics"]}
    assert page["High risk at intake, score fell"] == "<5"
    assert page["Cases whose score fell"] == 9

    lines = as_csv([table]).decode("utf-8-sig").splitlines()
    statistic_lines = [line for line in lines if ",statistic," in line]
    assert any(
        line.split(",")[3] == "reduced_from_high" and ",<5," in line for line in statistic_lines
    )

    cells = [
        value
        for row in load_workbook(io.BytesIO(as_xlsx([table]))).active.iter_rows(values_only=True)
        for value in row
    ]
    assert "<5" in cells
    assert 2 not in cells


@pytest.mark.django_db
def test_the_report_marks_the_dash_exit_counts_as_counts_of_people(service, caseworker):
    for ticks_in, ticks_out in ((12, 3), (8, 8)):
        _closed_case(service, caseworker, ticks_in, ticks_out)

    figures = _figures(service, "dash_ticks_exit")
    assert figures.statistics["reduced"] == 1
    assert figures.counted_statistics == COUNTED
    assert "average" not in figures.counted_statistics
