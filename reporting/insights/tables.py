"""Every table of the Insights dataset (seed 002), as specs over Lantern's records.

Counting rules (reporting/README.md says the same in words):
1. Intake tables count submitted intake forms dated (Time 1) in the period; the client profile
   counts people, so it keeps one intake per client (the latest in the period by its date, then
   the newest row of that day).
2. Outcome tables count submitted exit forms dated (Time 2) in the period that are matched to a
   submitted intake of the same case; the intake may be earlier than the period.
3. Review tables count submitted review forms dated in the period.
4. Criminal and civil justice tables count the forms of cases whose exit is in the period
   (Insights captures them at exit), police reports and incidents on those forms.
5. Percentages are over the stated n: e.g. support given over those with the need.
6. "Errors" are exits dated before their intake (case length); "Missing" is an unanswered
   question and "Don't know" an answer, always reported apart. Where the seed excludes Missing
   from n (the client-reported outcomes: catalogue's missing_outside_n), n is those who
   answered and Missing is a share of every row.
"""

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q
from django.db.models.functions import Coalesce

from cases.models import ChildInCase
from catalogue.insights import TABLES, TABLES_BY_KEY
from outcomes.models import ExitForm, IntakeForm, ReviewForm
from outcomes.questions import CIVIL_ORDER_TABLES
from support.models import AreaSupport

from .builders import (
    ABUSE_LEVELS,
    CLIENT,
    FACTS,
    INTAKE_MATCH,
    OTHER_ABUSE,
    PAIRED,
    age_at,
    case_length,
    cases_used,
    change_in_level,
    children_per_case,
    choice,
    civil_order,
    contacts_received,
    counts,
    dash_bands,
    escalation,
    fact,
    has_fact,
    has_option,
    high_risk_basis_at_intake,
    multi,
    multiple_types,
    needs_and_support,
    police_report_statistics,
    present,
    relationship_change,
    support_given,
    supported_in,
    yes_no,
)
from .specs import BandSpec, GroupSpec, PostSpec

# --- The specs, in seed order ------------------------------------------------------------------

AREAS = (
    "safety",
    "housing",
    "physical_health",
    "mental_health",
    "drug_misuse",
    "alcohol_misuse",
    "children_parenting",
    "finance_benefits_debt",
    "employment_education_training",
    "social_community_support",
    "immigration",
    "step_down_recovery",
)
NEED_AREAS = tuple(area for area in AREAS if area != "step_down_recovery")


def _intake_multi(key, field, applies=None, **kwargs):
    return multi(
        key,
        "intakes",
        field,
        dont_know_field=f"{field}_dont_know"
        if TABLES_BY_KEY[key].has_dont_know and hasattr(IntakeForm, f"{field}_dont_know")
        else "",
        applies=applies,
        **kwargs,
    )


