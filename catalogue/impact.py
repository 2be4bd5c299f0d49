"""Impact-report catalogue transcribed from seed 000 (PSS Social Impact Report).

Source: PSS, *Social Impact Report: Preventing Domestic Violence and Abuse*
(/work/shared/seeds/000_7fe2dce8de16c1b4.txt). It covers the Ruby hospital-based service
(Royal Liverpool and Aintree hospitals, running since 1st September 2014; 381 referrals "in the
2 years it has been running"), the Addaction Domestic Abuse Worker pilot (August 2015 - July
2016) and the Mersey Care mental-health pilot (commenced late 2016).

The plain-text copy has no page breaks. Lists are cited by the report's own section headings;
page numbers are given only where the text shows them (footers "14" and "21") or where the report
cross-refers to its own pages (Addaction "pages 18-19", substance-misuse outcomes "page 20",
Mersey Care "pages 22-24").

Where each list comes from:

- MERIT_LEVELS, SEED_RISK_COUNTS: Section 2 "Who We Are" (bronze/silver/gold, MeRIT) and
  Section 7 "What we have achieved" (high/medium/low risk counts).
- CLIENT_JOURNEY_STAGES: Section 6 "What our clients' journey is like in Ruby".
  ADDACTION_PATHWAY_STAGES: Section 8 "Referral Pathway"; MENTAL_HEALTH_PATHWAY_STAGES:
  Section 9 "Referral Pathway".
- OUTPUTS, OUTCOMES, SEED_FIGURES: Section 7 (summary page and the four "Increasing Safety
  through ..." pages); ADDACTION_OUTPUTS and its figures: Section 8.
- OUTCOME_AREAS, FOUR_PS: Section 7, "Outcomes we want to achieve..." and the four P pages.
- POSITIVE_NEGATIVE_PAIRS: Section 7, "Outcomes we want to achieve..." (two-column table).
- NEGATIVE_OUTCOMES: Section 7, "Other outcomes..." ("negative" exits).
- UNIT_COSTS, SEED_VALUE_EXAMPLE, DV_COST_BREAKDOWN, VALUE_CLAIMS: Section 11 "What our
  economic and social impact is..." plus the two unit costs quoted under Prevention (Section 7).
- REPORT_SECTIONS: the report's section headings, in order.
- RUBY_* demographic and need lists: Section 5 "Who we work with".

Conventions: money is in pence (int); typographic quotes and dashes in quoted text are
normalised to ASCII; every figure is copied from the report, never derived. Where the report
states no figure the field is None and a comment says so.
"""

from dataclasses import dataclass

SOURCE = "PSS, Social Impact Report: Preventing Domestic Violence and Abuse"
SEED_FILE = "000_7fe2dce8de16c1b4.txt"

RUBY_PERIOD = "1st September 2014, 2 years"  # "has had 381 referrals in the 2 years"
ADDACTION_PERIOD = "Between August 2015 and July 2016"


@dataclass(frozen=True)
class SeedFigure:
    """A figure exactly as the report states it, for comparing Lantern's own numbers.

    count: the number stated (None if the report gives only a percentage or no number);
    percent: the percentage stated; base: the denominator the report names, if any.
    """

    key: str
    count: int | None
    percent: float | None
    base: int | None
    quote: str
    section: str


# ---------------------------------------------------------------------------------------------
# MeRIT risk levels
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeritLevel:
    key: str
    label: str
    risk_level: str  # the report's words in Section 7 counts ("high risk" etc.)
    glossary_level: str  # /work/shared/reference/glossary.md: standard / medium / high
    min_score: int | None
    max_score: int | None


# Section 2: "a responsive service to all levels of risk including "bronze, silver & gold"
# clients who have been risk assessed using the Merseyside Risk Identification Toolkit (MeRIT)".
# The report gives NO MeRIT score cut-offs for any level (not 72+ for gold, nor any silver or
# bronze range) and does not say which level triggers a MARAC referral, so min_score/max_score
# are None. The bronze=low, silver=medium, gold=high pairing is from the project glossary;
# the report itself only counts "high risk", "medium risk" and "low risk" (Section 7) without
# naming the colours against them.
MERIT_LEVELS = (
    MeritLevel("bronze", "Bronze", "low risk", "standard", None, None),
    MeritLevel("silver", "Silver", "medium risk", "medium", None, None),
    MeritLevel("gold", "Gold", "high risk", "high", None, None),
)
MERIT_SCORE_CUTOFFS_STATED = False
MERIT_RATIONALE = (
    "This was based this on the knowledge that often those clients who are killed as a result "
    "of domestic abuse are those who are identified as lower risk."
)

SEED_RISK_COUNTS = (
    SeedFigure("gold", 109, None, 381, "109 were high risk", "Section 7"),
    SeedFigure("silver", 121, None, 381, "121 were medium risk", "Section 7"),
    SeedFigure("bronze", 151, None, 381, "151 were low risk", "Section 7"),
)


# ---------------------------------------------------------------------------------------------
# Client journey (Section 6)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JourneyStage:
    """One stage of the journey diagram.

    stage: the report's stage number ("3a"). text: the report's wording. short_label is
    Lantern's own short name for the UI: the report gives only the number and the text.
    """

    key: str
    stage: str
    short_label: str
    text: str


CLIENT_JOURNEY_STAGES = (
    JourneyStage(
        "admitted",
        "1",
        "Admitted to hospital",
        "Women are admitted to hospital following an assault.",
    ),
    JourneyStage(
        "referred",
        "2",
        "Referral",
        "Referrals come from hospital safeguarding teams who have been trained and know to "
        "identify DV and are aware of Ruby.",
    ),
    JourneyStage(
        "first_meeting",
        "3",
        "First meeting",
        "Ruby staff meet with the woman to discuss their immediate safety and personal needs, "
        "including where they will be going from hospital. They also make arrangements to meet "
        "at a further date and place, that is safe and which suits the client.",
    ),
    JourneyStage(
        "made_aware_not_engaged",
        "3a",
        "Made aware, not engaged",
        "Women can choose not to engage but they are made aware of their options and the "
        "service and can always come back to us at a later date.",
    ),
    JourneyStage(
        "engaged",
        "3b",
        "Engaged",
        "Women can engage with Ruby staff in which case they proceed to point 4.",
    ),
    JourneyStage(
        "assessment_safety_plan",
        "4",
        "Assessment and safety plan",
        "Ruby staff will carry out an assessment and help to create a safety plan with the "
        "woman, as well as signposting to meet needs.",
    ),
    JourneyStage(
        "additional_measures",
        "5",
        "Additional measures",
        "Additional measures can be put in place to support the woman, such as helping her "
        "secure temporary accommodation, ensuring she is a priority for the police, deal with "
        "emergency issues relating to children, supporting her with mental health and assisting "
        "with family court matters.",
    ),
    JourneyStage(
        "ongoing_support",
        "6",
        "Follow-up and ongoing support",
        "Follow up meetings are held with Ruby, other agencies or court appointments, practical "
        "and emotional support provided and woman can attend groups with other women to support "
        "them or receive 1-2-1 support.",
    ),
    JourneyStage(
        "outcomes",
        "7",
        "Outcomes",
        "A range of different outcomes can be achieved including prosecuting the perpetrator, "
        "becoming free of them and living independently or continuing their relationship. The "
        "outcomes are based on what the women choose to do.",
    ),
    JourneyStage(
        "safe_and_well",
        "8",
        "Safe and well",
        "The ultimate objective of Ruby is to ensure that the women and their children are safe "
        "and if possible that there is an improvement to their overall wellbeing and health.",
    ),
)
# The diagram also carries a "Disengagement" box that applies to every stage, not a stage of
# its own. The report has NO review stage and NO closure stage (planned or unplanned): it
# counts safety-plan reviews (Section 7) but never describes how or when a case closes.
JOURNEY_DISENGAGEMENT = "The women can disengage and re-engage throughout these stages"

