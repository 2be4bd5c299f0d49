"""Risk checklists as versioned data, the assessments made with them, and MARAC."""

from .assessments import Answer, Assessment, HighRiskBasis
from .checklists import (
    AnswerOption,
    AreaRule,
    Checklist,
    ChecklistVersion,
    PublishedVersionIsImmutable,
    Question,
    ScoreBand,
)
from .decisions import RiskDecision
from .marac import MaracAction, MaracHearing, MaracMeeting, MaracReferral

__all__ = [
    "Answer",
    "AnswerOption",
    "AreaRule",
    "Assessment",
    "Checklist",
    "ChecklistVersion",
    "HighRiskBasis",
    "MaracAction",
    "MaracHearing",
    "MaracMeeting",
    "MaracReferral",
    "PublishedVersionIsImmutable",
    "Question",
    "RiskDecision",
    "ScoreBand",
]
