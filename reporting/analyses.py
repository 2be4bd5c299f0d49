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
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from cases.models import ChildInCase, Perpetrator
from cases.selectors import significant_contacts
from catalogue import insights as catalogue_insights
from catalogue import marac as marac_catalogue
from catalogue import safety_in_numbers as sin
from catalogue.insights import TABLES_BY_KEY
from outcomes.models import FollowUp
from outcomes.models.base import FormStatus
from riskassessment.models import Answer, Assessment, MaracHearing
from riskassessment.scoring import latest_submitted, latest_submitted_value
from support.models import AreaSupport
from support.selectors import different_interventions

from .database import in_reporting_reads
from .insights.engine import ReportFilters, Universe, aggregate_once
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


@in_reporting_reads
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
    # Asked every time (not only for a few exits): the number of queries stays the same for
    # any number of cases.
    any_restricted = restricted_cases(period, filters.service_ids).exists()
    if (
        not filters.exclude_restricted
        and 0 < exits_counted < SUPPRESSION_THRESHOLD
        and any_restricted
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


# --- Safety in Numbers: intake against review, and the 6-month follow-up ---------------------


@dataclass(frozen=True)
class DashIndicator:
    """A risk factor of Safety in Numbers' Tables 5 and 6 as the DASH records it: present when
    any of its DASH questions (by number, the same in every version of the checklist) is
    answered with a tick."""

    label: str
    questions: tuple[int, ...]


# Safety in Numbers compares the risk factors about children and perpetrators and the victim's
# fear at intake (Time 1) with the review (Time 2). Lantern records them as DASH answers.
SIN_INTAKE_REVIEW = (
    (
        "Threats to children (intake against review)",
        (
            DashIndicator("Conflict over child contact (DASH 7)", (7,)),
            DashIndicator("Has threatened to kill the client or someone else (DASH 14)", (14,)),
            DashIndicator("Has hurt anyone else, children included (DASH 18)", (18,)),
        ),
    ),
    (
        "Perpetrator risks (intake against review)",
        (
            DashIndicator("Financial issues (DASH 20)", (20,)),
            DashIndicator("Drugs, alcohol or mental health (DASH 21)", (21,)),
            DashIndicator("Has threatened or attempted suicide (DASH 22)", (22,)),
            DashIndicator("Has broken bail, an injunction or a contact agreement (DASH 23)", (23,)),
            DashIndicator("Criminal history (DASH 24)", (24,)),
        ),
    ),
    (
        "Fear (intake against review)",
        (
            DashIndicator("Client is very frightened (DASH 2)", (2,)),
            DashIndicator("Client is afraid of further harm (DASH 3)", (3,)),
        ),
    ),
)


def _latest_reviews():
    """Each case's latest submitted Dash at review, when the case has a submitted Dash at
    intake, annotated with that intake Dash. Selected from the review assessments (dated into
    the period through their index), never by scanning every case."""
    return (
        latest_submitted(stage=Assessment.Stage.REVIEW, dash=True)
        .annotate(
            latest_review=latest_submitted_value(
                "pk", case=OuterRef("case_id"), stage=Assessment.Stage.REVIEW, dash=True
            ),
            intake_id=latest_submitted_value(
                "pk", case=OuterRef("case_id"), stage=Assessment.Stage.INTAKE, dash=True
            ),
        )
        .filter(pk=F("latest_review"), intake_id__isnull=False)
    )


SIN_REVIEWED = Universe(
    "sin_reviewed",
    "cases whose latest Dash at review is in the period, with a Dash at intake",
    _latest_reviews,
    "assessed_on",
    "case",
)
SIN_FOLLOW_UPS = Universe(
    "sin_follow_ups",
    "6-month follow-ups dated in the period",
    lambda: FollowUp.objects.filter(status=FormStatus.SUBMITTED),
    "followed_up_on",
    "case",
)


def _ticked(questions: tuple[int, ...]):
    """The assessments with any of these DASH questions answered with a tick."""
    return Answer.objects.filter(
        question__number__in=questions, option__counts_as_tick=True
    ).values("assessment_id")


def _rows_for(universe, period: Period, filters: ReportFilters, count):
    """The universe's rows, without restricted cases when there are fewer than the threshold
    (as the Insights tables: a count of a few cannot describe a restricted client)."""
    rows = universe.rows(period, filters)
    n = count(rows)
    restricted = "is_restricted" if not universe.case_path else "case__is_restricted"
    # Asked every time, so that the number of queries does not depend on the number of cases.
    any_restricted = rows.filter(**{restricted: True}).exists()
    if not filters.exclude_restricted and 0 < n < SUPPRESSION_THRESHOLD and any_restricted:
        return universe.rows(period, replace(filters, exclude_restricted=True))
    return rows


@in_reporting_reads
def sin_intake_review(period: Period, filters: ReportFilters) -> list[CrossTable]:
    """Safety in Numbers' intake-against-review tables (Tables 5 and 6, and Finding 2's fear):
    of the cases whose latest Dash at review is dated in the period and who have a Dash at
    intake, how many had each risk factor at intake and how many at the review, in one query."""
    indicators = [ind for _, group in SIN_INTAKE_REVIEW for ind in group]
    reviews = _rows_for(SIN_REVIEWED, period, filters, lambda rows: rows.count())
    aggregates = {"n": Count("pk")}
    for i, indicator in enumerate(indicators):
        aggregates[f"t1_{i}"] = Count("pk", filter=Q(intake_id__in=_ticked(indicator.questions)))
        aggregates[f"t2_{i}"] = Count("pk", filter=Q(pk__in=_ticked(indicator.questions)))
    values = aggregate_once(reviews, **aggregates)
    n = values["n"]
    tables, i = [], 0
    for title, group in SIN_INTAKE_REVIEW:
        rows = []
        for indicator in group:
            rows.append((indicator.label, [Cell(values[f"t1_{i}"], n), Cell(values[f"t2_{i}"], n)]))
            i += 1
        rows.append(("Cases (n)", [Cell(n, 0), Cell(n, 0)]))
        tables.append(
            CrossTable(
                title=title,
                columns=["At intake", "At review"],
                rows=rows,
                note=(
                    "Cases whose latest Dash at review is dated in the period and who have a Dash "
                    "at intake: each factor as ticked on the latest submitted Dash of each stage."
                ),
            )
        )
    return tables


@in_reporting_reads
def sin_follow_up(period: Period, filters: ReportFilters) -> CrossTable:
    """The 6-month follow-up (Safety in Numbers): follow-ups dated in the period, how many
    reached the client and, of those reached, further abuse since closure and feeling safe."""
    reached = Q(reached="Yes")
    measures = (
        ("Reached", reached, False),
        ("No further abuse since the case closed", reached & Q(further_abuse="No"), True),
        ("Further abuse since the case closed", reached & Q(further_abuse="Yes"), True),
        ("Further abuse: don't know", reached & Q(further_abuse="Don't know"), True),
        ("Feels safe", reached & Q(feels_safe="Yes"), True),
        ("Does not feel safe", reached & Q(feels_safe="No"), True),
        ("Feels safe: don't know", reached & Q(feels_safe="Don't know"), True),
    )
    forms = _rows_for(SIN_FOLLOW_UPS, period, filters, lambda rows: rows.count())
    aggregates = {"n": Count("pk"), "reached_n": Count("pk", filter=reached)}
    for m, (_, condition, _) in enumerate(measures):
        aggregates[f"m{m}"] = Count("pk", filter=condition)
    values = aggregate_once(forms, **aggregates)
    rows = [
        (label, [Cell(values[f"m{m}"], values["reached_n"] if of_reached else values["n"])])
        for m, (label, _, of_reached) in enumerate(measures)
    ]
    rows.append(("Follow-ups (n)", [Cell(values["n"], 0)]))
    return CrossTable(
        title="Six months after closure",
        columns=["Follow-ups"],
        rows=rows,
        note=(
            "Follow-ups dated in the period. Reached is over every follow-up; further abuse and "
            "feeling safe are over the clients reached."
        ),
    )


# --- If a service supported 100 people ------------------------------------------------------


# A per-100 figure scales each person to 100 / n of a hundred: under 50 people one client is
# more than two in a hundred, and the summary turns chance into a headline (n = 7 made "100 have
# experienced physical abuse"). Below this n a section says it is too small instead.
SERVICE_OF_100_MIN_N = 50

# The n each section is scaled to (the people the statements are about): the clients at intake
# (the client profile, one intake per client) for the first three sections, the exits matched to
# an intake for the last two (the seed's own "not all people present with each need").
CLIENTS_BASE = "children_count"
EXITS_BASE = "case_length"
# A table of the intakes universe whose n is every intake (it has a Missing row).
INTAKES_BASE = "previous_abuse_exposure"
# Statements worked out by a query of their own (reporting.analyses.service_of_100_counts).
CYPS_INVOLVED = "cyps_involved"

_SEED_TEXT = {key: text.replace("{n}", "{}") for key, text in catalogue_insights.SERVICE_OF_100}


@dataclass(frozen=True)
class PerHundred:
    heading: str
    text: str  # "{}" takes the figure
    table: str
    label: str = ""  # the row counted; "" with `statistic`
    statistic: str = ""
    complement: bool = False  # n minus the row (e.g. "have children" = n minus "0")
    per: str = ""  # the table whose n the count is per 100 of ("": the item's own table)
    of_n: bool = False  # the figure is the table's n (children: one row per child)
    middle_band: bool = False  # the band of the middle answer, of ordered bands
    count: str = ""  # a count worked out apart (service_of_100_counts), per 100 of `per`


WHO = "Who are they?"
INVOLVED = "Who else is involved?"
EXPERIENCED = "What have they experienced?"
SUPPORT = "What support did they receive?"
LEFT = "What did they say as they left the service?"
SECTION_BASES = {
    WHO: CLIENTS_BASE,
    INVOLVED: CLIENTS_BASE,
    EXPERIENCED: CLIENTS_BASE,
    SUPPORT: EXITS_BASE,
    LEFT: EXITS_BASE,
}

SERVICE_OF_100 = (
    PerHundred(WHO, "{} will be unemployed", "client_employment", "Unemployed"),
    PerHundred(WHO, "{} will have a disability", "client_disability", "Yes"),
    PerHundred(WHO, "{} referred by the Police", "referral_route", "Police"),
    PerHundred(INVOLVED, "{} have a male perpetrator", "perpetrator_sex_at_birth", "Male"),
    PerHundred(
        INVOLVED,
        "For {} the perpetrator will be an ex-intimate partner",
        "primary_perpetrator_relationship",
        "Ex-intimate partner",
    ),
    # Cases at intake with a child whose CYPS involvement is other than "None" (a case's children
    # may have several kinds each, so the table's rows cannot give it), per 100 intakes.
    PerHundred(
        INVOLVED,
        _SEED_TEXT["cyps_involvement"],
        "cyps_involvement_intake",
        count=CYPS_INVOLVED,
        per=INTAKES_BASE,
    ),
    PerHundred(INVOLVED, "{} will be pregnant", "client_pregnant", "Yes"),
    PerHundred(INVOLVED, "{} have children", "children_count", "0", complement=True),
    # One row per child involved, per 100 clients (the seed: 3,478 children of 3,000 = 116).
    PerHundred(
        INVOLVED, _SEED_TEXT["children_involved"], "children_ages", of_n=True, per=CLIENTS_BASE
    ),
    PerHundred(INVOLVED, _SEED_TEXT["previous_abuse"], "previous_abuse_exposure", "Yes"),
    PerHundred(INVOLVED, "{} have multiple perpetrators", "multiple_perpetrators", "Yes"),
    PerHundred(
        EXPERIENCED, "{} will be at high risk of serious injury or death", "high_risk", "Yes"
    ),
    # Lantern records the length of abuse in the seed's bands, so the "average" is the band of
    # the middle answer (of those who answered), never a number the bands cannot give.
    PerHundred(
        EXPERIENCED,
        "Length of abuse (the middle answer): {}",
        "abuse_length",
        middle_band=True,
    ),
    PerHundred(
        EXPERIENCED,
        "{} will be experiencing multiple types of abuse",
        "intake_multiple_abuse_types",
        "Clients experiencing multiple types of abuse",
    ),
    PerHundred(
        EXPERIENCED, "{} have experienced physical abuse", "abuse_types_12_months", "Physical"
    ),
    PerHundred(EXPERIENCED, "{} have experienced sexual abuse", "abuse_types_12_months", "Sexual"),
    PerHundred(
        EXPERIENCED,
        "{} have experienced harassment and / or stalking",
        "abuse_types_12_months",
        "Harassment and stalking",
    ),
    PerHundred(
        EXPERIENCED,
        "{} have experienced jealous and controlling behaviours",
        "abuse_types_12_months",
        "Jealous and controlling",
    ),
    PerHundred(
        SUPPORT,
        "They will receive {} direct contacts (median)",
        "contacts_count",
        statistic="median",
    ),
    PerHundred(SUPPORT, "over a {} week period (median)", "case_length", statistic="median_weeks"),
    PerHundred(SUPPORT, "{} will be supported with criminal justice", "cj_supported", "Yes"),
    PerHundred(SUPPORT, "{} will be supported with civil justice", "civil_supported", "Yes"),
    PerHundred(SUPPORT, "{} will be supported with safety", "support_safety", "Yes"),
    PerHundred(
        SUPPORT,
        "{} will be supported with children and parenting",
        "support_children_parenting",
        "Yes",
    ),
    PerHundred(SUPPORT, "{} will be supported with housing", "support_housing", "Yes"),
    PerHundred(
        SUPPORT, "{} will be supported with their mental health", "support_mental_health", "Yes"
    ),
    PerHundred(
        SUPPORT, "{} will be supported with alcohol misuse", "support_alcohol_misuse", "Yes"
    ),
    PerHundred(SUPPORT, "{} will be supported with drug misuse", "support_drug_misuse", "Yes"),
    # Outcomes recorded in the children and parenting area, per 100 exits (the seed: 136 and 56
    # of 2,928 exits give 5 and 2).
    PerHundred(
        SUPPORT,
        _SEED_TEXT["childrens_support_services"],
        "support_children_parenting_outcomes",
        "Accessing children's support services",
        per=EXITS_BASE,
    ),
    PerHundred(
        SUPPORT,
        _SEED_TEXT["freedom_programme"],
        "support_children_parenting_outcomes",
        "Accessed Freedom programme",
        per=EXITS_BASE,
    ),
    PerHundred(
        LEFT,
        "{} have an improved quality of life",
        "client_outcome_quality_of_life",
        "Total Agree",
    ),
    PerHundred(
        LEFT,
        "{} will feel optimistic about the future",
        "client_outcome_optimistic",
        "Total Agree",
    ),
    PerHundred(LEFT, "{} feel safer", "client_outcome_feel_safer", "Total Agree"),
    PerHundred(
        LEFT, "{} have an improved sense of wellbeing", "client_outcome_wellbeing", "Total Agree"
    ),
    PerHundred(LEFT, "{} feel more confident", "client_outcome_confident", "Total Agree"),
)
SERVICE_OF_100_TABLES = sorted(
    {item.table for item in SERVICE_OF_100} | set(SECTION_BASES.values()) | {INTAKES_BASE}
)


@dataclass(frozen=True)
class PerHundredPage:
    """The "if a service supported 100 people" page: its sections, or `note` (and no sections)
    when the service is too small for any of them."""

    sections: list[tuple[str, list[str]]]
    note: str = ""


@in_reporting_reads
def service_of_100_counts(period: Period, filters: ReportFilters) -> dict[str, int]:
    """The page's counts that no Insights table gives: the cases at intake with a child known to
    Children and Young Persons Services (any involvement but "None")."""
    involved = ChildInCase.objects.filter(
        case_id=OuterRef("case_id"), cyps_involvement__isnull=False
    )
    involved = involved.exclude(cyps_involvement__label="None")
    intakes = UNIVERSES["intakes"].rows(period, filters).filter(Exists(involved))
    return {CYPS_INVOLVED: intakes.count()}


def _middle_band(figures: ShownFigures) -> str:
    """The band holding the middle answer of those who answered (options only, in order)."""
    counts = [c for c, kind in zip(figures.counts, figures.kinds, strict=True) if kind == "option"]
    labels = [
        lb for lb, kind in zip(figures.labels, figures.kinds, strict=True) if kind == "option"
    ]
    if not all(isinstance(count, int) for count in counts) or not sum(counts):
        return "n/a"
    middle, running = (sum(counts) + 1) / 2, 0
    for label, count in zip(labels, counts, strict=True):
        running += count
        if running >= middle:
            return label
    return "n/a"  # unreachable: the running total reaches the sum


def _base(figures: ShownFigures | None) -> int | None:
    return figures.n if figures is not None and isinstance(figures.n, int) else None


def _per_hundred(item: PerHundred, tables, counts, min_n: int) -> str:
    figures = tables[item.table]
    if item.statistic:
        value = figures.statistics.get(item.statistic)
        return "n/a" if value is None else f"{value:.0f}"
    if item.middle_band:
        return _middle_band(figures)
    base = _base(tables[item.per] if item.per else figures)
    if base is None or base < min_n:
        # Nobody, a hidden n, or too few to scale to 100: no figure.
        return "n/a"
    if item.count:
        count = counts.get(item.count)
    elif item.of_n:
        count = figures.n
    else:
        count = (figures.row(item.label) or (0, None))[0]
        if isinstance(count, int) and item.complement:
            count = figures.n - count
    if not isinstance(count, int):
        return "n/a"  # a hidden count: a share of it would give it back
    return f"{round(100 * count / base)}"


def service_of_100(
    tables: dict[str, ShownFigures],
    counts: dict[str, int | str | None] | None = None,
    *,
    min_n: int = SERVICE_OF_100_MIN_N,
) -> PerHundredPage:
    """The one-page summary from the Insights tables as they may be shown (keyed by table):
    each count per 100 of its n (a statistic as it is).

    1. A section whose base (the clients at intake, or the exits) is under `min_n` says it is
       too small for a per-100 figure; when every section is, the page says so instead.
    2. An item whose own n is 0, under `min_n` or hidden, or whose count is hidden as a small
       number, says "n/a" rather than show a figure (100 per 100 of one client describes them,
       and a share gives a hidden count back)."""
    counts = counts or {}
    sections: dict[str, list[str]] = {}
    too_small = {
        heading: (_base(tables.get(base)) or 0) < min_n for heading, base in SECTION_BASES.items()
    }
    if all(too_small.values()):
        return PerHundredPage(
            sections=[],
            note=(
                f"The service is too small for a per-100 summary in this period: it needs at "
                f"least {min_n} clients at intake or {min_n} exits, since with fewer each person "
                "would count as more than two in a hundred. Choose a longer period, or read the "
                "tables below."
            ),
        )
    for item in SERVICE_OF_100:
        if too_small[item.heading]:
            who = "clients at intake" if SECTION_BASES[item.heading] == CLIENTS_BASE else "exits"
            base = _base(tables.get(SECTION_BASES[item.heading]))
            sections[item.heading] = [
                f"No {who} in the period."
                if not base
                else f"Fewer than {min_n} {who}: too few for a per-100 figure."
            ]
            continue
        sections.setdefault(item.heading, []).append(
            item.text.format(_per_hundred(item, tables, counts, min_n))
        )
    return PerHundredPage(sections=list(sections.items()))


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


@in_reporting_reads
def marac_table(period: Period, filters: ReportFilters, area: str = "") -> list[tuple[str, Cell]]:
    """Cases heard at MARAC meetings held in the period (of the chosen services' cases, teams
    and current risk levels, and of one MARAC area when given), with each measure's count over
    the cases heard."""
    hearings = MaracHearing.objects.annotate(
        female_perpetrator=Exists(
            Perpetrator.objects.filter(case_id=OuterRef("case_id"), sex_at_birth="Female")
        )
    ).filter(
        meeting__held_on__gte=period.start,
        meeting__held_on__lte=period.end,
        case__service_id__in=filters.service_ids,
    )
    # The team and current risk level filters narrow it as they narrow every Insights table
    # (reporting.insights.engine.Universe.rows).
    if filters.team_ids:
        hearings = hearings.filter(case__team_id__in=filters.team_ids)
    if filters.risk_levels:
        hearings = hearings.filter(case__risk_level__in=filters.risk_levels)
    if filters.exclude_restricted:
        hearings = hearings.filter(case__is_restricted=False)
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
    # Asked every time, so that the number of queries does not depend on the number of cases.
    any_restricted = hearings.filter(case__is_restricted=True).exists()
    if 0 < values["heard"] < SUPPRESSION_THRESHOLD and any_restricted:
        # As the Insights tables: restricted cases only where n reaches the threshold.
        values = aggregate_once(hearings.filter(case__is_restricted=False), **aggregates)
    heard = values["heard"]
    rows = [(labels["cases_heard"], Cell(heard, 0))]
    rows += [(labels[key], Cell(values[key], heard)) for key, _ in MARAC_ROWS]
    rows.append((labels["children_in_households"], Cell(values["children"], 0)))
    rows.append((labels["female_perpetrators"], Cell(values["female_perpetrators"], heard)))
    return rows
