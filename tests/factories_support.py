"""Factories for safety plans, support by area of need and interventions (synthetic data)."""

import datetime

import factory

from tests.factories import CaseFactory, UserFactory


class SafetyPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "support.SafetyPlan"

    case = factory.SubFactory(CaseFactory)
    kind = "personal"
    created_by = factory.SubFactory(UserFactory)


class SafetyPlanVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "support.SafetyPlanVersion"

    plan = factory.SubFactory(SafetyPlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    reviewed_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=5))  # noqa: DTZ011
    made_by = factory.SelfAttribute("plan.created_by")
    safe_places_people = "The library on the high street; my sister's flat."
    code_words = "'Did you feed the cat?' means call 999."
    emergency = "Call 999. If I cannot speak, press 55."


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "support.Intervention"

    case = factory.SubFactory(CaseFactory)
    type = "police_check"
    occurred_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=3))  # noqa: DTZ011
    recorded_by = factory.SubFactory(UserFactory)


class AreaSupportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "support.AreaSupport"
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    area = "safety"
    supported = "Yes"
    updated_by = factory.SubFactory(UserFactory)
