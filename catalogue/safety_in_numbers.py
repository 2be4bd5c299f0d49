"""Idva measurement catalogue transcribed from seed 001 (CAADA, Safety in Numbers, 2009).

Source: *Safety in Numbers: Summary of Findings and Recommendations from a Multi-site
Evaluation of Independent Domestic Violence Advisors*, November 2009
(/work/shared/seeds/001_94b07d5065788c30.txt). The plain-text copy has no page numbers, so lists
are cited by the summary's headings, tables and figures:

- MEASUREMENT_POINTS: "How was the evaluation conducted?".
- INTERVENTIONS: "Table 4: Analysis of interventions (n=1,247)", under Finding 2 ("Range of
  interventions implemented").
- INTERVENTION_BANDS, OUTCOME_MEASURES, SEED_FIGURE_8: Finding 4, "Figure 8: Impact of
  multiple interventions"; outcome definitions and overall rates from Finding 2 and
  Recommendations 1-2.
- INTENSIVE_SUPPORT_THRESHOLD, SEED_INTENSIVE_SUPPORT: Finding 3 and Recommendation 2.
- T1_T2_INDICATORS: Finding 2 ("Impact on multiple forms of severe abuse", "Victims felt
  safer").
- FOLLOW_UP, EXIT_INTERVIEW: "How was the evaluation conducted?", Finding 2 ("Follow up data
  promising on sustainability") and Finding 5.
- CHILD_RISK_FACTORS: Table 1 (intake) and Table 5 (intake vs review).
- PERPETRATOR_RISK_FACTORS: Table 2 (intake) and Table 6 (intake vs review).
- ABUSE_RISK_FACTORS: Table 3.
- COST_CLAIMS: Recommendations 1-2 and end notes x, xi.

Figures 1-7 are images with no numbers in the text; only what the text states is recorded.
Typographic quotes are normalised to ASCII; every number is copied, never derived.
"""

from dataclasses import dataclass

SOURCE = "CAADA, Safety in Numbers (Howarth, Stimpson, Barran & Robinson), November 2009"
SEED_FILE = "001_94b07d5065788c30.txt"

# The seven Idva services evaluated, as the document lists them.
EVALUATED_SERVICES = (
    ("advance", "Advance (London)"),
    ("halt", "Halt (Leeds)"),
    ("the_haven", "The Haven (Wolverhampton)"),
    ("let_go", "Let Go Project (Cumbria)"),
    ("north_devon_wa", "North Devon Women's Aid (Devon)"),
    ("womens_safety_unit", "The Women's Safety Unit (Cardiff)"),
    ("worth", "Worth Services (West Sussex)"),
)

# Sample: female victims of intimate-partner abuse only. "44 records were found to relate to
# males. A further 95 records related to abuse perpetrated by someone other than an intimate
# partner ... it was decided to exclude these cases from the study sample."
SAMPLE_EXCLUDES_MALE_VICTIMS = True
SAMPLE_EXCLUDES_NON_INTIMATE_PARTNER_ABUSE = True


# ---------------------------------------------------------------------------------------------
# Measurement points
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasurementPoint:
    key: str
    label: str
    definition: str  # quoted
    seed_n: int


MEASUREMENT_POINTS = (
    MeasurementPoint(
        "time_1",
        "Time 1",
        "at the point of referral to a service (Time 1), namely information relating to victim "
        "demographics and the type and extent of abuse experienced during the prior three "
        "months",
        2567,
    ),
    MeasurementPoint(
        "time_2",
        "Time 2",
        "either at the closure of a case or after four months of engagement with the service as "
        "an interim marker of case progress (whichever came first). Information collected at "
        "this time point related to the interventions and types of support provided by IDVAs "
        "and, importantly, documented levels of victim safety and well-being.",
        1247,
    ),
    MeasurementPoint(
        "exit_interview",
        "Exit interview",
        "short interviews with victims on their exit from the service in order to garner their "
        "perspectives as to the factors that had impacted on their safety during the period of "
        "intervention",
        412,
    ),
    MeasurementPoint(
        "follow_up_6_months",
        "6 month follow up",
        "re-contacted six months after the closure of their case in order to examine the "
        "sustainability of any changes made with respect to safety and well-being",
        34,
    ),
)
REVIEW_AFTER_MONTHS = 4  # "a formal review of the risk in a case at the four month stage"
FOLLOW_UP_AFTER_CLOSURE_MONTHS = 6
INTAKE_LOOKBACK_MONTHS = 3  # "abuse experienced during the prior three months"