# Section 8, Addaction Domestic Abuse Worker (DAW) "Referral Pathway". Stage 4's "3-8 sessions"
# is the report's figure.
ADDACTION_PATHWAY_STAGES = (
    JourneyStage(
        "referral_dip",
        "1a",
        "Referral from DIP/Alcohol Treatment team",
        "Referrals to the Domestic Abuse Worker primarily come from the Drug Intervention "
        "Programme (DIP)/Alcohol Treatment team, within Addaction. This team provides rapid "
        "access treatment for people in contact with the criminal justice system. There are "
        "currently 1075 individuals accessing treatment within this service. The Team refer "
        "individuals suffering domestic violence/abuse to the Domestic Abuse Worker and seek "
        "advice on how to proceed.",
    ),
    JourneyStage(
        "referral_specialist_da",
        "1b",
        "Referral from specialist DA agencies",
        "The DAW will also receive referrals from other specialist domestic abuse agencies such "
        "as IDVA/ISVA where it is identified that a service user who is known to the substance "
        "misuse services, has been discussed at MARAC, and has not engaged with the service. "
        "The DAW will access these individuals through the DIP service to offer support to the "
        "service user and/or assist the team to provide risk reduction strategies.",
    ),
    JourneyStage(
        "merit_care_plan",
        "2",
        "MeRIT assessment and care plan",
        "The DAW will provide specialist advice to the Addaction workers and usually referred "
        "service users will receive a MERiT assessment, this will be used alongside the agencies "
        "assessments to develop an agreed care plan within which focus of the impact of "
        "domestic abuse will be identified.",
    ),
    JourneyStage(
        "interventions",
        "3",
        "Interventions and signposting",
        "The DAW will provide a range of interventions such as signposting to other agencies "
        "(police/RASA etc.) with the assistance and if required direct support of the DAW to "
        "attend appointments to enhance engagement.",
    ),
    JourneyStage(
        "sessions",
        "4",
        "3-8 sessions",
        "The DAW will provide between 3-8 sessions with the service user to focus upon "
        "strategies to attain desired outcomes identified.",
    ),
    JourneyStage(
        "held_until_risk_reduced",
        "5",
        "Held until risk reduces",
        "The DAW will continue to advise the case worker for as long as is required, and cases "
        "will be held by Addaction and the DAW until there is a reduction in risk and / or "
        "further support is put in place for the client.",
    ),
)

# Section 9, Mersey Care "Referral Pathway". Three referral sources feed stage 1 (the diagram
# letters them a, b, c, but the text extraction does not show which letter is which).
MENTAL_HEALTH_REFERRAL_SOURCES = (
    ("mersey_care", "Mersey Care NHS Trust identify individuals experiencing domestic violence."),
    ("cmht", "Community Mental Health Team identify individuals experiencing domestic violence"),
    (
        "specialist_dv_agencies",
        "Specialist domestic violence agencies where the individual has failed to engage.",
    ),
)
MENTAL_HEALTH_PATHWAY_STAGES = (
    JourneyStage(
        "referral_joint_working",
        "1",
        "Referral, joint working",
        "Referral made to the Domestic Abuse Worker and the case is worked on together in the "
        "initial stages, although Mersey Care retain case responsibility throughout.",
    ),
    JourneyStage(
        "merit_safety_plan",
        "2",
        "MeRIT assessment and safety plan",
        "MeRIT assessment carried out alongside mental health assessments and a safety plan "
        "created for the individual.",
    ),
    JourneyStage(
        "support",
        "3",
        "Signposting and one-to-one work",
        "DAW can provide signposting, additional support to attend appointments and one-to-one "
        "work to focus on strategies to stay safe.",
    ),
    JourneyStage(
        "positive_outcomes",
        "4",
        "Towards positive outcomes",
        "Support to work towards positive outcomes.",
    ),
)


# ---------------------------------------------------------------------------------------------
# Outputs and outcomes (Section 7)
# ---------------------------------------------------------------------------------------------

# Activity the Ruby service counts. Labels follow the report's wording.
# The report counts NO MARAC referrals for Ruby itself (only for the Addaction pilot, below),
# and no DASH/MeRIT re-assessments, case closures or review-point outcome forms.
OUTPUTS = (
    ("referrals", "Referrals"),
    ("repeat_referrals", "Repeat referrals"),
    ("made_aware", "Made aware of the Ruby service"),
    ("positively_engaged", "Positively engaged with the service"),
    ("safety_plans", "Safety plans"),
    ("safety_plan_reviews", "Safety plan reviews"),
    ("childrens_safeguarding_referrals", "Children's Safeguarding referrals"),
    ("needs_identified", "Needs identified"),
    ("core_group_attendances", "Attendances at the core groups at the women's centre"),
    ("police_checks", "Police checks"),
    ("home_visits", "Visits to the women's homes or a place of safety"),
    # Section 7 summary says "signposting referrals"; the Prevention page says "referrals have
    # been made to other agencies" with the same count (132).
    ("signposting_referrals", "Signposting referrals"),
    ("practitioners_trained", "Frontline practitioners trained on Safeguarding"),
    ("speaking_events", "Speaking at events throughout Liverpool"),
    ("tau_markers", "TAU (treat as urgent) markers"),
    ("moved_to_safe_accommodation", "Helped to move from unsafe to safe accommodation"),
    ("panic_alarms", "Provided with panic alarms"),
    ("called_police", "Called the Police as a result of the abuse"),
    ("supported_to_report", "Supported by their key worker to report incidents to the police"),
    ("advised_civil_options", "Advised on their civil options against the perpetrator"),
    ("advised_cjs_processes", "Advised on the processes followed by the Criminal Justice System"),
    ("freedom_programme", "Attended the Freedom programme"),
    ("life_skills_workshop", "Attended Life Skills workshop"),
    ("counselling", "Attending counselling"),
    ("emotional_support", "Receiving ongoing emotional support"),
)

