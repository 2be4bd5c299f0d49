"""Every table of the Insights dataset (seed 002), as specs over Lantern's records.

Counting rules (reporting/README.md says the same in words):
1. Intake tables count submitted intake forms dated (Time 1) in the period; the client profile
   counts people, so it keeps one intake per client (the latest in the period).
2. Outcome tables count submitted exit forms dated (Time 2) in the period that are matched to a
   submitted intake of the same case; the intake may be earlier than the period.
3. Review tables count submitted review forms dated in the period.
4. Criminal and civil justice tables count the forms of cases whose exit is in the period
   (Insights captures them at exit), police reports and incidents on those forms.
5. Percentages are over the stated n: e.g. support given over those with the need.
6. "Errors" are exits dated before their intake (case length); "Missing" is an unanswered
   question and "Don't know" an answer, always reported apart.
"""

import datetime

from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear

from cases.choices import DONT_KNOW
from cases.models import ChildInCase, Client
from catalogue.insights import TABLES, TABLES_BY_KEY
from outcomes.models import (
    CivilJusticeForm,
    CivilOrder,
    ExitForm,
    Incident,
    IntakeForm,
    PoliceReport,
    ReviewForm,
)
from outcomes.models.base import FormStatus
from outcomes.questions import CIVIL_ORDER_TABLES
from support.models import AreaSupport

from .engine import (
    BandSpec,
    ChoiceSpec,
    Counted,
    CountSpec,
    Figures,
    GroupSpec,
    MultiSpec,
    PostSpec,
    Row,
    Universe,
)

SUBMITTED = FormStatus.SUBMITTED

# --- Universes --------------------------------------------------------------------------------


def _submitted_intake_for_case():
    return IntakeForm.objects.filter(case_id=OuterRef("case_id"), status=SUBMITTED)


def _dated_by_exit(key, label, queryset):
    """Rows of the justice forms, counted in the period of their case's submitted exit."""
    return Universe(
        key,
        label,
        queryset,
        "case__exit_forms__exit_date",
        "case",
        narrow=lambda qs: qs.filter(case__exit_forms__status=SUBMITTED),
    )


UNIVERSES = {
    "intakes": Universe(
        "intakes",
        "cases at intake",
        lambda: IntakeForm.objects.filter(status=SUBMITTED),
        "completed_on",
        "case",
    ),
    "intake_clients": Universe(
        "intake_clients",
        "individual clients at intake, duplicates removed",
        lambda: IntakeForm.objects.filter(status=SUBMITTED),
        "completed_on",
        "case",
        dedupe_client=True,
        deduplicates="intakes",
    ),
    "intake_children": Universe(
        "intake_children",
        "children and young people involved in cases at intake",
        lambda: ChildInCase.objects.all(),
        "case__intake_forms__completed_on",
        "case",
        narrow=lambda qs: qs.filter(case__intake_forms__status=SUBMITTED),
    ),
    "reviews": Universe(
        "reviews",
        "review forms",
        lambda: ReviewForm.objects.filter(status=SUBMITTED),
        "reviewed_on",
        "case",
    ),
    "exits": Universe(
        "exits",
        "exits matched to intake",
        lambda: ExitForm.objects.filter(status=SUBMITTED),
        "exit_date",
        "case",
        narrow=lambda qs: qs.filter(Exists(_submitted_intake_for_case())),
    ),
    "police_reports": _dated_by_exit(
        "police_reports",
        "police reports on criminal justice forms of exits in the period",
        lambda: PoliceReport.objects.filter(form__status=SUBMITTED),
    ),
    "incidents": _dated_by_exit(
        "incidents",
        "incidents reported to the police",
        lambda: Incident.objects.filter(report__form__status=SUBMITTED),
    ),
    "civil_forms": _dated_by_exit(
        "civil_forms",
        "clients supported with civil justice",
        lambda: CivilJusticeForm.objects.filter(status=SUBMITTED),
    ),
}