# ---------------------------------------------------------------------------------------------
# Interventions (Table 4)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Intervention:
    """One row of Table 4.

    group: Lantern's grouping for the form layout. Table 4 itself is ungrouped; its only
    structure is the footnote markers, kept as flags: support_ambiguous (*: "Possible ambiguity
    around the meaning of 'support'") and children_base (the dagger-dagger mark: "Percentages
    are based on those with children (n=873)"). seed_* are the printed frequency and percent.
    """

    key: str
    label: str
    group: str
    support_ambiguous: bool
    children_base: bool
    seed_frequency: int
    seed_percent: int


INTERVENTIONS = (
    Intervention("safety_planning", "Safety planning undertaken", "safety", False, False, 1005, 81),
    Intervention(
        "criminal_court_support",
        "Support in relation to a criminal court case",
        "justice",
        False,
        False,
        534,
        43,
    ),
    Intervention(
        "civil_justice_support",
        "Support with civil justice remedies",
        "justice",
        False,
        False,
        315,
        25,
    ),
    Intervention("marac", "Subject to MARAC", "marac", False, False, 426, 34),
    Intervention(
        "housing_support", "Support with housing issues", "housing", False, False, 615, 49
    ),
    # Dagger note: "Target hardening and the Sanctuary schemes are terms often used
    # interchangeably by the IDVA, however they appear separately in this table as they were
    # included as discrete options as part of this study".
    Intervention(
        "target_hardening", "Access to target hardening", "housing", False, False, 375, 30
    ),
    Intervention(
        "sanctuary_scheme", "Access to sanctuary scheme", "housing", False, False, 168, 13
    ),
    Intervention(
        "refuge", "Support to access refuge accommodation", "housing", True, False, 160, 13
    ),
    Intervention(
        "child_contact", "Support in relation to child contact", "children", False, True, 443, 51
    ),
    Intervention(
        "social_services", "Support with Social Services", "children", True, True, 232, 27
    ),
    Intervention(
        "childrens_schools", "Support with children's schools", "children", True, True, 63, 7
    ),
    Intervention("benefits", "Support with benefits", "finance_immigration", True, False, 202, 16),
    Intervention(
        "immigration", "Support with immigration issues", "finance_immigration", True, False, 30, 2
    ),
    Intervention("gp", "Support to access a GP", "health", True, False, 95, 8),
    Intervention(
        "mental_health", "Support to access mental health services", "health", True, False, 84, 7
    ),
    Intervention(
        "alcohol_drugs", "Support with alcohol and drugs issues", "health", True, False, 72, 6
    ),
    Intervention("counselling", "Support to access counselling", "health", True, False, 400, 32),
    Intervention(
        "pattern_changing",
        "Completed pattern changing course",
        "recovery",
        False,
        False,
        125,
        10,
    ),
)
INTERVENTIONS_SEED_N = 1247
INTERVENTIONS_CHILDREN_BASE_N = 873

# Lantern's group labels (not the document's).
INTERVENTION_GROUPS = (
    ("safety", "Safety planning"),
    ("justice", "Criminal and civil justice"),
    ("marac", "MARAC"),
    ("housing", "Housing and home security"),
    ("children", "Children"),
    ("finance_immigration", "Benefits and immigration"),
    ("health", "Health, substance use and counselling"),
    ("recovery", "Recovery programmes"),
)
# Recommendation 2 describes the "range of choices" as "action relating to safety planning,
# housing, the family courts, the criminal courts, support with children, substance misuse
# services and benefits" (the nearest the document comes to a grouping).

