"""Issue 19 item 11: a suppressed cell cannot be worked out from the totals shown beside it
(secondary, complementary suppression), and the XLSX shows a 0 as 0, as the CSV does.

Each test builds a table's figures by hand and plays the reader: every sum the reader knows
(the rows of a one-answer table add up to n; a group is the sum of its members) is used to
work out any hidden count that is the only unknown of a sum, over and over, as a person with a
spreadsheet would."""

import io

import pytest
from openpyxl import load_workbook

from reporting.impact import present
from reporting.impact.content import item
from reporting.insights.engine import ReportFilters
from reporting.insights.output import as_csv, as_xlsx, report_json
from reporting.insights.results import Figures, Row
from reporting.insights.shown import ShownTable, insights_report
from reporting.insights.suppression import ShownFigures
from tests.factories import UserFactory
from tests.reporting.test_insights_tables import PERIOD, exit_matched

HIDDEN = "<5"


def _recovered(view: ShownFigures, sums) -> dict[str, int]:
    """What subtraction gives back: hidden rows (by label) that are the only unknown in a sum,
    or several unknowns of a sum whose known part leaves 0 (none is negative, so each is 0).
    `sums` are (total label or None for n, member labels), as the reader knows the table."""
    known = {
        label: count
        for label, count in zip(view.labels, view.counts, strict=True)
        if not isinstance(count, str)
    }
    if not isinstance(view.n, str):
        known[None] = view.n
    recovered = {}
    progress = True
    while progress:
        progress = False
        for total, members in sums:
            cells = [*members, total]
            unknown = [cell for cell in cells if cell not in known]
            if len(unknown) == 1:
                (cell,) = unknown
                if cell == total:
                    value = sum(known[member] for member in members)
                else:
                    value = known[total] - sum(known[m] for m in members if m != cell)
                known[cell] = recovered[cell] = value
                progress = True
            elif unknown and total in known:
                left = known[total] - sum(known[m] for m in members if m in known)
                if left == 0:
                    for cell in unknown:
                        known[cell] = recovered[cell] = 0
                    progress = True
    return recovered


def test_one_hidden_row_of_a_one_answer_table_cannot_be_subtracted_from_n():
    # Referred by: 10 police, 7 health, 3 self: n = 20. Hiding only "Self" (3) leaves
    # 20 - 10 - 7 = 3 on the page.
    figures = Figures(20, [Row("Police", 10), Row("Health", 7), Row("Self", 3)])
    sums = [(None, ("Police", "Health", "Self"))]

    view = ShownFigures.of(figures, 5)

    assert view.counts[2] == HIDDEN
    assert view.n == 20
    # The next smallest is hidden with it: the reader knows only that they add up to 10.
    assert view.counts == [10, HIDDEN, HIDDEN]
    assert view.percents[1] is None
    assert _recovered(view, sums) == {}
    # Without the complementary rule the reader gets the 3 back.
    only_primary = ShownFigures(
        labels=view.labels,
        kinds=view.kinds,
        hidden=[False, False, True],
        n=20,
        counts=[10, 7, HIDDEN],
        percents=[50.0, 35.0, None],
        statistics={},
    )
    assert _recovered(only_primary, sums) == {"Self": 3}


def test_missing_and_dont_know_are_part_of_the_sum():
    figures = Figures(
        16,
        [
            Row("Yes", 9),
            Row("No", 5),
            Row("Don't know", 2, "dont_know"),
            Row("Missing", 0, "missing"),
        ],
    )
    sums = [(None, ("Yes", "No", "Don't know", "Missing"))]

    view = ShownFigures.of(figures, 5)

    # 2 is hidden and the zero beside it: two unknowns already, nothing more is needed.
    assert view.counts == [9, 5, HIDDEN, HIDDEN]
    assert _recovered(view, sums) == {}


def test_a_hidden_member_of_a_group_cannot_be_worked_out_from_the_group_total():
    # "I feel safer": Strongly agree 10, Agree 3, Disagree 7 (n = 20); Total Agree = 13.
    figures = Figures(
        20,
        [
            Row("Strongly agree", 10),
            Row("Agree", 3),
            Row("Disagree", 7),
            Row("Total Agree", 13, "group"),
        ],
    )
    groups = (("Total Agree", ("Strongly agree", "Agree")),)
    sums = [
        (None, ("Strongly agree", "Agree", "Disagree")),
        ("Total Agree", ("Strongly agree", "Agree")),
        (None, ("Total Agree", "Disagree")),
    ]

    view = ShownFigures.of(figures, 5, groups)

    assert view.counts[1] == HIDDEN
    assert _recovered(view, sums) == {}
    assert view.n == 20


def test_a_multi_answer_table_whose_rows_do_not_add_up_to_n_hides_only_the_few():
    # Several answers each: 6 + 8 + 2 = 16 is not n = 9, so no subtraction gives the 2 back.
    figures = Figures(9, [Row("Physical", 6), Row("Emotional", 8), Row("Sexual", 2)])

    view = ShownFigures.of(figures, 5)

    assert view.counts == [6, 8, HIDDEN]


def test_without_suppression_nothing_is_hidden():
    figures = Figures(20, [Row("Police", 10), Row("Health", 7), Row("Self", 3)])

    assert ShownFigures.of(figures, None).counts == [10, 7, 3]


