"""What an impact report says, as plain data: seed 000's sections computed for a period and a set
of services. Insights figures come from build_report (one call for every table the report uses);
the funnel and outputs from .selectors. The result is JSON-serialisable, holds aggregates only
(never a client or a case), and keeps raw counts: suppression is applied when it is presented
(.present), so the PDF and the XLSX suppress the same way."""

from collections.abc import Callable

from cases.models import RiskLevel
from catalogue import impact as catalogue

from ..insights.engine import ReportFilters
from ..insights.report import InsightsReport, build_report
from ..models import DEFAULT_ATTRIBUTION_PERCENT, UnitCost
from ..periods import Period
from . import selectors

FORMAT = "lantern-impact/1"

# (key, heading): the progress the job page shows, in the order they are built.
SECTIONS = (
    ("who", "Who we work with"),
    ("journey", "The client journey"),
    ("outputs", "What we did: outputs"),
    ("outcomes", "Outcomes: the four Ps"),
    ("negative", "Outcomes stated honestly"),
    ("value", "Economic and social value"),
)

NEEDS = (
    ("intake_need_mental_health", "Mental health"),
    ("intake_need_children_parenting", "Children and parenting"),
    ("intake_need_housing", "Housing"),
    ("intake_need_finance_benefits_debt", "Finance, benefits and debt"),
    ("intake_need_social_community_support", "Social and community support"),
    ("intake_need_physical_health", "Physical health"),
    ("intake_need_alcohol_misuse", "Alcohol misuse"),
    ("intake_need_drug_misuse", "Drug misuse"),
    ("intake_need_employment_education_training", "Employment, education and training"),
    ("intake_need_immigration", "Immigration"),
)
HEALTH_ROUTES = (
    "Health",
    "Hospital - Emergency department",
    "Hospital - Maternity",
    "Community health",
    "Mental health",
)
PROFILE_TABLES = (
    "client_age",
    "client_ethnicity",
    "client_sex_at_birth",
    "client_disability",
    "client_pregnant",
    "children_count",
    "abuse_types_12_months",
)
INSIGHTS_KEYS = (
    "referral_route",
    *PROFILE_TABLES,
    *(key for key, _ in NEEDS),
    "exit_case_status",
    "unplanned_closure_reason",
    "dash_ticks_exit",
    "exit_abuse_reported",
    "client_outcome_feel_safer",
    "client_outcome_wellbeing",
    "relationship_change",
    "support_safety_impact_safety",
    "support_housing_impact_safety",
    "civil_order_non_molestation",
    "cj_consequences",
    "cj_perpetrator_penalties",
)
# Lantern's own one-line aims: seed 000's are written about its Ruby service by name.
FOUR_P_AIMS = {
    "promotion": (
        "Raising awareness of domestic abuse among professionals and the people they see, so "
        "that more victims are referred and know where to turn."
    ),
    "prevention": (
        "Helping clients plan and make the best choices to keep themselves and their children safe."
    ),
    "provision": (
        "Practical support that keeps clients safe: police markers, alarms, housing, counselling "
        "and protective orders."
    ),
    "prosecution": (
        "Supporting clients who choose to report abuse and go through the courts, and making "
        "use of the protection the law offers."
    ),
}
MERIT_NAMES = {
    RiskLevel.STANDARD: "Standard (MeRIT bronze)",
    RiskLevel.MEDIUM: "Medium (MeRIT silver)",
    RiskLevel.HIGH: "High (MeRIT gold)",
}


def item(
    label: str, count: int | None, of: int | None = None, note: str = "", note_count=None
) -> dict:
    """One figure: `count`, as a share of `of` when given. A count in the note (e.g. "3
    repeat") is kept apart so that it is suppressed like any other."""
    return {"label": label, "count": count, "of": of, "note": note, "note_count": note_count}


def table_block(report: InsightsReport, key: str, title: str = "", chart: bool = True) -> dict:
    table = report.table(key)
    figures = table.current
    return {
        "kind": "table",
        "key": key,
        "title": title or table.question,
        "universe": table.universe,
        "n": figures.n,
        "rows": [
            {"label": row.label, "count": row.count, "kind": row.kind} for row in figures.rows
        ],
        "chart": chart,
    }


