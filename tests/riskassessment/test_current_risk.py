"""Risk is never lowered by accident (issue 18, item 1): the case's current risk comes from one
rule (riskassessment.current_risk), not from whichever checklist was submitted last.

The issue's scenario first: a DASH at intake with 16 ticks (high, MARAC criteria met), then a
MeRIT with 5 of 18 questions answered and the rest "Not asked": the case, its intake form and
the Insights report all stay high."""

import datetime
import importlib

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from accounts.audit import TEXT_NOT_RECORDED
from outcomes.selectors import risk_link_for
from outcomes.suggestions import intake_suggestions
from reporting.insights.engine import ReportFilters
from reporting.insights.report import build_report
from reporting.periods import quarter
from riskassessment import case_page, current_risk, scoring, services
from riskassessment.models import RiskDecision
from tests.factories import CaseFactory
from tests.factories_outcomes import IntakeFormFactory
from tests.factories_riskassessment import (
    answers_for,
    dash_version,
    merit_version,
    shipped,
    submitted,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def case(service):
    return CaseFactory(service=service, opened_on=TODAY - datetime.timedelta(days=30))


def partly_answered(case, actor, *, version, answered: list[str], on=None, stage="intake"):
    """A checklist with the first answers given and "Answer the rest Not asked" pressed."""
    assessment = services.assessment_start(
        case=case, version=version, actor=actor, stage=stage, assessed_on=on or TODAY
    )
    total = version.questions.count()
    keys = answered + ["not_asked"] * (total - len(answered))
    return services.assessment_save(
        assessment=assessment,
        actor=actor,
        answers=answers_for(assessment, keys),
        submit=True,
    )


def the_issues_scenario(case, caseworker, *, on=None):
    dash = submitted(case, caseworker, ticks=16, stage="intake", on=on)
    merit = partly_answered(
        case,
        caseworker,
        version=merit_version(),
        answered=["yes", "no", "no", "yes", "no"],
        on=on,
    )
    return dash, merit


# --- The issue's scenario ------------------------------------------------------------------------


def test_an_incomplete_merit_after_a_high_dash_leaves_the_case_high(case, caseworker):
    dash, merit = the_issues_scenario(case, caseworker)
    assert (dash.risk_level, dash.marac_criteria_met) == ("high", True)
    # 13 of 18 "Not asked": marked incomplete, stored on the assessment; Bronze on its own.
    assert (merit.not_asked_count, merit.is_incomplete) == (13, True)
    assert merit.risk_level == "standard"
    case.refresh_from_db()
    assert (case.risk_level, case.risk_level_label) == ("high", "High")
    assert case.risk_assessed_at == dash.submitted_at
    risk = current_risk.current_risk_of(case)
    assert risk.assessment == dash
    assert [entry.assessment for entry in risk.held_back] == [merit]


def test_the_intake_form_still_reads_high(case, caseworker):
    dash, merit = the_issues_scenario(case, caseworker)
    form = IntakeFormFactory(case=case, created_by=caseworker, completed_on=TODAY)
    link = risk_link_for(form)
    assert link["assessment"] == dash
    assert link["assessment"].risk_level == "high"
    dash.refresh_from_db()
    merit.refresh_from_db()
    assert (dash.decides_stage_risk, merit.decides_stage_risk) == (True, False)


def test_an_incomplete_exit_checklist_gives_the_exit_no_lower_level(case, caseworker):
    """Alone at its stage, an incomplete checklist would have said the exit risk was standard:
    a "reduction from high" nobody assessed. The exit stage has no level instead (Missing)."""
    dash = submitted(case, caseworker, ticks=16, stage="intake")
    merit = partly_answered(
        case, caseworker, version=merit_version(), answered=["no"] * 5, stage="exit"
    )
    dash.refresh_from_db()
    merit.refresh_from_db()
    assert merit.is_incomplete and merit.risk_level == "standard"
    assert (dash.decides_stage_risk, merit.decides_stage_risk) == (True, False)
    assert current_risk.deciding_at_stage(case, "exit") is None


def test_an_incomplete_exit_checklist_that_does_not_lower_decides_the_exit(case, caseworker):
    submitted(case, caseworker, ticks=2, stage="intake")
    raised = partly_answered(
        case, caseworker, version=dash_version(), answered=["yes"] * 11, stage="exit"
    )
    assert current_risk.deciding_at_stage(case, "exit") == raised


def test_the_insights_tables_still_count_high_at_intake(service, caseworker):
    period = quarter(2025, 1)  # April to June 2025
    on = datetime.date(2025, 5, 10)
    case = CaseFactory(service=service, opened_on=on)
    the_issues_scenario(case, caseworker, on=on)
    # "High risk?" is asked on the intake form (issue 19, item 2), suggested from the assessment
    # that decides the intake risk: the DASH, not the incomplete MeRIT submitted after it.
    assert intake_suggestions(case, on)["high_risk"] == "Yes"
    IntakeFormFactory(
        case=case,
        created_by=caseworker,
        completed_on=on,
        status="submitted",
        submitted_at=timezone.now(),
        high_risk=intake_suggestions(case, on)["high_risk"],
    )
    report = build_report(
        period=period,
        filters=ReportFilters(service_ids=(service.pk,)),
        keys=["high_risk", "high_risk_basis", "dash_ticks_intake"],
    )
    high_risk = report.table("high_risk").current
    assert (high_risk.count("Yes"), high_risk.count("No")) == (1, 0)
    assert report.table("high_risk_basis").current.count("Actuarial") == 1
    dash_band = scoring.insights_dash_band(16)
    assert report.table("dash_ticks_intake").current.count(dash_band) == 1


def test_the_insights_dash_score_at_intake_prefers_a_complete_dash(service, caseworker):
    """A DASH mostly "Not asked" scores low because it was not asked: the intake's Dash band
    comes from the complete one."""
    on = datetime.date(2025, 5, 10)
    case = CaseFactory(service=service, opened_on=on)
    IntakeFormFactory(
        case=case,
        created_by=caseworker,
        completed_on=on,
        status="submitted",
        submitted_at=timezone.now(),
    )
    submitted(case, caseworker, ticks=12, stage="intake", on=on)
    partly_answered(case, caseworker, version=dash_version(), answered=["yes"] * 3, on=on)
    table = (
        build_report(
            period=quarter(2025, 1),
            filters=ReportFilters(service_ids=(service.pk,)),
            keys=["dash_ticks_intake"],
        )
        .table("dash_ticks_intake")
        .current
    )
    assert table.count(scoring.insights_dash_band(12)) == 1
    assert table.count(scoring.insights_dash_band(3)) == 0


def test_the_case_page_and_risk_page_say_why(client_for, case, caseworker):
    dash, merit = the_issues_scenario(case, caseworker)
    client = client_for(caseworker)
    until = date_format(dash.current_until)
    for url in (
        reverse("cases:case_detail", args=[case.pk]),
        reverse("riskassessment:case_risk", args=[case.pk]),
    ):
        page = client.get(url).content.decode()
        assert "High risk" in page
        assert f"from the DASH risk checklist of {date_format(TODAY)}" in page
        assert "16 ticks" in page
        assert f"current until {until}" in page
        assert "The MeRIT of" in page and "incomplete (13 answers" in page
    detail = client.get(reverse("riskassessment:assessment_detail", args=[merit.pk]))
    assert "can raise the case's risk but never lower it" in detail.content.decode()


# --- Incomplete checklists -----------------------------------------------------------------------


def test_more_than_half_not_asked_is_incomplete():
    assert scoring.MOST_NOT_ASKED == 0.5
    assert not scoring.is_incomplete(9, 18)
    assert scoring.is_incomplete(10, 18)
    assert not scoring.is_incomplete(12, 24)
    assert scoring.is_incomplete(13, 24)


def test_an_incomplete_checklist_can_raise_the_risk(case, caseworker):
    submitted(case, caseworker, ticks=2)
    case.refresh_from_db()
    assert case.risk_level == "standard"
    # 11 ticks and 13 "Not asked" of 24: medium, and incomplete.
    raised = partly_answered(case, caseworker, version=dash_version(), answered=["yes"] * 11)
    assert (raised.is_incomplete, raised.risk_level) == (True, "medium")
    case.refresh_from_db()
    assert case.risk_level == "medium"


def test_a_complete_checklist_with_some_not_asked_still_counts(case, caseworker):
    submitted(case, caseworker, ticks=16, on=TODAY - datetime.timedelta(days=200))
    # 9 of 18 "Not asked": complete, so a lower MeRIT made after the DASH's window lowers it.
    merit = partly_answered(case, caseworker, version=merit_version(), answered=["no"] * 9)
    assert not merit.is_incomplete
    case.refresh_from_db()
    assert case.risk_level == "standard"


# --- The window ----------------------------------------------------------------------------------


def test_a_later_complete_lower_assessment_inside_the_window_does_not_lower(case, caseworker):
    first = submitted(case, caseworker, ticks=16, on=TODAY - datetime.timedelta(days=60))
    submitted(case, caseworker, ticks=2, stage="review")
    case.refresh_from_db()
    assert case.risk_level == "high"
    risk = current_risk.current_risk_of(case)
    assert risk.assessment == first
    assert not risk.lapsed
    assert risk.current_until == first.assessed_on + datetime.timedelta(days=90)


def test_the_window_is_the_services(case, caseworker, service):
    service.risk_current_days = 30
    service.save()
    submitted(case, caseworker, ticks=16, on=TODAY - datetime.timedelta(days=60))
    submitted(case, caseworker, ticks=2, stage="review")
    case.refresh_from_db()
    assert case.risk_level == "standard"


def test_a_lapsed_window_keeps_the_level_until_a_new_assessment(case, caseworker):
    high = submitted(case, caseworker, ticks=16, on=TODAY - datetime.timedelta(days=200))
    case.refresh_from_db()
    assert case.risk_level == "high"
    risk = current_risk.current_risk_of(case)
    assert risk.assessment == high and risk.lapsed
    # A lower assessment made while the high one was current, submitted now: still high.
    submitted(case, caseworker, ticks=2, on=TODAY - datetime.timedelta(days=150), stage="review")
    case.refresh_from_db()
    assert case.risk_level == "high"
    # A complete reassessment after the window is how risk comes down without a decision.
    submitted(case, caseworker, ticks=2, stage="review")
    case.refresh_from_db()
    assert case.risk_level == "standard"


def test_two_current_assessments_give_the_higher_whatever_the_order(case, caseworker):
    submitted(case, caseworker, ticks=2, on=TODAY - datetime.timedelta(days=5))
    submitted(case, caseworker, ticks=11, on=TODAY - datetime.timedelta(days=10), stage="ad_hoc")
    case.refresh_from_db()
    assert case.risk_level == "medium"


def test_a_follow_up_checklist_never_counts(case, caseworker):
    submitted(case, caseworker, ticks=16)
    submitted(case, caseworker, version=shipped("stalking"), ticks=0)
    case.refresh_from_db()
    assert case.risk_level == "high"


# --- Reasoned decisions --------------------------------------------------------------------------


def _decide(case, actor, to_level="medium", reason="Perpetrator remanded; client moved away."):
    case.refresh_from_db()
    return services.risk_decision_record(
        case=case, actor=actor, to_level=to_level, reason=reason, seen_level=case.risk_level
    )


def test_a_team_leaders_decision_lowers_the_risk_with_its_reason_and_is_audited(
    case, caseworker, team_leader
):
    the_issues_scenario(case, caseworker)
    decision = _decide(case, team_leader)
    case.refresh_from_db()
    assert (case.risk_level, case.risk_level_label) == ("medium", "Medium")
    assert case.risk_assessed_at == decision.decided_at
    assert (decision.from_level, decision.to_level, decision.decided_by) == (
        "high",
        "medium",
        team_leader,
    )
    entry = _audit_entry(decision)
    assert entry.additional_data == {"case_id": case.pk, "service_id": case.service_id}
    # The why is kept on the decision, shown on the case; the change history records that a
    # reason was given, not its words (item 11: free text is never copied into the log).
    decision.refresh_from_db()
    assert "Perpetrator remanded" in decision.reason
    assert entry.changes["reason"] == ["", TEXT_NOT_RECORDED]
    assert "Perpetrator remanded" not in str(entry.changes)
    risk = current_risk.current_risk_of(case)
    assert risk.decision == decision


def _audit_entry(decision):
    return LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(RiskDecision),
        object_pk=str(decision.pk),
        action=LogEntry.Action.CREATE,
    )


