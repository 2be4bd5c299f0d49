"""Stored Insights results go stale when a record of no one service that the reports read
changes (issue 20, target 4): a national list, a provider's list, a MARAC meeting's date."""

import datetime

import pytest

from cases.models import Option
from reporting import freshness
from tests.factories import ProviderFactory, ServiceFactory
from tests.factories_marac import MaracHearingFactory
from tests.factories_referrals import ReferralRouteFactory

pytestmark = pytest.mark.django_db


def _moved(services, change) -> set[int]:
    ids = [service.pk for service in services]
    before = freshness.versions_of(ids)
    change()
    after = freshness.versions_of(ids)
    return {int(key) for key in ids_changed(before, after)}


def ids_changed(before, after):
    return [key for key in before if after[key] != before[key]]


def test_a_national_list_change_moves_every_service(service, other_service):
    elsewhere = ServiceFactory(provider=ProviderFactory())
    option = Option.objects.create(list_key="ethnicity", label="A label not seeded")

    def rename():
        option.label = "Another label not seeded"
        option.save()

    assert _moved([service, other_service, elsewhere], rename) == {
        service.pk,
        other_service.pk,
        elsewhere.pk,
    }


def test_a_providers_own_list_moves_that_providers_services_only(service):
    same_provider = ServiceFactory(provider=service.provider)
    elsewhere = ServiceFactory(provider=ProviderFactory())
    route = ReferralRouteFactory(provider=service.provider)

    def rename():
        route.name = "Renamed route"
        route.save()

    assert _moved([service, same_provider, elsewhere], rename) == {service.pk, same_provider.pk}


def test_a_marac_meetings_date_moves_the_services_of_the_cases_heard_at_it(service, other_service):
    hearing = MaracHearingFactory(case__service=service)
    meeting = hearing.meeting

    def move():
        meeting.held_on = meeting.held_on - datetime.timedelta(days=7)
        meeting.save()

    assert _moved([service, other_service], move) == {service.pk}
