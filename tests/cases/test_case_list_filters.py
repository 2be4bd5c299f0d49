"""Issue 17, item 7: the case list's filters are a FilterSet over the user's scoped cases."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from cases.models import Case
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _listed(response):
    return {case.pk for case in response.context["page"].object_list}


def test_the_case_list_filters_by_status_risk_and_caseworker(
    client_for, service, caseworker, team_leader
):
    mine = CaseFactory(service=service, caseworker=caseworker, risk_level="high")
    theirs = CaseFactory(service=service, caseworker=team_leader, risk_level="standard")
    closed = CaseFactory(
        service=service,
        caseworker=caseworker,
        status=Case.Status.CLOSED,
        opened_on=datetime.date(2026, 1, 5),
        closed_on=datetime.date(2026, 3, 1),
    )
    web = client_for(caseworker)
    url = reverse("cases:case_list")
    assert _listed(web.get(url)) == {mine.pk, theirs.pk}  # open or on hold unless asked
    assert _listed(web.get(url, {"status": "closed"})) == {closed.pk}
    assert _listed(web.get(url, {"status": "all"})) == {mine.pk, theirs.pk, closed.pk}
    assert _listed(web.get(url, {"risk": "high"})) == {mine.pk}
    assert _listed(web.get(url, {"mine": "1"})) == {mine.pk}
    event = AuditEvent.objects.filter(actor=caseworker, detail__list="cases").first()
    assert event.detail == {"list": "cases", "status": "active", "risk": "", "page": 1}


def test_the_filters_never_widen_the_users_scope(client_for, service, other_service, caseworker):
    CaseFactory(service=other_service)
    response = client_for(caseworker).get(reverse("cases:case_list"), {"status": "all"})
    assert _listed(response) == set()


@pytest.mark.parametrize("query", [{"status": "everything"}, {"risk": "extreme"}])
def test_a_filter_value_not_offered_answers_400_with_a_message(
    client_for, service, caseworker, query
):
    CaseFactory(service=service, caseworker=caseworker)
    response = client_for(caseworker).get(reverse("cases:case_list"), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert "These filters could not be used" in html
    assert "Select a valid choice" in html
    assert _listed(response) == set()
    # What was typed is not written to the audit trail.
    event = AuditEvent.objects.get(actor=caseworker, detail__list="cases")
    assert set(query.values()).isdisjoint(event.detail.values())
