"""The case-page extension registry: how apps that build on cases add to the case page without
cases importing them.

Apps register in their AppConfig.ready():
- a *case panel*: a template shown on the case page, with a function giving its context;
- a *timeline source*: a function returning the app's newest events for a case's timeline, at
  most a given number. It must use a fixed number of queries and load no more rows than asked,
  whatever the number of rows (the case page's query count is tested with 10 and 300 contacts);
- a *dashboard prompt source*: items for the caseworker's or team leader's dashboard.

Module names, one per concept, in every app:
- `cases/extensions.py` (this module) is the only registry of the case page;
- `<app>/case_page.py` holds what an app contributes to it: its panel context, timeline
  source and dashboard prompts (riskassessment/case_page.py, support/case_page.py,
  outcomes/case_page.py);
- the home page's panels are another registry, `accounts/dashboard.py`, and what an app
  contributes to it lives in `<app>/dashboard.py` (cases/dashboard.py,
  riskassessment/dashboard.py, reporting/dashboard.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone


@dataclass(frozen=True)
class CasePanel:
    order: int
    template: str
    context: Callable  # (request, case) -> dict


@dataclass(frozen=True)
class TimelineItem:
    """One entry of a case's timeline. `at` is a datetime for what happened at a known moment
    (a contact, a submission) and a date for what has only a day (a MARAC hearing, an
    intervention): shown without a time, never with an invented one."""

    at: datetime | date
    kind: str  # short word shown as a badge: "Contact", "Assessment", "Intake form", ...
    title: str
    detail: str = ""
    url: str = ""

    @property
    def has_time(self) -> bool:
        return isinstance(self.at, datetime)

    @property
    def sort_key(self) -> tuple:
        """Newest first (sorted in reverse) by day; within a day, the items with only a date
        come before the timed ones (they may be the day's latest), then by time."""
        if isinstance(self.at, datetime):
            moment = timezone.localtime(self.at) if timezone.is_aware(self.at) else self.at
            return (moment.date(), 0, moment.time())
        return (self.at, 1, time.min)


@dataclass(frozen=True)
class Prompt:
    """Something a dashboard should show: a case needing attention and why."""

    case_id: int
    reference: str
    message: str
    url: str
    severity: str = "warning"  # "danger" | "warning" | "info"


_panels: list[CasePanel] = []
_timeline_sources: list[Callable] = []
_prompt_sources: dict[str, list[Callable]] = {"caseworker": [], "team_leader": []}


def register_case_panel(order: int, template: str, context: Callable) -> None:
    if all(panel.template != template for panel in _panels):
        _panels.append(CasePanel(order, template, context))


def case_panels() -> list[CasePanel]:
    return sorted(_panels, key=lambda panel: panel.order)


def register_timeline_source(source: Callable) -> None:
    """source(case, limit) -> list[TimelineItem]: at most `limit` of the case's newest items
    (ordered and limited in the database, so that a long case costs what a short one does),
    in a fixed number of queries."""
    if source not in _timeline_sources:
        _timeline_sources.append(source)


def timeline_sources() -> list[Callable]:
    return list(_timeline_sources)


def register_prompt_source(audience: str, source: Callable) -> None:
    """source(user, cases_queryset) -> list[Prompt]; audience "caseworker" or "team_leader"."""
    if source not in _prompt_sources[audience]:
        _prompt_sources[audience].append(source)


def prompt_sources(audience: str) -> list[Callable]:
    return list(_prompt_sources[audience])
