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
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear

from cases.catalogue.insights import TABLES, TABLES_BY_KEY
from cases.choices import DONT_KNOW
from cases.models import AreaSupport, ChildInCase, Client, Contact
from outcomes.models import (
    CivilJusticeForm,
    CivilOrder,
    CriminalJusticeForm,
    ExitForm,
    Incident,
    IntakeForm,
    PoliceReport,
    ReviewForm,
)
from outcomes.questions import CIVIL_ORDER_TABLES
from riskassessment.models import Assessment, ChecklistVersion

from .engine import (
    BandSpec,
    ChoiceSpec,
    CustomSpec,
    Figures,
    GroupSpec,
    MultiSpec,
    PostSpec,
    Row,
    Universe,
    aggregate_once,
    median,
)

SUBMITTED = "submitted"

# --- Universes --------------------------------------------------------------------------------


def _submitted_intake_for_case():
    return IntakeForm.objects.filter(case_id=OuterRef("case_id"), status=SUBMITTED)


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
    "police_reports": Universe(
        "police_reports",
        "police reports on criminal justice forms of exits in the period",
        lambda: PoliceReport.objects.filter(form__status=SUBMITTED),
        "case__exit_forms__exit_date",
        "case",
        narrow=lambda qs: qs.filter(case__exit_forms__status=SUBMITTED),
    ),
    "incidents": Universe(
        "incidents",
        "incidents reported to the police",
        lambda: Incident.objects.filter(report__form__status=SUBMITTED),
        "case__exit_forms__exit_date",
        "case",
        narrow=lambda qs: qs.filter(case__exit_forms__status=SUBMITTED),
    ),
    "civil_forms": Universe(
        "civil_forms",
        "clients supported with civil justice",
        lambda: CivilJusticeForm.objects.filter(status=SUBMITTED),
        "case__exit_forms__exit_date",
        "case",
        narrow=lambda qs: qs.filter(case__exit_forms__status=SUBMITTED),
    ),
}

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


def derived(key, universe, compute, **kwargs):
    return CustomSpec(key=key, universe=universe, compute=compute, **kwargs)


def _counting(conditions: dict[str, Q], n_filter: Q | None = None):
    """A CustomSpec body: n and one count per labelled condition, in one aggregate query."""

    def compute(rows):
        base = n_filter or Q()
        aggregates = {"n": Count("pk", filter=base)}
        for index, condition in enumerate(conditions.values()):
            aggregates[f"c{index}"] = Count("pk", filter=base & condition)
        values = aggregate_once(rows, **aggregates)
        return Figures(
            values["n"],
            [Row(label, values[f"c{index}"]) for index, label in enumerate(conditions)],
        )

    return compute


def multiple_types(prefix: str = "", model=None):
    """The three derived rows of 'Multiple types of abuse' over the level answers (and, for the
    first row only, forced marriage, 'honour'-based abuse and FGM)."""
    labels = TABLES_BY_KEY["intake_multiple_abuse_types"].options
    kinds_present = [present(prefix, kind) for kind in ABUSE_LEVELS]
    if model is not None and hasattr(model, "forced_marriage"):
        kinds_present += [Q(**{f"{prefix}{kind}": "Yes"}) for kind in OTHER_ABUSE]
    kinds_high = [high(prefix, kind) for kind in ABUSE_LEVELS]

    def compute(rows):
        annotated = rows.annotate(
            types_present=count_true(kinds_present), types_high=count_true(kinds_high)
        )
        values = aggregate_once(
            annotated,
            n=Count("pk"),
            multiple=Count("pk", filter=Q(types_present__gte=2)),
            multiple_high=Count("pk", filter=Q(types_high__gte=2)),
            any_high=Count("pk", filter=Q(types_high__gte=1)),
        )
        return Figures(
            values["n"],
            [
                Row(labels[0], values["multiple"]),
                Row(labels[1], values["multiple_high"]),
                Row(labels[2], values["any_high"]),
            ],
        )

    return compute


