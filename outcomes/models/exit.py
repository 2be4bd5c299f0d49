"""The exit form (Time 2), matched to the case's intake form."""

from django.db import models

from accounts.audit import audited
from accounts.validators import validate_event_date
from cases.choices import YES_NO_DONT_KNOW
from cases.models import Case
from outcomes.questions import ABUSE_EXPERIENCED

from .base import OutcomeForm, answer, choice, dont_know, options

EXIT_M2M = {
    "ongoing_contact_reasons",
    "client_helpful_agencies",
    "caseworker_helpful_agencies",
    "caseworker_challenging_agencies",
}


@audited(m2m_fields=EXIT_M2M)
class ExitForm(OutcomeForm):
    # No index of its own: the unique outcomes_one_exit_per_case is that index.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="exit_forms", db_index=False
    )
    exit_date = models.DateField(
        "date of exit", null=True, blank=True, validators=[validate_event_date]
    )
    case_status = answer("exit_case_status", "Case status at exit")
    unplanned_closure_reason = answer(
        "unplanned_closure_reason", "Reason for the unplanned closure"
    )

    level_physical = answer("exit_level_physical", "Level of physical abuse at exit")
    level_sexual = answer("exit_level_sexual", "Level of sexual abuse at exit")
    level_harassment_stalking = answer(
        "exit_level_harassment_stalking", "Level of harassment and stalking at exit"
    )
    level_jealous_controlling = answer(
        "exit_level_jealous_controlling", "Level of jealous and controlling behaviour at exit"
    )
    abuse_since = answer(
        "exit_abuse_reported",
        "Abuse since intake or the last review",
        extra=(ABUSE_EXPERIENCED,),
    )
    escalation_severity = choice(YES_NO_DONT_KNOW, "Any escalation in the severity of abuse?")
    escalation_frequency = choice(YES_NO_DONT_KNOW, "Any escalation in the frequency of abuse?")

    relationship_at_exit = answer(
        "primary_perpetrator_relationship", "Relationship to the primary perpetrator at exit"
    )
    living_arrangement = answer("exit_living_arrangement", "Living arrangement at exit")
    ongoing_contact = answer(
        "ongoing_contact", "Is there any ongoing contact with the perpetrator?"
    )
    ongoing_contact_reasons = options(
        "ongoing_contact_reason", "If yes, why is there ongoing contact?"
    )
    ongoing_contact_reasons_dont_know = dont_know()
    child_contact_conflict = answer(
        "child_contact_conflict", "Is there ongoing conflict around child contact arrangements?"
    )
    child_contact_abuse = answer(
        "child_contact_abuse",
        "Does the perpetrator use child contact arrangements to continue abuse?",
    )

    # Client-reported outcomes (blank: the client did not answer)
    outcome_feel_safer = answer("client_outcome_feel_safer", "I feel safer")
    outcome_wellbeing = answer("client_outcome_wellbeing", "My wellbeing has improved")
    outcome_quality_of_life = answer(
        "client_outcome_quality_of_life", "My quality of life has improved"
    )
    outcome_optimistic = answer("client_outcome_optimistic", "I feel optimistic about the future")
    outcome_confident = answer("client_outcome_confident", "I feel more confident")

    client_helpful_agencies = options(
        "client_helpful_agencies",
        "Client: which agencies have made the difference to your safety and wellbeing?",
    )
    caseworker_helpful_agencies = options(
        "caseworker_helpful_agencies",
        "Caseworker: which agencies have worked well to promote safety and wellbeing?",
    )
    caseworker_challenging_agencies = options(
        "caseworker_challenging_agencies",
        "Caseworker: which agencies have presented challenges to promoting safety and wellbeing?",
    )

    kind = "exit"
    date_field = "exit_date"

    class Meta:
        verbose_name = "exit form"
        constraints = [
            models.UniqueConstraint(fields=["case"], name="outcomes_one_exit_per_case"),
        ]
        indexes = [
            # Insights outcome tables: submitted exits dated in the period.
            models.Index(fields=["status", "exit_date"], name="outcomes_exit_period"),
        ]
