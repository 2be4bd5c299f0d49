"""Data-rights work where people look (issue 21): a held case and its open correction requests on
the case page, and open requests on the team leader's dashboard, overdue ones in red, scoped to
the team leader's services."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from dataprotection import services
from tests.factories import CaseFactory, MembershipFactory, ServiceFactory
from tests.signin import sign_in_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_leader(service):
    return MembershipFactory(service=service, role=Role.TEAM_LEADER).user


def test_the_case_page_shows_a_hold_and_the_open_requests_only_while_they_stand(
    client, service, team_leader
):
    case = CaseFactory(service=service)
    sign_in_with_second_factor(client, team_leader)
    page = reverse("cases:case_detail", args=[case.pk])
    assert "Legal hold</span>" not in client.get(page).content.decode()

    today = timezone.localdate()
    hold = services.legal_hold_place(actor=team_leader, case=case, reason="court")
    services.rectification_record(
        actor=team_leader,
        case=case,
        received_on=today - datetime.timedelta(days=40),
        requested="Wrong date of birth.",
    )
    shown = client.get(page).content.decode()
    assert "Legal hold</span>" in shown
    assert "1 correction request open" in shown and ">overdue</span>" in shown

    services.legal_hold_lift(actor=team_leader, hold=hold, lift_reason="Trial over.")
    request = case.rectification_requests.get()
    services.rectification_decide(
        actor=team_leader, request=request, outcome="not_corrected", outcome_reason="It was right."
    )
    shown = client.get(page).content.decode()
    assert "Legal hold</span>" not in shown and "correction request" not in shown


def test_the_team_leaders_dashboard_lists_open_requests_of_their_services_only(
    client, service, team_leader
):
    today = timezone.localdate()
    overdue = CaseFactory(service=service)
    due_soon = CaseFactory(service=service)
    elsewhere = CaseFactory(service=ServiceFactory(provider=service.provider))
    for case, days_ago in ((overdue, 45), (due_soon, 3), (elsewhere, 3)):
        services.rectification_record(
            actor=team_leader
            if case.service == service
            else MembershipFactory(service=case.service, role=Role.CASEWORKER).user,
            case=case,
            received_on=today - datetime.timedelta(days=days_ago),
            requested="Remove my old address.",
        )
    sign_in_with_second_factor(client, team_leader)
    home = client.get(reverse("home")).content.decode()
    assert overdue.reference in home and due_soon.reference in home
    assert elsewhere.reference not in home
    assert "Correction request overdue since" in home
    assert "Correction request to answer by" in home