# Changes for the client (or the justice system) that the report counts as results.
OUTCOMES = (
    ("increased_risk_awareness", "Increased their awareness of the risks they faced"),
    ("realised_was_abuse", "Realising that what they were experiencing was in fact abuse"),
    ("felt_safer", "Felt their level of safety had increased"),
    ("children_positive_progress", "Women with children reported positive progress"),
    ("improved_parenting", "Support received had improved their parenting skills"),
    ("family_relationships_improved", "Family relationships had improved overall"),
    ("children_off_cp_register", "Children removed from the child protection register"),
    ("reduced_self_harm", "Reported a reduced level of self-harm"),
    ("protective_order", "Supported to secure a non-molestation order or restraining order"),
    ("health_wellbeing_improved", "Health and Wellbeing: reported a positive improvement"),
    ("accommodation_made_secure", "Accommodation was made secure"),
    ("police_dealt_with", "Cases the police went on to deal with"),
    ("perpetrator_charged", "Perpetrators charged with an offence"),
    ("perpetrator_remanded", "Remanded on bail or custody"),
    ("perpetrator_sentenced", "Sentenced following prosecution"),
)

S7 = "Section 7: What we have achieved"
PROMOTION = "Section 7: Increasing Safety through Promotion"
PREVENTION = "Section 7: Increasing Safety through Prevention"
PROVISION = "Section 7: Increasing Safety through Provision (p.14)"
PROSECUTION = "Section 7: Increasing Safety through Prosecution"

# Figures as printed. Note the report's own inconsistencies, kept as printed:
# - safety-plan reviews: 102 "over the two years" (summary) vs 41 "in the year" (Prevention);
# - engaged women: 141 (safety plans) vs "the 130 engaged women" (needs identified).
SEED_FIGURES = (
    SeedFigure("referrals", 381, None, None, "Ruby has dealt with 381 referrals", S7),
    SeedFigure("repeat_referrals", 21, None, 381, "including 21 repeat referrals", S7),
    SeedFigure(
        "made_aware", 219, None, 381, "Of those 381 - 219 were made aware of the Ruby service", S7
    ),
    SeedFigure(
        "positively_engaged",
        141,
        None,
        None,
        "141 women positively engaged with the service and received a safety plan",
        S7,
    ),
    SeedFigure("safety_plans", 141, None, None, "received a safety plan", S7),
    SeedFigure(
        "safety_plan_reviews",
        102,
        None,
        None,
        "a further 102 reviews being carried out to update these over the two years",
        S7,
    ),
    SeedFigure(
        "safety_plan_reviews",
        41,
        None,
        None,
        "Ruby have helped create 141 safety plans with 41 reviews taking place in the year.",
        PREVENTION,
    ),
    SeedFigure(
        "childrens_safeguarding_referrals",
        22,
        None,
        None,
        "22 Children's Safeguarding referrals were made as a result",
        S7,
    ),
    SeedFigure(
        "needs_identified",
        422,
        None,
        130,
        "A total of 422 different needs were identified across the 130 engaged women",
        S7,
    ),
    SeedFigure(
        "core_group_attendances",
        103,
        None,
        None,
        "There were 103 attendances at the core groups at the women's centre at PSS",
        S7,
    ),
    SeedFigure("police_checks", 563, None, None, "563 police checks were carried out", S7),
    SeedFigure(
        "home_visits",
        204,
        None,
        None,
        "204 visits were made by the team to the women's homes or a place of safety",
        S7,
    ),
    SeedFigure(
        "signposting_referrals",
        132,
        None,
        None,
        "There were 132 signposting referrals made for the women",
        S7,
    ),
    SeedFigure(
        "signposting_referrals",
        132,
        None,
        None,
        "132 referrals have been made to other agencies.",
        PREVENTION,
    ),
    SeedFigure(
        "practitioners_trained",
        1249,
        None,
        None,
        "1249 frontline practitioners were trained on Safeguarding which included the "
        "introduction to Ruby and the referral pathway.",
        PROMOTION,
    ),
    SeedFigure(
        "increased_risk_awareness",
        210,
        None,
        381,
        "210 of the 381 women referred to us increased their awareness of the risks they faced.",
        PROMOTION,
    ),
    SeedFigure(
        "positively_engaged",
        141,
        None,
        381,
        "Of the 381 women referred to the service - 141 have actively engaged with Ruby whilst "
        "others have been signposted or received basic advice and support.",
        PREVENTION,
    ),
    SeedFigure(
        "felt_safer",
        None,
        93,
        None,
        "93% of the women who were concerned about their safety reported at the end of the "
        "intervention that they felt their level of safety had increased.",
        PREVENTION,
    ),
    SeedFigure(
        "freedom_programme",
        34,
        None,
        None,
        "34 women attended the Freedom programme - a course aimed at victims of domestic violence.",
        PREVENTION,
    ),
    SeedFigure(
        "children_positive_progress",
        70,
        None,
        None,
        "70 women with children reported positive progress.",
        PREVENTION,
    ),
    SeedFigure(
        "improved_parenting",
        27,
        None,
        None,
        "27 of the women stated that the support they received had improved their parenting skills",
        PREVENTION,
    ),
    SeedFigure(
        "family_relationships_improved",
        40,
        None,
        None,
        "40 stated that their family relationships had improved overall",
        PREVENTION,
    ),
    SeedFigure(
        "children_off_cp_register",
        4,
        None,
        None,
        "4 children were removed from the child protection register following engagement with "
        "Ruby as the levels of safety for them had improved.",
        PREVENTION,
    ),
    SeedFigure(
        "reduced_self_harm",
        18,
        None,
        None,
        "18 women reported a reduced level of self-harm.",
        PREVENTION,
    ),
    SeedFigure(
        "tau_markers",
        84,
        None,
        None,
        "Ruby helped to secure 84 TAU (treat as urgent) markers on properties to ensure prompt "
        "police response in the event of an incident at that location.",
        PROVISION,
    ),
    SeedFigure(
        "moved_to_safe_accommodation",
        55,
        None,
        None,
        "55 women were helped to move from unsafe to safe accommodation.",
        PROVISION,
    ),
    SeedFigure(
        "panic_alarms", 11, None, None, "11 women were provided with panic alarms.", PROVISION
    ),
    SeedFigure(
        "protective_order",
        43,
        None,
        None,
        "43 of the women were supported to secure a non-molestation order or restraining order "
        "against the perpetrator.",
        PROVISION,
    ),
    SeedFigure(
        "health_wellbeing_improved",
        None,
        88,
        189,
        "189 women had a need relating to their Health and Wellbeing - 88% reported a positive "
        "improvement following engagement with Ruby.",
        PROVISION,
    ),
    SeedFigure(
        "health_wellbeing_improved",
        166,
        None,
        None,
        "166 women reported positive progress in relation to health and wellbeing",
        PROVISION,
    ),
    SeedFigure(
        "life_skills_workshop", 17, None, None, "17 attended Life Skills workshop.", PROVISION
    ),
    SeedFigure(
        "accommodation_made_secure",
        53,
        None,
        None,
        "53 of the women's accommodation was made secure for them.",
        PROVISION,
    ),
    SeedFigure("counselling", 34, None, None, "34 attending counselling.", PROVISION),
    SeedFigure(
        "emotional_support", 158, None, None, "158 receiving ongoing emotional support.", PROVISION
    ),
    SeedFigure(
        "called_police",
        268,
        None,
        None,
        "268 women called the Police as a result of the abuse.",
        PROSECUTION,
    ),
    SeedFigure(
        "supported_to_report",
        51,
        None,
        None,
        "51 were supported by their key worker to report incidents to the police.",
        PROSECUTION,
    ),
    SeedFigure(
        "advised_civil_options",
        47,
        None,
        None,
        "47 were advised on their civil options against the perpetrator.",
        PROSECUTION,
    ),
    SeedFigure(
        "advised_cjs_processes",
        58,
        None,
        None,
        "58 were advised on the processes followed by the Criminal Justice System",
        PROSECUTION,
    ),
    SeedFigure(
        "police_dealt_with",
        156,
        None,
        None,
        "The police went on to deal with 156 of the cases reported to them.",
        PROSECUTION,
    ),
    SeedFigure(
        "perpetrator_charged",
        79,
        None,
        None,
        "79 of the perpetrators were charged with an offence.",
        PROSECUTION,
    ),
    # No count: "A number were remanded on bail or custody."
    SeedFigure(
        "perpetrator_remanded",
        None,
        None,
        None,
        "A number were remanded on bail or custody.",
        PROSECUTION,
    ),
    SeedFigure(
        "perpetrator_sentenced",
        47,
        None,
        None,
        "47 were sentenced following prosecution.",
        PROSECUTION,
    ),
)
# Speaking events and the realisation that "what they were experiencing was in fact abuse" are
# listed without counts. Promotion also cites "a Liverpool Echo article achieving readership of
# approx. 165,000 people" (a media reach figure, not a client count).


