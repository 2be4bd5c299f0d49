"""Plain words on the safety plan page (issue 18, item 9): the risk assessment a version answers
is named by its checklist and date, never by a database number, even when it is not one the
plan form offers (a draft, or a follow-up screen)."""

import re

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from riskassessment import services as risk_services
from tests.factories import CaseFactory
from tests.factories_riskassessment import dash_version
from tests.factories_support import SafetyPlanFactory, SafetyPlanVersionFactory

pytestmark = pytest.mark.django_db


def test_the_plan_names_an_assessment_the_form_does_not_offer(client_for, service, caseworker):
    case = CaseFactory(service=service, caseworker=caseworker)
    draft = risk_services.assessment_start(
        case=case, version=dash_version(), actor=caseworker, stage="intake"
    )
    plan = SafetyPlanFactory(case=case, created_by=caseworker)
    SafetyPlanVersionFactory(plan=plan, number=1, assessment=draft)
    html = client_for(caseworker).get(reverse("support:plan_detail", args=[plan.pk])).content
    html = html.decode()
    assert f"{draft.version.checklist.name}, {date_format(draft.assessed_on)}" in html
    assert not re.search(rf"Assessment {draft.pk}\b", html)


def test_the_plan_form_marks_an_incomplete_assessment(service, caseworker):
    """A checklist with most answers "Not asked" may be answered by a plan, but says so."""
    from support.selectors import assessments_for_plan
    from tests.factories_riskassessment import submitted

    case = CaseFactory(service=service, caseworker=caseworker)
    complete = submitted(case, caseworker, ticks=3)
    incomplete = submitted(case, caseworker, ticks=1, rest="not_asked")
    labels = {choice.pk: choice.label for choice in assessments_for_plan(case)}
    assert labels[incomplete.pk].endswith("(incomplete: mostly not asked)")
    assert "incomplete" not in labels[complete.pk]
