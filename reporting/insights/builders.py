"""The building blocks of the Insights table specs (reporting.insights.tables): SQL
expressions over the forms, shorthand spec builders, the per-case facts, and the tables that
need more than one answer (derived rows, bands, changes between intake and exit)."""

import datetime

from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import Exact, LessThan

from cases.choices import DONT_KNOW
from catalogue.insights import TABLES_BY_KEY
from outcomes.models import CivilOrder, Incident
from riskassessment.scoring import has_insights_dash_band, insights_dash_band_conditions

from .results import Figures, Row
from .specs import ChoiceSpec, Counted, CountSpec, MultiSpec

# --- Expressions --------------------------------------------------------------------------------

LEVELS_PRESENT = ("High", "Moderate", "Standard")
LEVEL_RANK = {"None": 0, "Standard": 1, "Moderate": 2, "High": 3}
ABUSE_LEVELS = ("physical", "sexual", "harassment_stalking", "jealous_controlling")
OTHER_ABUSE = ("forced_marriage", "honour_based", "fgm")


class CalendarPart(Func):
    """A date's year, month or day as a whole number. On PostgreSQL date_part(), a float8:
    EXTRACT (Django's __year, ExtractYear) gives a numeric there since PostgreSQL 14, and the
    client profile's age took a third of its aggregate's time at 100,000 cases in numerics."""

    output_field = IntegerField()

    def __init__(self, part: str, expression, **extra):
        self.part = part  # "year", "month" or "day": the code's own, never input
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return connection.ops.date_extract_sql(self.part, sql, params)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date_part('{self.part}', {sql})", params