# ---------------------------------------------------------------------------------------------
# The four Ps (Section 7)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FourP:
    """One "Increasing Safety through ..." page.

    inputs: the agencies named in the page's "Inputs from ..." box. outputs / outcomes: keys
    into OUTPUTS / OUTCOMES for everything the page counts. The output/outcome split is
    Lantern's (activity vs result): the report's own columns ("Outputs and Achievements",
    "Outcome and Value Added", "Stakeholder") put the Freedom programme and Life Skills
    workshop under "Outcome and Value Added" and counselling / emotional support under
    "Stakeholder". stakeholder: the "Stakeholder" column, verbatim.
    """

    key: str
    label: str
    heading: str
    aim: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    outcomes: tuple[str, ...]
    stakeholder: tuple[str, ...]


# "the main goal which underpins everything we do is increasing safety ... the different
# methods to achieve the outcome are the four 'P's - promotion, prevention, provision and
# prosecution." The list on that page also names two pilot areas (OUTCOME_AREAS below).
FOUR_PS = (
    FourP(
        key="promotion",
        label="Promotion",
        heading="Increasing Safety through Promotion",
        aim=(
            "A large part of what the Ruby team are doing is raising awareness of the issue of "
            "domestic violence, both to the frontline medical practitioners and also to women "
            "who may potentially be experiencing domestic abuse, but aren't aware of it."
        ),
        inputs=("Health", "PSS", "Police"),
        outputs=("practitioners_trained", "speaking_events"),
        outcomes=("increased_risk_awareness", "realised_was_abuse"),
        stakeholder=(
            "Greater awareness means staff can take more holistic view of clients in hospital "
            "and make appropriate referrals - resulting in 381 referrals in total.",
            "By promoting the service, this increases the likelihood of the women receiving "
            "support and reducing the pressure on primary care - both in hospitals and GPs as "
            "well as the costs of anti-depressants and treatment.",
            "PR Value for PSS based on promotion of the service at speaking events and in the "
            "media.",
            "Increased profile within the MARAC and positive partnership building.",
            "Opportunity to expand and grow the service as we further demonstrate the need and "
            "effectiveness of the response - already expanded to Aintree.",
            "Increasing reporting of domestic abuse to the police through promotion of the issue.",
            "Provides support to the victims alongside police to encourage reporting and "
            "prosecution.",
        ),
    ),
    FourP(
        key="prevention",
        label="Prevention",
        heading="Increasing Safety through Prevention",
        aim=(
            "Prevention is the main way in which Ruby works with women at risk of domestic "
            "violence, enabling them to plan and make the best choices to keep them and their "
            "children safe."
        ),
        inputs=("Children", "Health", "Criminal Justice"),
        outputs=(
            "positively_engaged",
            "safety_plans",
            "safety_plan_reviews",
            "signposting_referrals",
            "freedom_programme",
        ),
        outcomes=(
            "felt_safer",
            "children_positive_progress",
            "improved_parenting",
            "family_relationships_improved",
            "children_off_cp_register",
            "reduced_self_harm",
        ),
        stakeholder=(
            "27 of the women stated that the support they received had improved their "
            "parenting skills and 40 stated that their family relationships had improved "
            "overall; this is a result of their increased feeling of safety and security.",
            "4 children were removed from the child protection register following engagement "
            "with Ruby as the levels of safety for them had improved.",
            "18 women reported a reduced level of self-harm. According to a NICE report on the "
            "costs of self-harm to the NHS, the cost of someone attending A&E is £110, while "
            "ambulance call-outs cost on average £246 each; cost savings which are realised as a "
            "result of this reduction.",
            "£1.7bn is spent on healthcare as a result of domestic violence. This includes "
            "prescriptions, treatment, travel and lost wages and mental health.",
            "Prevention of incidents resulting in the need for healthcare will reduce this figure.",
            "£1.26bn is spent on the criminal justice system as a response to domestic "
            "violence, across police activity, CPS, court costs and legal aid. Just over £1bn "
            "of this is related to violence against women.",
            "A reduction in incidents through prevention will reduce the costs of police call "
            "outs and subsequent activity from the criminal justice system.",
        ),
    ),
    FourP(
        key="provision",
        label="Provision",
        heading="Increasing Safety through Provision",
        aim=(
            "As much as emotional support is one of the primary needs identified, often it is "
            "practical support that is needed to help keep women and their children safe."
        ),
        inputs=("Housing", "Clients"),
        outputs=(
            "tau_markers",
            "moved_to_safe_accommodation",
            "panic_alarms",
            "life_skills_workshop",
            "counselling",
            "emotional_support",
        ),
        outcomes=("protective_order", "health_wellbeing_improved", "accommodation_made_secure"),
        stakeholder=(
            "53 of the women's accommodation was made secure for them.",
            "43 were supported to have a non-molestation order put in place, meaning that the "
            "perpetrator was unable to target the women at home.",
            "166 women reported positive progress in relation to health and wellbeing, as a "
            "result of the following.",
            "34 attending counselling.",
            "158 receiving ongoing emotional support.",
        ),
    ),
    FourP(
        key="prosecution",
        label="Prosecution",
        heading="Increasing Safety through Prosecution",
        aim=(
            "Whilst Ruby staff don't require women to prosecute, they have built positive "
            "relationships with the police and can support the women not just by helping them "
            "to report abuse, but by providing ongoing support throughout the proceedings, as "
            "well as making the best use of tools available from the police such as alerts on "
            "properties and restraining orders."
        ),
        inputs=("Police", "Health", "Clients"),
        outputs=(
            "called_police",
            "supported_to_report",
            "advised_civil_options",
            "advised_cjs_processes",
        ),
        outcomes=(
            "police_dealt_with",
            "perpetrator_charged",
            "perpetrator_remanded",
            "perpetrator_sentenced",
        ),
        stakeholder=(
            "Police are better able to prosecute offenders, where the victim is being supported "
            "through the process and less afraid to retract statements.",
            "Ending the cycle of violence within the relationship will improve health and "
            "wellbeing and reduce the number of hospital incidents.",
            "79 of the women we worked with ensured their perpetrators were charged and 47 of "
            "those have been sentenced with the support of the Ruby project, increasing the "
            "women's safety.",
        ),
    ),
)

