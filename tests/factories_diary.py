"""Factories for appointments and court hearings (synthetic data)."""

import datetime

import factory
from django.utils import timezone

from tests.factories import CaseFactory, UserFactory


def _tomorrow_at(hour):
    day = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "support.Appointment"

    case = factory.SubFactory(CaseFactory)
    caseworker = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("caseworker")
    kind = "professional"
    starts_at = factory.LazyFunction(lambda: _tomorrow_at(10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=1))
    place = "Children's centre, room 2"
    with_whom = "Social worker"


class CourtHearingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "outcomes.CourtHearing"

    case = factory.SubFactory(CaseFactory)
    court = "Magistrates' court"
    starts_at = factory.LazyFunction(lambda: _tomorrow_at(9))
    jurisdiction = "criminal"
    kind = "first_hearing"
    recorded_by = factory.SubFactory(UserFactory)
