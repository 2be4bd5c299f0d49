"""Small services get a useful impact report (issue 19, item 10): the client-journey funnel
follows the period's referrals step by step and never widens; with suppression on, parts too
small to show are named (not printed as "<5" tables and empty charts) and the longer periods
that would show them are offered, in the report and on the request form."""

import datetime
import io
import itertools
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from referrals.models import Referral
from reporting.impact import content as report_content
from reporting.impact.forms import ImpactReportRequestForm
from reporting.impact.present import present
from reporting.impact.render import render_pdf, render_xlsx
from tests.factories import CaseFactory
from tests.factories_impact import QUARTER, ImpactReportFactory, build_quarter
from tests.factories_referrals import ReferralFactory
from tests.factories_riskassessment import submitted
from tests.factories_support import SafetyPlanFactory, SafetyPlanVersionFactory

pytestmark = pytest.mark.django_db

IN = datetime.date(2026, 5, 12)
BEFORE = datetime.date(2026, 2, 10)
AFTER = datetime.date(2026, 7, 20)  # after the quarter, before today: a later record
ACCEPTED, DECLINED = Referral.Triage.ACCEPTED, Referral.Triage.DECLINED
# One referral received in the quarter each: (triage, case opened, assessed on, plan made on,
# closed on).
JOURNEYS = (
    (DECLINED, False, None, None, None),
    (ACCEPTED, False, None, None, None),  # accepted, its case not (yet) linked
    (ACCEPTED, True, None, None, None),
    (ACCEPTED, True, IN, None, None),
    (ACCEPTED, True, IN, IN, None),
    (ACCEPTED, True, IN, IN, IN),
    (ACCEPTED, True, None, IN, IN),  # a plan and a closure without an assessment
    (ACCEPTED, True, AFTER, None, None),  # assessed after the quarter
    (ACCEPTED, True, IN, AFTER, AFTER),  # a plan and a closure after the quarter
)