OUTCOME_AREAS = (
    ("promotion", "Increasing Safety through Promotion"),
    ("prevention", "Increasing Safety through Prevention"),
    ("provision", "Increasing Safety through Provision"),
    ("prosecution", "Increasing Safety through Prosecution"),
    ("substance_misuse", "Increasing Safety by reducing substance misuse (Addaction pilot)"),
    ("mental_health", "Increasing Safety by improving mental health (Mental Health pilot)"),
)

# Mersey Care pilot, Section 9 "Desired outcomes" (no results yet in the report).
MENTAL_HEALTH_DESIRED_OUTCOMES = (
    ("safety_risk", "Increased safety and reduction in risk for clients"),
    ("quality_of_life", "Improved quality of life for clients"),
    ("staff_skills", "Improved awareness and skills of Mersey Care staff"),
)


# ---------------------------------------------------------------------------------------------
# Negative outcomes (Section 7)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomePair:
    key: str
    positive: str
    potential_negative: str


# "Positive Outcome / Potential Negative Outcome" table, "Outcomes we want to achieve...".
POSITIVE_NEGATIVE_PAIRS = (
    OutcomePair(
        "leaves_home",
        "Woman leaves home and is no longer subject to violence.",
        "Woman is housed in temporary accommodation, displaced from support networks, new "
        "housing has to be found.",
    ),
    OutcomePair(
        "perpetrator_removed",
        "Woman prosecutes perpetrator who is removed from family home.",
        "Potential economic impact on woman without additional financial support to maintain "
        "household.",
    ),
    OutcomePair(
        "restraining_order_children",
        "Woman prosecutes perpetrator who is subject to restraining order and unable to see "
        "children.",
        "Negative attachments with children, overall family breakdown, long-term impact on "
        "children's emotional wellbeing (especially where they have witnessed or experienced "
        "violence themselves).",
    ),
    OutcomePair(
        "perpetrator_imprisoned",
        "Perpetrator is imprisoned.",
        "Children will become 'prisoner's children' where there is a longer term emotional impact.",
    ),
    OutcomePair(
        "safety_techniques",
        "Woman uses techniques to stay safe immediately when an incident occurs.",
        "Perpetrator is unable to behave violently immediately, and potential for violence may "
        "escalate / they may become aware of techniques used.",
    ),
    OutcomePair(
        "leaves_without_prosecuting",
        "Woman leaves perpetrator and is no longer a victim of domestic violence and doesn't "
        "prosecute.",
        "Perpetrator moves into new relationship and subjects another woman to domestic "
        "violence continuing the cycle.",
    ),
)

# "Other outcomes...": "The following 'negative' exits were also captured."
NEGATIVE_OUTCOMES = (
    ("declined_support", "Declined support"),
    ("safety_decreased", "Felt their safety had decreased"),
    ("risk_not_reduced", "Limited or no reduction in the risk to them"),
    ("police_nfa", "Reported to the police - no further action taken"),
    ("charged_not_sentenced", "Charged but not sentenced"),
    ("resumed_relationship", "Resumed the relationship with the perpetrator"),
    ("ae_further_abuse", "Attended A&E as a result of further abuse"),
)
OTHER = "Section 7: Other outcomes..."
SEED_NEGATIVE_FIGURES = (
    SeedFigure("declined_support", 19, None, None, "19 women declined support.", OTHER),
    SeedFigure(
        "safety_decreased", 2, None, None, "2 women felt their safety had decreased.", OTHER
    ),
    SeedFigure(
        "risk_not_reduced",
        28,
        None,
        None,
        "28 women said there had been limited or no reduction in the risk to them.",
        OTHER,
    ),
    SeedFigure(
        "police_nfa",
        77,
        None,
        None,
        "of cases that were reported to the police - 77 had no further action taken",
        OTHER,
    ),
    SeedFigure(
        "charged_not_sentenced",
        32,
        None,
        79,
        "32 of the 79 who were charged were not sentenced.",
        OTHER,
    ),
    # The last two have no count in the report.
    SeedFigure(
        "resumed_relationship",
        None,
        None,
        None,
        "a small number of the women had resumed the relationship with the perpetrator",
        OTHER,
    ),
    SeedFigure(
        "ae_further_abuse",
        None,
        None,
        None,
        "some had attended A&E as a result of further abuse.",
        OTHER,
    ),
)
# Addaction pilot negatives (Section 8): "Only 9% of the clients disengaged from support for
# domestic abuse." and "28% stayed with their partners and have continued the abusive
# relationship." (see SEED_ADDACTION_FIGURES).


