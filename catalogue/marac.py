"""Partnership and MARAC catalogue transcribed from seed 004 (St Helens DA Strategy 2020-2022).

Source: St Helens Council, *Domestic Abuse Strategy 2020 - 2022*
(/work/shared/seeds/004_abb79874ec5311d9.txt). The plain-text copy has no page numbers, so
lists are cited by the strategy's headings:

- MARAC_MEASURES, SEED_FIGURES: "What do we know about domestic abuse in St Helens?" (the
  bullet list and "Data from the St Helens Multi Agency Risk Assessment Conference (MARAC) April
  to October 2019"), "Recognising and responding to Coercive Control", "Safeguarding
  Children", "Meeting the needs of Specific Groups", "Elder Abuse" (actions) and "Perpetrators"
  (actions).
- DOMESTIC_ABUSE_DEFINITION, ABUSE_FORMS: "What is domestic abuse?".
- PARTNERSHIP_GROUPS, PERPETRATOR_GROUPS: "Child to Parent Abuse", "Older People & Domestic
  Abuse", "Vulnerable Adults and Domestic Abuse", "Elder Abuse", "Meeting the needs of
  Specific Groups", "Perpetrators", and the Action Plan tables of the same names.
- REPEAT_MARAC_DEFINITION: NOT in the strategy (nor in seeds 000/001); paraphrased from
  SafeLives, see the comment there.
- AGENCIES: partner agencies named across seeds 000 (PSS Social Impact Report), 001 (CAADA
  Safety in Numbers) and 004, de-duplicated; PROGRAMMES, SCHEMES and GOVERNANCE_BODIES
  likewise.

Typographic quotes and dashes are normalised to ASCII; every number is copied, never derived.
"""

from dataclasses import dataclass

SOURCE = "St Helens Council, Domestic Abuse Strategy 2020 - 2022"
SEED_FILE = "004_abb79874ec5311d9.txt"


