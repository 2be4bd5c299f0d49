"""Clients, cases and the work recorded in them."""

from .case import (
    Case,
    CaseAllocation,
    CaseReferenceCounter,
    CaseStatusChange,
    ChildInCase,
    ClosureRequest,
    Contact,
    ContactRevision,
    InformationSharing,
    Perpetrator,
    RiskLevel,
)
from .client import (
    Agency,
    Client,
    ClientAlias,
    ClientMatchDismissal,
    ConsentRecord,
    SafeToContact,
)
from .documents import CaseDocument
from .options import Option
from .transfers import CaseTransfer
from .work import SupervisionNote, Task

__all__ = [
    "Agency",
    "Case",
    "CaseAllocation",
    "CaseDocument",
    "CaseReferenceCounter",
    "CaseStatusChange",
    "CaseTransfer",
    "ChildInCase",
    "Client",
    "ClientAlias",
    "ClientMatchDismissal",
    "ClosureRequest",
    "ConsentRecord",
    "Contact",
    "ContactRevision",
    "InformationSharing",
    "Option",
    "Perpetrator",
    "RiskLevel",
    "SafeToContact",
    "SupervisionNote",
    "Task",
]