def change_in_level(kind: str):
    """Reduced / high to none / to none / unchanged / increased between the matched intake and
    the exit, over exits where the abuse was present at intake or exit."""
    labels = TABLES_BY_KEY[f"change_level_{kind}"].options
    intake_field = f"case__intake_forms__level_{kind}"
    exit_field = f"level_{kind}"

    def compute(rows):
        annotated = rows.annotate(rank_in=level_rank(intake_field), rank_out=level_rank(exit_field))
        base = Q(rank_in__isnull=False, rank_out__isnull=False) & (
            Q(rank_in__gt=0) | Q(rank_out__gt=0)
        )
        values = aggregate_once(
            annotated,
            n=Count("pk", filter=base),
            reduced=Count("pk", filter=base & Q(rank_out__lt=F("rank_in"))),
            high_to_none=Count("pk", filter=base & Q(rank_in=3, rank_out=0)),
            to_none=Count("pk", filter=base & Q(rank_in__gt=0, rank_out=0)),
            unchanged=Count("pk", filter=base & Q(rank_out=F("rank_in"))),
            increased=Count("pk", filter=base & Q(rank_out__gt=F("rank_in"))),
        )
        return Figures(
            values["n"],
            [
                Row(labels[0], values["reduced"]),
                Row(labels[1], values["high_to_none"], "member"),
                Row(labels[2], values["to_none"], "member"),
                Row(labels[3], values["unchanged"]),
                Row(labels[4], values["increased"]),
            ],
        )

    return compute


def dash_band_figures(
    score_field: str, n_filter: Q | None = None, key="dash_ticks_intake", counted=None
):
    """Insights bands the Dash ticks 1-5, 6-9, 10+ (the report's banding, not local practice).
    `counted` adds statistics counted in the same query (name -> condition)."""
    labels = TABLES_BY_KEY[key].options

    def compute(rows):
        base = n_filter or Q()
        with_score = base & Q(**{f"{score_field}__isnull": False})
        extra = {
            name: Count("pk", filter=base & condition)
            for name, condition in (counted or {}).items()
        }
        values = aggregate_once(
            rows,
            **extra,
            n=Count("pk", filter=base),
            standard=Count("pk", filter=with_score & Q(**{f"{score_field}__lte": 5})),
            medium=Count(
                "pk",
                filter=with_score
                & Q(**{f"{score_field}__gte": 6})
                & Q(**{f"{score_field}__lte": 9}),
            ),
            high=Count("pk", filter=with_score & Q(**{f"{score_field}__gte": 10})),
            missing=Count("pk", filter=base & Q(**{f"{score_field}__isnull": True})),
            average=Avg(score_field, filter=with_score),
        )
        figures = Figures(
            values["n"],
            [
                Row(labels[0], values["standard"]),
                Row(labels[1], values["medium"]),
                Row(labels[2], values["high"]),
            ],
        )
        if TABLES_BY_KEY[key].has_missing:
            figures.rows.append(Row("Missing", values["missing"], "missing"))
        if values["average"] is not None:
            figures.statistics["average"] = float(values["average"])
        for name in extra:
            figures.statistics[name] = float(values[name])
        return figures

    return compute


# --- Derived tables ---------------------------------------------------------------------------


def _main_versions():
    """Versions of the main tick-counting checklists (DASH), as a subquery PostgreSQL runs once."""
    return ChecklistVersion.objects.filter(
        checklist__scoring="ticks", checklist__is_follow_up=False
    ).values("pk")


def _main_score(stage):
    return Subquery(
        Assessment.objects.filter(
            case_id=OuterRef("case_id"),
            stage=stage,
            status="submitted",
            version_id__in=_main_versions(),
        )
        .order_by("-assessed_on", "-pk")
        .values("score")[:1]
    )


def _latest_assessment(stage, field):
    return Subquery(
        Assessment.objects.filter(
            case_id=OuterRef("case_id"),
            stage=stage,
            status="submitted",
            version_id__in=ChecklistVersion.objects.filter(checklist__is_follow_up=False).values(
                "pk"
            ),
        )
        .order_by("-assessed_on", "-pk")
        .values(field)[:1]
    )


def dash_at_intake(rows):
    return dash_band_figures("score_in")(rows.annotate(score_in=_main_score("intake")))


