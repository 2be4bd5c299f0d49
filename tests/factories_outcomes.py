"""Factories for the outcome forms (synthetic data only)."""

import datetime

import factory

from outcomes.models import (
    CivilJusticeForm,
    CriminalJusticeForm,
    ExitForm,
    FollowUp,
    Incident,
    IntakeForm,
    PoliceReport,
    ReviewForm,
)
from tests.factories import CaseFactory, UserFactory


class IntakeFormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntakeForm

    case = factory.SubFactory(CaseFactory)
    created_by = factory.SubFactory(UserFactory)
    completed_on = factory.SelfAttribute("case.opened_on")


class ReviewFormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewForm

    case = factory.SubFactory(CaseFactory)
    created_by = factory.SubFactory(UserFactory)
    reviewed_on = factory.LazyAttribute(lambda o: o.case.opened_on + datetime.timedelta(days=20))


class ExitFormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExitForm

    case = factory.SubFactory(CaseFactory, status="closed", closure_type="Planned closure")
    created_by = factory.SubFactory(UserFactory)
    exit_date = factory.LazyAttribute(lambda o: o.case.closed_on)


class CriminalJusticeFormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriminalJusticeForm

    case = factory.SubFactory(CaseFactory)
    created_by = factory.SubFactory(UserFactory)


class PoliceReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoliceReport

    form = factory.SubFactory(CriminalJusticeFormFactory)
    case = factory.SelfAttribute("form.case")


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    report = factory.SubFactory(PoliceReportFactory)
    case = factory.SelfAttribute("report.case")
    offence = "Common assault"


class CivilJusticeFormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CivilJusticeForm

    case = factory.SubFactory(CaseFactory)
    created_by = factory.SubFactory(UserFactory)


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    case = factory.SubFactory(CaseFactory, status="closed", closure_type="Planned closure")
    created_by = factory.SubFactory(UserFactory)


def complete_values(kind: str, **overrides) -> dict:
    """Answers to every question of the form that applies (first option of each list), as the
    service takes them; `overrides` are applied first so that follow-on questions see them."""
    from django.utils import timezone

    from cases.models import Option
    from outcomes import questions as q
    from outcomes.services import KINDS

    model, questions, _one = KINDS[kind]
    values = dict(overrides)
    today = timezone.localdate()
    for question in questions:
        if question.field in values:
            continue
        if not q.applies(question, values):
            continue
        if question.kind == q.DATE:
            values[question.field] = today
        elif question.kind == q.MULTI:
            values[question.field] = [Option.objects.of(question.table).order_by("position")[0]]
        elif question.kind == q.COUNT:
            values[question.field] = 1
        else:
            field = model._meta.get_field(question.field)
            values[question.field] = next(value for value, _label in field.choices if value)
    return values