def _received(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _journey(service, user, triage, opened, assessed_on, plan_on, closed_on, received):
    case = None
    if opened:
        case = CaseFactory(service=service, opened_on=received)
        if assessed_on:
            submitted(case, user, ticks=3, stage="intake", on=assessed_on)
        if plan_on:
            plan = SafetyPlanFactory(case=case, created_by=user)
            SafetyPlanVersionFactory(plan=plan, number=1, reviewed_on=plan_on)
        if closed_on:
            case.status, case.closed_on, case.closure_type = "closed", closed_on, "Planned closure"
            case.save()
    ReferralFactory(
        service=service,
        received_at=_received(received),
        recorded_by=user,
        triage=triage,
        case=case,
        **({"client": case.client} if case else {}),
    )


def _steps(content):
    journey = next(s for s in content["sections"] if s["key"] == "journey")
    funnel = next(b for b in journey["blocks"] if b["kind"] == "funnel")
    return funnel["steps"]


def test_the_client_journey_funnel_never_widens(service, caseworker):
    for journey in JOURNEYS:
        _journey(service, caseworker, *journey, received=IN)
    # Cases referred before the quarter, assessed and planned in it: work of the quarter, but
    # not steps of its referrals' journey (counted, they made the funnel widen).
    for _ in range(4):
        _journey(service, caseworker, ACCEPTED, True, IN, IN, IN, received=BEFORE)

    def reached(triage, opened, assessed_on, plan_on, closed_on):
        engaged = triage == ACCEPTED
        assessed = engaged and opened and assessed_on is not None and assessed_on <= QUARTER.end
        planned = assessed and plan_on is not None and plan_on <= QUARTER.end
        closed = planned and closed_on is not None and closed_on <= QUARTER.end
        return (True, engaged, assessed, planned, closed)

    expected = [sum(column) for column in zip(*(reached(*j) for j in JOURNEYS), strict=True)]

    steps = _steps(
        report_content.build_content(period=QUARTER, service_ids=(service.pk,), title="Small")
    )

    assert [step["count"] for step in steps] == expected
    for before, step in itertools.pairwise(steps):
        assert step["count"] <= before["count"]
        # Each step is a share of the one before it.
        assert step["of"] == before["count"]


def _small_report(service):
    report = ImpactReportFactory(title="Small", period_start=QUARTER.start, period_end=QUARTER.end)
    report.services.set([service])
    return report


def test_parts_too_small_to_show_are_named_and_a_longer_period_offered(service, caseworker):
    for journey in JOURNEYS[:3]:
        _journey(service, caseworker, *journey, received=IN)
    content = report_content.build_content(period=QUARTER, service_ids=(service.pk,), title="Small")
    shown = present(content, 5)

    journey = next(s for s in shown["sections"] if s["key"] == "journey")
    funnel = next(b for b in journey["blocks"] if b["kind"] == "funnel")
    assert funnel["too_small"]
    assert funnel["svg"] is None  # no empty chart
    named = {part["heading"]: part["titles"] for part in shown["too_small"]}
    assert "From referral to support" in named["The client journey"]
    # Every section of this tiny service is too small, so each is named whole.
    assert all(section["too_small"] for section in shown["sections"] if section["key"] != "value")

    # Q1 is the financial year to date already: the longer period is the last twelve months.
    twelve_months = (
        QUARTER.end.replace(year=QUARTER.end.year - 1) + datetime.timedelta(days=1),
        QUARTER.end,
    )
    assert [(o["name"], o["period"].start, o["period"].end) for o in shown["longer_periods"]] == [
        ("Last 12 months", *twelve_months)
    ]

    content["suppress_below"] = 5
    pdf, _pages = render_pdf(_small_report(service), content)
    text = re.sub(
        r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    )
    assert "Too few cases to show" in text
    assert "The client journey: From referral to support" in text
    assert "1 Jul 2025 to 30 Jun 2026" in text
    assert "Too few cases in this period to show this section" in text

    # The XLSX made from the same figures names them on its Summary sheet.
    summary = load_workbook(io.BytesIO(render_xlsx(_small_report(service), content)))["Summary"]
    lines = [row for row in summary.iter_rows(values_only=True) if row and row[0]]
    assert ("Too few cases to show", "The client journey") in [row[:2] for row in lines]
    assert ("A longer period to ask for", "Last 12 months", twelve_months[0].isoformat()) in [
        row[:3] for row in lines
    ]


def test_parts_with_enough_cases_are_shown_and_nothing_is_too_small_without_suppression(
    service, manager
):
    data = build_quarter(service, manager)
    content = report_content.build_content(
        period=QUARTER, service_ids=(service.pk,), title="Quarter"
    )
    shown = present(content, 5)
    outputs = next(s for s in shown["sections"] if s["key"] == "outputs")["blocks"][0]
    assert data.police_checks >= 5
    assert not outputs["too_small"]
    assert outputs["svg"]

    unsuppressed = present(content, None)
    assert unsuppressed["too_small"] == []
    assert not any(
        block.get("too_small") for s in unsuppressed["sections"] for block in s["blocks"]
    )


def test_the_request_form_offers_the_year_to_date_and_the_last_twelve_months(service, manager):
    today = datetime.date(2026, 11, 15)

    def asked(period_key):
        form = ImpactReportRequestForm(
            data={
                "title": "Longer",
                "quarter": period_key,
                "services": [service.pk],
                "suppress_small_numbers": "on",
            },
            user=manager,
            today=today,
        )
        assert form.is_valid(), form.errors
        return form.cleaned_data["period"]

    year_to_date = asked("year-to-date")
    assert (year_to_date.start, year_to_date.end) == (datetime.date(2026, 4, 1), today)
    twelve = asked("last-12-months")
    assert (twelve.start, twelve.end) == (datetime.date(2025, 11, 16), today)


def test_a_table_whose_every_answer_is_under_the_threshold_is_too_small_though_n_is_not():
    rows = [
        {"label": label, "count": count, "kind": "option"}
        for label, count in (("18-24", 3), ("25-34", 2), ("35-44", 2))
    ]
    spread = {
        "kind": "table",
        "key": "client_age",
        "title": "Age of client",
        "universe": "",
        "n": sum(row["count"] for row in rows),
        "rows": rows,
        "chart": True,
    }
    block = {**spread, "rows": [*rows, {"label": "45-54", "count": 5, "kind": "option"}]}
    block["n"] = sum(row["count"] for row in block["rows"])
    content = {
        "headline": [],
        "sections": [{"key": "who", "heading": "Who we work with", "blocks": [spread, block]}],
    }

    shown = present(content, 5)["sections"][0]
    assert spread["n"] >= 5
    assert [b["too_small"] for b in shown["blocks"]] == [True, False]
    assert not shown["too_small"]
