"""One support-intensity rule: the case page and the Safety in Numbers report count the
different interventions and the significant contacts of a case with the same database
expressions, so they agree on the same data; and a significant contact is a successful one,
in the database and in the case bundle importer."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Role
from cases.models import Contact
from cases.selectors import is_intensive_support
from catalogue.safety_in_numbers import INTENSIVE_SUPPORT_THRESHOLD
from reporting.analyses import safety_in_numbers
from reporting.insights.engine import ReportFilters
from riskassessment import services as risk_services
from tests.factories import CaseFactory, ContactFactory, MembershipFactory, UserFactory
from tests.factories_riskassessment import AgencyFactory
from tests.factories_support import InterventionFactory, SafetyPlanFactory
from tests.reporting.test_case_bundle import _export, _import, _lines, _small_service, _text
from tests.reporting.test_insights_tables import DURING, NOW, PERIOD, exit_matched

pytestmark = pytest.mark.django_db


def _support_panel(page):
    return next(
        panel["context"]
        for panel in page.context["panels"]
        if panel["template"] == "support/_case_panel.html"
    )


def test_the_case_page_and_the_report_agree(client_for, service, caseworker):
    # Five different interventions, written so that counting any of them twice would move the
    # case into the next band (6-10): TAU requested and placed are one kind, a MARAC referral
    # recorded both as an intervention and on the risk pages is one, a plan is safety planning.
    # Six significant contacts: the threshold exactly. Not significant: a successful contact
    # without the mark, and an attempted one.
    exit_form = exit_matched(service, UserFactory(), outcome_feel_safer="Agree")
    case = exit_form.case
    for type_key in ("police_check", "tau_marker_requested", "tau_marker_placed", "home_visit"):
        InterventionFactory(case=case, type=type_key)
    InterventionFactory(case=case, type="marac_referral")
    risk_services.marac_refer(
        case=case,
        actor=caseworker,
        referred_on=case.opened_on,
        referring_agency=AgencyFactory(),
        visible_high_risk=True,
    )
    SafetyPlanFactory(case=case)
    # During the case's support: the report counts contacts up to the exit (issue 19, item 4).
    for _ in range(INTENSIVE_SUPPORT_THRESHOLD):
        ContactFactory(case=case, is_significant=True, occurred_at=DURING)
    ContactFactory(case=case, is_significant=False, occurred_at=DURING)
    ContactFactory(case=case, outcome=Contact.Outcome.ATTEMPTED, occurred_at=DURING)

    page = client_for(caseworker).get(reverse("cases:case_detail", args=[case.pk]))
    counts = page.context["contact_counts"]
    panel = _support_panel(page)
    by_intensity, by_band = safety_in_numbers(PERIOD, ReportFilters(service_ids=(service.pk,)))

    assert counts["significant"] == INTENSIVE_SUPPORT_THRESHOLD
    assert counts["intensive"] and "Intensive support" in page.content.decode()
    intensive, fewer = dict(by_intensity.rows)["Victim feels safer"]
    assert (intensive.n, fewer.n) == (1, 0)

    assert panel["intervention_count"] == 5
    assert panel["intervention_band"] == "2-5"
    bands = [cell.n for cell in dict(by_band.rows)["Victim feels safer"]]
    assert bands == [0, 1, 0, 0]  # 0-1, 2-5, 6-10, 11+


def test_one_significant_contact_fewer_is_not_intensive_on_either(client_for, service, caseworker):
    case = exit_matched(service, UserFactory()).case
    for _ in range(INTENSIVE_SUPPORT_THRESHOLD - 1):
        ContactFactory(case=case, is_significant=True, occurred_at=NOW)
    page = client_for(caseworker).get(reverse("cases:case_detail", args=[case.pk]))
    by_intensity, _ = safety_in_numbers(PERIOD, ReportFilters(service_ids=(service.pk,)))
    assert not page.context["contact_counts"]["intensive"]
    assert "Intensive support" not in page.content.decode()
    intensive, fewer = dict(by_intensity.rows)["Victim feels safer"]
    assert (intensive.n, fewer.n) == (0, 1)
    assert not is_intensive_support(INTENSIVE_SUPPORT_THRESHOLD - 1)


def test_the_database_refuses_a_significant_contact_that_did_not_reach_the_client(service):
    case = CaseFactory(service=service)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactFactory(case=case, outcome=Contact.Outcome.ATTEMPTED, is_significant=True)


def test_the_importer_refuses_a_significant_contact_that_did_not_reach_the_client(service):
    user = MembershipFactory(service=service, role=Role.CASEWORKER).user
    MembershipFactory(service=service, role=Role.SERVICE_MANAGER, user=user)
    _small_service(service, user, cases=1)
    lines = _lines(_export(user))
    lines[1]["contacts"][0].update(outcome="attempted", is_significant=True)

    result = _import(user, _text(lines))

    assert not result.committed
    assert [str(error) for error in result.errors] == [
        "line 2: contacts[0]: Only a contact that reached the client (successful) can be "
        "significant."
    ]
