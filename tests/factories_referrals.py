"""Factories for the referrals app."""

import factory
from django.utils import timezone

from .factories import ClientFactory, ServiceFactory, UserFactory


def _police_route():
    from referrals.models import ReferralRoute

    # A built-in route, synced after migrating.
    return ReferralRoute.objects.get(name="Police")


class ReferralFactory(factory.django.DjangoModelFactory):
    """A referral recorded directly (bypassing referral_file), received now from the police."""

    class Meta:
        model = "referrals.Referral"

    service = factory.SubFactory(ServiceFactory)
    reference = factory.Sequence(lambda n: f"REF-2026-{n:05d}")
    received_at = factory.LazyFunction(timezone.now)
    route = factory.LazyFunction(_police_route)
    client = factory.SubFactory(ClientFactory, service=factory.SelfAttribute("..service"))
    recorded_by = factory.SubFactory(UserFactory)


class ReferralRouteFactory(factory.django.DjangoModelFactory):
    """A route of the national list unless given a provider."""

    class Meta:
        model = "referrals.ReferralRoute"

    name = factory.Sequence(lambda n: f"Route {n}")
