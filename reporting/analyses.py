"""Analyses beyond the Insights tables, each one aggregate query in the database:

- Safety in Numbers (seed 001, Figure 8 and Finding 3): outcomes at exit by intensity of support
  (6 or more significant contacts, or fewer) and by the number of different interventions
  (0-1, 2-5, 6-10, 11+);
- "If a service supported 100 people" (seed 002's one-page summary), from the Insights figures
  already computed (nothing counted twice);
- the MARAC partnership table (seed 004): cases heard, % repeat, and the recorded factors.
"""

from dataclasses import dataclass, replace

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from cases.models import Perpetrator
from cases.selectors import significant_contacts
from catalogue import marac as marac_catalogue
from catalogue import safety_in_numbers as sin
from catalogue.insights import TABLES_BY_KEY
from riskassessment.models import MaracHearing
from riskassessment.scoring import latest_submitted_value
from support.models import AreaSupport
from support.selectors import different_interventions

from .insights.engine import ReportFilters, aggregate_once
from .insights.report import restricted_cases
from .insights.suppression import SUPPRESSION_THRESHOLD, ShownFigures
from .insights.universes import UNIVERSES
from .periods import Period

AGREE = ("Strongly agree", "Agree")
IMPROVED = ("Improved greatly", "Improved slightly")
# The exit form's "no abuse since intake" and "no abuse since the last review" answers.
NO_ABUSE_SINCE = TABLES_BY_KEY["exit_abuse_reported"].options


@dataclass
class Cell:
    count: int
    n: int

    @property
    def percent(self) -> float | None:
        return None if not self.n else 100.0 * self.count / self.n


@dataclass
class CrossTable:
    title: str
    columns: list[str]
    rows: list[tuple[str, list[Cell]]]
    note: str = ""


# --- Safety in Numbers ---------------------------------------------------------------------


def _latest_score(stage):
    return latest_submitted_value("score", case=OuterRef("case_id"), stage=stage, dash=True)


def _sin_outcomes():
    """The five outcomes of Figure 8 as conditions on an exit (annotated with the intake and
    exit scores). Improved coping is the client's sense of wellbeing at exit; improved social
    support is an improvement recorded in the social and community support area."""
    from django.db.models import F

    return (
        ("Improved social support", Q(social_support_improved=True)),
        ("Improved coping", Q(outcome_wellbeing__in=AGREE)),
        ("Reduction in risk (IDVA)", Q(score_in__isnull=False, score_out__lt=F("score_in"))),
        ("Victim feels safer", Q(outcome_feel_safer__in=AGREE)),
        ("Total Cessation", Q(abuse_since__in=NO_ABUSE_SINCE)),
    )


def safety_in_numbers(period: Period, filters: ReportFilters) -> list[CrossTable]:
    """Outcomes at exit by intensity of support and by intervention band, in one query."""
    exits = (
        UNIVERSES["exits"]
        .rows(period, filters)
        .annotate(
            # Contacts up to the exit: a follow-up after it does not change a closed period.
            significant=significant_contacts("case_id", up_to="exit_date"),
            interventions=different_interventions("case_id"),
            score_in=_latest_score("intake"),
            score_out=_latest_score("exit"),
            social_support_improved=Exists(
                AreaSupport.objects.filter(
                    case_id=OuterRef("case_id"),
                    area="social_community_support",
                    supported="Yes",
                    impact_wellbeing__in=IMPROVED,
                )
            ),
        )
    )
    intensive = Q(significant__gte=sin.INTENSIVE_SUPPORT_THRESHOLD)
    intensity_groups = [
        (f"{sin.INTENSIVE_SUPPORT_THRESHOLD}+ significant contacts", intensive),
        (f"Fewer than {sin.INTENSIVE_SUPPORT_THRESHOLD}", ~intensive),
    ]
    band_groups = []
    for low, high, label in sin.INTERVENTION_BANDS:
        condition = Q(interventions__gte=low)
        if high is not None:
            condition &= Q(interventions__lte=high)
        band_groups.append((label, condition))
    outcomes = _sin_outcomes()
    aggregates = {}
    for prefix, groups in (("i", intensity_groups), ("b", band_groups)):
        for g, (_, group) in enumerate(groups):
            aggregates[f"{prefix}{g}_n"] = Count("pk", filter=group)
            for o, (_, outcome) in enumerate(outcomes):
                aggregates[f"{prefix}{g}_{o}"] = Count("pk", filter=group & outcome)
    values = aggregate_once(exits, **aggregates)
    exits_counted = values["i0_n"] + values["i1_n"]
    if (
        not filters.exclude_restricted
        and 0 < exits_counted < SUPPRESSION_THRESHOLD
        and restricted_cases(period, filters.service_ids).exists()
    ):
        # As the Insights tables: restricted cases only where n reaches the threshold.
        return safety_in_numbers(period, replace(filters, exclude_restricted=True))

    def table(title, prefix, groups, note):
        return CrossTable(
            title=title,
            columns=[label for label, _ in groups],
            rows=[
                (
                    outcome_label,
                    [
                        Cell(values[f"{prefix}{g}_{o}"], values[f"{prefix}{g}_n"])
                        for g in range(len(groups))
                    ],
                )
                for o, (outcome_label, _) in enumerate(outcomes)
            ]
            + [("Clients (n)", [Cell(values[f"{prefix}{g}_n"], 0) for g in range(len(groups))])],
            note=note,
        )

    return [
        table(
            "Outcomes by intensity of support",
            "i",
            intensity_groups,
            "Exits in the period matched to an intake. Intensive support is "
            f"{sin.INTENSIVE_SUPPORT_THRESHOLD} or more contacts marked significant.",
        ),
        table(
            sin.SEED_FIGURE_8_TITLE.split(": ", 1)[-1].capitalize() + " (number of interventions)",
            "b",
            band_groups,
            "Different interventions per case: distinct kinds recorded, safety planning and a "
            "MARAC referral each counting once.",
        ),
    ]


