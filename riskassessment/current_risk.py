"""A case's current risk: the one rule, read by the case page, the services that store it on the
case (riskassessment.services.current_risk) and, through what those store, the outcome forms
and the Insights report.

The rule, over the case's submitted main assessments (follow-up screens never count) and its
reasoned decisions to lower the risk (RiskDecision):

1. A decision closes the book on what came before it: only the latest decision and the
   assessments submitted after it are considered. It stays in force until a newer assessment
   raises the risk again, or a newer complete assessment outside its window replaces it (step 3).
2. Each assessment is current for the service's window (Service.risk_current_days, 90 days by
   default) from the day it was made; a decision for the same window from the day it was made.
3. The window is counted back from the newest complete assessment or decision (the "anchor"),
   not from today: the risk is the highest level among the entries current on that day. So a
   complete lower assessment inside the window of a higher one does not lower the risk, and
   time passing alone changes nothing: when the window lapses with nothing new, the risk stays
   as it was until a new assessment or a reasoned decision (a lapsed window never lowers risk).
   The case page says when the deciding assessment stopped being current.
4. An incomplete checklist (most answers "Not asked", scoring.MOST_NOT_ASKED) is never an
   anchor: it raises the risk when its level is higher than the rest, and never lowers it.
5. Ties go to the newest entry; with nothing but incomplete checklists, the highest of them.

The same rule, without decisions, over one stage's assessments gives the risk at that stage
(decides_stage_risk on the assessment): what the intake form and the Insights report read. A
stage with only incomplete checklists that would lower the risk has no level (stage_decider).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from cases.models import RiskLevel

from .models import Assessment, RiskDecision
from .scoring import LEVEL_RANK


@dataclass(frozen=True)
class Entry:
    """An assessment or a decision, as the rule sees it."""

    level: str
    label: str
    made_on: datetime.date  # assessed_on, or the day of the decision
    at: datetime.datetime  # submitted_at, or decided_at: what "after" means
    current_until: datetime.date
    complete: bool = True
    assessment: Assessment | None = None
    decision: RiskDecision | None = None

    @property
    def pk(self):
        return (self.assessment or self.decision).pk


@dataclass(frozen=True)
class CurrentRisk:
    """The outcome of the rule, and what the case page needs to say why."""

    level: str = ""
    label: str = ""
    deciding: Entry | None = None
    # Newer entries with a lower level that did not lower the risk: incomplete checklists, and
    # complete ones made while the deciding entry was current.
    held_back: list[Entry] = field(default_factory=list)

    @property
    def assessment(self) -> Assessment | None:
        return self.deciding.assessment if self.deciding else None

    @property
    def decision(self) -> RiskDecision | None:
        return self.deciding.decision if self.deciding else None

    @property
    def current_until(self) -> datetime.date | None:
        return self.deciding.current_until if self.deciding else None

    @property
    def lapsed(self) -> bool:
        """The deciding entry is past its window: the level stands until a new assessment or
        a reasoned decision (rule, step 3)."""
        return bool(self.deciding and self.deciding.current_until < timezone.localdate())

    @property
    def set_at(self) -> datetime.datetime | None:
        return self.deciding.at if self.deciding else None


def decide(entries: Iterable[Entry]) -> CurrentRisk:
    """The rule (module docstring, steps 1-5) over entries of one case."""
    entries = list(entries)
    decisions = [e for e in entries if e.decision is not None]
    if decisions:
        latest = max(decisions, key=lambda e: (e.at, e.pk))
        entries = [latest] + [e for e in entries if e.assessment is not None and e.at > latest.at]
    if not entries:
        return CurrentRisk()
    complete = [e for e in entries if e.complete]
    if complete:
        anchor = max(e.made_on for e in complete)
        current = [
            e for e in entries if e.made_on <= anchor <= e.current_until or e.made_on > anchor
        ]
    else:
        current = entries
    deciding = max(current, key=lambda e: (LEVEL_RANK[e.level], e.made_on, e.at, e.pk))
    held_back = sorted(
        (
            e
            for e in entries
            if e is not deciding
            and e.at > deciding.at
            and LEVEL_RANK[e.level] < LEVEL_RANK[deciding.level]
        ),
        key=lambda e: (e.made_on, e.at),
        reverse=True,
    )
    return CurrentRisk(
        level=deciding.level, label=deciding.label, deciding=deciding, held_back=held_back
    )


# --- Reading a case's entries --------------------------------------------------------------------


def assessment_entry(assessment: Assessment) -> Entry:
    return Entry(
        level=assessment.risk_level,
        label=assessment.risk_level_label or _plain(assessment.risk_level),
        made_on=assessment.assessed_on,
        at=assessment.submitted_at,
        current_until=assessment.current_until or assessment.assessed_on,
        complete=not assessment.is_incomplete,
        assessment=assessment,
    )


def decision_entry(decision: RiskDecision, window_days: int) -> Entry:
    made_on = timezone.localdate(decision.decided_at)
    return Entry(
        level=decision.to_level,
        label=_plain(decision.to_level),
        made_on=made_on,
        at=decision.decided_at,
        current_until=made_on + datetime.timedelta(days=window_days),
        decision=decision,
    )


def _plain(level: str) -> str:
    return RiskLevel(level).label if level else ""


def submitted_main_assessments(case):
    """The case's submitted main assessments (the rule's assessments), with what the case page
    shows of each (their checklist; not their assessor): one query."""
    return case.risk_assessments.filter(
        status=Assessment.Status.SUBMITTED, version__checklist__is_follow_up=False
    ).select_related("version__checklist")


def case_entries(case, *, stage: str = "", assessments=None, decisions: bool = True) -> list[Entry]:
    """The rule's entries of a case: its submitted main assessments (of one stage, if given,
    and then no decisions: a stage's risk is what its assessments said) and its decisions
    (`decisions` False: the caller knows the case has none, and they are not read)."""
    assessments = submitted_main_assessments(case) if assessments is None else assessments
    entries = [assessment_entry(a) for a in assessments if not stage or a.stage == stage]
    if not stage and decisions:
        window = case.service.risk_current_days
        entries += [
            decision_entry(d, window) for d in case.risk_decisions.select_related("decided_by")[:1]
        ]
    return entries


def current_risk_of(case, *, decisions: bool = True) -> CurrentRisk:
    """The case's current risk under the rule, with the reasons (two queries; one with
    `decisions` False, for a case known to have no decision)."""
    return decide(case_entries(case, decisions=decisions))


def stage_decider(case, stage: str, assessments) -> Assessment | None:
    """The assessment that decides the case's risk at a stage (intake, review, exit): the rule
    over that stage's assessments alone. A stage with only incomplete checklists is decided by
    one only when it does not lower the risk the case had when it was made; otherwise the stage
    has no level (Missing in the reports), since an incomplete checklist never lowers risk,
    there either (an exit MeRIT mostly "Not asked" must not report "reduced from high")."""
    deciding = decide(case_entries(case, stage=stage, assessments=assessments)).deciding
    if deciding is None or deciding.assessment is None:
        return None
    if not deciding.complete:
        before = decide(
            entry for entry in case_entries(case, assessments=assessments) if entry.at < deciding.at
        )
        if before.level and LEVEL_RANK[deciding.level] < LEVEL_RANK[before.level]:
            return None
    return deciding.assessment


def deciding_at_stage(case, stage: str) -> Assessment | None:
    """The assessment whose level is the case's risk at a stage (intake, review, exit) under the
    rule, as stored by services.current_risk.case_risk_refresh: what an outcome form shows."""
    return (
        case.risk_assessments.filter(
            status=Assessment.Status.SUBMITTED, stage=stage, decides_stage_risk=True
        )
        .select_related("version__checklist")
        .first()
    )
