"""Issue 17, item 7: the referral queue's filter is a FilterSet over the user's scoped
referrals."""

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import Referral, ReferralRoute
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _referral(service, caseworker, reference, triage):
    return Referral.objects.create(
        service=service,
        reference=reference,
        received_at=timezone.now(),
        route=ReferralRoute.objects.get(name="Police"),
        client=ClientFactory(service=service),
        recorded_by=caseworker,
        triage=triage,
    )


def _listed(response):
    return {referral.reference for referral in response.context["page"].object_list}


def test_the_referral_queue_filters_by_triage(client_for, service, other_service, caseworker):
    _referral(service, caseworker, "R-WAIT", Referral.Triage.PENDING)
    _referral(service, caseworker, "R-AWARE", Referral.Triage.MADE_AWARE)
    _referral(service, caseworker, "R-NO", Referral.Triage.DECLINED)
    _referral(other_service, caseworker, "R-ELSEWHERE", Referral.Triage.PENDING)
    web = client_for(caseworker)
    url = reverse("referrals:referral_list")
    assert _listed(web.get(url)) == {"R-WAIT", "R-AWARE"}
    assert _listed(web.get(url, {"triage": "declined"})) == {"R-NO"}
    assert _listed(web.get(url, {"triage": "all"})) == {"R-WAIT", "R-AWARE", "R-NO"}


def test_a_triage_value_not_offered_answers_400_with_a_message(client_for, service, caseworker):
    _referral(service, caseworker, "R-WAIT", Referral.Triage.PENDING)
    response = client_for(caseworker).get(reverse("referrals:referral_list"), {"triage": "x"})
    assert response.status_code == 400
    assert "These filters could not be used" in response.content.decode()
    assert _listed(response) == set()