def test_the_decision_page_lowers_the_risk_and_the_case_page_says_who_and_why(
    client_for, case, caseworker, team_leader
):
    the_issues_scenario(case, caseworker)
    client = client_for(team_leader)
    url = reverse("riskassessment:risk_decision", args=[case.pk])
    risk_page = client.get(reverse("riskassessment:case_risk", args=[case.pk])).content.decode()
    assert url in risk_page
    response = client.post(
        url,
        {"to_level": "medium", "reason": "Non-molestation order served.", "seen_level": "high"},
    )
    assert response.status_code == 302
    decision = RiskDecision.objects.get(case=case)
    assert _audit_entry(decision).actor == team_leader
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    # As the page writes it: a name such as O'Neill is HTML-escaped.
    assert escape(f"lowered from high by {team_leader} on {date_format(TODAY)}") in page
    assert "reason: Non-molestation order served." in page


def test_a_decision_without_a_reason_is_refused_with_a_form_error(client_for, case, team_leader):
    submitted(case, team_leader, ticks=16)
    client = client_for(team_leader)
    url = reverse("riskassessment:risk_decision", args=[case.pk])
    response = client.post(url, {"to_level": "standard", "reason": "   ", "seen_level": "high"})
    assert response.status_code == 200
    assert "Give the reason for lowering the risk." in response.content.decode()
    assert not RiskDecision.objects.exists()
    case.refresh_from_db()
    assert case.risk_level == "high"
    with pytest.raises(ValidationError) as error:
        _decide(case, team_leader, reason="")
    assert "reason" in error.value.message_dict


