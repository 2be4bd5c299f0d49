"""The case-page extension registry: how apps that build on cases add to the case page without
cases importing them.

Apps register in their AppConfig.ready():
- a *case panel*: a template shown on the case page, with a function giving its context;
- a *timeline source*: a function returning the app's newest events for a case's timeline, at
  most a given number. It must use a fixed number of queries and load no more rows than asked,
  whatever the number of rows (the case page's query count is tested with 10 and 300 contacts);
- a *dashboard prompt source*: items for the caseworker's or team leader's dashboard;
- a *closure check*: what is missing before a case closes (no exit form, no safety plan, open
  MARAC actions, draft forms), listed on the closure and sign-off pages.

Module names, one per concept, in every app:
- `cases/extensions.py` (this module) is the only registry of the case page;
- `<app>/case_page.py` holds what an app contributes to it: its panel context, timeline
  source and dashboard prompts (riskassessment/case_page.py, support/case_page.py,
  outcomes/case_page.py), and its closure checks in `<app>/closure_checks.py`;
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
    # () -> {name: expression}: what the panel asks of the case page's one query of the case
    # (an Exists, say), so that its context can skip queries that would find nothing. Read by
    # cases.selectors once per process; the context must still work on a case without them.
    annotations: Callable | None = None


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


@dataclass(frozen=True)
class ClosureGap:
    """One thing missing before a case closes, in plain words, with where to put it right.
    `kind` groups gaps for tests and the audit ("exit_form", "safety_plan", "marac_actions",
    "draft_assessment", "draft_form", "draft_plan"); `message` never names the client."""

    kind: str
    message: str
    url: str = ""


_panels: list[CasePanel] = []
_timeline_sources: list[Callable] = []
_prompt_sources: dict[str, list[Callable]] = {"caseworker": [], "team_leader": []}
_closure_checks: list[Callable] = []


def register_case_panel(
    order: int, template: str, context: Callable, *, annotations: Callable | None = None
) -> None:
    if all(panel.template != template for panel in _panels):
        _panels.append(CasePanel(order, template, context, annotations))


def case_panels() -> list[CasePanel]:
    return sorted(_panels, key=lambda panel: panel.order)


def case_page_annotations() -> dict:
    """The panels' annotations of the case page's query of the case (CasePanel.annotations)."""
    annotations = {}
    for panel in case_panels():
        if panel.annotations is not None:
            annotations.update(panel.annotations())
    return annotations


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


# --- Search ------------------------------------------------------------------------------------
# A *search source* lets the search page find what another app holds (referrals) without cases
# importing it. `case_ids(user, query)` gives the ids of cases it finds (a queryset of ids);
# `hits(user, query, client_ids)` what it finds that is not a case the user may see, given the
# ids of the clients the name search found (a queryset). Both scope to the user.


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "Referral"
    reference: str
    title: str  # never more than the search page may show: the client's name, a status
    url: str
    at: datetime | None = None


@dataclass(frozen=True)
class SearchSource:
    case_ids: Callable
    hits: Callable


_search_sources: list[SearchSource] = []


def register_search_source(source: SearchSource) -> None:
    if source not in _search_sources:
        _search_sources.append(source)


def search_sources() -> list[SearchSource]:
    return list(_search_sources)


# --- Client merge ------------------------------------------------------------------------------
# A *merge step* moves what another app holds about a client (referrals) from the record merged
# away to the record kept: step(keep, merged_away, actor) -> int (rows moved), called inside
# the merge's transaction with both client rows locked. It writes row by row (audited).

_merge_steps: list[Callable] = []


def register_client_merge_step(step: Callable) -> None:
    if step not in _merge_steps:
        _merge_steps.append(step)


def client_merge_steps() -> list[Callable]:
    return list(_merge_steps)


def register_closure_check(source: Callable) -> None:
    """source(case) -> list[ClosureGap]: what this app finds missing before the case closes.
    Read through cases.selectors.closure_gaps, never directly."""
    if source not in _closure_checks:
        _closure_checks.append(source)


def closure_checks() -> list[Callable]:
    return list(_closure_checks)


# --- Diary -------------------------------------------------------------------------------------
# A *diary source* gives what an app has in the diary (appointments, court hearings) between two
# moments: source(user, cases_queryset, start, end, caseworker_ids=None) -> list[DiaryEntry],
# for the cases of `cases_queryset` (already scoped to the user); `caseworker_ids` narrows to
# entries of those caseworkers' cases or diaries (the week panel passes the user's own). One or
# two queries, whatever the number of rows. The home page's week panel and the team view read
# them all, so that support and outcomes need not know each other.


@dataclass(frozen=True)
class DiaryEntry:
    at: datetime
    kind: str  # badge: "Appointment", "Court"
    title: str  # never identifying: the type, the case reference
    reference: str
    url: str
    caseworker_id: int | None = None
    ends_at: datetime | None = None


_diary_sources: list[Callable] = []


def register_diary_source(source: Callable) -> None:
    if source not in _diary_sources:
        _diary_sources.append(source)


def diary_sources() -> list[Callable]:
    return list(_diary_sources)


# --- Caseload counts ---------------------------------------------------------------------------
# A *caseload count* lets the team leader's caseload view (cases.selectors_work.caseloads) count
# what another app holds (cases with no safety plan) in the same aggregate query:
# `condition()` returns a condition on Case (a Q, or an Exists over OuterRef("pk")).


@dataclass(frozen=True)
class CaseloadCount:
    key: str
    label: str
    condition: Callable


_caseload_counts: list[CaseloadCount] = []


def register_caseload_count(count: CaseloadCount) -> None:
    if all(known.key != count.key for known in _caseload_counts):
        _caseload_counts.append(count)


def caseload_counts() -> list[CaseloadCount]:
    return list(_caseload_counts)