def _table(current, comparison):
    return ShownTable(
        key="referral_route",
        section="Service inputs",
        question="Referral route",
        universe="intakes",
        note="",
        current=ShownFigures.of(current, None),
        comparison=ShownFigures.of(comparison, None),
    )


def test_the_xlsx_shows_a_zero_as_zero_as_the_csv_does():
    # The comparison period had no referrals from health: 0, and 0.0%.
    table = _table(
        Figures(8, [Row("Police", 5), Row("Health", 3)]),
        Figures(6, [Row("Police", 6), Row("Health", 0)]),
    )

    sheet = load_workbook(io.BytesIO(as_xlsx([table]))).active
    rows = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    csv_text = as_csv([table]).decode("utf-8-sig")

    assert "Health,option,3,37.5,8,0,0.0,6" in csv_text
    assert rows["Health"] == (3, 37.5, 0, 0.0)
    # A cell with nothing to show (no comparison of a statistic) stays empty.
    assert rows["Police"] == (5, 62.5, 6, 100.0)


def test_the_impact_reports_referral_outcomes_cannot_be_subtracted_from_the_referrals():
    # What happened to each of 30 referrals: 20 engaged, 7 declined, 3 not yet triaged. The
    # report prints "of 30" beside each, so hiding only the 3 would leave 30 - 20 - 7 = 3.
    entries = [
        item("Engaged: case opened", 20, 30),
        item("Declined support", 7, 30),
        item("Not yet triaged", 3, 30),
        item("Safety plans made", 9),  # another figure of the list, of no base
    ]

    shown = present._present_items(entries, 5)

    assert [entry["count_text"] for entry in shown] == ["20", HIDDEN, HIDDEN, "9"]
    assert [entry["of_text"] for entry in shown[:3]] == ["30", "30", "30"]
    assert shown[1]["percent_text"] == ""
    # Figures of one base that do not add up to it (levels counted more than once) keep theirs.
    overlapping = [item("Standard", 6, 10), item("Medium", 5, 10), item("High", 2, 10)]
    assert [e["count_text"] for e in present._present_items(overlapping, 5)] == ["6", "5", HIDDEN]


def test_hidden_zeros_are_not_given_away_by_a_group_total():
    # Strongly agree 6, Agree 3, Disagree 5, the rest 0; Total Agree 9, n = 14. Hiding Agree,
    # Strongly agree and the zeros leaves 14 - 9 - 5 = 0 for the zeros: each would be known.
    labels = ("Strongly agree", "Agree", "Not certain", "Disagree", "Disagree strongly")
    figures = Figures(
        14,
        [
            *(Row(label, count) for label, count in zip(labels, (6, 3, 0, 5, 0), strict=True)),
            Row("Total Agree", 9, "group"),
            Row("Missing", 0, "missing"),
        ],
    )
    groups = (("Total Agree", ("Strongly agree", "Agree")),)
    sums = [
        (None, (*labels, "Missing")),
        ("Total Agree", ("Strongly agree", "Agree")),
        (None, ("Total Agree", "Not certain", "Disagree", "Disagree strongly", "Missing")),
    ]

    view = ShownFigures.of(figures, 5, groups)

    assert _recovered(view, sums) == {}
    assert view.n == 14


@pytest.mark.django_db
def test_the_insights_report_hides_what_its_group_total_would_give_back(service):
    # Feel safer at exit: 6 strongly agree, 3 agree, 5 disagree. Total Agree (9) is shown, so
    # showing "Strongly agree" (6) would give the hidden "Agree" back: 9 - 6 = 3.
    author = UserFactory()
    for answer, times in (("Strongly agree", 6), ("Agree", 3), ("Disagree", 5)):
        for _ in range(times):
            exit_matched(service, author, outcome_feel_safer=answer)

    report = insights_report(
        period=PERIOD,
        filters=ReportFilters(service_ids=(service.pk,)),
        suppress_below=5,
        keys=["client_outcome_feel_safer"],
    )

    table = report.table("client_outcome_feel_safer").current
    shown = dict(zip(table.labels, table.counts, strict=True))
    assert table.n == 6 + 3 + 5
    assert shown["Agree"] == shown["Strongly agree"] == HIDDEN
    assert shown["Total Agree"] == 6 + 3
    labels = ("Strongly agree", "Agree", "Not certain", "Disagree", "Disagree strongly")
    sums = [
        (None, (*labels, "Missing")),
        ("Total Agree", ("Strongly agree", "Agree")),
        (None, ("Total Agree", "Not certain", "Disagree", "Disagree strongly", "Missing")),
    ]
    assert _recovered(table, sums) == {}
    # The JSON the commissioner gets says the same.
    rows = {
        row["label"]: row["count"] for row in report_json(report)["tables"][0]["current"]["rows"]
    }
    assert rows["Strongly agree"] == HIDDEN and rows["Total Agree"] == 9


def test_a_sum_whose_every_cell_is_already_hidden_ends():
    """A group of zeros beside a hidden few, its total hidden too: nothing is left to hide,
    and the rule stops (it once hid the total again and again, and a report page never came)."""
    from reporting.insights.suppression import hidden_counts

    counts = [0, 0, 0, 2]
    sums = [(2, (0, 1)), (None, (2, 3))]
    assert hidden_counts(counts, 5, sums=sums) == [True, True, True, True]
