"""The rules of the criminal and civil justice forms and their police reports: counts that match
what is recorded, NFA reasons, one civil order row per type, discarding a draft, and follow-on
answers cleared on submit. The other forms' rules are in test_outcomes_rules.py."""

import pytest
from django.core.exceptions import ValidationError

from outcomes import services
from outcomes.models import CivilOrder, Incident, PoliceReport
from tests.factories import CaseFactory
from tests.factories_outcomes import complete_values

from .rules_helpers import TODAY, option, submitted_intake, timedelta


@pytest.fixture
def case(service, caseworker):
    return CaseFactory(service=service, caseworker=caseworker, opened_on=TODAY - timedelta(30))


# --- Criminal and civil justice -----------------------------------------------------------------


def test_incidents_must_match_the_number_stated_and_nothing_is_saved(case, caseworker):
    cj = services.outcome_form_start(kind="criminal", case=case, actor=caseworker)
    with pytest.raises(ValidationError) as refused:
        services.police_report_save(
            cj_form=cj,
            actor=caseworker,
            values={"incidents_count": 2, "timing": "Before engagement with service"},
            incidents=[{"offence": "Common assault", "consequence": "Charged"}],
        )
    assert "incidents_count" in refused.value.message_dict
    assert not PoliceReport.objects.filter(form=cj).exists()
    assert not Incident.objects.filter(case=case).exists()


def test_nfa_reason_only_with_an_nfa(case, caseworker):
    cj = services.outcome_form_start(kind="criminal", case=case, actor=caseworker)
    with pytest.raises(ValidationError):
        services.police_report_save(
            cj_form=cj,
            actor=caseworker,
            values={"incidents_count": 1},
            incidents=[{"offence": "Stalking", "consequence": "Charged", "nfa_reason": "Other"}],
        )
    report = services.police_report_save(
        cj_form=cj,
        actor=caseworker,
        values={"incidents_count": 1},
        incidents=[
            {
                "offence": "Stalking",
                "consequence": services.NFA,
                "nfa_reason": "Victim withdrew",
            }
        ],
    )
    assert report.incidents.get().nfa_reason == "Victim withdrew"


def test_criminal_justice_submit_checks_reports_against_the_stated_number(case, caseworker):
    cj = services.outcome_form_start(kind="criminal", case=case, actor=caseworker)
    report_values = {
        "timing": "After engagement with service",
        "incidents_count": 1,
        "special_measures": "Granted",
        "idva_support": [option("cj_idva_support", "Explained criminal justice process")],
    }
    services.police_report_save(
        cj_form=cj,
        actor=caseworker,
        values=report_values,
        incidents=[{"offence": "Common assault", "consequence": "Pled guilty"}],
    )
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_save(
            form=cj, actor=caseworker, values={"police_reports_count": 2}, submit=True
        )
    assert "police_reports_count" in refused.value.message_dict
    services.outcome_form_save(
        form=cj, actor=caseworker, values={"police_reports_count": 1}, submit=True
    )
    cj.refresh_from_db()
    assert cj.is_submitted


def test_criminal_justice_submit_needs_incidents_on_every_report(case, caseworker):
    cj = services.outcome_form_start(kind="criminal", case=case, actor=caseworker)
    services.police_report_save(cj_form=cj, actor=caseworker, values={}, incidents=[])
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_save(
            form=cj, actor=caseworker, values={"police_reports_count": 1}, submit=True
        )
    assert "no incidents" in refused.value.message_dict["__all__"][0]


def test_civil_orders_one_row_per_order_type(case, caseworker):
    civil = services.outcome_form_start(kind="civil", case=case, actor=caseworker)
    services.outcome_form_save(
        form=civil,
        actor=caseworker,
        values={"orders": {"Non-molestation order": "Granted", "Prohibited steps order": ""}},
    )
    assert list(CivilOrder.objects.filter(form=civil).values_list("order_type", "status")) == [
        ("Non-molestation order", "Granted")
    ]
    services.outcome_form_save(
        form=civil, actor=caseworker, values={"orders": {"Non-molestation order": "Breached"}}
    )
    assert CivilOrder.objects.get(form=civil).status == "Breached"
    services.outcome_form_save(
        form=civil, actor=caseworker, values={"orders": {"Non-molestation order": ""}}
    )
    assert not CivilOrder.objects.filter(form=civil).exists()


