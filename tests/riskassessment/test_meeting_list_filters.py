"""Issue 17, item 7: the MARAC meeting list's filters are a FilterSet over the coordinator's
meetings, with the counts made in the database by a selector."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Role
from riskassessment import selectors
from tests.factories import MaracFactory, MembershipFactory
from tests.factories_riskassessment import MaracMeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(service):
    return MembershipFactory(service=service, role=Role.MARAC_COORDINATOR).user


def _listed(response):
    return {meeting.pk for meeting in response.context["meetings"]}


def test_the_meeting_list_filters_by_date(client_for, service, coordinator):
    january = MaracMeetingFactory(marac=service.marac, held_on=datetime.date(2026, 1, 20))
    march = MaracMeetingFactory(marac=service.marac, held_on=datetime.date(2026, 3, 17))
    web = client_for(coordinator)
    url = reverse("riskassessment:meeting_list")
    assert _listed(web.get(url)) == {january.pk, march.pk}
    assert _listed(web.get(url, {"held_from": "2026-02-01"})) == {march.pk}
    assert _listed(web.get(url, {"held_to": "2026-02-01"})) == {january.pk}
    assert _listed(web.get(url, {"marac": service.marac_id})) == {january.pk, march.pk}


@pytest.mark.parametrize("field", ["marac", "held_from"])
def test_a_filter_value_not_offered_answers_400_with_a_message(
    client_for, service, coordinator, field
):
    elsewhere = MaracFactory(name="Elsewhere")
    MaracMeetingFactory(marac=elsewhere, held_on=datetime.date(2026, 1, 20))
    value = {"marac": elsewhere.pk, "held_from": "next tuesday"}[field]
    response = client_for(coordinator).get(reverse("riskassessment:meeting_list"), {field: value})
    assert response.status_code == 400
    assert "These filters could not be used" in response.content.decode()
    assert _listed(response) == set()


def test_dates_the_wrong_way_round_say_so_instead_of_an_empty_list(client_for, coordinator):
    response = client_for(coordinator).get(
        reverse("riskassessment:meeting_list"),
        {"held_from": "2026-03-01", "held_to": "2026-02-01"},
    )
    assert response.status_code == 400
    assert "swap the dates" in response.content.decode()


def test_the_meeting_counts_come_from_the_database(service, coordinator, caseworker):
    from riskassessment import services
    from tests.factories import CaseFactory
    from tests.factories_riskassessment import AgencyFactory

    meeting = MaracMeetingFactory(marac=service.marac, held_on=datetime.date(2026, 6, 1))
    agency = AgencyFactory(name="Police")
    for _ in range(2):
        referral = services.marac_refer(
            case=CaseFactory(service=service),
            actor=caseworker,
            referred_on=datetime.date(2026, 5, 20),
            referring_agency=agency,
            visible_high_risk=True,
        )
        services.marac_hearing_add(meeting=meeting, referral=referral, actor=coordinator)
    _filters, meetings = selectors.meeting_list_for(coordinator, {})
    (listed,) = meetings
    assert (listed.hearing_count, listed.repeat_count) == (2, 0)