# "The average number of interventions was 4 per victim, with multiple options being used in
# 87% of cases."
SEED_AVERAGE_INTERVENTIONS = 4
SEED_MULTIPLE_INTERVENTIONS_PERCENT = 87


# ---------------------------------------------------------------------------------------------
# Number-of-interventions bands and Figure 8
# ---------------------------------------------------------------------------------------------

# Checked: Figure 8 columns are "0-1", "2-5", "6-10", "11+"; the text says "0-1 forms of
# support", "2-5 forms" and "6-10 forms". (It also says the odds "increased by four times where
# there were more than 6 different interventions", which does not match the band edges.)
INTERVENTION_BANDS = ((0, 1, "0-1"), (2, 5, "2-5"), (6, 10, "6-10"), (11, None, "11+"))


@dataclass(frozen=True)
class OutcomeMeasure:
    """A Time 2 outcome.

    figure_8_row: the row label in Figure 8 (None if not in Figure 8). reported_by: who the
    document says reports it ("victim" / "IDVA"; None if not stated). definition: the
    document's words. seed_overall_percent: the all-cases rate, with seed_quote.
    """

    key: str
    label: str
    figure_8_row: str | None
    reported_by: str | None
    definition: str
    seed_overall_percent: int | None
    seed_quote: str


OUTCOME_MEASURES = (
    OutcomeMeasure(
        "total_cessation",
        "Total cessation of abuse",
        "Total Cessation",
        None,
        # Recommendation 1: "the cost per successful outcome, namely where all forms of abuse
        # cease". Note the headline 57% is worded "complete or near cessation".
        "where all forms of abuse cease",
        57,
        "57% of all victims experiencing a complete or near cessation in the abuse they were "
        "suffering following the support of an IDVA",
    ),
    OutcomeMeasure(
        "feels_safer",
        "Victim feels safer",
        "Victim feels safer",
        "victim",
        "victims reporting improved feelings of safety",
        76,
        "This was supported by 76% of victims reporting improved feelings of safety",
    ),
    OutcomeMeasure(
        "reduction_in_risk",
        "Reduction in risk (IDVA)",
        "Reduction in risk (IDVA)",
        "IDVA",
        "IDVAs reporting reduced risk",
        79,
        "confirmed in turn by IDVAs reporting reduced risk in 79% of cases",
    ),
    OutcomeMeasure(
        "improved_coping",
        "Improved coping",
        "Improved coping",
        "IDVA",
        "significant improvements in victims' coping abilities",
        63,
        "IDVAs also reported that there had been significant improvements in victims' coping "
        "abilities in 63% of cases.",
    ),
    OutcomeMeasure(
        "improved_social_support",
        "Improved social support",
        "Improved social support",
        "IDVA",
        "significant improvements in victims' social networks",
        47,
        "IDVAs reported that there had been significant improvements in victims' social "
        "networks in 47% of cases.",
    ),
    OutcomeMeasure(
        "feels_less_safe",
        "Victim feels less safe",
        None,
        "victim",
        "victims reported that they felt less safe following support from an IDVA",
        None,
        "Importantly, less than 1% of victims reported that they felt less safe following "
        "support from an IDVA.",
    ),
    OutcomeMeasure(
        "cessation_sustainable",
        "IDVA believes cessation is sustainable",
        None,
        "IDVA",
        "IDVAs believed that a cessation in abuse was sustainable into the longer term",
        39,
        "In the exit interviews collected at Time 2 (n=412), in 39% of cases, IDVAs believed "
        "that a cessation in abuse was sustainable into the longer term.",
    ),
)

# Figure 8, rows and columns exactly as printed (percent of victims in each band).
SEED_FIGURE_8_TITLE = "Figure 8: Impact of multiple interventions"
SEED_FIGURE_8_COLUMNS = ("0-1", "2-5", "6-10", "11+")
SEED_FIGURE_8 = (
    ("Improved social support", (14, 43, 69, 88)),
    ("Improved coping", (20, 63, 81, 94)),
    ("Reduction in risk (IDVA)", (39, 81, 93, 97)),
    ("Victim feels safer", (37, 77, 88, 97)),
    ("Total Cessation", (31, 58, 66, 73)),
)