def age_at(date_field: str, born_field: str):
    """Whole years between two dates, in SQL (portable to SQLite and PostgreSQL): the years
    between them, one less before the birthday (its month and day) of the later year."""

    def part(name: str, field: str) -> CalendarPart:
        return CalendarPart(name, F(field))

    before_birthday = Case(
        When(
            Q(LessThan(part("month", date_field), part("month", born_field)))
            | Q(
                Exact(part("month", date_field), part("month", born_field)),
                LessThan(part("day", date_field), part("day", born_field)),
            ),
            then=Value(1),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    # Whole years in an integer (the parts are float8 on PostgreSQL): the band comparisons
    # and the mean read an integer, as they did when the parts were EXTRACT's numerics.
    return Cast(
        part("year", date_field) - part("year", born_field) - before_birthday,
        output_field=IntegerField(),
    )


def level_rank(field: str):
    return Case(
        *[When(**{field: label}, then=Value(rank)) for label, rank in LEVEL_RANK.items()],
        default=Value(None),
        output_field=IntegerField(),
    )


def present(prefix: str, kind: str) -> Q:
    return Q(**{f"{prefix}level_{kind}__in": LEVELS_PRESENT})


def high(prefix: str, kind: str) -> Q:
    return Q(**{f"{prefix}level_{kind}": "High"})


def count_true(conditions) -> Case:
    """How many of the conditions hold for a row, in SQL."""
    total = Value(0)
    for condition in conditions:
        total = total + Case(When(condition, then=Value(1)), default=Value(0))
    return ExpressionWrapper(total, output_field=IntegerField())


def has_option(model, field: str, labels) -> Exists:
    """The row has one of these options in a many-to-many (as EXISTS: no join, no double
    counting in the surrounding aggregate)."""
    relation = model._meta.get_field(field)
    through = relation.remote_field.through
    return Exists(
        through.objects.filter(
            **{
                relation.m2m_field_name(): OuterRef("pk"),
                f"{relation.m2m_reverse_field_name()}__label__in": list(labels),
            }
        )
    )


# --- Spec builders ------------------------------------------------------------------------------


def choice(key, universe, field, **kwargs):
    return ChoiceSpec(key=key, universe=universe, field=field, **kwargs)


def multi(key, universe, field, **kwargs):
    return MultiSpec(key=key, universe=universe, field=field, **kwargs)


def counts(key, universe, rows, **kwargs):
    """A table of counts by condition: `rows` is {label: condition} or a list of Counted."""
    if isinstance(rows, dict):
        rows = [Counted(label, condition) for label, condition in rows.items()]
    return CountSpec(key=key, universe=universe, counts=tuple(rows), **kwargs)


def yes_no(key, universe, yes: Q, *, unknown_rows=False):
    """Yes where the condition holds, otherwise No (with zero "Don't know" and "Missing" rows
    where the seed has them: Lantern knows the answer from the records)."""
    rows = [Counted("Yes", yes), Counted("No", ~yes)]
    if unknown_rows:
        rows += [Counted(DONT_KNOW, None, "dont_know"), Counted("Missing", None, "missing")]
    return counts(key, universe, rows)


# --- Per-case facts (reporting.models.CaseFacts, worked out once per report) ----------------------

FACTS = "case__report_facts__"


def fact(name: str) -> str:
    return f"{FACTS}{name}"


def has_fact(name: str) -> Q:
    return Q(**{f"{FACTS}{name}__gt": 0})


# --- Derived tables ---------------------------------------------------------------------------


def multiple_types(key, universe, prefix: str = "", model=None, applies=None):
    """The three derived rows of 'Multiple types of abuse' over the level answers (and, for the
    first row only, forced marriage, 'honour'-based abuse and FGM)."""
    labels = TABLES_BY_KEY["intake_multiple_abuse_types"].options
    kinds_present = [present(prefix, kind) for kind in ABUSE_LEVELS]
    if model is not None and hasattr(model, "forced_marriage"):
        kinds_present += [Q(**{f"{prefix}{kind}": "Yes"}) for kind in OTHER_ABUSE]
    kinds_high = [high(prefix, kind) for kind in ABUSE_LEVELS]
    types_present, types_high = f"{key}_present", f"{key}_high"
    return counts(
        key,
        universe,
        {
            labels[0]: Q(**{f"{types_present}__gte": 2}),
            labels[1]: Q(**{f"{types_high}__gte": 2}),
            labels[2]: Q(**{f"{types_high}__gte": 1}),
        },
        columns={types_present: count_true(kinds_present), types_high: count_true(kinds_high)},
        applies=applies,
    )


def change_in_level(kind: str):
    """Reduced / high to none / to none / unchanged / increased between the matched intake and
    the exit, over exits where the abuse was present at intake or exit."""
    key = f"change_level_{kind}"
    labels = TABLES_BY_KEY[key].options
    rank_in, rank_out = f"{key}_in", f"{key}_out"
    before = F(rank_in)
    return counts(
        key,
        "exits",
        [
            Counted(labels[0], Q(**{f"{rank_out}__lt": before})),
            Counted(labels[1], Q(**{rank_in: 3, rank_out: 0}), "member"),
            Counted(labels[2], Q(**{f"{rank_in}__gt": 0, rank_out: 0}), "member"),
            Counted(labels[3], Q(**{rank_out: before})),
            Counted(labels[4], Q(**{f"{rank_out}__gt": before})),
        ],
        columns={
            rank_in: level_rank(f"{INTAKE_MATCH}level_{kind}"),
            rank_out: level_rank(f"level_{kind}"),
        },
        applies=Q(**{f"{rank_in}__isnull": False, f"{rank_out}__isnull": False})
        & (Q(**{f"{rank_in}__gt": 0}) | Q(**{f"{rank_out}__gt": 0})),
    )


def _no_average_without_scores(figures):
    if figures.statistics.get("average") is None:
        figures.statistics.pop("average", None)


def dash_bands(key, universe, score: str, applies: Q | None = None, statistics=None):
    """Insights bands the Dash ticks 1-5, 6-9, 10+ (riskassessment.scoring: the report's banding,
    not local practice), with the average score. Zero ticks has no band: it is missing."""
    with_score = has_insights_dash_band(score)
    rows = [Counted(label, condition) for label, condition in insights_dash_band_conditions(score)]
    if TABLES_BY_KEY[key].has_missing:
        rows.append(Counted("Missing", ~with_score, "missing"))
    return counts(
        key,
        universe,
        rows,
        applies=applies,
        finish=_no_average_without_scores,
        statistics={
            "average": Avg(score, filter=(applies or Q()) & with_score),
            **(statistics or {}),
        },
    )


def high_risk_basis_at_intake():
    basis = fact("basis_in")
    labels = TABLES_BY_KEY["high_risk_basis"].options
    rows = [Counted(label, Q(**{basis: label})) for label in labels]
    rows.append(Counted("Missing", Q(**{f"{basis}__isnull": True}) | Q(**{basis: ""}), "missing"))
    # Over the intakes answered high risk ("High risk?" on the intake form), as the seed's n.
    return counts("high_risk_basis", "intakes", rows, applies=Q(high_risk="Yes"))


def children_per_case():
    labels = TABLES_BY_KEY["children_count"].options
    children = fact("children")
    rows = {label: Q(**{children: index}) for index, label in enumerate(labels[:5])}
    rows[labels[5]] = Q(**{f"{children}__gte": 5})
    return counts(
        "children_count",
        "intake_clients",
        rows,
        statistics={"mean": Avg(children, filter=Q(**{f"{children}__gte": 1}))},
    )


def _case_length_in_weeks(figures):
    days = figures.statistics.pop("median_days", None)
    figures.statistics["median_weeks"] = None if days is None else days / 7


def case_length():
    """Weeks from the matched intake to the exit, banded by months; exits dated before their
    intake are Errors (as Insights counts them)."""
    labels = TABLES_BY_KEY["case_length"].options
    day = datetime.timedelta(days=1)
    rows = []
    for label, (low, high_) in zip(
        labels, [(0, 60), (61, 121), (122, 182), (183, 243), (244, None)], strict=True
    ):
        condition = Q(case_length__gte=low * day)
        if high_ is not None:
            condition &= Q(case_length__lt=(high_ + 1) * day)
        rows.append(Counted(label, condition))
    rows.append(Counted("Errors", Q(case_length__lt=0 * day), "errors"))
    return counts(
        "case_length",
        "exits",
        rows,
        columns={
            "case_length": ExpressionWrapper(
                F("exit_date") - F(f"{INTAKE_MATCH}completed_on"), output_field=DurationField()
            )
        },
        medians={"median_days": ("case_length", Q(case_length__gte=0 * day))},
        finish=_case_length_in_weeks,
    )


def contacts_received():
    labels = TABLES_BY_KEY["contacts_count"].options
    contacts = fact("contacts")
    rows = []
    for label, (low, high_) in zip(
        labels, [(1, 5), (6, 10), (11, 20), (21, 34), (35, None)], strict=True
    ):
        condition = Q(**{f"{contacts}__gte": low})
        if high_ is not None:
            condition &= Q(**{f"{contacts}__lte": high_})
        rows.append(Counted(label, condition))
    return counts(
        "contacts_count",
        "exits",
        rows,
        columns={"contacts_received": F(contacts)},
        medians={"median": ("contacts_received", None)},
    )


# Exits with a banded Dash score at both intake and exit: the change between them is what is
# counted (the seed's Intake and Exit columns each add up to their n).
PAIRED = has_insights_dash_band(f"{FACTS}score_in") & has_insights_dash_band(f"{FACTS}score_out")


def escalation():
    labels = TABLES_BY_KEY["exit_escalation"].options
    severity = Q(escalation_severity="Yes")
    frequency = Q(escalation_frequency="Yes")
    any_high = Q()
    for kind in ABUSE_LEVELS:
        any_high |= high("", kind)
    return counts(
        "exit_escalation",
        "exits",
        {
            labels[0]: severity,
            labels[1]: frequency,
            labels[2]: severity | frequency,
            labels[3]: (severity | frequency) & any_high,
        },
    )


def relationship_change():
    labels = TABLES_BY_KEY["relationship_change"].options
    current, ex = "Current intimate partner", "Ex-intimate partner"
    was = f"{INTAKE_MATCH}primary_perpetrator_relationship"
    return counts(
        "relationship_change",
        "exits",
        {
            labels[0]: Q(**{was: current}, relationship_at_exit=ex),
            labels[1]: Q(**{was: ex}, relationship_at_exit=current),
        },
        applies=Q(**{f"{was}__in": [current, ex]}),
    )


CONVICTIONS = (
    "Pled guilty",
    "Pled guilty (lesser charge)",
    "Pled innocent-found guilty",
    "Pled innocent-found guilty (lesser charge)",
)


def _police_report_ratios(figures):
    labels = TABLES_BY_KEY["police_report_statistics"].options
    statistics = figures.statistics
    reports, cases = figures.n, statistics.pop("cases")
    incidents, convicted = statistics.pop("incidents") or 0, statistics.pop("convicted") or 0
    statistics[labels[0]] = reports / cases if cases else None
    statistics[labels[1]] = incidents / reports if reports else None
    statistics[labels[2]] = 100.0 * convicted / incidents if incidents else None


def police_report_statistics():
    def incidents_of_report(condition=None):
        return Coalesce(
            Subquery(
                Incident.objects.filter(condition or Q(), report_id=OuterRef("pk"))
                .order_by()
                .values("report_id")
                .annotate(c=Count("pk"))
                .values("c")[:1]
            ),
            Value(0),
        )

    return counts(
        "police_report_statistics",
        "police_reports",
        [],
        columns={
            "report_incidents": incidents_of_report(),
            "report_convictions": incidents_of_report(Q(consequence__in=CONVICTIONS)),
        },
        statistics={
            "cases": Count("case_id", distinct=True),
            "incidents": Sum("report_incidents"),
            "convicted": Sum("report_convictions"),
        },
        finish=_police_report_ratios,
    )


def civil_order(key, order_type):
    labels = TABLES_BY_KEY[key].options
    return counts(
        key,
        "civil_forms",
        {
            label: Q(
                Exists(
                    CivilOrder.objects.filter(
                        form_id=OuterRef("pk"), order_type=order_type, status=label
                    )
                )
            )
            for label in labels
        },
    )


IMPROVED = ("Improved greatly", "Improved slightly")


def supported_in(area) -> Q:
    return Q(**{fact(f"{area}_supported"): "Yes"})


def needs_and_support(area):
    labels = TABLES_BY_KEY[f"needs_support_{area}"].options
    need = Q() if area == "safety" else Q(**{f"{INTAKE_MATCH}need_{area}": "Yes"})
    supported = need & supported_in(area)
    return counts(
        f"needs_support_{area}",
        "exits",
        {
            labels[0]: need,
            labels[1]: supported,
            labels[2]: supported & Q(**{f"{fact(f'{area}_impact_safety')}__in": IMPROVED}),
            labels[3]: supported & Q(**{f"{fact(f'{area}_impact_wellbeing')}__in": IMPROVED}),
        },
    )


def support_given(area):
    answer = fact(f"{area}_supported")
    return counts(
        f"support_{area}",
        "exits",
        [
            Counted("Yes", Q(**{answer: "Yes"})),
            Counted("No", Q(**{answer: "No"})),
            Counted("Missing", Q(**{f"{answer}__isnull": True}) | Q(**{answer: ""}), "missing"),
        ],
    )


def cases_used(results):
    labels = TABLES_BY_KEY["cases_used"].options
    return Figures(
        0,
        [
            Row(labels[0], results["abuse_length"].n),
            Row(labels[1], results["review_further_abuse"].n),
            Row(labels[2], results["exit_case_status"].n),
            Row(
                labels[3],
                results["cj_supported"].count("Yes") + results["civil_supported"].count("Yes"),
            ),
        ],
    )


# Paths from a universe row (a form) to its client, and to its case's intake forms.
CLIENT = "case__client__"
INTAKE_MATCH = "case__intake_forms__"
