"""The seed's "At a glance" and "Key findings" pages (issue 19, item 7), each figure read from
the Insights report object: on hand-built report figures, and through the pages on hand-built
records, with the same filters and suppression as the tables."""

import pytest
from django.urls import reverse

from reporting.insights.results import Figures, Row
from reporting.insights.shown import ShownReport, ShownTable
from reporting.insights.summaries import (
    ABUSE_CHANGE_TABLES,
    AT_A_GLANCE_TABLES,
    KEY_FINDINGS_TABLES,
    at_a_glance,
    key_findings,
)
from reporting.insights.suppression import ShownFigures
from tests.factories import ServiceFactory, UserFactory
from tests.reporting.insights_results import get_computed
from tests.reporting.test_insights_tables import PERIOD, exit_matched, intake


def _shown(key, n, rows=(), statistics=None, suppress_below=None):
    figures = Figures(
        n=n,
        rows=[Row(label, count, kind) for label, count, kind in rows],
        statistics=statistics or {},
    )
    return ShownTable(
        key=key,
        section="",
        question=key,
        universe="",
        note="",
        current=ShownFigures.of(figures, suppress_below),
        comparison=None,
    )


def _report(tables, services=("North", "South"), suppress_below=None):
    keys = {table.key for table in tables}
    empty = [
        _shown(key, 0) for key in [*AT_A_GLANCE_TABLES, *KEY_FINDINGS_TABLES] if key not in keys
    ]
    return ShownReport(
        period=PERIOD,
        comparison_period=None,
        service_names=list(services),
        suppress_below=suppress_below,
        tables=[*tables, *empty],
    )


def _texts(statements):
    return [s.text for s in statements] + [d for s in statements for d in s.details]


def test_at_a_glance_reads_each_figure_from_the_report():
    report = _report(
        [
            _shown(
                "cases_used",
                0,
                [("Intake forms", 120, "option"), ("Exit forms", 95, "option")],
            ),
            _shown("cj_supported", 95, [("Yes", 30, "option"), ("No", 65, "option")]),
            _shown("civil_supported", 95, [("Yes", 12, "option"), ("No", 83, "option")]),
        ]
    )
    assert _texts(at_a_glance(report)) == [
        "2 services",
        "120 cases opened",
        "95 cases closed",
        "30 clients supported with criminal justice and 12 with civil justice (a client may "
        "have both)",
    ]


def test_key_findings_read_each_figure_from_the_report():
    routes = [("Police", 50, "option"), ("Self", 20, "option"), ("Health", 25, "option")]
    routes += [("Marac", 5, "option")]
    n_routes = sum(count for _, count, _ in routes)  # 100
    changes = [
        _shown(key, 40, [("Reduced from Intake to Exit", 10 * (i + 1), "option")])
        for i, (_, key) in enumerate(ABUSE_CHANGE_TABLES)
    ]
    report = _report(
        [
            _shown("referral_route", n_routes, routes),
            _shown("case_length", 80, statistics={"median_weeks": 13.6}),
            _shown("contacts_count", 80, statistics={"median": 9.5}),
            _shown("client_outcome_feel_safer", 60, [("Total Agree", 45, "group")]),
            *changes,
            _shown("ongoing_contact_reason", 40, [("Children", 30, "option")]),
            _shown("child_contact_conflict", 30, [("Yes", 15, "option")]),
            _shown("child_contact_abuse", 30, [("Yes", 12, "option")]),
            _shown("cj_nfa_reason", 20, [("Victim withdrew", 2, "option")]),
            _shown("cj_special_measures", 50, [("Granted", 15, "option")]),
            _shown(
                "cj_idva_support",
                50,
                [
                    ("Explained criminal justice process", 38, "option"),
                    ("Supported client through criminal justice processes", 25, "option"),
                    ("Provided updates about court outcomes", 24, "option"),
                ],
            ),
        ]
    )
    texts = _texts(key_findings(report))
    # Largest first: 50, 25, 20 of 100.
    assert "Police (50%)" in texts and "Health (25%)" in texts and "Self (20%)" in texts
    assert "Marac (5%)" not in texts
    assert f"Victims were supported for a median of {13.6:.0f} weeks" in texts
    assert f"With a median of {9.5:.0f} contacts" in texts
    assert f"{100 * 45 / 60:.0f}% of adult clients* at exit said they felt safer" in texts
    for i, (label, _) in enumerate(ABUSE_CHANGE_TABLES):
        assert f"{label}: {100 * 10 * (i + 1) / 40:.0f}%" in texts
    assert (
        f"{100 * 30 / 40:.0f}% of survivors having ongoing contact with the perpetrator did so "
        "due to children. Of these:" in texts
    )
    assert f"{100 * 15 / 30:.0f}% experienced ongoing conflict around child contact" in texts
    assert f"In {100 * 2 / 20:.0f}% of incidents with no further action" in " ".join(texts)
    assert f"{100 * 15 / 50:.0f}% of clients were granted special measures" in texts
    assert f"Explaining criminal justice proceedings in {100 * 38 / 50:.0f}% of cases" in texts
    assert f"Providing updates about court in {100 * 24 / 50:.0f}% of cases" in texts