# ---------------------------------------------------------------------------------------------
# Intensive support
# ---------------------------------------------------------------------------------------------

# Finding 3: "victims receiving intensive support, ie. 6 or more significant contacts, are much
# more likely to see abuse cease than those who do not receive this amount of support."
INTENSIVE_SUPPORT_THRESHOLD = 6
# The document does NOT define a "significant contact". The nearest it comes is the next
# sentence, which suggests the count is of direct contacts with the victim, excluding liaison:
SIGNIFICANT_CONTACT_NOTE = (
    "Given the role of the IDVA, they will also be liaising with other agencies on behalf of the "
    "victim in addition to the direct contacts that they have."
)
SIGNIFICANT_CONTACT_DEFINED = False


@dataclass(frozen=True)
class IntensiveSupportFigure:
    key: str  # key into OUTCOME_MEASURES, or "received_intensive_support"
    intensive_percent: int | None
    not_intensive_percent: int | None
    quote: str


# Figure 7 ("Impact of intensive support") is an image; these are the numbers the text gives.
SEED_INTENSIVE_SUPPORT = (
    IntensiveSupportFigure(
        "received_intensive_support",
        65,
        35,
        "In 65% of cases, victims received intensive support from an IDVA, suggesting that "
        "capacity might have been a limitation in the other 35%",
    ),
    IntensiveSupportFigure(
        "total_cessation",
        67,
        44,
        "While the average figure for all cases was 57%, abuse ceased completely for 67% of "
        "high risk victims receiving intensive support. Without intensive support, this figure "
        "falls to just 44%.",
    ),
    IntensiveSupportFigure(
        "feels_safer",
        88,
        60,
        "88% of victims who received intensive support said that they felt safer compared with "
        "just 60% who did not.",
    ),
)
# Finding 2 words the 67% / 44% split as "intensive support and multiple interventions" vs
# "those who did not".


# ---------------------------------------------------------------------------------------------
# Other Time 1 / Time 2 indicators (Finding 2)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeReviewIndicator:
    key: str
    label: str
    intake_percent: int
    review_percent: int
    approximate: bool  # True where the document says "approximately" / "around"
    quote: str


T1_T2_INDICATORS = (
    IntakeReviewIndicator(
        "multiple_and_severe_abuse",
        "Suffering both multiple and severe abuse",
        80,
        20,
        True,
        "Approximately 80% of victims were suffering both multiple and severe abuse at intake. "
        "This fell to around 20% at the review point.",
    ),
    IntakeReviewIndicator(
        "fear_of_further_injury",
        "Fear of further injury",
        85,
        22,
        False,
        "Fear of further injury fell from 85% of cases to 22%",
    ),
    IntakeReviewIndicator(
        "fear_of_being_killed",
        "Fear of being killed",
        48,
        7,
        False,
        "fear of being killed fell from 48% to 7% of the total",
    ),
    IntakeReviewIndicator(
        "frightened",
        "Describes themselves as feeling frightened",
        83,
        17,
        False,
        "The number of victims who described themselves as feeling frightened fell from 83% to "
        "17% of all cases.",
    ),
)

SEVERE_ABUSE_DEFINITION = (
    "Severe abuse includes violent behaviour causing injuries, strangulation, rape and other "
    "sexual abuse, harassment and stalking (H&S) and extreme jealous and controlling behaviour "
    "(J&C) including threats to harm children."
)
HIGH_RISK_DEFINITION = (
    "a risk which is life threatening and/or traumatic, and from which recovery, whether "
    "physical or psychological, can be expected to be difficult or impossible"
)  # end note vi: "Offender Assessment System definition used by MAPPA Responsible Authorities."