# --- If a service supported 100 people ------------------------------------------------------


@dataclass(frozen=True)
class PerHundred:
    heading: str
    text: str  # "{}" takes the figure
    table: str
    label: str = ""  # the row counted; "" with `statistic`
    statistic: str = ""
    complement: bool = False  # n minus the row (e.g. "have children" = n minus "0")


SERVICE_OF_100 = (
    PerHundred("Who are they?", "{} will be unemployed", "client_employment", "Unemployed"),
    PerHundred("Who are they?", "{} will have a disability", "client_disability", "Yes"),
    PerHundred("Who are they?", "{} referred by the Police", "referral_route", "Police"),
    PerHundred(
        "Who else is involved?", "{} have a male perpetrator", "perpetrator_sex_at_birth", "Male"
    ),
    PerHundred(
        "Who else is involved?",
        "For {} the perpetrator will be an ex-intimate partner",
        "primary_perpetrator_relationship",
        "Ex-intimate partner",
    ),
    PerHundred("Who else is involved?", "{} will be pregnant", "client_pregnant", "Yes"),
    PerHundred("Who else is involved?", "{} have children", "children_count", "0", complement=True),
    PerHundred(
        "Who else is involved?", "{} have multiple perpetrators", "multiple_perpetrators", "Yes"
    ),
    PerHundred(
        "What have they experienced?",
        "{} will be at high risk of serious injury or death",
        "high_risk",
        "Yes",
    ),
    PerHundred(
        "What have they experienced?",
        "{} will be experiencing multiple types of abuse",
        "intake_multiple_abuse_types",
        "Clients experiencing multiple types of abuse",
    ),
    PerHundred(
        "What have they experienced?",
        "{} have experienced physical abuse",
        "abuse_types_12_months",
        "Physical",
    ),
    PerHundred(
        "What have they experienced?",
        "{} have experienced sexual abuse",
        "abuse_types_12_months",
        "Sexual",
    ),
    PerHundred(
        "What have they experienced?",
        "{} have experienced harassment and / or stalking",
        "abuse_types_12_months",
        "Harassment and stalking",
    ),
    PerHundred(
        "What have they experienced?",
        "{} have experienced jealous and controlling behaviours",
        "abuse_types_12_months",
        "Jealous and controlling",
    ),
    PerHundred(
        "What support did they receive?",
        "They will receive {} direct contacts (median)",
        "contacts_count",
        statistic="median",
    ),
    PerHundred(
        "What support did they receive?",
        "over a {} week period (median)",
        "case_length",
        statistic="median_weeks",
    ),
    PerHundred(
        "What support did they receive?",
        "{} will be supported with criminal justice",
        "cj_supported",
        "Yes",
    ),
    PerHundred(
        "What support did they receive?",
        "{} will be supported with civil justice",
        "civil_supported",
        "Yes",
    ),
    PerHundred(
        "What support did they receive?",
        "{} will be supported with safety",
        "support_safety",
        "Yes",
    ),
    PerHundred(
        "What support did they receive?",
        "{} will be supported with children and parenting",
        "support_children_parenting",
        "Yes",
    ),
    PerHundred(
        "What support did they receive?",
        "{} will be supported with housing",
        "support_housing",
        "Yes",
    ),
    PerHundred(
        "What support did they receive?",
        "{} will be supported with their mental health",
        "support_mental_health",
        "Yes",
    ),
    PerHundred(
        "What support did they receive?",
        "{} will be supported with alcohol misuse",
        "support_alcohol_misuse",
        "Yes",
    ),
    PerHundred(
        "What support did they receive?",
        "{} will be supported with drug misuse",
        "support_drug_misuse",
        "Yes",
    ),
    PerHundred(
        "What did they say as they left the service?",
        "{} have an improved quality of life",
        "client_outcome_quality_of_life",
        "Total Agree",
    ),
    PerHundred(
        "What did they say as they left the service?",
        "{} will feel optimistic about the future",
        "client_outcome_optimistic",
        "Total Agree",
    ),
    PerHundred(
        "What did they say as they left the service?",
        "{} feel safer",
        "client_outcome_feel_safer",
        "Total Agree",
    ),
    PerHundred(
        "What did they say as they left the service?",
        "{} have an improved sense of wellbeing",
        "client_outcome_wellbeing",
        "Total Agree",
    ),
    PerHundred(
        "What did they say as they left the service?",
        "{} feel more confident",
        "client_outcome_confident",
        "Total Agree",
    ),
)
SERVICE_OF_100_TABLES = sorted({item.table for item in SERVICE_OF_100})