# ---------------------------------------------------------------------------------------------
# Economic value (Section 11, plus two unit costs quoted under Prevention)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitCost:
    key: str
    label: str
    pence: int
    unit: str
    source: str  # as the report cites it (footnote text)
    price_year: str | None  # None: the report states no price year for this figure


CAADA_SOURCE = "CAADA: DV MARAC Implementation Guide p6"  # footnote 17
NICE_SOURCE = (
    "NICE report on the costs of self-harm to the NHS "
    "(www.nice.org.uk/guidance/cg133/resources/costing-report-184853629)"
)  # footnote 7

# The "Cost per contact (£)" column of CAADA's table of the costs of a 'high risk' victim in
# contact with the MARAC, in row order, then the two NICE figures. No price year is given for
# any of them. The column header says "per contact"; for the refuge row the contacts are
# nights ("Stay in refuge (number of nights)").
UNIT_COSTS = (
    UnitCost("police_callout", "Police callouts", 9000, "per contact", CAADA_SOURCE, None),
    UnitCost("gp_visit", "GP visits", 4800, "per contact", CAADA_SOURCE, None),
    UnitCost(
        "antidepressants",
        "Anti-depressants prescribed",
        5300,
        "per contact",
        CAADA_SOURCE,
        None,
    ),
    UnitCost(
        "ae_minor_wounding",
        "A&E attendances for minor wounding",
        6500,
        "per contact",
        CAADA_SOURCE,
        None,
    ),
    UnitCost(
        "ae_serious_wounding",
        "A&E attendances for serious wounding",
        270000,
        "per contact",
        CAADA_SOURCE,
        None,
    ),
    UnitCost(
        "refuge_night",
        "Stay in refuge (number of nights)",
        5000,
        "per contact",
        CAADA_SOURCE,
        None,
    ),
    UnitCost(
        "police_s18_prosecution",
        "Police involvement with s18 prosecution",
        235900,
        "per contact",
        CAADA_SOURCE,
        None,
    ),
    UnitCost(
        "cjs_prosecution",
        "CJS costs of prosecution",
        417000,
        "per contact",
        CAADA_SOURCE,
        None,
    ),
    UnitCost("ae_attendance", "A&E attendance", 11000, "per attendance", NICE_SOURCE, None),
    UnitCost(
        "ambulance_callout",
        "Ambulance call-out",
        24600,
        "per call-out (average)",
        NICE_SOURCE,
        None,
    ),
)


@dataclass(frozen=True)
class ValueExampleRow:
    key: str  # key into UNIT_COSTS
    contacts: int  # "No of Contacts / Cases"
    total_pence: int  # "Total Cost (£)"


# The same CAADA table's counts and totals: one 'high risk' victim, "just over £14,000".
SEED_VALUE_EXAMPLE = (
    ValueExampleRow("police_callout", 6, 54000),
    ValueExampleRow("gp_visit", 8, 38400),
    ValueExampleRow("antidepressants", 6, 31800),
    ValueExampleRow("ae_minor_wounding", 4, 26000),
    ValueExampleRow("ae_serious_wounding", 2, 540000),
    ValueExampleRow("refuge_night", 12, 60000),
    ValueExampleRow("police_s18_prosecution", 1, 235900),
    ValueExampleRow("cjs_prosecution", 1, 417000),
)
SEED_VALUE_EXAMPLE_TOTAL_PENCE = 1403100  # "Total: 14,031"
SEED_VALUE_EXAMPLE_SOURCE = CAADA_SOURCE


@dataclass(frozen=True)
class CostBreakdownRow:
    key: str
    label: str
    pence: int


# "The overall costs of domestic violence have been estimated as just over £20bn per year in
# England and Wales ... The table below shows how this is broken down." Cited as footnote 16:
# "Hard Knock Life, Violence against women, New Philanthropy Central (2008) p116". Values are
# matched to labels in printed order (the text extraction lists the labels, then the values).
# The items sum to £18,592,771,251, £1 short of the first printed total; only the second
# total carries a price year.
DV_COST_BREAKDOWN_SOURCE = (
    "Hard Knock Life, Violence against women, New Philanthropy Central (2008) p116"
)
DV_COST_BREAKDOWN = (
    CostBreakdownRow("human_emotional", "Human and Emotional", 1387726528000),
    CostBreakdownRow("lost_economic_output", "Lost Economic Output", 211911516000),
    CostBreakdownRow("civil_legal", "Civil legal costs", 22997847100),
    CostBreakdownRow("housing", "Housing costs", 15786000000),
    CostBreakdownRow("social_services_children", "Social Services and children", 22800000000),
    CostBreakdownRow("mental_health", "Mental Health", 17600000000),
    CostBreakdownRow("physical_health", "Physical Health", 92016834000),
    CostBreakdownRow("criminal_justice", "Criminal Justice", 88438400000),
)
DV_COST_BREAKDOWN_TOTAL_PENCE = 1859277125200  # "Total: £18,592,771,252"
DV_COST_BREAKDOWN_TOTAL_2006_07_PENCE = 2006160018000  # "Total: (2006/07 prices) ..."


@dataclass(frozen=True)
class ValueClaim:
    key: str
    quote: str
    source: str  # the report's footnote text