def high_risk_at_intake(rows):
    annotated = rows.annotate(level=_latest_assessment("intake", "risk_level"))
    values = aggregate_once(
        annotated,
        n=Count("pk"),
        yes=Count("pk", filter=Q(level="high")),
        no=Count("pk", filter=Q(level__in=["standard", "medium"])),
        missing=Count("pk", filter=Q(level__isnull=True) | Q(level="")),
    )
    return Figures(
        values["n"],
        [
            Row("Yes", values["yes"]),
            Row("No", values["no"]),
            Row(DONT_KNOW, 0, "dont_know"),
            Row("Missing", values["missing"], "missing"),
        ],
    )


def high_risk_basis_at_intake(rows):
    annotated = rows.annotate(
        level=_latest_assessment("intake", "risk_level"),
        basis=_latest_assessment("intake", "high_risk_basis"),
    )
    high_risk = Q(level="high")
    labels = TABLES_BY_KEY["high_risk_basis"].options
    aggregates = {"n": Count("pk", filter=high_risk)}
    for index, label in enumerate(labels):
        aggregates[f"b{index}"] = Count("pk", filter=high_risk & Q(basis=label))
    aggregates["missing"] = Count("pk", filter=high_risk & (Q(basis__isnull=True) | Q(basis="")))
    values = aggregate_once(annotated, **aggregates)
    rows_out = [Row(label, values[f"b{index}"]) for index, label in enumerate(labels)]
    rows_out.append(Row("Missing", values["missing"], "missing"))
    return Figures(values["n"], rows_out)


def marac_discussed(rows):
    from riskassessment.models import MaracHearing

    heard = Exists(MaracHearing.objects.filter(case_id=OuterRef("case_id")))
    values = aggregate_once(rows, n=Count("pk"), yes=Count("pk", filter=Q(heard)))
    return Figures(
        values["n"],
        [
            Row("Yes", values["yes"]),
            Row("No", values["n"] - values["yes"]),
            Row(DONT_KNOW, 0, "dont_know"),
            Row("Missing", 0, "missing"),
        ],
    )


def children_per_case(rows):
    labels = TABLES_BY_KEY["children_count"].options
    counted = rows.annotate(
        children=Coalesce(
            Subquery(
                ChildInCase.objects.filter(case_id=OuterRef("case_id"))
                .order_by()
                .values("case_id")
                .annotate(c=Count("pk"))
                .values("c")[:1]
            ),
            Value(0),
        )
    )
    aggregates = {"n": Count("pk"), "mean": Avg("children", filter=Q(children__gte=1))}
    for index in range(5):
        aggregates[f"c{index}"] = Count("pk", filter=Q(children=index))
    aggregates["c5"] = Count("pk", filter=Q(children__gte=5))
    values = aggregate_once(counted, **aggregates)
    figures = Figures(values["n"], [Row(label, values[f"c{i}"]) for i, label in enumerate(labels)])
    figures.statistics["mean"] = None if values["mean"] is None else float(values["mean"])
    return figures


def review_point(rows):
    has_review = Exists(ReviewForm.objects.filter(case_id=OuterRef("case_id"), status=SUBMITTED))
    values = aggregate_once(rows, n=Count("pk"), yes=Count("pk", filter=Q(has_review)))
    return Figures(values["n"], [Row("Yes", values["yes"]), Row("No", values["n"] - values["yes"])])


def reviewed_multiple_types(rows):
    return multiple_types("", ReviewForm)(rows.filter(further_abuse__startswith="Yes"))