def service_of_100(tables: dict[str, ShownFigures]) -> list[tuple[str, list[str]]]:
    """The one-page summary from the Insights tables as they may be shown (keyed by table):
    each count per 100 of its n (a statistic as it is). Items whose n is 0, or whose count or
    n is hidden as a small number, say so rather than show a figure (100 per 100 of one
    client describes them, and a share gives a hidden count back)."""
    sections: dict[str, list[str]] = {}
    for item in SERVICE_OF_100:
        figures = tables[item.table]
        shown = "n/a"
        if item.statistic:
            value = figures.statistics.get(item.statistic)
            shown = "n/a" if value is None else f"{value:.0f}"
        elif isinstance(figures.n, int) and figures.n:
            count = (figures.row(item.label) or (0, None))[0]
            if isinstance(count, int):
                if item.complement:
                    count = figures.n - count
                shown = f"{round(100 * count / figures.n)}"
        sections.setdefault(item.heading, []).append(item.text.format(shown))
    return list(sections.items())


# --- MARAC ---------------------------------------------------------------------------------

MARAC_ROWS = (
    ("repeat_cases", Q(is_repeat=True)),
    ("coercive_control", Q(coercive_control=True)),
    ("pregnancy", Q(pregnancy=True)),
    ("alcohol", Q(alcohol=True)),
    ("drugs", Q(drugs=True)),
    ("mental_health", Q(mental_health=True)),
    ("disability", Q(disability=True)),
    ("victim_over_65", Q(victim_over_65=True)),
    ("male_victims", Q(case__client__sex_at_birth="Male")),
)


def marac_table(period: Period, filters: ReportFilters, area: str = "") -> list[tuple[str, Cell]]:
    """Cases heard at MARAC meetings held in the period (of the chosen services' cases, and of
    one MARAC area when given), with each measure's count over the cases heard."""
    hearings = MaracHearing.objects.annotate(
        female_perpetrator=Exists(
            Perpetrator.objects.filter(case_id=OuterRef("case_id"), sex_at_birth="Female")
        )
    ).filter(
        meeting__held_on__gte=period.start,
        meeting__held_on__lte=period.end,
        case__service_id__in=filters.service_ids,
    )
    if area:
        hearings = hearings.filter(meeting__marac__name=area)
    labels = {measure.key: measure.label for measure in marac_catalogue.MARAC_MEASURES}
    aggregates = {
        "heard": Count("pk"),
        "children": Coalesce(Sum("children_in_household"), Value(0), output_field=IntegerField()),
        "female_perpetrators": Count("pk", filter=Q(female_perpetrator=True)),
    }
    for key, condition in MARAC_ROWS:
        aggregates[key] = Count("pk", filter=condition)
    values = aggregate_once(hearings, **aggregates)
    if (
        0 < values["heard"] < SUPPRESSION_THRESHOLD
        and hearings.filter(case__is_restricted=True).exists()
    ):
        # As the Insights tables: restricted cases only where n reaches the threshold.
        values = aggregate_once(hearings.filter(case__is_restricted=False), **aggregates)
    heard = values["heard"]
    rows = [(labels["cases_heard"], Cell(heard, 0))]
    rows += [(labels[key], Cell(values[key], heard)) for key, _ in MARAC_ROWS]
    rows.append((labels["children_in_households"], Cell(values["children"], 0)))
    rows.append((labels["female_perpetrators"], Cell(values["female_perpetrators"], heard)))
    return rows
