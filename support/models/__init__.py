"""Safety plans, support by area of need and interventions: the work done with a client, built
on cases and riskassessment."""

from .appointments import Appointment
from .areas import AreaSupport, SupportArea
from .interventions import INTERVENTION_TYPES, Intervention
from .plans import PLAN_SECTIONS, SafetyPlan, SafetyPlanVersion

__all__ = [
    "INTERVENTION_TYPES",
    "PLAN_SECTIONS",
    "Appointment",
    "AreaSupport",
    "Intervention",
    "SafetyPlan",
    "SafetyPlanVersion",
    "SupportArea",
]
