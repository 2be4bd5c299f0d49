"""Factories for MARAC referrals and hearings (riskassessment), recorded directly rather than
through the services, for tests that need the rows only."""

import factory
from django.utils import timezone

from .factories import CaseFactory, UserFactory
from .factories_riskassessment import AgencyFactory, MaracMeetingFactory


class MaracReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "riskassessment.MaracReferral"

    case = factory.SubFactory(CaseFactory)
    referred_on = factory.LazyFunction(timezone.localdate)
    referring_agency = factory.SubFactory(AgencyFactory)
    referred_by = factory.SubFactory(UserFactory)
    # A referral states at least one of the criteria (a database constraint).
    visible_high_risk = True


class MaracHearingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "riskassessment.MaracHearing"

    case = factory.SubFactory(CaseFactory)
    meeting = factory.SubFactory(MaracMeetingFactory)
