"""Issue 19, items 2 and 4 on the intake form: "High risk?" and "Discussed at Marac?" are asked
(pre-filled from the assessment that decides the intake risk and the hearings held by the intake
date, changeable, with Don't know), and the client's situation at intake is kept on the form
(pre-filled from the client record)."""

import datetime
import importlib
import re
from html import unescape

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from cases.choices import DONT_KNOW
from cases.models import Option
from catalogue.insights import TABLES_BY_KEY
from outcomes import services
from outcomes.forms import form_class_for
from outcomes.models import IntakeForm
from tests.factories import CaseFactory, ClientFactory
from tests.factories_marac import MaracHearingFactory
from tests.factories_outcomes import IntakeFormFactory
from tests.factories_riskassessment import MaracMeetingFactory, submitted

pytestmark = pytest.mark.django_db

OPENED_ON = datetime.date(2026, 3, 2)


@pytest.fixture
def client_record(service):
    financial = TABLES_BY_KEY["client_financial_situation"].options
    record = ClientFactory(
        service=service, pregnant="Yes", disability="Yes", financial_situation=financial[1]
    )
    record.disability_types.set(Option.objects.of("client_disability_type")[:2])
    record.employment.set(Option.objects.of("client_employment")[1:2])
    return record


@pytest.fixture
def case(service, caseworker, client_record):
    return CaseFactory(
        service=service, caseworker=caseworker, client=client_record, opened_on=OPENED_ON
    )


def _hearing(case, held_on):
    MaracHearingFactory(case=case, meeting=MaracMeetingFactory(held_on=held_on))


def test_starting_an_intake_fills_in_the_records_as_they_are_at_intake(
    case, caseworker, client_record
):
    submitted(case, caseworker, ticks=15, stage="intake", on=OPENED_ON)  # high risk
    _hearing(case, OPENED_ON - datetime.timedelta(days=7))

    form = services.outcome_form_start(kind="intake", case=case, actor=caseworker)

    assert form.high_risk == "Yes"
    assert form.marac_discussed == "Yes"
    assert form.pregnant == client_record.pregnant
    assert form.disability == client_record.disability
    assert form.financial_situation == client_record.financial_situation
    assert set(form.disability_types.all()) == set(client_record.disability_types.all())
    assert set(form.employment.all()) == set(client_record.employment.all())

    # Kept as at intake: the record changes later, the form does not.
    client_record.pregnant = "No"
    client_record.save()
    client_record.employment.clear()
    form.refresh_from_db()
    assert form.pregnant == "Yes"
    assert form.employment.count() == 1


def test_a_standard_risk_intake_is_no_and_a_later_hearing_is_not_suggested(case, caseworker):
    submitted(case, caseworker, ticks=2, stage="intake", on=OPENED_ON)  # standard risk
    _hearing(case, OPENED_ON + datetime.timedelta(days=10))  # after the intake

    form = services.outcome_form_start(kind="intake", case=case, actor=caseworker)

    assert form.high_risk == "No"
    # Lantern does not know the case was never discussed: the caseworker answers.
    assert form.marac_discussed == ""


def test_the_intake_form_asks_both_with_dont_know_and_the_client_situation():
    fields = form_class_for("intake")().fields
    for name in ("high_risk", "marac_discussed", "pregnant", "disability"):
        values = [value for value, _label in fields[name].choices]
        assert DONT_KNOW in values, name
        assert "" in values, name  # may be left unanswered: Missing
    for name in ("disability_types", "employment"):
        assert f"{name}_dont_know" in fields


def _checked(html: str, name: str) -> list[str]:
    inputs = re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)
    return [
        unescape(re.search(r'value="([^"]*)"', tag).group(1)) for tag in inputs if " checked" in tag
    ]


def test_the_draft_page_offers_what_was_recorded_after_it_was_started_and_keeps_a_change(
    client_for, case, caseworker
):
    form = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    assert form.high_risk == ""
    submitted(case, caseworker, ticks=15, stage="intake", on=OPENED_ON)
    url = reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": form.pk})
    client = client_for(caseworker)

    html = client.get(url).content.decode()
    assert _checked(html, "high_risk") == ["Yes"]
    assert "Filled in from the risk assessment that decides the intake risk" in html

    # The caseworker changes it to Don't know and saves: the answer is kept, not re-suggested.
    edit_state = re.search(r'name="edit_state" value="([^"]*)"', html).group(1)
    response = client.post(url, {"edit_state": edit_state, "high_risk": DONT_KNOW})
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.high_risk == DONT_KNOW
    assert _checked(client.get(url).content.decode(), "high_risk") == [DONT_KNOW]


def test_the_migration_gives_existing_intakes_the_answers_the_report_derived(
    case, caseworker, client_record
):
    submitted(case, caseworker, ticks=15, stage="intake", on=OPENED_ON)
    _hearing(case, OPENED_ON)
    existing = IntakeFormFactory(case=case, created_by=caseworker, completed_on=OPENED_ON)
    later = CaseFactory(service=case.service, caseworker=caseworker, opened_on=OPENED_ON)
    _hearing(later, OPENED_ON + datetime.timedelta(days=1))
    unheard = IntakeFormFactory(case=later, created_by=caseworker, completed_on=OPENED_ON)

    migration = importlib.import_module("outcomes.migrations.0004_intake_risk_and_client_at_intake")
    # The models as the migration sees them (plain managers, like a real migrate).
    state = MigrationExecutor(connection).loader.project_state(
        ("outcomes", "0004_intake_risk_and_client_at_intake")
    )
    migration.answers_as_at_intake(state.apps, None)

    existing.refresh_from_db()
    assert (existing.high_risk, existing.marac_discussed) == ("Yes", "Yes")
    assert existing.pregnant == client_record.pregnant
    assert existing.financial_situation == client_record.financial_situation
    assert set(existing.employment.all()) == set(client_record.employment.all())
    assert set(existing.disability_types.all()) == set(client_record.disability_types.all())
    unheard.refresh_from_db()
    assert (unheard.high_risk, unheard.marac_discussed) == ("", "")
    assert IntakeForm.objects.count() == 2