# Abuse types tracked at intake and review (Figures 1, 4 and 5; no numbers in the text).
ABUSE_TYPES = (
    ("physical", "Physical"),
    ("sexual", "Sexual"),
    ("harassment_stalking", "Harassment and stalking (H&S)"),
    ("jealous_controlling", "Jealous and controlling behaviour (J&C)"),
)


# ---------------------------------------------------------------------------------------------
# Follow-up after closure and exit interview
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpItem:
    key: str
    label: str
    quote: str


# What the document says the 6-month follow-up asked or found. It gives NO question wording.
# It does not mention asking whether the survivor would want the service again, nor a
# "feels safe" question separate from "safety and well-being"; those are not recorded here.
FOLLOW_UP = (
    FollowUpItem(
        "recontacted",
        "Re-contacted six months after closure",
        "a small group of victims (n=34) were re-contacted six months after the closure of "
        "their case",
    ),
    FollowUpItem(
        "living_free_of_abuse",
        "Still living free of abuse",
        "services were asked to carry out follow-up interviews with former clients six months "
        "after case closure to see if they were still living free of abuse",
    ),
    FollowUpItem(
        "no_further_abuse",
        "No further abuse in the 6 months since closure",
        "a majority of victims surveyed (82%) reported that they had experienced no further "
        "abuse during the 6 months following the closure of their case. (Note that this was a "
        "small sample.)",
    ),
    FollowUpItem(
        "safety_wellbeing_sustained",
        "Changes in safety and well-being sustained",
        "to examine the sustainability of any changes made with respect to safety and well-being",
    ),
    FollowUpItem(
        "felt_unable_to_return",
        "Felt unable to go back to the service",
        "while the vast majority were still living safely, there was a group where abuse had "
        "resumed. Some of these victims reported that they did not feel that they could go back "
        "to the service as they had 'let their IDVA down'.",
    ),
)
SEED_FOLLOW_UP_N = 34
SEED_FOLLOW_UP_NO_FURTHER_ABUSE_PERCENT = 82
# Reason some survivors did not return (the only one the document gives):
FOLLOW_UP_NON_RETURN_REASONS = (("let_idva_down", "They had 'let their IDVA down'"),)

EXIT_INTERVIEW = (
    FollowUpItem(
        "factors_impacting_safety",
        "Factors that impacted on safety",
        "perspectives as to the factors that had impacted on their safety during the period of "
        "intervention",
    ),
    FollowUpItem(
        "idva_believes_sustainable",
        "IDVA believes cessation is sustainable",
        "in 39% of cases, IDVAs believed that a cessation in abuse was sustainable into the "
        "longer term",
    ),
)


# ---------------------------------------------------------------------------------------------
# Risk factors
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskFactor:
    """A risk factor and its printed figures.

    intake_*: the intake table (Table 1, 2 or 3). review_*: the intake-vs-review table (Table 5
    or 6; None if the factor is not in it). Counts and percents as printed.
    """

    key: str
    label: str
    intake_frequency: int
    intake_percent: int
    review_t1_count: int | None = None
    review_t1_percent: int | None = None
    review_t2_count: int | None = None
    review_t2_percent: int | None = None
    review_change_percent: int | None = None


# Table 1 (N=1774, those with children) and Table 5 (n=699 victims with children).
CHILD_RISK_FACTORS = (
    RiskFactor(
        "child_contact_conflict", "Conflict around child contact", 725, 41, 292, 42, 160, 23, 45
    ),
    RiskFactor(
        "afraid_of_harm_to_children",
        "Victim is afraid of harm to children",
        476,
        27,
        207,
        30,
        49,
        7,
        76,
    ),
    RiskFactor(
        "threats_to_kill_children",
        "Perpetrators' threats to kill children",
        199,
        11,
        80,
        11,
        45,
        6,
        44,
    ),
)
CHILD_RISK_FACTORS_INTAKE_N = 1774
CHILD_RISK_FACTORS_REVIEW_N = 699
# Related figures: "Over two-thirds of victims had children (69%)"; "over 3,600 children in
# this study, a third of who were aged 0-4 years".