# ---------------------------------------------------------------------------------------------
# What the partnership counts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A count the partnership reports.

    scope: what is counted ("marac" cases heard; "idva_referrals"; "police_incidents";
    "refuge"; "crime"; "child_protection"). definition: Lantern's counting rule.
    strategy_wording: how the strategy words it (verbatim), or "" if the strategy names the
    measure only as an action with no data.
    """

    key: str
    label: str
    scope: str
    definition: str
    strategy_wording: str


MARAC_MEASURES = (
    Measure(
        "cases_heard",
        "Cases heard at MARAC",
        "marac",
        "Cases heard at a MARAC meeting in the period (one case = one victim and perpetrator(s) "
        "heard at one meeting).",
        "cases were heard at MARAC",
    ),
    Measure(
        "repeat_cases",
        "Repeat cases",
        "marac",
        "Cases heard in the period that are repeat MARAC cases (REPEAT_MARAC_DEFINITION); "
        "reported as a count and as % of cases heard.",
        "of which 46% were repeat cases",
    ),
    Measure(
        "coercive_control",
        "Coercive Control",
        "marac",
        "Cases heard in the period involving coercive control; % of cases heard.",
        "cases involved Coercive Control",
    ),
    Measure(
        "children_in_households",
        "Children in households",
        "marac",
        "Number of children in the households of the cases heard in the period (a count of "
        "children, not of cases).",
        "children were part of the households reviewed",
    ),
    Measure(
        "pregnancy",
        "Pregnancy",
        "marac",
        "Cases heard in the period with pregnancy as a factor.",
        "cases involved the factor of pregnancy",
    ),
    Measure(
        "alcohol",
        "Alcohol",
        "marac",
        "Cases heard in the period with alcohol as a factor; % of cases heard.",
        "cases involved alcohol as a factor",
    ),
    Measure(
        "drugs",
        "Drugs",
        "marac",
        "Cases heard in the period with drugs as a factor; % of cases heard.",
        "involved drugs",
    ),
    Measure(
        "mental_health",
        "Mental health",
        "marac",
        "Cases heard in the period with mental health as a recorded factor; % of cases heard.",
        "had mental health as a recorded factor",
    ),
    Measure(
        "disability",
        "Disability",
        "marac",
        "Cases heard in the period with disability as a recorded factor; % of cases heard.",
        "had disability as a recorded factor",
    ),
    Measure(
        "victim_over_65",
        "Victim aged over 65",
        "marac",
        "Cases presented to MARAC where the victim is aged over 65 (to be reviewed and reported "
        "to the Safeguarding Adults Board).",
        "Review of cases that have been presented to MARAC where the victim is aged over 65",
    ),
    Measure(
        "perpetrator_data",
        "MARAC data on perpetrators",
        "marac",
        "Perpetrator characteristics of MARAC cases, for analysis (the strategy gives no field "
        "list).",
        "Improve and analysis the MARAC data on perpetrators to inform future service responses",
    ),
    # St Helens counts male victims and female perpetrators on IDVA referrals, not at MARAC.
    Measure(
        "idva_referrals",
        "IDVA referrals",
        "idva_referrals",
        "Referrals received by the IDVA service in the period.",
        "the IDVA has received 541 referrals",
    ),
    Measure(
        "male_victims",
        "Male victims",
        "idva_referrals",
        "IDVA referrals in the period where the victim is male.",
        "including 29 male victims",
    ),
    Measure(
        "female_perpetrators",
        "Female perpetrators",
        "idva_referrals",
        "IDVA referrals in the period that include a female perpetrator.",
        "27 referrals including female perpetrators",
    ),
    Measure(
        "refuge_adults",
        "Adults accommodated in the Refuge",
        "refuge",
        "Adults accommodated in the Refuge in the period (males counted within).",
        "57 adults (including 4 males) ... have been accommodated in the Refuge",
    ),
    Measure(
        "refuge_children",
        "Children accommodated in the Refuge",
        "refuge",
        "Children accommodated in the Refuge in the period.",
        "61 children have been accommodated in the Refuge",
    ),
    Measure(
        "nrpf_cases",
        "No Recourse to Public Funds cases",
        "refuge",
        "Cases with No Recourse to Public Funds in the period.",
        "Evidence from our Refuge service indicates that this is a growing issue in the borough "
        "- with 5 cases in 2019.",
    ),
    Measure(
        "police_da_incidents",
        "Domestic abuse incidents recorded by police",
        "police_incidents",
        "Domestic abuse incidents recorded by Merseyside Police in St Helens in the period.",
        "Merseyside Police recorded 2246 incidents of domestic abuse in St Helens",
    ),
    Measure(
        "apva_incidents",
        "Adolescent to Parent Violence & Abuse incidents",
        "police_incidents",
        "Incidents of adolescent-to-parent violence and abuse recorded by police in the period.",
        "Merseyside Police recorded 247 incidents of Adolescent to Parent Violence & Abuse in St "
        "Helens",
    ),
    Measure(
        "da_share_of_crime",
        "Domestic abuse as % of all recorded crime",
        "crime",
        "Domestic abuse crimes as a percentage of all crimes recorded in the area in the year.",
        "As a % of all crimes recorded in St Helens, domestic abuse accounts for 18.4% of all "
        "crimes recorded in 2018/19",
    ),
    Measure(
        "child_protection_da",
        "Domestic abuse in child protection cases",
        "child_protection",
        "Child protection cases in which domestic abuse is a feature, as % of all.",
        "Domestic abuse is a feature in 51 % of all child protection cases in St Helens.",
    ),
)


@dataclass(frozen=True)
class SeedFigure:
    key: str  # key into MARAC_MEASURES
    count: int | None
    percent: float | None
    period: str  # as the strategy states it
    quote: str


MARAC_PERIOD = "April to October 2019"
SIX_MONTHS_FROM_APRIL_2019 = "From April 2019, in a six-month period"

SEED_FIGURES = (
    SeedFigure(
        "cases_heard",
        421,
        None,
        MARAC_PERIOD,
        "421 cases were heard at MARAC, of which 46% were repeat cases",
    ),
    # No count of repeat cases is given, only the percentage.
    SeedFigure("repeat_cases", None, 46, MARAC_PERIOD, "of which 46% were repeat cases"),
    SeedFigure(
        "coercive_control",
        119,
        28,
        MARAC_PERIOD,
        "119 of these cases involved Coercive Control - 28% of all cases in this period",
    ),
    SeedFigure(
        "children_in_households",
        770,
        None,
        MARAC_PERIOD,
        "770 children were part of the households reviewed",
    ),
    SeedFigure("pregnancy", 24, None, MARAC_PERIOD, "24 cases involved the factor of pregnancy"),
    SeedFigure(
        "alcohol",
        224,
        53,
        MARAC_PERIOD,
        "224 cases involved alcohol as a factor (53%) and 148 (35%) involved drugs",
    ),
    SeedFigure(
        "drugs",
        148,
        35,
        MARAC_PERIOD,
        "224 cases involved alcohol as a factor (53%) and 148 (35%) involved drugs",
    ),
    SeedFigure(
        "mental_health",
        372,
        88,
        MARAC_PERIOD,
        "372 cases (88%) had mental health as a recorded factor",
    ),
    SeedFigure(
        "disability", 48, 11, MARAC_PERIOD, "48 cases (11%) had disability as a recorded factor"
    ),
    SeedFigure(
        "idva_referrals",
        541,
        None,
        SIX_MONTHS_FROM_APRIL_2019,
        "From April 2019, in a six-month period, the IDVA has received 541 referrals - including "
        "29 male victims and 27 referrals including female perpetrators",
    ),
    SeedFigure(
        "male_victims",
        29,
        None,
        SIX_MONTHS_FROM_APRIL_2019,
        "including 29 male victims",
    ),
    SeedFigure(
        "female_perpetrators",
        27,
        None,
        SIX_MONTHS_FROM_APRIL_2019,
        "27 referrals including female perpetrators",
    ),
    SeedFigure(
        "refuge_adults",
        57,
        None,
        "Since April 2019, in a six-month period",
        "57 adults (including 4 males) and 61 children have been accommodated in the Refuge.",
    ),
    SeedFigure(
        "refuge_children",
        61,
        None,
        "Since April 2019, in a six-month period",
        "57 adults (including 4 males) and 61 children have been accommodated in the Refuge.",
    ),
    SeedFigure("nrpf_cases", 5, None, "2019", "with 5 cases in 2019"),
    SeedFigure(
        "police_da_incidents",
        2246,
        None,
        "April - November 2019 (6 months)",
        "In the 6 months between April -November 2019, Merseyside Police recorded 2246 incidents "
        "of domestic abuse in St Helens",
    ),
    SeedFigure(
        "apva_incidents",
        247,
        None,
        "April - November 2019 (6 months)",
        "Merseyside Police recorded 247 incidents of Adolescent to Parent Violence & Abuse in St "
        "Helens in 6 months from April - November 2019",
    ),
    SeedFigure(
        "apva_incidents",
        190,
        None,
        "2018/19",
        "this is more than the whole year 18/19 (190 incidents)",
    ),
    SeedFigure(
        "da_share_of_crime",
        None,
        18.4,
        "2018/19",
        "domestic abuse accounts for 18.4% of all crimes recorded in 2018/19",
    ),
    SeedFigure(
        "da_share_of_crime",
        None,
        11.7,
        "2016/17",
        "a significant rise from 2016/17 when it accounted for 11.7% of all recorded crimes",
    ),
    SeedFigure(
        "child_protection_da",
        None,
        51,
        "not stated",
        "Domestic abuse is a feature in 51 % of all child protection cases in St Helens.",
    ),
)
# Other St Helens facts without a measure of their own: "Two of the five victims of Domestic
# Homicides since 2014 in St Helens are men"; two Domestic Homicide Reviews due to be published
# in 2019/20 after "a further three DHR's over recent years"; "the number of reported cases of
# HBV are low" (no figure); "the average length of time that abuse continues is 3 years"; the
# domestic abuse rate "has almost doubled since 2016/17" (per 1,000 population; the chart is an
# image with no numbers in the text). No figures are given for LGBT+, Gypsy/Traveller, elder
# abuse or child-to-parent abuse clients ("no specific collation of data is available on the
# issue of Child to Parent Abuse").


# ---------------------------------------------------------------------------------------------
# Repeat MARAC definition
# ---------------------------------------------------------------------------------------------

# The strategy reports "46% were repeat cases" but never defines a repeat; neither do seeds 000
# and 001 (seed 002, Insights, defines only a repeat *to the service*). The definition below is
# a paraphrase of SafeLives' published definition ("Definition of a 'repeat' at Marac",
# https://safelives.org.uk/definition-repeat-marac, and "Briefing for Maracs: repeat cases",
# https://safelives.org.uk/resources-library/briefing-for-maracs-repeat-cases/). It is not a
# quotation; check it against the current SafeLives wording before showing it to users. An
# older SafeLives/CAADA wording required the further incident to be one that "would constitute
# criminal behaviour" if reported (violence or threats, stalking or harassment, rape or sexual
# abuse); the current wording drops that test.
REPEAT_MARAC_DEFINITION = (
    "A repeat Marac case is any further instance of abuse between the same victim and "
    "perpetrator(s) within 12 months of the last referral to Marac. The act need not be "
    "criminal, violent or threatening; it is read in the context of a pattern of coercive and "
    "controlling behaviour, and it may be disclosed to any agency, not only the police. Abuse "
    "more than 12 months after the last referral makes a new referral, not a repeat."
)
REPEAT_MARAC_DEFINITION_SOURCE = "SafeLives (paraphrased; not in the seed documents)"
REPEAT_MARAC_WINDOW_MONTHS = 12
# Examples SafeLives gives of events that may count as a repeat (paraphrased):
REPEAT_MARAC_EXAMPLE_EVENTS = (
    (
        "unwanted_contact",
        "Unwanted direct or indirect contact from the perpetrator or their friends or family",
    ),
    ("bail_breach", "Breach of police or court bail conditions"),
    ("civil_order_breach", "Breach of a civil court order between victim and perpetrator"),
    (
        "dispute",
        "A dispute between victim and perpetrator (e.g. child contact, property, "
        "divorce or separation proceedings)",
    ),
)


# ---------------------------------------------------------------------------------------------
# Definitions and forms of abuse ("What is domestic abuse?")
# ---------------------------------------------------------------------------------------------

DOMESTIC_ABUSE_DEFINITION = (
    "Any incident or pattern of incidents of controlling, coercive, threatening behaviour, "
    "violence or abuse between those aged 16 or over who are, or have been, intimate partners "
    "or family members regardless of gender or sexuality"
)  # "The current cross Departmental Government definition"; the strategy notes the proposed
# Domestic Abuse Bill would add a statutory definition recognising economic abuse.


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    definition: str  # verbatim


ABUSE_FORMS = (
    Definition(
        "situational_couple_violence",
        "Situational Couple Violence",
        "Violence that occurs because a couple has conflict which turns into arguments that can "
        "escalate into emotional and physical violence.",
    ),
    Definition(
        "coercive_control",
        "Coercive Control",
        "A pattern of violent coercive control in which one partner uses a variety of violent "
        "and non-violent tactics to try to take complete control over their partner.",
    ),
    Definition(
        "elder_abuse",
        "Elder Abuse",
        "This is defined as a single or repeated act or lack of appropriate action, occurring "
        "within any relationship where there is an expectation of trust, which causes harm or "
        "distress to an older person.",
    ),
    Definition(
        "child_to_parent_abuse",
        "Child to Parent Abuse",
        "This has been defined as any harmful act by a teenage child intended to gain power and "
        "control over a parent. The abuse can be physical, psychological, or financial. "
        "(Cottrell 2003) however there is currently no legal definition.",
    ),
    Definition(
        "honour_based_abuse",
        "Honour Based Abuse",
        "So called Honour-based abuse is defined as a crime or incident which has or may have "
        "been committed to protect or defend the honour of the family and / or the community. "
        "It is a collection of practices used to control behaviour and includes Forced Marriage "
        "and Female Genital Mutilation.",
    ),
)
CONTROLLING_BEHAVIOUR_DEFINITION = (
    "a range of acts designed to make a person subordinate and/or dependant by isolating them "
    "from sources of support, exploiting their resources and capacities for personal gain, "
    "depriving them of the means needed or independence, resistance and escape and regulating "
    "their everyday behaviour."
)
COERCIVE_BEHAVIOUR_DEFINITION = (
    "an act or a pattern of acts of assaults, threats, humiliation and intimidation or other "
    "abuse that is used to harm, punish, or frighten their victim."
)
# "Controlling or coercive behaviour was criminalised in 2015 ... under Section 76 of the
# Serious Crime Act 2015." The strategy also calls out technology as a means of coercive
# control (no definition).


# ---------------------------------------------------------------------------------------------
# Client groups the strategy calls out
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    note: str  # the strategy's words on why the group needs a specific response


# Child to Parent Abuse: the police figures call it "Adolescent to Parent Violence & Abuse";
# the strategy notes it "can continue into adulthood or even commence in adult relationships".
PARTNERSHIP_GROUPS = (
    Group(
        "child_to_parent_abuse",
        "Child to Parent Abuse (CPA)",
        "under-reported both nationally and within St Helens ... Feelings of shame or fear of "
        "repercussions from statutory agencies such as the Police and Social Care are often "
        "barriers to reporting.",
    ),
    Group(
        "older_people",
        "Older People",
        "domestic abuse is under-reported by Older People - generational barriers, isolation, "
        "lack of support networks and financial dependence ... older people are less likely to "
        "access this resource [the Refuge].",
    ),
    Group(
        "elder_abuse",
        "Elder Abuse",
        "does not necessarily involve an intimate relationship, but is perpetrated by Carers, "
        "sometimes within the wider family network as inter-generational violence and "
        "exploitation.",
    ),
    Group(
        "vulnerable_adults",
        "Vulnerable Adults",
        'The safeguarding duties under the Care Act 2014 apply to an adult who: "Has needs for '
        "care and support (whether or not the local authority is meeting any of those needs) "
        "and; is experiencing, or at risk of, abuse or neglect; and; As a result of those care "
        "and support needs is unable to protect themselves from either the risk of, or the "
        'experience of abuse or neglect"',
    ),
    Group(
        "male_victims",
        "Male victims",
        "Two of the five victims of Domestic Homicides since 2014 in St Helens are men and it is "
        "important that men are encouraged to seek support if they are experiencing abuse.",
    ),
    Group(
        "lgbt_plus",
        "LGBT+",
        "there is a need to recognise the additional factors that may prevent disclosure of "
        "abuse ... a perpetrator may make threats of disclosure of sexual identity to family "
        "and friends.",
    ),
    Group(
        "gypsy_traveller",
        "Gypsy / Traveller",
        "one of the largest minority groups within St Helens ... Cultural barriers to reporting "
        "include fear of being ostracised from the community, a lack of knowledge regarding "
        "local infrastructures and access to services.",
    ),
    Group(
        "nrpf",
        "No Recourse to Public Funds",
        "a status of people who are subject to immigration control with no entitlement to "
        "welfare benefits or housing and no right to work ... there is no funding available for "
        "Refuge or other places of safety.",
    ),
    Group(
        "honour_based_abuse",
        "Honour Based Violence (HBV)",
        "So called Honour Based Violence (HBV) is a form of domestic abuse ... the number of "
        "reported cases of HBV are low within St Helens.",
    ),
)

PERPETRATOR_GROUPS = (
    Group(
        "female_perpetrators",
        "Female perpetrators",
        "We will ensure that the needs of female perpetrators are also considered in this "
        "commission.",
    ),
    Group(
        "serial_perpetrators",
        "Serial perpetrators",
        "serial perpetrators who move into new relationships and repeat the same patterns of "
        "abusive behaviour.",
    ),
    Group(
        "seeking_help_to_change",
        "Perpetrators seeking help to change (not in the criminal justice system)",
        "a service for perpetrators who are not involved in the Criminal Justice System to "
        "enable both self-referrals and referrals from professionals",
    ),
)
# Factors the strategy also stresses (no group of their own): pregnancy ("one of the highest
# risk times for abuse to commence"), separation ("a point at which risks can escalate"),
# drug and alcohol use, mental health, dementia and capacity, financial hardship, and
# technology-enabled abuse.


# ---------------------------------------------------------------------------------------------
# Partner agencies across seeds 000, 001 and 004
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agency:
    """A partner agency. seeds: which seed documents name it ("000", "001", "004").

    generic rows name a kind of agency ("Police"); the others are named local or national
    organisations. aliases: other spellings used in the documents. note: what the documents
    say it is, or that they do not say.
    """

    key: str
    label: str
    kind: str
    seeds: tuple[str, ...]
    generic: bool = False
    aliases: tuple[str, ...] = ()
    note: str = ""


AGENCY_KINDS = (
    ("police", "Police"),
    ("criminal_justice", "Criminal justice"),
    ("probation", "Probation"),
    ("multi_agency", "Multi-agency forum"),
    ("childrens_services", "Children's services"),
    ("adult_social_care", "Adult social care"),
    ("education", "Education and early years"),
    ("health", "Health"),
    ("mental_health", "Mental health"),
    ("substance_misuse", "Substance misuse"),
    ("housing", "Housing"),
    ("refuge", "Refuge"),
    ("domestic_abuse_service", "Domestic abuse service"),
    ("sexual_violence_service", "Sexual violence service"),
    ("counselling", "Counselling"),
    ("perpetrator_service", "Perpetrator service"),
    ("benefits_employment", "Benefits and employment"),
    ("immigration", "Immigration"),
    ("advice", "Advice"),
    ("local_authority", "Local authority"),
    ("fire_rescue", "Fire and rescue"),
    ("community", "Community"),
    ("specialist_charity", "Specialist / national charity"),
)

AGENCIES = (
    # Police and criminal justice
    Agency("police", "Police", "police", ("000", "001", "004"), generic=True),
    Agency("merseyside_police", "Merseyside Police", "police", ("000", "004")),
    Agency(
        "pvpu",
        "PVPU",
        "police",
        ("000",),
        note="The report gives only the initials; the project glossary expands it as Police "
        "Protecting Vulnerable People Unit.",
    ),
    Agency("family_crime_unit", "Family Crime investigation unit", "police", ("000",)),
    Agency(
        "cps",
        "CPS (Crown Prosecution Service)",
        "criminal_justice",
        ("000",),
        aliases=("Crown Prosecution Service",),
    ),
    Agency("probation", "Probation Services", "probation", ("004",), generic=True),
    Agency(
        "crc",
        "CRC",
        "probation",
        ("004",),
        note="The strategy gives only the initials; it runs the existing perpetrator programme "
        "('Current programme is designed for people open to CRC').",
    ),
    # Multi-agency
    Agency(
        "marac",
        "Multi Agency Risk Assessment Conference (MARAC)",
        "multi_agency",
        ("000", "001", "004"),
        generic=True,
        aliases=("MARAC", "Multi-Agency Risk Assessment Conference"),
    ),
    Agency(
        "mash",
        "Multi Agency Safeguarding Hub (MASH)",
        "multi_agency",
        ("000", "004"),
        generic=True,
        aliases=("MASH",),
    ),
    Agency(
        "mappa",
        "MAPPA Responsible Authorities",
        "multi_agency",
        ("001",),
        generic=True,
        note="Named only as the source of the 'high risk' definition (end note vi).",
    ),
    # Children and adults
    Agency(
        "childrens_social_care",
        "Children's Social Care",
        "childrens_services",
        ("000", "001", "004"),
        generic=True,
        aliases=("children's services", "Social Services", "Children's Services"),
    ),
    Agency("edge_of_care", "Edge of Care service", "childrens_services", ("004",)),
    Agency("childrens_centre", "Children's Centre", "childrens_services", ("004",), generic=True),
    Agency(
        "adult_social_care",
        "Adult Social Care",
        "adult_social_care",
        ("004",),
        generic=True,
        aliases=("Adult Safeguarding",),
    ),
    Agency(
        "schools",
        "Schools",
        "education",
        ("001", "004"),
        generic=True,
        aliases=("children's schools",),
    ),
    Agency(
        "early_years",
        "Early years services",
        "education",
        ("004",),
        generic=True,
        aliases=("daycare providers",),
    ),
    # Health
    Agency(
        "gp", "GP", "health", ("000", "001", "004"), generic=True, aliases=("GP practices", "GPs")
    ),
    Agency("ae", "A&E", "health", ("000", "004"), generic=True),
    Agency(
        "hospital_safeguarding", "Hospital safeguarding teams", "health", ("000",), generic=True
    ),
    Agency(
        "midwifery",
        "Midwifery and public health nurses",
        "health",
        ("004",),
        generic=True,
    ),
    Agency(
        "royal_liverpool",
        "Royal Liverpool Hospital",
        "health",
        ("000",),
        aliases=("The Royal Liverpool hospital", "the Liverpool Royal", "the Royal"),
    ),
    Agency("aintree", "Aintree hospital", "health", ("000",)),
    Agency(
        "ccg",
        "CCG",
        "health",
        ("004",),
        aliases=("St Helens CCG",),
        note="'health commissioners (CCG)'.",
    ),
    Agency(
        "nw_boroughs",
        "NW Boroughs",
        "health",
        ("004",),
        note="Named as a training partner; the strategy does not say what it is.",
    ),
    Agency(
        "mental_health_services",
        "Mental health services",
        "mental_health",
        ("000", "001", "004"),
        generic=True,
    ),
    Agency(
        "cmht",
        "Community Mental Health Team",
        "mental_health",
        ("000",),
        generic=True,
    ),
    Agency("mersey_care", "Mersey Care NHS Trust", "mental_health", ("000",)),
    Agency(
        "camhs",
        "Child & Adolescent Mental Health services (CAMHS)",
        "mental_health",
        ("004",),
        generic=True,
    ),
    # Substance misuse
    Agency(
        "substance_misuse_services",
        "Substance misuse services",
        "substance_misuse",
        ("000", "001", "004"),
        generic=True,
        aliases=("Drug & Alcohol Treatment Service",),
    ),
    Agency("addaction", "Addaction", "substance_misuse", ("000",)),
    Agency(
        "dip",
        "Drug Intervention Programme (DIP)/Alcohol Treatment team",
        "substance_misuse",
        ("000",),
        note="Within Addaction.",
    ),
    Agency(
        "cgl",
        "CGL - Change Grow Live",
        "substance_misuse",
        ("004",),
        aliases=("CGL",),
    ),
    # Housing and refuge
    Agency(
        "housing_provider",
        "Housing provider",
        "housing",
        ("000", "001", "004"),
        generic=True,
        aliases=("Registered Provider partners", "Housing Services"),
    ),
    Agency("homeless_shelter", "Homeless shelter", "housing", ("000",), generic=True),
    Agency("refuge", "Refuge", "refuge", ("000", "001", "004"), generic=True),
    Agency(
        "torus",
        "Torus",
        "refuge",
        ("004",),
        note="'the Provider of the Refuge and IDVA service' in St Helens.",
    ),
    # Domestic and sexual abuse services
    Agency(
        "idva_service",
        "IDVA service",
        "domestic_abuse_service",
        ("000", "001", "004"),
        generic=True,
        aliases=("IDVA", "Idva"),
    ),
    Agency(
        "specialist_da_agencies",
        "Specialist domestic abuse agencies",
        "domestic_abuse_service",
        ("000",),
        generic=True,
        aliases=("Specialist domestic violence agencies",),
    ),
    Agency(
        "pss",
        "PSS",
        "domestic_abuse_service",
        ("000",),
        note="Runs the Ruby service and the Women's Turnaround project.",
    ),
    Agency(
        "womens_turnaround",
        "Women's Turnaround project",
        "domestic_abuse_service",
        ("000",),
        note="PSS project for female offenders and those at risk of entering the criminal "
        "justice system.",
    ),
    Agency("chrysalis_centre", "Chrysalis Centre", "domestic_abuse_service", ("004",)),
    Agency(
        "safe2speak",
        "Safe2Speak",
        "domestic_abuse_service",
        ("004",),
        note="Involved in the Gateway programme; the strategy does not say what it is.",
    ),
    Agency("isva", "ISVA", "sexual_violence_service", ("000",), generic=True),
    Agency(
        "sexual_assault_service",
        "Specialist sexual assault service",
        "sexual_violence_service",
        ("000",),
        generic=True,
    ),
    Agency(
        "rasa",
        "RASA",
        "sexual_violence_service",
        ("000",),
        note="Named only by its initials ('police/RASA etc.').",
    ),
    Agency("counselling", "Counselling", "counselling", ("000", "001"), generic=True),
    Agency(
        "listening_ear",
        "Listening Ear",
        "counselling",
        ("004",),
        note="Therapeutic support for children.",
    ),
    # Perpetrators
    Agency(
        "perpetrator_services",
        "Perpetrator programme",
        "perpetrator_service",
        ("001", "004"),
        generic=True,
        aliases=("those who work with perpetrators",),
    ),
    # Benefits, immigration, advice
    Agency(
        "dwp",
        "Department of Work and Pensions",
        "benefits_employment",
        ("004",),
        aliases=("DWP",),
    ),
    Agency(
        "troubled_families_adviser",
        "Troubled Families Employment Adviser",
        "benefits_employment",
        ("004",),
    ),
    Agency("home_office", "Home Office", "immigration", ("004",)),
    Agency("refugee_support", "MRANG (Now Refugee Support)", "immigration", ("004",)),
    Agency("citizens_advice", "Citizen's Advice", "advice", ("004",)),
    # Local authority, community, others
    Agency("st_helens_council", "St Helens Council", "local_authority", ("004",)),
    Agency("liverpool_city_council", "Liverpool City Council", "local_authority", ("000",)),
    Agency(
        "gypsy_traveller_liaison",
        "Gypsy Traveller Liaison Officer",
        "community",
        ("004",),
    ),
    Agency(
        "mrfs",
        "MRFS",
        "fire_rescue",
        ("004",),
        note="Named only by its initials; 'can often engage with residents who may not wish to "
        "contact other statutory partners'.",
    ),
    Agency(
        "galop",
        "GALOP",
        "specialist_charity",
        ("004",),
        note="Source on LGBT+ experiences of abuse.",
    ),
    Agency(
        "lgbt_services",
        "Local specialist LGBT+ services",
        "specialist_charity",
        ("004",),
        generic=True,
    ),
    Agency("safelives", "SafeLives", "specialist_charity", ("000", "004")),
    Agency(
        "caada",
        "CAADA",
        "specialist_charity",
        ("000", "001"),
        aliases=("Co-ordinated Action Against Domestic Abuse",),
        note="CAADA is the former name of SafeLives (general knowledge; the seeds do not say so).",
    ),
)
# Courts (criminal, civil, family; "Liverpool Crown court") appear as settings, not partner
# agencies, and are left out. Faith leaders, elected members, hairdressers, taxi drivers etc.
# are campaign audiences, not case partners.


# ---------------------------------------------------------------------------------------------
# Programmes, schemes and governance named across seeds 000, 001 and 004
# ---------------------------------------------------------------------------------------------

PROGRAMMES = (
    # (key, label, who it is for, seeds)
    ("freedom", "Freedom programme", "survivors", ("000", "004")),
    ("gateway", "Gateway programme", "survivors", ("004",)),
    ("life_skills", "Life Skills workshop", "survivors", ("000",)),
    ("pattern_changing", "Pattern changing course", "survivors", ("001",)),
    ("dart", "DART programme (Domestic Abuse Recovering Together)", "families", ("004",)),
    ("help", "HELP programme", "perpetrators", ("004",)),
    ("reducing_parental_conflict", "Reducing Parental Conflict programme", "families", ("004",)),
    ("building_bridges", "Building Bridges", "children", ("004",)),
)
# "From January 2020, the Gateway programme will replace the Freedom programme" (St Helens).

SCHEMES = (
    ("claires_law", "Claire's Law (Domestic Abuse Disclosure Scheme)", ("004",)),
    ("operation_encompass", "Operation Encompass", ("004",)),
    ("tau_marker", "TAU (treat as urgent) marker", ("000",)),
    ("target_hardening", "Target hardening", ("001",)),
    ("sanctuary_scheme", "Sanctuary scheme", ("001",)),
    ("safe_and_together", "Safe and Together framework", ("004",)),
    ("daha", "DAHA (Domestic Abuse Housing Alliance) accreditation", ("004",)),
    ("workplace_scheme", "Domestic Abuse Workplace Scheme", ("004",)),
)
# The strategy spells it "Claire's Law"; the glossary's "Clare's Law" is the usual spelling.

GOVERNANCE_BODIES = (
    ("peoples_board", "People's Board"),
    ("da_sub_group", "Domestic Abuse Sub Group"),
    ("safeguarding_children", "Safeguarding Children Partnership"),
    ("safeguarding_adults_board", "Safeguarding Adults Board"),
)
# The Action Plan also says "Safeguarding Children Board" and "Domestic abuse Strategic Group".
