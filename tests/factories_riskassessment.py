"""Factories and helpers for the risk-assessment tests. The shipped checklists (DASH, MeRIT, the
stalking and honour-based abuse screens) are loaded by the app's post_migrate sync, so tests use
them as they are; `make_checklist` imports a small checklist of its own when a test needs other
thresholds."""

import datetime
import itertools

import factory
from django.utils import timezone

from cases.models import Agency
from riskassessment import selectors, services
from riskassessment.models import Checklist, MaracMeeting

_keys = itertools.count(1)

TICK_OPTIONS = [
    {"key": "yes", "label": "Yes", "score": 1, "counts_as_tick": True},
    {"key": "no", "label": "No", "score": 0, "counts_as_tick": False},
    {"key": "dont_know", "label": "Don't know", "score": 0, "counts_as_tick": False},
    {"key": "not_asked", "label": "Not asked", "score": 0, "counts_as_tick": False},
]


def shipped(key: str):
    return selectors.published_version_of(Checklist.objects.get(key=key))


def dash_version():
    return shipped("dash")


def merit_version():
    return shipped("merit")


def checklist_data(
    *,
    key=None,
    questions=24,
    bands=(("standard", 0, 9), ("medium", 10, 13), ("high", 14, None)),
    marac_threshold=14,
    scoring="ticks",
    weights=None,
    publish=True,
):
    key = key or f"test{next(_keys)}"
    return {
        "format": services.CHECKLIST_FORMAT,
        "checklist": {"key": key, "name": f"Checklist {key}", "scoring": scoring},
        "version": {
            "label": "Test version",
            "marac_threshold": marac_threshold,
            "publish": publish,
        },
        "answer_options": TICK_OPTIONS,
        "bands": [
            {"level": level, "label": level.title(), "min_score": low, "max_score": high}
            for level, low, high in bands
        ],
        "questions": [
            {
                "number": n,
                "text": f"Question {n}",
                **({"scores": {"yes": weights[n - 1]}} if weights else {}),
            }
            for n in range(1, questions + 1)
        ],
    }


def make_checklist(**kwargs):
    return services.checklist_import(data=checklist_data(**kwargs))


def answers_for(assessment, keys):
    """{question_id: {...}} choosing option `keys[i]` for question i (None leaves it blank)."""
    result = {}
    for answer, key in zip(selectors.answers_for(assessment), keys, strict=False):
        options = {o.key: o for o in answer.question.options.all()}
        result[answer.question_id] = {
            "option": options[key] if key else None,
            "detail": "",
            "comment": "",
        }
    return result


def pattern(ticks: int, total: int, rest: str = "no") -> list[str]:
    return ["yes"] * ticks + [rest] * (total - ticks)


def submitted(case, actor, *, version=None, ticks=0, rest="no", stage="intake", on=None, **fields):
    version = version or dash_version()
    assessment = services.assessment_start(
        case=case,
        version=version,
        actor=actor,
        stage=stage,
        assessed_on=on or timezone.localdate(),
    )
    total = version.questions.count()
    return services.assessment_save(
        assessment=assessment,
        actor=actor,
        answers=answers_for(assessment, pattern(ticks, total, rest)),
        submit=True,
        **fields,
    )


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Test agency {n}")


class MaracMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaracMeeting

    marac = factory.SubFactory("tests.factories.MaracFactory")
    held_on = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
    created_by = factory.SubFactory("tests.factories.UserFactory")