def _count(report: InsightsReport, key: str, *labels: str) -> int:
    figures = report.table(key).current
    return sum(figures.count(label) for label in labels)


def _n(report: InsightsReport, key: str) -> int:
    return report.table(key).current.n


def build_content(
    *,
    period: Period,
    service_ids: tuple[int, ...],
    title: str,
    on_section: Callable[[str], None] | None = None,
    attribution_percent: int = DEFAULT_ATTRIBUTION_PERCENT,
) -> dict:
    """Every section's figures. `on_section(heading)` is called as each section starts;
    `attribution_percent` is the share of the estimated costs the report's settings attribute
    to the service."""

    def starting(key):
        if on_section is not None:
            on_section(dict(SECTIONS)[key])

    starting("who")
    report = build_report(
        period=period, filters=ReportFilters(service_ids=service_ids), keys=list(INSIGHTS_KEYS)
    )
    funnel = selectors.referral_funnel(period, service_ids)
    needs = [item(label, _count(report, key, "Yes"), _n(report, key)) for key, label in NEEDS]
    needs.sort(key=lambda need: -(need["count"] or 0))
    who = [
        {
            "kind": "figures",
            "title": "Referrals",
            "items": [
                item("Referrals received", funnel["referrals"]),
                item("Repeat referrals to the service", funnel["repeat"], funnel["referrals"]),
                *(
                    item(name, count, funnel["referrals"])
                    for name, count in selectors.referrals_by_service(period, service_ids)
                ),
            ],
        },
        table_block(report, "referral_route", "Where referrals came from"),
        *(table_block(report, key) for key in PROFILE_TABLES),
        {"kind": "figures", "title": "Needs identified at intake", "items": needs, "chart": True},
    ]

    starting("journey")
    levels = selectors.risk_assessed_by_level(period, service_ids)
    journey_counts = selectors.client_journey(period, service_ids)
    plans = selectors.safety_plans(period, service_ids)
    closures = report.table("exit_case_status").current
    journey = [
        {
            "kind": "funnel",
            "title": "From referral to support",
            "note": "The referrals received in the period, followed through the service: "
            "each step counts those that reached it from the step before (recorded by the "
            "period's last day), so no step is larger than the one above it.",
            "steps": [
                item("Referred", journey_counts["referred"]),
                item("Engaged: case opened", journey_counts["engaged"], journey_counts["referred"]),
                item("Risk assessed", journey_counts["risk_assessed"], journey_counts["engaged"]),
                item(
                    "Safety plan made",
                    journey_counts["safety_plan"],
                    journey_counts["risk_assessed"],
                ),
                item("Case closed", journey_counts["closed"], journey_counts["safety_plan"]),
            ],
        },
        {
            "kind": "figures",
            "title": "What happened to each referral",
            "items": [
                item("Engaged: case opened", funnel["accepted"], funnel["referrals"]),
                item(
                    "Made aware of the service, not engaged",
                    funnel["made_aware"],
                    funnel["referrals"],
                ),
                item("Declined support", funnel["declined"], funnel["referrals"]),
                item("Unable to contact", funnel["unable_to_contact"], funnel["referrals"]),
                item("Signposted elsewhere", funnel["signposted"], funnel["referrals"]),
                item(
                    "Under 16: routed to young people's safeguarding",
                    funnel["young_person"],
                    funnel["referrals"],
                ),
                item("Not yet triaged", funnel["pending"], funnel["referrals"]),
            ],
        },
        {
            "kind": "figures",
            "title": "Risk assessed, by level",
            "note": "A case assessed more than once in the period counts at each level it "
            "reached, so the levels can add up to more than the cases assessed.",
            "items": [
                item(MERIT_NAMES[level], levels[level.value], levels["assessed"])
                for level in RiskLevel
            ],
            "chart": True,
        },
        {
            "kind": "figures",
            "title": "Safety plans and closures",
            "items": [
                item("Safety plans made", plans["plans"]),
                item("Safety plan reviews", plans["reviews"]),
                item("Planned closures", closures.count("Planned closure"), closures.n),
                item("Unplanned closures", closures.count("Unplanned closure"), closures.n),
            ],
        },
    ]

    starting("outputs")
    done = selectors.interventions_by_type(period, service_ids)
    marac = selectors.marac_referrals(period, service_ids)
    output_items = {
        "safety_plans": item("Safety plans made", plans["plans"]),
        "safety_plan_reviews": item("Safety plan reviews", plans["reviews"]),
        "police_checks": item("Police checks", done["police_check"]),
        "home_visits": item("Home visits or visits to a place of safety", done["home_visit"]),
        "tau_markers": item(
            "TAU (treat as urgent) markers placed",
            done["tau_marker_placed"],
            note_count=done["tau_marker_requested"],
            note="requested",
        ),
        "panic_alarms": item("Panic or personal alarms provided", done["personal_alarm"]),
        "signposting_referrals": item("Signposting referrals", done["signposting_referral"]),
        "safeguarding_referrals": item(
            "Safeguarding referrals (children and adults)",
            sum(done[key] for key in selectors.SAFEGUARDING_REFERRALS),
        ),
        "marac_referrals": item(
            "MARAC referrals", marac["referrals"], note_count=marac["repeat"], note="repeat"
        ),
        "group_attendances": item(
            "Group programme attendances",
            sum(done[key] for key in selectors.GROUP_PROGRAMMES),
        ),
        "counselling": item("Counselling referrals", done["counselling_referral"]),
        "supported_to_report": item(
            "Supported to report to the police", done["supported_to_report"]
        ),
        "criminal_court_support": item("Criminal court support", done["criminal_court_support"]),
        "civil_justice_support": item("Support with civil remedies", done["civil_justice_support"]),
        "housing_support": item("Support with housing", done["housing_support"]),
    }
    outputs = [
        {
            "kind": "figures",
            "title": "Outputs in the period",
            "items": list(output_items.values()),
            "chart": True,
        }
    ]

    starting("outcomes")
    exits = report.table("dash_ticks_exit").current
    risk_reduced = int(exits.statistics.get("reduced") or 0)
    high_risk_reduced = int(exits.statistics.get("reduced_from_high") or 0)
    feel_safer_n = _n(report, "client_outcome_feel_safer")
    feel_safer = _count(report, "client_outcome_feel_safer", "Total Agree")
    abuse_ceased = _count(
        report, "exit_abuse_reported", "No abuse experienced since intake or last review"
    )
    charged = _count(report, "cj_consequences", "Charged")
    high_risk = levels[RiskLevel.HIGH.value]
    four_ps = {
        "promotion": (
            [
                item("Referrals received", funnel["referrals"]),
                item(
                    "Referred from health settings",
                    _count(report, "referral_route", *HEALTH_ROUTES),
                    _n(report, "referral_route"),
                ),
                item("Made aware of the service", funnel["made_aware"], funnel["referrals"]),
            ],
            [item("Engaged with the service", funnel["accepted"], funnel["referrals"])],
        ),
        "prevention": (
            [
                output_items[key]
                for key in (
                    "safety_plans",
                    "safety_plan_reviews",
                    "signposting_referrals",
                    "group_attendances",
                )
            ],
            [
                item("Feel safer (agree or strongly agree)", feel_safer, feel_safer_n),
                item(
                    "Improved wellbeing (agree or strongly agree)",
                    _count(report, "client_outcome_wellbeing", "Total Agree"),
                    _n(report, "client_outcome_wellbeing"),
                ),
                item(
                    "Risk reduced: Dash score lower at exit than at intake", risk_reduced, exits.n
                ),
                item(
                    "Abuse ceased: none since intake or last review",
                    abuse_ceased,
                    _n(report, "exit_abuse_reported"),
                ),
            ],
        ),
        "provision": (
            [
                output_items[key]
                for key in ("tau_markers", "panic_alarms", "housing_support", "counselling")
            ],
            [
                item(
                    "Safety improved after safety support",
                    _count(report, "support_safety_impact_safety", "Total Improved"),
                    _n(report, "support_safety_impact_safety"),
                ),
                item(
                    "Safety improved after housing support",
                    _count(report, "support_housing_impact_safety", "Total Improved"),
                    _n(report, "support_housing_impact_safety"),
                ),
                item(
                    "Non-molestation orders granted",
                    _count(report, "civil_order_non_molestation", "Granted"),
                    _n(report, "civil_order_non_molestation"),
                ),
            ],
        ),
        "prosecution": (
            [
                output_items[key]
                for key in (
                    "supported_to_report",
                    "criminal_court_support",
                    "civil_justice_support",
                )
            ],
            [
                item("Perpetrator charged", charged, _n(report, "cj_consequences")),
                item(
                    "Perpetrator pled or was found guilty",
                    _count(
                        report,
                        "cj_consequences",
                        "Pled guilty",
                        "Pled guilty (lesser charge)",
                        "Pled innocent-found guilty",
                        "Pled innocent-found guilty (lesser charge)",
                    ),
                    _n(report, "cj_consequences"),
                ),
                item(
                    "Custodial sentences",
                    _count(
                        report,
                        "cj_perpetrator_penalties",
                        "Custodial sentence - up to 12 months",
                        "Custodial sentence - 12 months or more",
                    ),
                    _n(report, "cj_perpetrator_penalties"),
                ),
                item(
                    "Restraining orders",
                    _count(
                        report,
                        "cj_perpetrator_penalties",
                        "Restraining order - up to 12 months",
                        "Restraining order - up to 24 months",
                        "Restraining order - 5 years",
                        "Restraining order - indefinite",
                    ),
                    _n(report, "cj_perpetrator_penalties"),
                ),
            ],
        ),
    }
    outcomes = [
        {
            "kind": "four_p",
            "key": p.key,
            "title": p.heading,
            "aim": FOUR_P_AIMS[p.key],
            "outputs": four_ps[p.key][0],
            "outcomes": four_ps[p.key][1],
        }
        for p in catalogue.FOUR_PS
    ]

    starting("negative")
    unplanned = report.table("unplanned_closure_reason").current
    negative = [
        {
            "kind": "figures",
            "title": "Outcomes that were not positive",
            "items": [
                item("Declined support", funnel["declined"], funnel["referrals"]),
                item("Made aware but did not engage", funnel["made_aware"], funnel["referrals"]),
                item(
                    "Do not feel safer (disagree or strongly disagree)",
                    _count(report, "client_outcome_feel_safer", "Disagree", "Disagree strongly"),
                    feel_safer_n,
                ),
                item(
                    "Safety decreased after safety support",
                    _count(
                        report,
                        "support_safety_impact_safety",
                        "Decreased slightly",
                        "Decreased greatly",
                    ),
                    _n(report, "support_safety_impact_safety"),
                ),
                item(
                    "No reduction in risk (Dash score not lower at exit)",
                    exits.n - risk_reduced,
                    exits.n,
                ),
                item(
                    "Reported to the police: no further action",
                    _count(report, "cj_consequences", "Police report - NFA (no further action)"),
                    _n(report, "cj_consequences"),
                ),
                item(
                    "Charge dropped, not proven or acquitted",
                    _count(report, "cj_consequences", "Charge dropped", "Not proven", "Acquitted"),
                    _n(report, "cj_consequences"),
                ),
                item(
                    "Resumed the relationship with the perpetrator",
                    _count(
                        report,
                        "relationship_change",
                        "Ex-intimate partner to current intimate partner",
                    ),
                    _n(report, "relationship_change"),
                ),
                item("Unplanned closures", closures.count("Unplanned closure"), closures.n),
                item("Disengaged from support", unplanned.count("Client disengaged"), unplanned.n),
            ],
        }
    ]

    starting("value")
    measure_counts = {
        UnitCost.Measure.HIGH_RISK_REDUCED: high_risk_reduced,
        UnitCost.Measure.RISK_REDUCED: risk_reduced,
        UnitCost.Measure.ABUSE_CEASED: abuse_ceased,
        UnitCost.Measure.HIGH_RISK_CLIENTS: high_risk,
        UnitCost.Measure.FEEL_SAFER: feel_safer,
        UnitCost.Measure.CHARGED: charged,
    }
    value = [economic_value(measure_counts, service_ids, attribution_percent)]

    sections = {
        "who": who,
        "journey": journey,
        "outputs": outputs,
        "outcomes": outcomes,
        "negative": negative,
        "value": value,
    }
    return {
        "format": FORMAT,
        "title": title,
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "label": period.label,
        },
        "services": report.service_names,
        "headline": [
            item("Referrals received", funnel["referrals"]),
            item("Engaged with the service", funnel["accepted"], funnel["referrals"]),
            item("Feel safer at exit", feel_safer, feel_safer_n),
            item("Risk reduced at exit", risk_reduced, exits.n),
        ],
        "sections": [
            {"key": key, "heading": heading, "blocks": sections[key]} for key, heading in SECTIONS
        ],
    }