def test_a_hidden_figure_is_not_shown():
    suppress = 5
    report = _report(
        [
            _shown(
                "cases_used",
                0,
                [("Intake forms", 3, "option"), ("Exit forms", 40, "option")],
                suppress_below=suppress,
            ),
            _shown(
                "client_outcome_feel_safer",
                40,
                [("Total Agree", 2, "group")],
                suppress_below=suppress,
            ),
        ],
        suppress_below=suppress,
    )
    assert "<5 cases opened" in _texts(at_a_glance(report))
    # 2 of 40 would be "5%", which gives the hidden count back.
    assert "n/a of adult clients* at exit said they felt safer" in _texts(key_findings(report))
    assert not any("n/a%" in text for text in _texts(key_findings(report)))  # "n/a", not "n/a%"


@pytest.fixture
def records(service):
    author = UserFactory()
    for _ in range(3):
        intake(service, author)
    exit_matched(service, author, outcome_feel_safer="Agree")
    exit_matched(service, author, outcome_feel_safer="Disagree")
    # Another service's: outside the manager's scope and the chosen services.
    intake(ServiceFactory(), author)


def _get(client_for, manager, service, name, **extra):
    data = {
        "period_kind": "custom",
        "start": PERIOD.start.isoformat(),
        "end": PERIOD.end.isoformat(),
        "compare": "none",
        "services": [service.pk],
        **extra,
    }
    return get_computed(client_for(manager), reverse(f"reporting:{name}"), data)


@pytest.mark.django_db
def test_the_pages_use_the_report_of_the_same_filters(client_for, manager, service, records):
    glance = _get(client_for, manager, service, "insights_at_a_glance")
    texts = _texts(glance.context["statements"])
    # Three intakes in the period (the exits' intakes are before it); two exits.
    assert texts[:3] == ["1 services", "3 cases opened", "2 cases closed"]
    findings = _get(client_for, manager, service, "insights_key_findings")
    texts = _texts(findings.context["statements"])
    assert f"{100 * 1 / 2:.0f}% of adult clients* at exit said they felt safer" in texts
    assert "50% of adult clients* at exit said they felt safer" in findings.content.decode()


@pytest.mark.django_db
def test_the_pages_suppress_as_the_tables_do(client_for, manager, service, records):
    glance = _get(client_for, manager, service, "insights_at_a_glance", suppress="on")
    assert glance.context["report"].suppress_below == 5
    texts = _texts(glance.context["statements"])
    assert texts[1:3] == ["<5 cases opened", "<5 cases closed"]
    findings = _get(client_for, manager, service, "insights_key_findings", suppress="on")
    assert "n/a of adult clients* at exit said they felt safer" in _texts(
        findings.context["statements"]
    )


@pytest.mark.django_db
def test_the_insights_page_links_to_them_with_its_filters(client_for, manager, service):
    page = _get(client_for, manager, service, "insights").content.decode()
    assert reverse("reporting:insights_at_a_glance") + "?" in page
    assert reverse("reporting:insights_key_findings") + "?" in page