def test_a_decision_must_lower(case, team_leader):
    submitted(case, team_leader, ticks=11)
    with pytest.raises(ValidationError) as error:
        _decide(case, team_leader, to_level="high")
    assert "to_level" in error.value.message_dict
    with pytest.raises(ValidationError):
        _decide(case, team_leader, to_level="medium")


def test_a_caseworker_cannot_lower_the_risk(client_for, case, caseworker):
    submitted(case, caseworker, ticks=16)
    with pytest.raises(PermissionDenied):
        _decide(case, caseworker)
    client = client_for(caseworker)
    url = reverse("riskassessment:risk_decision", args=[case.pk])
    assert client.get(url).status_code == 403
    risk_page = client.get(reverse("riskassessment:case_risk", args=[case.pk])).content.decode()
    assert url not in risk_page
    assert "ask a team leader to record a reasoned decision" in risk_page


def test_a_decision_on_a_risk_that_changed_meanwhile_is_refused(client_for, case, team_leader):
    submitted(case, team_leader, ticks=11)
    client = client_for(team_leader)
    url = reverse("riskassessment:risk_decision", args=[case.pk])
    # The page was opened at medium; a high assessment came in before the decision was sent.
    submitted(case, team_leader, ticks=16)
    response = client.post(
        url, {"to_level": "standard", "reason": "Seen at medium.", "seen_level": "medium"}
    )
    assert response.status_code == 200
    assert "changed while you were deciding" in response.content.decode()
    assert not RiskDecision.objects.exists()
    case.refresh_from_db()
    assert case.risk_level == "high"


