"""Legal hold (issue 21, item 1): a case kept while proceedings or a review need it, placed and
lifted by a team leader or the manager with who, why and when; never lifted twice."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role
from dataprotection import selectors, services
from dataprotection.models import LegalHold
from tests.factories import CaseFactory, MembershipFactory
from tests.signin import sign_in_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(service):
    return CaseFactory(service=service)


@pytest.fixture
def team_leader(service):
    return MembershipFactory(service=service, role=Role.TEAM_LEADER).user


def test_a_hold_is_placed_and_lifted_with_who_why_and_when(client, case, team_leader):
    other_case = CaseFactory(service=case.service)
    sign_in_with_second_factor(client, team_leader)
    page = reverse("dataprotection:legal_hold", args=[case.pk])
    response = client.post(
        reverse("dataprotection:legal_hold_place", args=[case.pk]),
        {
            "reason": "dhr",
            "reason_note": "Community Safety Partnership review; ask the chair first.",
            "placed_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.is_active and hold.placed_by == team_leader
    assert list(selectors.cases_on_legal_hold()) == [case]
    shown = client.get(page).content.decode()
    assert "Domestic homicide review" in shown and "In force" in shown
    assert AuditEvent.objects.filter(case_id=case.pk, detail__page="legal_hold").exists()

    response = client.post(
        reverse("dataprotection:legal_hold_lift", args=[case.pk, hold.pk]),
        {"lift_reason": "", "lifted_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    response = client.post(
        reverse("dataprotection:legal_hold_lift", args=[case.pk, hold.pk]),
        {"lift_reason": "Review published.", "lifted_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    hold.refresh_from_db()
    assert (hold.lifted_by, hold.lift_reason) == (team_leader, "Review published.")
    assert not selectors.cases_on_legal_hold().exists()
    assert other_case not in selectors.cases_on_legal_hold()


def test_other_needs_details_and_a_lift_cannot_predate_the_hold(case, team_leader):
    with pytest.raises(ValidationError) as error:
        services.legal_hold_place(actor=team_leader, case=case, reason="other")
    assert "reason_note" in error.value.message_dict
    hold = services.legal_hold_place(actor=team_leader, case=case, reason="court")
    with pytest.raises(ValidationError) as error:
        services.legal_hold_lift(
            actor=team_leader,
            hold=hold,
            lift_reason="Ended.",
            lifted_on=hold.placed_on - datetime.timedelta(days=1),
        )
    assert "lifted_on" in error.value.message_dict


def test_a_hold_is_never_lifted_twice_and_caseworkers_cannot_touch_holds(
    client, case, team_leader, service
):
    hold = services.legal_hold_place(actor=team_leader, case=case, reason="complaint")
    stale = LegalHold.objects.get(pk=hold.pk)
    other_leader = MembershipFactory(service=service, role=Role.TEAM_LEADER).user
    services.legal_hold_lift(actor=other_leader, hold=hold, lift_reason="Complaint closed.")
    with pytest.raises(services.AlreadyLifted):
        services.legal_hold_lift(actor=team_leader, hold=stale, lift_reason="Mine.")
    hold.refresh_from_db()
    assert hold.lifted_by == other_leader and hold.lift_reason == "Complaint closed."

    caseworker = MembershipFactory(service=service, role=Role.CASEWORKER).user
    with pytest.raises(PermissionDenied):
        services.legal_hold_place(actor=caseworker, case=case, reason="court")
    sign_in_with_second_factor(client, caseworker)
    page = client.get(reverse("dataprotection:legal_hold", args=[case.pk])).content.decode()
    assert "Complaint closed." in page and "Place the hold" not in page