def case_length(rows):
    """Weeks from the matched intake to the exit, banded by months; exits dated before their
    intake are Errors (as Insights counts them)."""
    labels = TABLES_BY_KEY["case_length"].options
    length = ExpressionWrapper(
        F("exit_date") - F("case__intake_forms__completed_on"), output_field=DurationField()
    )
    annotated = rows.filter(case__intake_forms__status=SUBMITTED).annotate(length=length)
    day = datetime.timedelta(days=1)
    bounds = [(0, 60), (61, 121), (122, 182), (183, 243), (244, None)]
    aggregates = {
        "n": Count("pk"),
        "errors": Count("pk", filter=Q(length__lt=0 * day)),
    }
    for index, (low, high_) in enumerate(bounds):
        condition = Q(length__gte=low * day)
        if high_ is not None:
            condition &= Q(length__lt=(high_ + 1) * day)
        aggregates[f"b{index}"] = Count("pk", filter=condition)
    values = aggregate_once(annotated, **aggregates)
    days = median(annotated.filter(length__gte=0 * day), "length")
    figures = Figures(
        values["n"],
        [Row(label, values[f"b{index}"]) for index, label in enumerate(labels)]
        + [Row("Errors", values["errors"], "errors")],
    )
    figures.statistics["median_weeks"] = None if days is None else days / 7
    return figures


def contacts_received(rows):
    labels = TABLES_BY_KEY["contacts_count"].options
    counted = rows.annotate(
        contacts=Coalesce(
            Subquery(
                Contact.objects.filter(
                    case_id=OuterRef("case_id"), outcome="successful", with_client=True
                )
                .order_by()
                .values("case_id")
                .annotate(c=Count("pk"))
                .values("c")[:1]
            ),
            Value(0),
        )
    )
    bands = [(1, 5), (6, 10), (11, 20), (21, 34), (35, None)]
    aggregates = {"n": Count("pk")}
    for index, (low, high_) in enumerate(bands):
        condition = Q(contacts__gte=low)
        if high_ is not None:
            condition &= Q(contacts__lte=high_)
        aggregates[f"b{index}"] = Count("pk", filter=condition)
    values = aggregate_once(counted, **aggregates)
    figures = Figures(
        values["n"], [Row(label, values[f"b{index}"]) for index, label in enumerate(labels)]
    )
    figures.statistics["median"] = median(counted, "contacts")
    return figures


# Exits with a Dash score at both intake and exit: the change between them is what is counted.
PAIRED = Q(score_in__isnull=False, score_out__isnull=False)


def _with_scores(rows):
    return rows.annotate(score_in=_main_score("intake"), score_out=_main_score("exit"))


def dash_matched_intake(rows):
    return dash_band_figures("score_in", PAIRED, key="dash_ticks_matched_intake")(
        _with_scores(rows)
    )


def dash_at_exit(rows):
    return dash_band_figures(
        "score_out",
        PAIRED,
        key="dash_ticks_exit",
        counted={"reduced": Q(score_out__lt=F("score_in"))},
    )(_with_scores(rows))


def escalation(rows):
    labels = TABLES_BY_KEY["exit_escalation"].options
    severity = Q(escalation_severity="Yes")
    frequency = Q(escalation_frequency="Yes")
    any_high = Q()
    for kind in ABUSE_LEVELS:
        any_high |= high("", kind)
    return _counting(
        {
            labels[0]: severity,
            labels[1]: frequency,
            labels[2]: severity | frequency,
            labels[3]: (severity | frequency) & any_high,
        }
    )(rows)


def relationship_change(rows):
    labels = TABLES_BY_KEY["relationship_change"].options
    current, ex = "Current intimate partner", "Ex-intimate partner"
    was = "case__intake_forms__primary_perpetrator_relationship"
    values = aggregate_once(
        rows,
        n=Count("pk", filter=Q(**{f"{was}__in": [current, ex]})),
        to_ex=Count("pk", filter=Q(**{was: current}, relationship_at_exit=ex)),
        to_current=Count("pk", filter=Q(**{was: ex}, relationship_at_exit=current)),
    )
    return Figures(
        values["n"], [Row(labels[0], values["to_ex"]), Row(labels[1], values["to_current"])]
    )


def supported_with(form_model):
    def compute(rows):
        has_form = Exists(form_model.objects.filter(case_id=OuterRef("case_id"), status=SUBMITTED))
        values = aggregate_once(rows, n=Count("pk"), yes=Count("pk", filter=Q(has_form)))
        return Figures(
            values["n"], [Row("Yes", values["yes"]), Row("No", values["n"] - values["yes"])]
        )

    return compute