# The two lanes a report runs in at once (reporting.insights.engine.run_tables): the intake
# side and the exit side, about the same work each.
LANES = (
    ("intakes", "intake_clients", "intake_children"),
    ("exits", "reviews", "police_reports", "incidents", "civil_forms"),
)

# --- Expressions --------------------------------------------------------------------------------

LEVELS_PRESENT = ("High", "Moderate", "Standard")
LEVEL_RANK = {"None": 0, "Standard": 1, "Moderate": 2, "High": 3}
ABUSE_LEVELS = ("physical", "sexual", "harassment_stalking", "jealous_controlling")
OTHER_ABUSE = ("forced_marriage", "honour_based", "fgm")


def age_at(date_field: str, born_field: str):
    """Whole years between two dates, in SQL (portable to SQLite and PostgreSQL)."""
    before_birthday = Case(
        When(
            Q(**{f"{date_field}__month__lt": ExtractMonth(born_field)})
            | Q(
                **{
                    f"{date_field}__month": ExtractMonth(born_field),
                    f"{date_field}__day__lt": ExtractDay(born_field),
                }
            ),
            then=Value(1),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    return ExpressionWrapper(
        ExtractYear(date_field) - ExtractYear(born_field) - before_birthday,
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
    """Insights bands the Dash ticks 1-5, 6-9, 10+ (the report's banding, not local practice),
    with the average score."""
    labels = TABLES_BY_KEY[key].options
    with_score = Q(**{f"{score}__isnull": False})
    rows = [
        Counted(labels[0], with_score & Q(**{f"{score}__lte": 5})),
        Counted(labels[1], Q(**{f"{score}__gte": 6, f"{score}__lte": 9})),
        Counted(labels[2], Q(**{f"{score}__gte": 10})),
    ]
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


def high_risk_at_intake():
    level = fact("level_in")
    return counts(
        "high_risk",
        "intakes",
        [
            Counted("Yes", Q(**{level: "high"})),
            Counted("No", Q(**{f"{level}__in": ["standard", "medium"]})),
            Counted(DONT_KNOW, None, "dont_know"),
            Counted("Missing", Q(**{f"{level}__isnull": True}) | Q(**{level: ""}), "missing"),
        ],
    )


def high_risk_basis_at_intake():
    basis = fact("basis_in")
    labels = TABLES_BY_KEY["high_risk_basis"].options
    rows = [Counted(label, Q(**{basis: label})) for label in labels]
    rows.append(Counted("Missing", Q(**{f"{basis}__isnull": True}) | Q(**{basis: ""}), "missing"))
    return counts("high_risk_basis", "intakes", rows, applies=Q(**{fact("level_in"): "high"}))


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


# Exits with a Dash score at both intake and exit: the change between them is what is counted.
PAIRED = Q(**{f"{FACTS}score_in__isnull": False, f"{FACTS}score_out__isnull": False})


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

CLIENT = "case__client__"
INTAKE_MATCH = "case__intake_forms__"


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
            value=lambda: age_at("completed_on", f"{CLIENT}date_of_birth"),
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
        choice("client_pregnant", "intake_clients", f"{CLIENT}pregnant"),
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
        choice("client_disability", "intake_clients", f"{CLIENT}disability"),
        multi(
            "client_disability_type",
            "intake_clients",
            "disability_types",
            owner=lambda: Client,
            row_key="case__client_id",
            applies=Q(**{f"{CLIENT}disability": "Yes"}),
        ),
        multi(
            "client_employment",
            "intake_clients",
            "employment",
            owner=lambda: Client,
            row_key="case__client_id",
        ),
        choice("client_financial_situation", "intakes", f"{CLIENT}financial_situation"),
        choice("client_ace", "intakes", "client_ace"),
        _intake_multi("client_ace_types", "client_ace_types", applies=Q(client_ace="Yes")),
        # History of abuse at intake
        dash_bands("dash_ticks_intake", "intakes", fact("score_in")),
        high_risk_at_intake(),
        high_risk_basis_at_intake(),
        yes_no("marac_discussed", "intakes", has_fact("marac_hearings"), unknown_rows=True),
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
                )
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