def _specs():
    specs = [
        # Service inputs
        choice("referral_status", "intakes", "case__referral_status"),
        derived_group("referral_route", "intakes", "case__referral__route__name"),
        derived_group(
            "initial_referral_route",
            "intakes",
            "case__referral__initial_route__name",
            label_map={"Hospital - A&E": "Hospital - Emergency department"},
        ),
        # Client profile (people, not cases)
        BandSpec(
            key="client_age",
            universe="intake_clients",
            # An erased client's date of birth is gone; their age at the intake is kept on
            # the case in its place (dataprotection.erasure), so past figures do not move.
            value=lambda: Coalesce(
                age_at("completed_on", f"{CLIENT}date_of_birth"),
                F("case__client_age_at_intake"),
                output_field=IntegerField(),
            ),
            bands=((None, 17), (18, 20), (21, 30), (31, 40), (41, 50), (51, 60), (61, None)),
            statistic="mean",
        ),
        choice("client_sex_at_birth", "intake_clients", f"{CLIENT}sex_at_birth"),
        choice(
            "client_gender_identity",
            "intake_clients",
            f"{CLIENT}gender_identity",
            conditions={
                "Not sex assigned at birth": Q(
                    **{f"{CLIENT}gender_differs_from_sex_at_birth": "Yes"}
                )
            },
        ),
        choice("client_sexual_orientation", "intake_clients", f"{CLIENT}sexual_orientation"),
        choice("client_ethnicity", "intake_clients", f"{CLIENT}ethnicity"),
        # The client's situation as recorded at intake, not as the record says today.
        choice("client_pregnant", "intake_clients", "pregnant"),
        children_per_case(),
        choice("children_ages", "intake_children", "age_band"),
        multi(
            "cyps_involvement_intake",
            "intakes",
            "cyps_involvement",
            owner=lambda: ChildInCase,
            owner_key="case",
            row_key="case_id",
            applies=Q(Exists(ChildInCase.objects.filter(case_id=OuterRef("case_id")))),
        ),
        choice("client_disability", "intake_clients", "disability"),
        multi(
            "client_disability_type",
            "intake_clients",
            "disability_types",
            dont_know_field="disability_types_dont_know",
            applies=Q(disability="Yes"),
        ),
        multi(
            "client_employment",
            "intake_clients",
            "employment",
            dont_know_field="employment_dont_know",
        ),
        choice("client_financial_situation", "intakes", "financial_situation"),
        choice("client_ace", "intakes", "client_ace"),
        _intake_multi("client_ace_types", "client_ace_types", applies=Q(client_ace="Yes")),
        # History of abuse at intake
        dash_bands("dash_ticks_intake", "intakes", fact("score_in")),
        # Asked on the intake form (pre-filled from the records), with Don't know and Missing.
        choice("high_risk", "intakes", "high_risk"),
        high_risk_basis_at_intake(),
        choice("marac_discussed", "intakes", "marac_discussed"),
        counts(
            "abuse_types_12_months",
            "intakes",
            dict(
                zip(
                    TABLES_BY_KEY["abuse_types_12_months"].options,
                    [present("", kind) for kind in ABUSE_LEVELS]
                    + [Q(**{kind: "Yes"}) for kind in OTHER_ABUSE],
                    strict=True,
                )
            ),
        ),
        *(choice(f"intake_level_{kind}", "intakes", f"level_{kind}") for kind in ABUSE_LEVELS),
        choice("intake_level_forced_marriage", "intakes", "forced_marriage"),
        choice("intake_level_honour_based", "intakes", "honour_based"),
        choice("intake_level_fgm", "intakes", "fgm"),
        multiple_types("intake_multiple_abuse_types", "intakes", "", IntakeForm),
        *(
            _intake_multi(
                f"{detail}_abuse_details"
                if detail in ("physical", "sexual")
                else f"{detail}_details",
                f"{detail}_abuse_details"
                if detail in ("physical", "sexual")
                else f"{detail}_details",
                applies=present("", kind),
            )
            for detail, kind in (
                ("physical", "physical"),
                ("sexual", "sexual"),
                ("harassment_stalking", "harassment_stalking"),
                ("jealous_controlling", "jealous_controlling"),
            )
        ),
        choice("abuse_length", "intakes", "abuse_length"),
        _intake_multi("previous_abuse_exposure", "previous_abuse_exposure"),
        choice("primary_perpetrator_relationship", "intakes", "primary_perpetrator_relationship"),
        choice("living_with_perpetrator", "intakes", "living_with_perpetrator"),
        choice(
            "not_living_together_reason",
            "intakes",
            "not_living_together_reason",
            applies=Q(living_with_perpetrator="Not living together"),
        ),
        choice("abuse_typology", "intakes", "abuse_typology"),
        choice("multiple_perpetrators", "intakes", "multiple_perpetrators"),
        _intake_multi(
            "additional_perpetrators_relationship",
            "additional_perpetrators_relationship",
            applies=Q(multiple_perpetrators="Yes"),
        ),
        _intake_multi("past_12_months_help_seeking", "help_sought", empty_is_answer=True),
        choice("perpetrator_sex_at_birth", "intakes", "perpetrator_sex_at_birth"),
        _intake_multi("perpetrator_gender_identity", "perpetrator_gender_identity"),
        choice("perpetrator_multiple_victims", "intakes", "perpetrator_multiple_victims"),
        choice("perpetrator_need_mental_health", "intakes", "perpetrator_need_mental_health"),
        choice("perpetrator_need_drugs", "intakes", "perpetrator_need_drugs"),
        choice("perpetrator_need_alcohol", "intakes", "perpetrator_need_alcohol"),
        # Needs at intake
        *(
            choice(f"intake_need_{area}", "intakes", f"need_{area}")
            for area in (
                "alcohol_misuse",
                "children_parenting",
                "drug_misuse",
                "employment_education_training",
                "finance_benefits_debt",
                "housing",
                "immigration",
                "mental_health",
                "physical_health",
                "social_community_support",
            )
        ),
        _intake_multi(
            "mental_health_symptoms",
            "mental_health_symptoms",
            applies=Q(need_mental_health="Yes"),
        ),
        choice(
            "mental_health_diagnosed",
            "intakes",
            "mental_health_diagnosed",
            applies=Q(need_mental_health="Yes"),
        ),
        _intake_multi(
            "mental_health_diagnoses",
            "mental_health_diagnoses",
            applies=Q(mental_health_diagnosed="Yes"),
        ),
        choice(
            "public_funds_access",
            "intakes",
            "public_funds_access",
            applies=Q(need_finance_benefits_debt="Yes"),
        ),
        choice("ilr_needed", "intakes", "ilr_needed", applies=Q(need_immigration="Yes")),
        choice("visa_dependent", "intakes", "visa_dependent", applies=Q(need_immigration="Yes")),
        # Case review data
        yes_no("review_point", "exits", has_fact("reviews")),
        choice("review_further_abuse", "reviews", "further_abuse"),
        multiple_types(
            "review_multiple_abuse_types",
            "reviews",
            "",
            ReviewForm,
            applies=Q(further_abuse__startswith="Yes"),
        ),
        choice("review_further_abuse_disclosed", "reviews", "further_abuse_disclosed"),
        # Client outcomes
        choice("exit_case_status", "exits", "case_status"),
        choice(
            "unplanned_closure_reason",
            "exits",
            "unplanned_closure_reason",
            applies=Q(case_status="Unplanned closure"),
        ),
        case_length(),
        contacts_received(),
        dash_bands("dash_ticks_matched_intake", "exits", fact("score_in"), PAIRED),
        dash_bands(
            "dash_ticks_exit",
            "exits",
            fact("score_out"),
            PAIRED,
            statistics={
                "reduced": Count(
                    "pk", filter=PAIRED & Q(**{f"{FACTS}score_out__lt": F(fact("score_in"))})
                ),
                # The clients the impact report's economic value counts (CAADA's costs are of a
                # high-risk victim): high risk at intake, Dash score lower at exit.
                "reduced_from_high": Count(
                    "pk",
                    filter=PAIRED
                    & Q(**{fact("level_in"): "high"})
                    & Q(**{f"{FACTS}score_out__lt": F(fact("score_in"))}),
                ),
            },
        ),
        choice("exit_abuse_reported", "exits", "abuse_since"),
        multiple_types("matched_intake_multiple_abuse_types", "exits", INTAKE_MATCH, IntakeForm),
        multiple_types("exit_multiple_abuse_types", "exits", "", ExitForm),
        *(change_in_level(kind) for kind in ABUSE_LEVELS),
        escalation(),
    ]
    for kind in ABUSE_LEVELS:
        specs.append(choice(f"matched_intake_level_{kind}", "exits", f"{INTAKE_MATCH}level_{kind}"))
        specs.append(choice(f"exit_level_{kind}", "exits", f"level_{kind}"))
    specs += [
        relationship_change(),
        choice(
            "matched_intake_living_arrangement",
            "exits",
            f"{INTAKE_MATCH}living_with_perpetrator",
        ),
        choice("exit_living_arrangement", "exits", "living_arrangement"),
        choice("ongoing_contact", "exits", "ongoing_contact"),
        multi(
            "ongoing_contact_reason",
            "exits",
            "ongoing_contact_reasons",
            dont_know_field="ongoing_contact_reasons_dont_know",
            applies=Q(ongoing_contact="Yes"),
        ),
    ]
    because_of_children = Q(has_option(ExitForm, "ongoing_contact_reasons", ["Children"]))
    specs += [
        choice(
            "child_contact_conflict", "exits", "child_contact_conflict", applies=because_of_children
        ),
        choice("child_contact_abuse", "exits", "child_contact_abuse", applies=because_of_children),
        choice("client_outcome_feel_safer", "exits", "outcome_feel_safer"),
        choice("client_outcome_wellbeing", "exits", "outcome_wellbeing"),
        choice("client_outcome_quality_of_life", "exits", "outcome_quality_of_life"),
        choice("client_outcome_optimistic", "exits", "outcome_optimistic"),
        choice("client_outcome_confident", "exits", "outcome_confident"),
        multi("client_helpful_agencies", "exits", "client_helpful_agencies"),
        multi("caseworker_helpful_agencies", "exits", "caseworker_helpful_agencies"),
        multi("caseworker_challenging_agencies", "exits", "caseworker_challenging_agencies"),
    ]
    # Service outputs: the needs and support matrix, then each area's support, outcomes, impact
    specs += [needs_and_support(area) for area in NEED_AREAS]
    # Each area's support, outcomes and impact, over the exits given support in the area (a case
    # has at most one support row per area).
    for area in AREAS:
        supported = supported_in(area)
        # The same condition without the facts (the keys of multi-select tables come first).
        supported_row = {"area": area, "supported": "Yes"}
        specs.append(support_given(area))
        if area == "children_parenting":
            specs.append(
                multi(
                    "cyps_involvement_matched_intake",
                    "exits",
                    "cyps_involvement",
                    owner=lambda: ChildInCase,
                    owner_key="case",
                    row_key="case_id",
                    applies=supported,
                    keys_applies=Q(
                        Exists(
                            AreaSupport.objects.filter(case_id=OuterRef("case_id"), **supported_row)
                        )
                    ),
                )
            )
            specs.append(
                multi(
                    "cyps_involvement_exit",
                    "exits",
                    "cyps_involvement",
                    owner=lambda: AreaSupport,
                    owner_key="case",
                    row_key="case_id",
                    owner_filter=supported_row,
                    one_owner_per_key=True,
                    dont_know_field=fact("children_parenting_cyps_dont_know"),
                    applies=supported,
                    keys_applies=Q(),
                )
            )
        specs.append(
            multi(
                f"support_{area}_outcomes",
                "exits",
                "outcomes",
                owner=lambda: AreaSupport,
                owner_key="case",
                row_key="case_id",
                owner_filter={"supported": "Yes"},
                one_owner_per_key=True,
                applies=supported,
                keys_applies=Q(),
                batch="support_outcomes",
                batch_field="area",
                batch_value=area,
            )
        )
        for impact in ("impact_safety", "impact_wellbeing"):
            specs.append(
                choice(
                    f"support_{area}_{impact}",
                    "exits",
                    fact(f"{area}_{impact}"),
                    applies=supported,
                )
            )
    # Criminal and civil justice
    specs += [
        yes_no("cj_supported", "exits", has_fact("criminal_justice_forms")),
        choice("police_report_timing", "police_reports", "timing"),
        police_report_statistics(),
        choice("cj_incidents", "incidents", "offence"),
        choice("cj_consequences", "incidents", "consequence"),
        choice(
            "cj_nfa_reason",
            "incidents",
            "nfa_reason",
            applies=Q(consequence="Police report - NFA (no further action)"),
        ),
        choice("cj_special_measures", "police_reports", "special_measures"),
        multi(
            "cj_perpetrator_penalties",
            "police_reports",
            "perpetrator_penalties",
            empty_is_answer=True,
        ),
        multi("cj_idva_support", "police_reports", "idva_support"),
        yes_no("civil_supported", "exits", has_fact("civil_justice_forms")),
        choice("civil_legal_aid", "civil_forms", "legal_aid"),
    ]
    specs += [civil_order(key, order_type) for order_type, key in CIVIL_ORDER_TABLES.items()]
    specs.append(multi("civil_idva_support", "civil_forms", "idva_support"))
    specs.insert(
        0,
        PostSpec(
            key="cases_used",
            compute=cases_used,
            needs=(
                "abuse_length",
                "review_further_abuse",
                "exit_case_status",
                "cj_supported",
                "civil_supported",
            ),
        ),
    )
    return specs


def derived_group(key, universe, field, **kwargs):
    return GroupSpec(key=key, universe=universe, field=field, **kwargs)


SPECS = _specs()
SPECS_BY_KEY = {spec.key: spec for spec in SPECS}
MISSING_FROM_CATALOGUE = sorted({t.key for t in TABLES} - set(SPECS_BY_KEY))
