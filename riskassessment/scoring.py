"""Risk scoring, written once and read by the assessment pages, the services and the reports.

- The score of a checklist's answers (ticks or weights), the version's local band, its MARAC
  thresholds (an area's own where it has them), and the level and basis an assessment stores
  (assessment_result).
- The Insights report's Dash band (seed 002: "Standard Risk (1 - 5)", "Medium Risk (6 - 9)",
  "High Risk (10+)"), for one score (insights_dash_band) and as conditions on a score column for
  report SQL (insights_dash_band_conditions). The bands start at 1: zero ticks has no Insights
  band, on the assessment page and in the report alike (the report counts it as missing).
- Whether a checklist is incomplete: most of its answers "Not asked" (MOST_NOT_ASKED). An
  incomplete checklist may raise a case's risk, never lower it (riskassessment.current_risk).
- "The latest submitted assessment" of a case, at a stage or of any stage, as a queryset, a
  Subquery and a window ranking, so that the case page, the outcome forms and every report pick
  the same one.
"""

from dataclasses import dataclass
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from cases.models import RiskLevel
from catalogue.insights import TABLES_BY_KEY

from .models import AreaRule, Assessment, Checklist, ChecklistVersion, HighRiskBasis, ScoreBand

LEVEL_RANK = {"": 0, RiskLevel.STANDARD: 1, RiskLevel.MEDIUM: 2, RiskLevel.HIGH: 3}

# A checklist is incomplete when more than this share of its questions is answered "Not asked"
# (the option keyed NOT_ASKED): 10 of 18 MeRIT questions, 13 of the DASH's 24. "Don't know" is
# an answer the client gave, so it does not count.
MOST_NOT_ASKED = Fraction(1, 2)
NOT_ASKED = "not_asked"


def is_incomplete(not_asked: int, questions: int) -> bool:
    return questions > 0 and not_asked > MOST_NOT_ASKED * questions


# --- The Insights Dash band --------------------------------------------------------------------

_DASH_LABELS = TABLES_BY_KEY["dash_ticks_intake"].options
# (lowest ticks, highest ticks or None for no top, the seed's label). The labels say where each
# band starts and ends; nothing below the first band's start has a band.
INSIGHTS_DASH_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (1, 5, _DASH_LABELS[0]),
    (6, 9, _DASH_LABELS[1]),
    (10, None, _DASH_LABELS[2]),
)


def insights_dash_band(ticks: int | None) -> str:
    """The Insights report's band of a Dash tick count, as the seed labels it; "" for no score
    and for zero ticks. This is the report's banding, not local practice (each version's
    ScoreBand)."""
    if ticks is None:
        return ""
    for low, high, label in INSIGHTS_DASH_BANDS:
        if ticks >= low and (high is None or ticks <= high):
            return label
    return ""


def insights_dash_band_conditions(score: str) -> list[tuple[str, Q]]:
    """(label, condition) per Insights Dash band, over the score column `score` (a lookup path),
    for report SQL: the same bands as insights_dash_band."""
    rows = []
    for low, high, label in INSIGHTS_DASH_BANDS:
        condition = Q(**{f"{score}__gte": low})
        if high is not None:
            condition &= Q(**{f"{score}__lte": high})
        rows.append((label, condition))
    return rows


def has_insights_dash_band(score: str) -> Q:
    """The score column `score` holds a score that has an Insights Dash band (not NULL, not 0)."""
    return Q(**{f"{score}__gte": INSIGHTS_DASH_BANDS[0][0]})


# --- Bands and thresholds of a checklist version -----------------------------------------------


def band_for(version: ChecklistVersion, score: int) -> ScoreBand | None:
    for band in version.bands.all():
        if score >= band.min_score and (band.max_score is None or score <= band.max_score):
            return band
    return None


def level_label(version: ChecklistVersion, level: str) -> str:
    """The checklist's own name for a level (MeRIT's "Gold"), or the plain level word."""
    if not level:
        return ""
    for band in version.bands.all():
        if band.level == level:
            return band.label
    return RiskLevel(level).label


def thresholds_for(version: ChecklistVersion, area: str) -> tuple[int | None, int, int]:
    """(visible-high-risk threshold, escalation call-outs, escalation window in months) for a
    version in an area: an AreaRule overrides the version's defaults field by field."""
    threshold = version.marac_threshold
    call_outs = version.escalation_call_outs
    window = version.escalation_window_months
    rule = (
        AreaRule.objects.filter(checklist_id=version.checklist_id, area=area).first()
        if area
        else None
    )
    if rule is not None:
        threshold = rule.marac_threshold if rule.marac_threshold is not None else threshold
        call_outs = rule.escalation_call_outs or call_outs
        window = rule.escalation_window_months or window
    return threshold, call_outs, window


# --- Scoring an assessment ---------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    score: int
    band_level: str
    band_label: str
    insights_band: str
    visible_high_risk: bool
    potential_escalation: bool
    marac_criteria_met: bool
    risk_level: str
    risk_level_label: str
    high_risk_basis: str
    not_asked_count: int
    is_incomplete: bool


def score_answers(version: ChecklistVersion, options) -> int:
    """Ticks: the number of chosen options that count as a tick ("Don't know", "Not asked" and an
    unanswered question never do). Weighted: the sum of the chosen options' scores."""
    chosen = [option for option in options if option is not None]
    if version.checklist.scoring == Checklist.Scoring.WEIGHTED:
        return sum(option.score for option in chosen)
    return sum(1 for option in chosen if option.counts_as_tick)