def test_a_decision_lasts_until_a_newer_assessment_raises_the_risk(case, caseworker, team_leader):
    submitted(case, caseworker, ticks=16)
    _decide(case, team_leader, to_level="standard")
    # A later medium assessment raises it again; a lower one would not lower it further.
    submitted(case, caseworker, ticks=2, stage="review")
    case.refresh_from_db()
    assert case.risk_level == "standard"
    raised = submitted(case, caseworker, ticks=11, stage="review")
    case.refresh_from_db()
    assert case.risk_level == "medium"
    assert current_risk.current_risk_of(case).assessment == raised


def test_a_decision_holds_against_a_later_lower_one_inside_its_window(
    case, caseworker, team_leader
):
    submitted(case, caseworker, ticks=16)
    _decide(case, team_leader, to_level="medium")
    submitted(case, caseworker, ticks=2, stage="review")
    case.refresh_from_db()
    assert case.risk_level == "medium"


def test_the_timeline_shows_the_decision(case, caseworker, team_leader):
    submitted(case, caseworker, ticks=16)
    decision = _decide(case, team_leader, to_level="standard", reason="Moved to a refuge.")
    items = [item for item in case_page.case_timeline(case) if item.kind == "Risk"]
    assert [(item.at, item.title) for item in items] == [
        (decision.decided_at, "Risk lowered to standard")
    ]
    assert "Moved to a refuge." in items[0].detail


def test_a_marac_referral_starts_from_the_assessment_that_gives_the_risk(
    client_for, case, caseworker
):
    dash, _merit = the_issues_scenario(case, caseworker)
    page = client_for(caseworker).get(reverse("riskassessment:marac_refer", args=[case.pk]))
    form = page.context["form"]
    assert form.initial["assessment"] == dash.pk
    assert form.initial["visible_high_risk"] is True


# --- Existing data -------------------------------------------------------------------------------


def test_the_migration_gives_back_a_risk_lowered_by_accident(case, caseworker):
    """Cases a later checklist lowered before the rule: the data migration works them out
    again under it (historical models, as the migration runs them)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from cases import services as case_services

    dash, merit = the_issues_scenario(case, caseworker)
    # As the old code left it: the MeRIT's level on the case, nothing marked.
    case_services.case_set_risk(
        case=case, level="standard", label="Bronze", assessed_at=merit.submitted_at
    )
    executor = MigrationExecutor(connection)
    state = executor.loader.project_state(
        ("riskassessment", "0006_risk_decision_incomplete_assessments")
    )
    historical = state.apps.get_model("riskassessment", "Assessment")
    historical.objects.filter(pk__in=[dash.pk, merit.pk]).update(
        is_incomplete=False, not_asked_count=None, current_until=None, decides_stage_risk=False
    )
    migration = importlib.import_module(
        "riskassessment.migrations.0006_risk_decision_incomplete_assessments"
    )
    migration.backfill(state.apps, None)
    case.refresh_from_db()
    assert (case.risk_level, case.risk_level_label) == ("high", "High")
    merit.refresh_from_db()
    dash.refresh_from_db()
    assert (merit.is_incomplete, merit.not_asked_count) == (True, 13)
    assert dash.current_until == dash.assessed_on + datetime.timedelta(days=90)
    assert (dash.decides_stage_risk, merit.decides_stage_risk) == (True, False)