# Headline value statements in the report, with the sources it cites. Not unit costs.
VALUE_CLAIMS = (
    ValueClaim(
        "hospital_cost_reduction",
        "following intervention from a hospital-based domestic violence service - a 41% "
        "reduction in hospital costs was identified equating to a saving of £2050 per client "
        "was realised (although not all officially attributed to the intervention)",
        "A Cry for Health: Why we must invest in domestic abuse services in hospitals, "
        "SafeLives, 2016",
    ),
    ValueClaim(
        "high_risk_victim_cost",
        "calculated the costs of a 'high risk' victim in contact with the MARAC to be just over "
        "£14,000",
        CAADA_SOURCE,
    ),
    ValueClaim(
        "healthcare_spend",
        "£1.7bn is spent on healthcare as a result of domestic violence. This includes "
        "prescriptions, treatment, travel and lost wages and mental health",
        # Sic: the report spells Walby as "Welby".
        "Welby, S; The Cost of Domestic violence, 2004 (Update 2009) Women and Equality Unit (DTI)",
    ),
    ValueClaim(
        "cjs_spend",
        "£1.26bn is spent on the criminal justice system as a response to domestic violence, "
        "across police activity, CPS, court costs and legal aid. Just over £1bn of this is "
        "related to violence against women.",
        "Welby, S; The Cost of Domestic violence, 2004 (Update 2009) Women and Equality Unit (DTI)",
    ),
    ValueClaim(
        "marac_return",
        "For every £1 spent on MARACs, at least £6 of public money can be saved annually "
        "on direct costs to agencies such as the police and health services. This would save "
        "£740m to the public purse",
        "Saving Lives, Saving Money. CAADA, 2010",
    ),
    ValueClaim(
        "marac_idva_no_further_violence",
        "following intervention by a MARAC and an Independent Domestic Violence Advisor* (IDVA) "
        "service, up to 60% of domestic abuse victims report no further violence",
        "Saving Lives, Saving Money. CAADA, 2010, p.3",
    ),
    ValueClaim(
        "dv_total_cost",
        "The overall costs of domestic violence have been estimated as just over £20bn per "
        "year in England and Wales which includes direct costs as well as the human and "
        "emotional costs of violence",
        DV_COST_BREAKDOWN_SOURCE,
    ),
)


# ---------------------------------------------------------------------------------------------
# Addaction pilot (Section 8)
# ---------------------------------------------------------------------------------------------

ADDACTION_OUTPUTS = (
    ("clients_referred", "Clients referred"),
    (
        "client_contacts",
        "Contacts with clients with initial assessments and plans completed and handed over to "
        "case managers",
    ),
    (
        "dip_engaged_self_evaluation",
        "Referred by the DIP Team, engaged and completed self-evaluation",
    ),
    ("staff_contacts", "Face-to-face and telephone contacts with Addaction staff"),
    ("staff_trained", "Addaction staff completed domestic abuse training"),
    ("marac_referrals", "Referrals to MARAC"),
    ("repeat_marac_referrals", "Repeat referrals to MARAC"),
)
ADDACTION_OUTCOMES = (
    ("engaged_dip", "Engaged with drug intervention programme"),
    ("long_term_support", "Received long-term support from either the DAW or the DA lead"),
    (
        "engaged_case_manager",
        "Engaged with their Addaction case manager and received domestic abuse support "
        "alongside substance misuse support",
    ),
    ("disengaged", "Disengaged from support for domestic abuse"),
    ("risk_reduced", "Showed a reduction in risk"),
    ("ended_relationship", "Ended their relationship with their abusive partner"),
    (
        "stayed_with_partner",
        "Stayed with their partners and have continued the abusive relationship",
    ),
)
S8 = "Section 8: Spotlight on Addaction and the Domestic Abuse Worker"
SEED_ADDACTION_FIGURES = (
    SeedFigure("clients_referred", 49, None, None, "49 clients were referred in total.", S8),
    SeedFigure(
        "client_contacts",
        67,
        None,
        None,
        "There were 67 contacts with clients with initial assessments and plans completed and "
        "handed over to case managers.",
        S8,
    ),
    SeedFigure(
        "dip_engaged_self_evaluation",
        31,
        None,
        None,
        "31 clients referred by the DIP Team engaged with Addaction over the period of 6 weeks "
        "and completed self-evaluation.",
        S8,
    ),
    SeedFigure(
        "staff_contacts",
        98,
        None,
        None,
        "The Domestic Abuse Worker had 98 face-to-face and telephone contacts with Addaction "
        "staff providing advice and support.",
        S8,
    ),
    SeedFigure(
        "staff_trained",
        90,
        None,
        None,
        "90 members of Addaction staff completed domestic abuse training between October 2015 "
        "to March 2016.",
        S8,
    ),
    SeedFigure(
        "marac_referrals",
        14,
        None,
        None,
        "There was a 600% increase in the referrals to MARAC from 2 to 14.",
        S8,
    ),
    SeedFigure(
        "repeat_marac_referrals",
        0,
        None,
        None,
        "Positively there were no repeat referrals to MARAC.",
        S8,
    ),
    SeedFigure("engaged_dip", None, 91, 49, "91% engaged with drug intervention programme.", S8),
    SeedFigure(
        "long_term_support",
        None,
        31,
        49,
        "31% received long-term support from either the DAW or the DA lead.",
        S8,
    ),
    SeedFigure(
        "engaged_case_manager",
        None,
        55,
        49,
        "55% engaged with their Addaction case manager and received domestic abuse support "
        "alongside substance misuse support.",
        S8,
    ),
    SeedFigure(
        "disengaged",
        None,
        9,
        49,
        "Only 9% of the clients disengaged from support for domestic abuse.",
        S8,
    ),
    SeedFigure("risk_reduced", None, 72, 31, "72% showed a reduction in risk.", S8),
    SeedFigure(
        "ended_relationship",
        None,
        72,
        31,
        "These 72% ended their relationship with their abusive partner and continued to receive "
        "support from Addaction.",
        S8,
    ),
    SeedFigure(
        "stayed_with_partner",
        None,
        28,
        31,
        "28% stayed with their partners and have continued the abusive relationship.",
        S8,
    ),
)


# ---------------------------------------------------------------------------------------------
# Report sections: the model for Lantern's quarterly impact PDF
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportSection:
    number: int
    key: str
    heading: str
    shows: str  # Lantern's one-line summary of what the section shows
    pages: str | None  # only where the report states its own page numbers