CONVICTIONS = (
    "Pled guilty",
    "Pled guilty (lesser charge)",
    "Pled innocent-found guilty",
    "Pled innocent-found guilty (lesser charge)",
)


def police_report_statistics(rows):
    labels = TABLES_BY_KEY["police_report_statistics"].options
    values = aggregate_once(rows, reports=Count("pk"), cases=Count("case_id", distinct=True))
    incidents = Incident.objects.filter(report__in=rows.values("pk")).aggregate(
        n=Count("pk"), convicted=Count("pk", filter=Q(consequence__in=CONVICTIONS))
    )
    figures = Figures(values["reports"], [])
    figures.statistics[labels[0]] = values["reports"] / values["cases"] if values["cases"] else None
    figures.statistics[labels[1]] = (
        incidents["n"] / values["reports"] if values["reports"] else None
    )
    figures.statistics[labels[2]] = (
        100.0 * incidents["convicted"] / incidents["n"] if incidents["n"] else None
    )
    return figures


def civil_order(key, order_type):
    labels = TABLES_BY_KEY[key].options

    def compute(rows):
        conditions = {
            label: Q(
                Exists(
                    CivilOrder.objects.filter(
                        form_id=OuterRef("pk"), order_type=order_type, status=label
                    )
                )
            )
            for label in labels
        }
        return _counting(conditions)(rows)

    return compute


IMPROVED = ("Improved greatly", "Improved slightly")


def _with_area_support(rows, area):
    """The universe's rows joined to the case's support row for one area (at most one per
    case and area): a LEFT JOIN, so no correlated subquery per row."""
    return rows.annotate(
        area_row=FilteredRelation("case__area_support", condition=Q(case__area_support__area=area))
    )


def needs_and_support(area):
    labels = TABLES_BY_KEY[f"needs_support_{area}"].options

    def compute(rows):
        need = Q() if area == "safety" else Q(**{f"case__intake_forms__need_{area}": "Yes"})
        supported = Q(area_row__supported="Yes")
        values = _with_area_support(rows, area).aggregate(
            n=Count("pk"),
            need=Count("pk", filter=need),
            supported=Count("pk", filter=need & supported),
            safer=Count("pk", filter=need & supported & Q(area_row__impact_safety__in=IMPROVED)),
            better=Count(
                "pk", filter=need & supported & Q(area_row__impact_wellbeing__in=IMPROVED)
            ),
        )
        return Figures(
            values["n"],
            [
                Row(labels[0], values["need"]),
                Row(labels[1], values["supported"]),
                Row(labels[2], values["safer"]),
                Row(labels[3], values["better"]),
            ],
        )

    return compute


def area_universe(area):
    return Universe(
        f"support_{area}",
        f"support with {area.replace('_', ' ')} at exit",
        lambda: AreaSupport.objects.filter(area=area),
        "case__exit_forms__exit_date",
        "case",
        narrow=lambda qs: qs.filter(case__exit_forms__status=SUBMITTED).filter(
            Exists(IntakeForm.objects.filter(case_id=OuterRef("case_id"), status=SUBMITTED))
        ),
    )


