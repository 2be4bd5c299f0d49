"""Factories of tasks and supervision notes (cases.models.work)."""

import factory
from django.utils import timezone

from tests.factories import CaseFactory, UserFactory


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.Task"

    case = factory.SubFactory(CaseFactory)
    title = factory.Sequence(lambda n: f"Chase the housing officer {n}")
    assigned_to = factory.SubFactory(UserFactory)
    set_by = factory.SelfAttribute("assigned_to")
    due_on = factory.LazyFunction(timezone.localdate)


class SupervisionNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.SupervisionNote"

    case = factory.SubFactory(CaseFactory)
    written_by = factory.SubFactory(UserFactory)
    noted_on = factory.LazyFunction(timezone.localdate)
    text = "Discussed the safety plan and the next court date."