REPORT_SECTIONS = (
    ReportSection(
        1,
        "what_is_sir",
        "What is Social Impact Reporting?",
        "Why the provider measures impact (quality, and the Public Services (Social Value) Act "
        "2012).",
        None,
    ),
    ReportSection(
        2,
        "who_we_are",
        "Who We Are",
        "The services covered (Ruby hospital service, Addaction and Mersey Care pilots), "
        "history, sites and the MeRIT bronze/silver/gold model.",
        None,
    ),
    ReportSection(
        3,
        "looking_to_achieve",
        "What we are looking to achieve",
        "National and local context statistics with cited sources, and the service's aims.",
        None,
    ),
    ReportSection(
        4,
        "why_important",
        "Why the Ruby Service is so important",
        "The case for the service model (hospital-based Idvas) and its specific benefits.",
        None,
    ),
    ReportSection(
        5,
        "who_we_work_with",
        "Who we work with",
        "Referral count and period; ethnicity, age bands, area; children and pregnancy; abuse "
        "types reported; needs identified.",
        None,
    ),
    ReportSection(
        6,
        "client_journey",
        "What our clients' journey is like in Ruby",
        "The client journey diagram: referral, engagement or not (3a/3b), assessment and "
        "safety plan, support, outcomes, with disengagement possible at any stage.",
        None,
    ),
    ReportSection(
        7,
        "achieved",
        "What we have achieved",
        "Headline outputs; the outcomes framework (four Ps) and positive/negative trade-offs; "
        "one page per P with inputs, outputs, outcomes and stakeholder value; case stories; "
        "'Other outcomes...' listing negative exits.",
        "14 (Provision page)",
    ),
    ReportSection(
        8,
        "addaction",
        "Spotlight on Addaction and the Domestic Abuse Worker",
        "The co-located substance-misuse DAW pilot: pathway, outputs, outcomes, a case story "
        "and lessons learned.",
        "18-19 (per Section 2); outcomes 'page 20'; Helen's Story 21",
    ),
    ReportSection(
        9,
        "mental_health",
        "Spotlight on Mental Health with Mersey Care",
        "The mental-health DAW pilot: need, DAW role, pathway, desired outputs and outcomes.",
        "22-24 (per Section 2)",
    ),
    ReportSection(
        10,
        "clients_say",
        "What our clients say about us?",
        "Quotations from clients and from partner staff.",
        None,
    ),
    ReportSection(
        11,
        "economic_impact",
        "What our economic and social impact is...",
        "Cost of domestic violence by type, CAADA cost of a high-risk victim (unit costs x "
        "contacts), and cited savings.",
        None,
    ),
)

# Case stories placed within Sections 7 and 8, in order (named, one-page narratives):
CASE_STORIES = (
    ("elaine", "Elaine's Story", 7),
    ("caroline", "Caroline's Story", 7),
    ("paulette", "Paulette's Story", 7),
    ("victoria", "Victoria's Story", 7),
    ("helen", "Helen's Story", 8),
)


# ---------------------------------------------------------------------------------------------
# Who we work with (Section 5): categories that differ from Insights
# ---------------------------------------------------------------------------------------------

# Ethnicity: four broad groups only (Insights uses the ONS 18+ categories plus Mixed).
RUBY_ETHNICITY = (
    ("white", "White & White British"),
    ("asian", "Asian & Asian British"),
    ("black", "Black & Black British"),
    ("other", "Other ethnicity"),
)
SEED_RUBY_ETHNICITY_PERCENT = (("white", 95.0), ("asian", 0.5), ("black", 4.0), ("other", 0.5))

# Age bands as (min, max or None, label). Same cut points as Insights but with no "<18" band.
RUBY_AGE_BANDS = (
    (18, 20, "18-20 years"),
    (21, 30, "21-30 years"),
    (31, 40, "31-40 years"),
    (41, 50, "41-50 years"),
    (51, 60, "51-60 years"),
    (61, None, "61+ years"),
)
# The report prints six age percentages (23%, 6.5%, 3%, 9.5%, 31%, 27%; they sum to 100) but
# the text extraction of the chart does not show which band each belongs to, so none are
# recorded against a band here.

RUBY_AREAS = (("north_liverpool", "North Liverpool"), ("south_liverpool", "South Liverpool"))
SEED_RUBY_AREA_REFERRALS = (("north_liverpool", 261), ("south_liverpool", 120))

SEED_RUBY_HOUSEHOLD = (
    SeedFigure(
        "women_with_children", 134, None, 381, "134 of the 381 women had children.", "Section 5"
    ),
    SeedFigure(
        "children", 250, None, None, "The 134 women had 250 children in total.", "Section 5"
    ),
    SeedFigure("pregnant", 14, None, 381, "14 of the 381 women were pregnant.", "Section 5"),
)

# "The types of abuse the women we work with have reported (women may report more than one
# type)". Eight types; Insights has four (physical, sexual, harassment and stalking, jealous
# and controlling) plus forced marriage, 'honour'-based violence/abuse and FGM. Counts as
# printed (Physical 411 exceeds the 381 referrals: the report does not explain this).
RUBY_ABUSE_TYPES = (
    ("physical", "Physical"),
    ("sexual", "Sexual"),
    ("jealous_controlling", "Jealous / Controlling"),
    ("emotional", "Emotional"),
    ("harassment_stalking", "Harassment / Stalking"),
    ("verbal", "Verbal"),
    ("psychological", "Psychological"),
    ("financial", "Financial"),
)
SEED_RUBY_ABUSE_TYPE_COUNTS = (
    ("physical", 411),
    ("sexual", 57),
    ("jealous_controlling", 218),
    ("emotional", 375),
    ("harassment_stalking", 110),
    ("verbal", 285),
    ("psychological", 228),
    ("financial", 108),
)

# "The following needs were identified for the women engaging with Ruby". The counts sum to
# 422, the Section 7 total. Compared with the Insights intake needs list, these add criminal
# court support, victim as a defendant, emotional support, counselling and sex work, split
# drugs from alcohol, and have no housing/immigration/social-support split.
RUBY_NEEDS = (
    ("children_families", "Children and Families"),
    ("criminal_court_support", "Criminal court support"),
    ("victim_as_defendant", "Victim as a Defendant"),
    ("mental_health", "Mental Health"),
    ("emotional_support", "Emotional Support"),
    ("physical_health", "Physical Health"),
    ("accommodation", "Accommodation"),
    ("skills_employment", "Skills and employment"),
    ("drugs", "Drugs"),
    ("alcohol", "Alcohol"),
    ("financial", "Financial"),
    ("counselling", "Counselling"),
    ("sex_work", "Sex Work"),
)
SEED_RUBY_NEED_COUNTS = (
    ("children_families", 49),
    ("criminal_court_support", 68),
    ("victim_as_defendant", 8),
    ("mental_health", 44),
    ("emotional_support", 111),
    ("physical_health", 13),
    ("accommodation", 51),
    ("skills_employment", 3),
    ("drugs", 9),
    ("alcohol", 30),
    ("financial", 10),
    ("counselling", 24),
    ("sex_work", 2),
)

# Referral routes the report names (Sections 6, 8, 9), for Lantern's configurable list.
REFERRAL_ROUTES = (
    ("hospital_safeguarding", "Hospital safeguarding teams"),
    ("dip_alcohol_treatment", "Drug Intervention Programme (DIP)/Alcohol Treatment team"),
    ("idva_isva", "IDVA/ISVA"),
    ("mersey_care", "Mersey Care NHS Trust"),
    ("cmht", "Community Mental Health Team"),
    ("specialist_dv_agencies", "Specialist domestic violence agencies"),
)