def support_given(area):
    def compute(rows):
        values = _with_area_support(rows, area).aggregate(
            n=Count("pk"),
            yes=Count("pk", filter=Q(area_row__supported="Yes")),
            no=Count("pk", filter=Q(area_row__supported="No")),
        )
        missing = values["n"] - values["yes"] - values["no"]
        return Figures(
            values["n"],
            [
                Row("Yes", values["yes"]),
                Row("No", values["no"]),
                Row("Missing", missing, "missing"),
            ],
        )

    return compute


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
for _area in AREAS:
    UNIVERSES[f"support_{_area}"] = area_universe(_area)

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
        derived("children_count", "intake_clients", children_per_case),
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
        derived("dash_ticks_intake", "intakes", dash_at_intake),
        derived("high_risk", "intakes", high_risk_at_intake),
        derived("high_risk_basis", "intakes", high_risk_basis_at_intake),
        derived("marac_discussed", "intakes", marac_discussed),
        derived(
            "abuse_types_12_months",
            "intakes",
            _counting(
                dict(
                    zip(
                        TABLES_BY_KEY["abuse_types_12_months"].options,
                        [present("", kind) for kind in ABUSE_LEVELS]
                        + [Q(**{kind: "Yes"}) for kind in OTHER_ABUSE],
                        strict=True,
                    )
                )
            ),
        ),
        *(choice(f"intake_level_{kind}", "intakes", f"level_{kind}") for kind in ABUSE_LEVELS),
        choice("intake_level_forced_marriage", "intakes", "forced_marriage"),
        choice("intake_level_honour_based", "intakes", "honour_based"),
        choice("intake_level_fgm", "intakes", "fgm"),
        derived("intake_multiple_abuse_types", "intakes", multiple_types("", IntakeForm)),
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
        derived("review_point", "exits", review_point),
        choice("review_further_abuse", "reviews", "further_abuse"),
        derived("review_multiple_abuse_types", "reviews", reviewed_multiple_types),
        choice("review_further_abuse_disclosed", "reviews", "further_abuse_disclosed"),
        # Client outcomes
        choice("exit_case_status", "exits", "case_status"),
        choice(
            "unplanned_closure_reason",
            "exits",
            "unplanned_closure_reason",
            applies=Q(case_status="Unplanned closure"),
        ),
        derived("case_length", "exits", case_length),
        derived("contacts_count", "exits", contacts_received),
        derived("dash_ticks_matched_intake", "exits", dash_matched_intake),
        derived("dash_ticks_exit", "exits", dash_at_exit),
        choice("exit_abuse_reported", "exits", "abuse_since"),
        derived(
            "matched_intake_multiple_abuse_types",
            "exits",
            multiple_types(INTAKE_MATCH, IntakeForm),
        ),
        derived("exit_multiple_abuse_types", "exits", multiple_types("", ExitForm)),
        *(derived(f"change_level_{kind}", "exits", change_in_level(kind)) for kind in ABUSE_LEVELS),
        derived("exit_escalation", "exits", escalation),
    ]
    for kind in ABUSE_LEVELS:
        specs.append(choice(f"matched_intake_level_{kind}", "exits", f"{INTAKE_MATCH}level_{kind}"))
        specs.append(choice(f"exit_level_{kind}", "exits", f"level_{kind}"))
    specs += [
        derived("relationship_change", "exits", relationship_change),
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
    specs += [
        derived(f"needs_support_{area}", "exits", needs_and_support(area)) for area in NEED_AREAS
    ]
    for area in AREAS:
        supported = Q(supported="Yes")
        specs.append(derived(f"support_{area}", "exits", support_given(area)))
        if area == "children_parenting":
            specs.append(
                multi(
                    "cyps_involvement_matched_intake",
                    f"support_{area}",
                    "cyps_involvement",
                    owner=lambda: ChildInCase,
                    owner_key="case",
                    row_key="case_id",
                    applies=supported,
                )
            )
            specs.append(
                multi(
                    "cyps_involvement_exit",
                    f"support_{area}",
                    "cyps_involvement",
                    dont_know_field="cyps_involvement_dont_know",
                    applies=supported,
                )
            )
        specs.append(
            multi(f"support_{area}_outcomes", f"support_{area}", "outcomes", applies=supported)
        )
        specs.append(
            choice(
                f"support_{area}_impact_safety",
                f"support_{area}",
                "impact_safety",
                applies=supported,
            )
        )
        specs.append(
            choice(
                f"support_{area}_impact_wellbeing",
                f"support_{area}",
                "impact_wellbeing",
                applies=supported,
            )
        )
    # Criminal and civil justice
    specs += [
        derived("cj_supported", "exits", supported_with(CriminalJusticeForm)),
        choice("police_report_timing", "police_reports", "timing"),
        derived("police_report_statistics", "police_reports", police_report_statistics),
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
        derived("civil_supported", "exits", supported_with(CivilJusticeForm)),
        choice("civil_legal_aid", "civil_forms", "legal_aid"),
    ]
    specs += [
        derived(key, "civil_forms", civil_order(key, order_type))
        for order_type, key in CIVIL_ORDER_TABLES.items()
    ]
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
