"""What apps building on cases tell the safety plans and interventions, without cases importing
them (the same pattern as cases.extensions):

- an *assessment source*: the risk assessments of a case that a safety plan can answer
  (riskassessment registers it), so a plan version links to a real assessment of its own case;
- an *intervention source*: the cases that received an intervention recorded on another app's
  pages (a MARAC referral made from the risk pages), so the Safety in Numbers count includes it
  without the caseworker recording it twice.

Apps register in their AppConfig.ready().
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class AssessmentChoice:
    pk: int
    label: str  # says which checklist, when and what risk: nothing identifying
    assessed_on: datetime.date
    url: str = ""


_assessment_sources: list[Callable] = []
_intervention_sources: dict[str, list[Callable]] = {}


def register_assessment_source(source: Callable) -> None:
    """source(case) -> list[AssessmentChoice], the latest first; one query."""
    if source not in _assessment_sources:
        _assessment_sources.append(source)


def register_intervention_source(type_key: str, source: Callable) -> None:
    """source(case_ids) -> iterable of the ids, among case_ids, of the cases that received an
    intervention of this type (cases.models.interventions.INTERVENTION_TYPES key); one query
    whatever the number of cases."""
    sources = _intervention_sources.setdefault(type_key, [])
    if source not in sources:
        sources.append(source)


def assessments_for_plan(case) -> list[AssessmentChoice]:
    """The assessments a safety plan of this case can answer, the latest first."""
    choices = []
    for source in _assessment_sources:
        choices.extend(source(case))
    return choices


def interventions_recorded_elsewhere(case_ids: Iterable[int]) -> list[tuple[int, str]]:
    """(case id, intervention type) for interventions that other apps record."""
    case_ids = list(case_ids)
    found = []
    for type_key, sources in _intervention_sources.items():
        for source in sources:
            found.extend((case_id, type_key) for case_id in source(case_ids))
    return found


def intervention_types_recorded_elsewhere() -> list[str]:
    return [type_key for type_key, sources in _intervention_sources.items() if sources]