def test_civil_support_is_required_on_submit(case, caseworker):
    civil = services.outcome_form_start(kind="civil", case=case, actor=caseworker)
    with pytest.raises(ValidationError) as refused:
        services.outcome_form_save(
            form=civil, actor=caseworker, values={"legal_aid": "Yes"}, submit=True
        )
    assert "idva_support" in refused.value.message_dict


def test_discarding_a_draft_removes_its_rows(case, caseworker):
    cj = services.outcome_form_start(kind="criminal", case=case, actor=caseworker)
    services.police_report_save(
        cj_form=cj,
        actor=caseworker,
        values={"incidents_count": 1},
        incidents=[{"offence": "Arson"}],
    )
    services.outcome_form_discard(form=cj, actor=caseworker)
    assert not PoliceReport.objects.filter(case=case).exists()
    assert not Incident.objects.filter(case=case).exists()
    intake = submitted_intake(case, caseworker)
    with pytest.raises(ValidationError):
        services.outcome_form_discard(form=intake, actor=caseworker)


def test_a_submitted_criminal_form_keeps_its_report_count_consistent(case, caseworker):
    cj = services.outcome_form_start(kind="criminal", case=case, actor=caseworker)
    support = [option("cj_idva_support", "Attended court with client")]
    values = {"incidents_count": 1, "timing": "Before engagement with service"}
    values |= {"special_measures": "Not requested", "idva_support": support}
    incident = [{"offence": "Common assault", "consequence": "Charged"}]
    first = services.police_report_save(
        cj_form=cj, actor=caseworker, values=values, incidents=incident
    )
    services.outcome_form_save(
        form=cj, actor=caseworker, values={"police_reports_count": 1}, submit=True
    )
    # A later report updates the stated number; an empty one is refused.
    with pytest.raises(ValidationError):
        services.police_report_save(cj_form=cj, actor=caseworker, values={}, incidents=[])
    second = services.police_report_save(
        cj_form=cj, actor=caseworker, values=values, incidents=incident
    )
    cj.refresh_from_db()
    assert cj.police_reports_count == 2
    services.police_report_delete(report=second, actor=caseworker)
    cj.refresh_from_db()
    assert cj.police_reports_count == 1
    with pytest.raises(ValidationError):
        services.police_report_delete(report=first, actor=caseworker)
    assert PoliceReport.objects.filter(form=cj).count() == 1


def test_submit_clears_follow_on_answers_that_no_longer_apply(case, caseworker):
    intake = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    kicked = option("physical_abuse_details", "Kicked/punched")
    values = complete_values("intake", level_physical="High", physical_abuse_details=[kicked])
    services.outcome_form_save(form=intake, actor=caseworker, values=values)
    values["level_physical"] = "None"
    services.outcome_form_save(form=intake, actor=caseworker, values=values, submit=True)
    intake.refresh_from_db()
    assert intake.level_physical == "None"
    assert not intake.physical_abuse_details.exists()


# --- Police reports ---------------------------------------------------------------------------


def test_police_report_timing_follows_its_date(case, caseworker):
    cj = services.outcome_form_start(kind="criminal", case=case, actor=caseworker)
    incident = [{"offence": "Stalking", "consequence": "Charged"}]
    before = case.opened_on - timedelta(10)
    with pytest.raises(ValidationError) as refused:
        services.police_report_save(
            cj_form=cj,
            actor=caseworker,
            values={"reported_on": before, "timing": services.REPORTED_AFTER},
            incidents=incident,
        )
    assert "timing" in refused.value.message_dict
    assert not PoliceReport.objects.filter(form=cj).exists()

    # Left blank, the answer is filled in from the date.
    report = services.police_report_save(
        cj_form=cj, actor=caseworker, values={"reported_on": before}, incidents=incident
    )
    assert report.timing == services.REPORTED_BEFORE
    report = services.police_report_save(
        cj_form=cj, actor=caseworker, values={"reported_on": case.opened_on}, incidents=incident
    )
    assert report.timing == services.REPORTED_AFTER
    # "Both before and after" is the caseworker's to give, whatever the date.
    both = "Both before and after engagement with service"
    report = services.police_report_save(
        cj_form=cj,
        actor=caseworker,
        values={"reported_on": before, "timing": both},
        incidents=incident,
        report=report,
    )
    assert report.timing == both
