"""The outcome forms of a case: intake (Time 1), reviews, exit (Time 2), criminal and civil
justice, and the follow-up six months after closure."""

from .base import FormStatus, OutcomeForm
from .exit import ExitForm
from .follow_up import FollowUp
from .hearings import CourtHearing
from .intake import IntakeForm
from .justice import CivilJusticeForm, CivilOrder, CriminalJusticeForm, Incident, PoliceReport
from .review import ReviewForm

__all__ = [
    "CivilJusticeForm",
    "CivilOrder",
    "CourtHearing",
    "CriminalJusticeForm",
    "ExitForm",
    "FollowUp",
    "FormStatus",
    "Incident",
    "IntakeForm",
    "OutcomeForm",
    "PoliceReport",
    "ReviewForm",
]
