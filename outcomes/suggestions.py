"""What the records suggest as answers of a form, for the caseworker to confirm or change."""

from cases.choices import NO, YES
from cases.models import RiskLevel
from riskassessment.current_risk import deciding_at_stage

# The intake form's answers that Lantern can suggest from the records (issue 19, items 2 and 4):
# the client's situation from the client record, the risk from the assessment that decides the
# intake risk, Marac from the hearings held by the intake date. (form field, client field)
INTAKE_CLIENT_ANSWERS = (
    ("pregnant", "pregnant"),
    ("disability", "disability"),
    ("financial_situation", "financial_situation"),
)
INTAKE_CLIENT_OPTIONS = (("disability_types", "disability_types"), ("employment", "employment"))
HIGH_RISK_ANSWER = {RiskLevel.HIGH: YES, RiskLevel.MEDIUM: NO, RiskLevel.STANDARD: NO}


def intake_suggestions(case, intake_on) -> dict:
    """What the records say of the case at its intake on `intake_on`, as intake-form answers,
    for the caseworker to confirm or change (blank where the records do not say):

    1. The client's pregnancy, disability (and its types), employment and financial situation
       from the client record as it is when the form is filled in.
    2. "High risk?" from the level of the assessment that decides the intake risk
       (riskassessment.current_risk, decides_stage_risk): high is Yes, medium or standard No.
    3. "Discussed at Marac?" Yes when a hearing of the case was held on or before the intake
       date; no hearing is not an answer (a referral may be pending), so it stays blank.
    """
    client = case.client
    answers = {form_field: getattr(client, field) for form_field, field in INTAKE_CLIENT_ANSWERS}
    for form_field, field in INTAKE_CLIENT_OPTIONS:
        answers[form_field] = list(getattr(client, field).all())
    assessment = deciding_at_stage(case, "intake")
    answers["high_risk"] = HIGH_RISK_ANSWER.get(assessment.risk_level, "") if assessment else ""
    heard = (
        intake_on is not None
        and case.marac_hearings.filter(meeting__held_on__lte=intake_on).exists()
    )
    answers["marac_discussed"] = YES if heard else ""
    return answers


def intake_blanks_suggested(form) -> dict:
    """For a draft intake's page: the suggestions (intake_suggestions) for the answers still
    blank, so that an assessment, hearing or client detail recorded after the form was started
    is offered too. A submitted form shows what was confirmed, never a suggestion."""
    if form.is_submitted:
        return {}
    suggested = {}
    for field, value in intake_suggestions(form.case, form.completed_on).items():
        if not value:
            continue
        if isinstance(value, list):
            if form.pk and getattr(form, field).exists():
                continue
            if getattr(form, f"{field}_dont_know", False):
                continue
            suggested[field] = [option.pk for option in value]
        elif not getattr(form, field):
            suggested[field] = value
    return suggested


def justice_suggestions(case, kind: str) -> dict:
    """What the case's recorded court hearings say as justice-form answers, for the caseworker
    to confirm or change (outcomes.models.hearings):

    1. Civil: for each order a hearing was about (non-molestation, occupation, child
       arrangements), its status after the latest such hearing: the status recorded, or
       "Applied for" when the hearing has none yet. {"orders": {order type: status}}
    2. Criminal: the special measures answer of the latest criminal hearing that has one, for
       a new police report. {"special_measures": answer}
    One query.
    """
    from .models import CourtHearing

    hearings = CourtHearing.objects.filter(case=case).order_by("starts_at", "pk")
    if kind == "civil":
        orders = {}
        for hearing in hearings.filter(kind__in=list(CourtHearing.CIVIL_ORDER_OF_KIND)):
            order_type = CourtHearing.CIVIL_ORDER_OF_KIND[hearing.kind]
            orders[order_type] = hearing.order_status or "Applied for"
        return {"orders": orders} if orders else {}
    if kind == "criminal":
        latest = (
            hearings.filter(kind__in=list(CourtHearing.CRIMINAL_KINDS))
            .exclude(special_measures="")
            .last()
        )
        return {"special_measures": latest.special_measures} if latest else {}
    return {}
