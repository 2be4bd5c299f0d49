"""Clients, cases and the work recorded in them."""

from .case import (
    Case,
    CaseAllocation,
    CaseReferenceCounter,
    CaseStatusChange,
    ChildInCase,
    ClosureRequest,
    Contact,
    InformationSharing,
    Perpetrator,
    RiskLevel,
)
from .client import Agency, Client, ClientAlias, ConsentRecord, SafeToContact
from .interventions import INTERVENTION_TYPES, Intervention
from .options import Option
from .plans import PLAN_SECTIONS, SafetyPlan, SafetyPlanVersion
from .support import AreaSupport, SupportArea

__all__ = [
    "INTERVENTION_TYPES",
    "PLAN_SECTIONS",
    "Agency",
    "AreaSupport",
    "Case",
    "CaseAllocation",
    "CaseReferenceCounter",
    "CaseStatusChange",
    "ChildInCase",
    "Client",
    "ClientAlias",
    "ClosureRequest",
    "ConsentRecord",
    "Contact",
    "InformationSharing",
    "Intervention",
    "Option",
    "Perpetrator",
    "RiskLevel",
    "SafeToContact",
    "SafetyPlan",
    "SafetyPlanVersion",
    "SupportArea",
]