# Seed 000's own words on costing one client (Section 11), printed with the method.
COSTS_VARY = (
    "In terms of identifying costs per individual, the issue is complex as each case will have "
    "different outcomes and interactions, and costs will vary across regions."
)
COSTS_VARY_SOURCE = "PSS, Social Impact Report: Preventing Domestic Violence and Abuse, Section 11"
NO_PRICE_YEAR = "not stated"


def _claim(key: str) -> dict:
    claim = next(claim for claim in catalogue.VALUE_CLAIMS if claim.key == key)
    return {"quote": claim.quote, "source": claim.source}


def economic_value(
    measure_counts: dict, service_ids=(), attribution_percent: int = DEFAULT_ATTRIBUTION_PERCENT
) -> dict:
    """Estimated costs associated with reduced risk: for each unit cost (admin-edited, the
    provider's where it has its own), its units per client x the clients its measure counts,
    then the share the report's settings attribute to the service. Every figure carries its
    source; the seed's sourced ratio for MARACs is given beside it, not mixed into it."""
    rows, sources = [], []
    for cost in selectors.unit_costs_for(service_ids):
        clients = measure_counts[cost.measure]
        units = float(cost.quantity) * clients
        rows.append(
            {
                "label": cost.label,
                "unit": cost.unit,
                "pence": cost.pence,
                "measure": cost.get_measure_display(),
                "clients": clients,
                "quantity": float(cost.quantity),
                "total_pence": round(units * cost.pence),
                "source": cost.source,
                "price_year": cost.price_year or NO_PRICE_YEAR,
            }
        )
        label = cost.source + (f" ({cost.price_year} prices)" if cost.price_year else "")
        if label not in sources:
            sources.append(label)
    gross_pence = sum(row["total_pence"] for row in rows)
    measures = []
    for row in rows:
        if row["measure"] not in measures:
            measures.append(row["measure"])
    return {
        "kind": "value",
        "title": "Estimated costs associated with reduced risk",
        "rows": rows,
        "gross_pence": gross_pence,
        "attribution_percent": attribution_percent,
        "total_pence": round(gross_pence * attribution_percent / 100),
        "sources": sources,
        "measures": measures,
        "method": (
            "Who counts: the clients each unit cost is counted for (below); CAADA's costs are "
            "those of a 'high risk' victim in contact with the MARAC, so they are counted only "
            "for clients assessed as high risk at intake whose Dash score was lower at exit. "
            "Which costs: the unit costs below, each with its source and price year, times the "
            "number of each CAADA counted for one such victim. Only a share of the result is "
            f"claimed for the service: {attribution_percent}%, set in the report's settings, "
            "because police, health, MARAC partners and clients themselves also bring risk down. "
            "The result is an estimate of public costs associated with reduced risk, not money "
            "saved by any one agency."
        ),
        "attribution_note": (
            f"Attribution: {attribution_percent}% of the costs associated with reduced risk is "
            "attributed to the service. This share is the service's own judgement, set in the "
            "report's settings; it is not taken from a published source."
        ),
        "caveat": {"quote": COSTS_VARY, "source": COSTS_VARY_SOURCE},
        "ratio": _claim("marac_return"),
    }