def assessment_result(
    *,
    version: ChecklistVersion,
    options,
    area: str = "",
    police_call_outs: int | None = None,
    judgement_level: str = "",
    judgement_reason: str = "",
) -> Result:
    """The stored outcome of a checklist.

    1. Score the answers (ticks or weights) and find the version's band.
    2. Visible high risk: score at or above the MARAC threshold (the area's, if it has one).
    3. Potential escalation: the recorded police call-outs reach the escalation count.
    4. Professional judgement needs a reason and may raise the level, never lower it.
    5. The resulting level is the highest of the band, the judgement, and high for escalation;
       the basis of a high level is counted as Insights does: actuarial (the score), else
       professional judgement, else escalation.
    6. Count the "Not asked" answers: with most of them, the checklist is incomplete.
    """
    options = list(options)
    not_asked = sum(1 for option in options if option is not None and option.key == NOT_ASKED)
    score = score_answers(version, options)
    band = band_for(version, score)
    threshold, call_outs_needed, _window = thresholds_for(version, area)
    visible = threshold is not None and score >= threshold
    escalation = police_call_outs is not None and police_call_outs >= call_outs_needed
    band_level = band.level if band else ""
    if visible and LEVEL_RANK[band_level] < LEVEL_RANK[RiskLevel.HIGH]:
        band_level = RiskLevel.HIGH  # an area threshold below the band's start still means high
    errors = {}
    if judgement_level and not judgement_reason.strip():
        errors["professional_judgement_reason"] = "Give the reason for the professional judgement."
    if judgement_level and LEVEL_RANK[judgement_level] < LEVEL_RANK[band_level]:
        errors["professional_judgement_level"] = (
            "Professional judgement may raise the level the checklist gives, never lower it."
        )
    if errors:
        raise ValidationError(errors)
    level = band_level
    basis = HighRiskBasis.ACTUARIAL if band_level == RiskLevel.HIGH else ""
    if LEVEL_RANK[judgement_level] > LEVEL_RANK[level]:
        level = judgement_level
        if level == RiskLevel.HIGH:
            basis = HighRiskBasis.PROFESSIONAL_JUDGEMENT
    if escalation and level != RiskLevel.HIGH:
        level = RiskLevel.HIGH
        basis = HighRiskBasis.ESCALATION
    judged_high = judgement_level == RiskLevel.HIGH
    return Result(
        score=score,
        band_level=band.level if band else "",
        band_label=band.label if band else "",
        insights_band=insights_dash_band(score) if version.checklist.has_insights_band else "",
        visible_high_risk=visible,
        potential_escalation=escalation,
        marac_criteria_met=visible or judged_high or escalation,
        risk_level=level,
        risk_level_label=level_label(version, level),
        high_risk_basis=basis,
        not_asked_count=not_asked,
        is_incomplete=is_incomplete(not_asked, len(options)),
    )


# --- The latest submitted assessment -----------------------------------------------------------

# Latest first: by the date assessed, then by when it was submitted (a second assessment on the
# same day, submitted later, supersedes the first), then by id.
LATEST_FIRST = ("-assessed_on", "-submitted_at", "-pk")


def latest_submitted(
    assessments: QuerySet[Assessment] | None = None, *, stage: str = "", dash: bool = False
) -> QuerySet[Assessment]:
    """Submitted assessments on main checklists (a follow-up screen never gives a case's risk),
    latest first: `.first()` is "the latest submitted assessment".

    stage: only assessments of that stage (intake, review, exit). dash: only checklists banded
    like the Dash in the Insights report (Checklist.has_insights_band), whose score is "the
    Dash score"."""
    assessments = Assessment.objects.all() if assessments is None else assessments
    assessments = assessments.filter(
        status=Assessment.Status.SUBMITTED, version__checklist__is_follow_up=False
    )
    if stage:
        assessments = assessments.filter(stage=stage)
    if dash:
        assessments = assessments.filter(version__checklist__has_insights_band=True)
    return assessments.order_by(*LATEST_FIRST)


def latest_submitted_value(
    field: str, *, case=None, stage: str = "", dash: bool = False
) -> Subquery:
    """One field of the case's latest submitted assessment, as a subquery for annotations over
    cases (`case` defaults to OuterRef("pk")) or over rows with a case (OuterRef("case_id"))."""
    case = OuterRef("pk") if case is None else case
    rows = latest_submitted(Assessment.objects.filter(case_id=case), stage=stage, dash=dash)
    return Subquery(rows.values(field)[:1])


def latest_submitted_rank(*partition: str, complete_first: bool = False) -> Window:
    """ROW_NUMBER() over the partition, latest first: 1 marks the latest submitted assessment of
    each partition (e.g. "case_id", "stage"), for set-based report SQL over latest_submitted().
    complete_first: the latest complete one, if there is one, before any incomplete one."""
    order = [F(name[1:]).desc() for name in LATEST_FIRST]
    if complete_first:
        order.insert(0, F("is_incomplete").asc())
    return Window(RowNumber(), partition_by=[F(name) for name in partition], order_by=order)


def latest_submitted_assessment(case) -> Assessment | None:
    """The case's latest submitted main assessment (what a MARAC referral starts from). The
    case's current risk is not simply this one's: see riskassessment.current_risk."""
    return latest_submitted(case.risk_assessments.all()).first()