# Table 2 (N=2567) and Table 6 (n=966). Table 6's "Percentage Change" is relative, and is
# printed as -30% for the DV-related criminal record, which rose from T1 to T2.
PERPETRATOR_RISK_FACTORS = (
    RiskFactor("alcohol_abuse", "Perpetrators' alcohol abuse", 1374, 54, 516, 53, 459, 48, 11),
    RiskFactor("criminal_record", "Perpetrators' criminal record", 1296, 50, 516, 53, 516, 53, 0),
    RiskFactor(
        "financial_problems", "Perpetrators' financial problems", 1151, 45, 416, 43, 242, 25, 42
    ),
    RiskFactor("drug_abuse", "Perpetrators' drug abuse", 989, 39, 388, 40, 316, 33, 19),
    RiskFactor(
        "threats_of_suicide", "Perpetrators' threats of suicide", 904, 35, 331, 34, 101, 10, 69
    ),
    RiskFactor(
        "mental_health_issues", "Perpetrators' mental health issues", 713, 28, 254, 26, 234, 24, 8
    ),
    RiskFactor(
        "dv_criminal_record",
        "Perpetrators' DV related criminal record",
        669,
        26,
        261,
        27,
        338,
        35,
        -30,
    ),
)
PERPETRATOR_RISK_FACTORS_INTAKE_N = 2567
PERPETRATOR_RISK_FACTORS_REVIEW_N = 966

# Table 3 (N=2567): "risk factors relating to specific aspects of abusive behaviour and
# contextual risks". Intake only.
ABUSE_RISK_FACTORS = (
    RiskFactor("jealous_controlling", "Jealous and controlling behaviour", 2333, 91),
    RiskFactor("escalation", "Escalation of abuse", 1874, 73),
    RiskFactor("threats_to_kill_victim", "Perpetrators' threats to kill victim", 1582, 62),
    RiskFactor("strangled_choked", "Victim has been strangled/choked", 1559, 61),
    RiskFactor("current_incident_injuries", "Current incident resulted in injuries", 1309, 51),
    RiskFactor("stalking", "Stalking", 790, 31),
    RiskFactor("sexual_abuse", "Sexual abuse that makes victim feel bad", 729, 28),
    RiskFactor("weapons", "Use of weapons", 567, 22),
    RiskFactor("threats_to_kill_others", "Perpetrators' threats to kill others", 536, 21),
    RiskFactor(
        "threats_to_kill_other_partner",
        "Perpetrators' threats to kill other intimate partner",
        241,
        9,
    ),
)
ABUSE_RISK_FACTORS_INTAKE_N = 2567


# ---------------------------------------------------------------------------------------------
# Cost statements
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostClaim:
    key: str
    pence: int
    qualifier: str  # the document's hedge: "around", "less than", "over"
    quote: str


COST_CLAIMS = (
    CostClaim(
        "idva_cost_per_high_risk_victim",
        50000,
        "around",
        "The cost of providing an IDVA for a high risk victim of domestic abuse is around £500",
    ),
    CostClaim(
        "idva_marginal_cost_per_victim",
        50000,
        "less than",
        "The marginal cost of providing the support of an IDVA is less than £500 per victim "
        "supported.",
    ),
    CostClaim(
        "cost_per_successful_outcome",
        100000,
        "less than",
        "the cost per successful outcome, namely where all forms of abuse cease, is less than "
        "£1,000",
    ),
    CostClaim(
        "serious_wounding_cjs_cost",
        900000,
        "over",
        "If one just takes the example of a serious wounding by way of illustration, the cost to "
        "the criminal justice system alone is over £9,000 and the costs to the health service "
        "are estimated to be the same again",
    ),
)
# End note x: the £500 assumes "an IDVA receives 100 high risk referrals annually and that
# 60-70 remain engaged", "an average salary of £25,000 and on-costs of 30%". End note xi: national
# coverage would save "between £200 and £400 million".
IDVAS_NEEDED_FOR_NATIONAL_COVERAGE = (1200, 1500)  # "the 1,200-1,500 IDVAs needed"
