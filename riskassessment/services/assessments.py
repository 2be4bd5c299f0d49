"""Assessments: a draft with one empty answer per question, saved as it is filled in, and, on
submit, scored (riskassessment.scoring) and fixed for good; the case's current risk is then
worked out again under the current-risk rule (riskassessment.current_risk)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.models import User
from cases.models import Case

from .. import scoring
from ..models import Answer, Assessment, ChecklistVersion
from ..scoring import assessment_result
from .current_risk import case_risk_refresh, mark_submitted


def require(user, capability, service_id):
    if not access.can(user, capability, service_id):
        raise PermissionDenied


@transaction.atomic
def assessment_start(
    *,
    case: Case,
    version: ChecklistVersion,
    actor: User,
    stage: str,
    source: str = Assessment.Source.CLIENT,
    assessed_on: datetime.date | None = None,
    parent: Assessment | None = None,
) -> Assessment:
    """A draft assessment with one empty answer per question of a published version."""
    require(actor, access.Capability.EDIT_CASES, case.service_id)
    if version.status != ChecklistVersion.Status.PUBLISHED:
        raise ValidationError({"version": "Choose a published checklist version."})
    assessed_on = assessed_on or timezone.localdate()
    _check_date(case, assessed_on)
    assessment = Assessment(
        case=case,
        version=version,
        parent=parent,
        assessor=actor,
        stage=stage,
        source=source,
        assessed_on=assessed_on,
    )
    assessment.full_clean()
    assessment.save()
    for question in version.questions.all():
        Answer.objects.create(assessment=assessment, question=question)
    return assessment


def _check_date(case: Case, assessed_on: datetime.date) -> None:
    """A closed case takes only assessments dated up to its closure (an exit assessment
    recorded after the closure form); nothing is dated in the future."""
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "The date of the assessment is in the future."})
    if case.is_closed and case.closed_on and assessed_on > case.closed_on:
        raise ValidationError(
            {"assessed_on": "This case is closed: date the assessment on or before its closure."}
        )


EDITABLE_FIELDS = (
    "assessed_on",
    "stage",
    "source",
    "notes",
    "police_call_outs",
    "professional_judgement_level",
    "professional_judgement_reason",
)


@transaction.atomic
def assessment_save(
    *,
    assessment: Assessment,
    actor: User,
    answers: dict,
    submit: bool = False,
    **fields,
) -> Assessment:
    """Saves a draft's answers and fields; with submit, scores it and fixes it for good.

    answers: {question_id: {"option": AnswerOption | None, "detail": str, "comment": str}}.
    1. Lock the assessment: two tabs saving at once must not interleave, and a submitted one is
       never changed.
    2. Write the fields and the answers that changed.
    3. On submit: every question needs an answer ("Not asked" is one); compute and store the
       result (with whether it is incomplete, and until when it is current); mark the previous
       submitted assessment of the checklist as superseded; and, for a main checklist, work
       out the case's current risk again (riskassessment.current_risk: a checklist submitted
       last does not simply replace it).
    """
    require(actor, access.Capability.EDIT_CASES, assessment.case.service_id)
    assessment = (
        Assessment.objects.select_for_update().select_related("case__service").get(pk=assessment.pk)
    )
    if assessment.is_submitted:
        raise ValidationError(
            "A submitted assessment cannot be changed: start a new one to supersede it."
        )
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(assessment, name, "" if value is None and name.endswith("level") else value)
    _check_date(assessment.case, assessment.assessed_on)
    version = assessment.version
    rows = {row.question_id: row for row in assessment.answers.select_related("option", "question")}
    for question_id, given in answers.items():
        row = rows.get(question_id)
        if row is None:
            raise ValidationError({"answers": "An answer names a question of another version."})
        option = given.get("option")
        if option is not None and option.question_id != question_id:
            raise ValidationError({"answers": "An answer option belongs to another question."})
        new = (option.pk if option else None, given.get("detail", ""), given.get("comment", ""))
        if new != (row.option_id, row.detail, row.comment):
            row.option, row.detail, row.comment = option, new[1], new[2]
            row.save()
    if submit:
        missing = [n for n, row in sorted(_numbers(rows).items()) if row.option_id is None]
        if missing:
            raise ValidationError(
                {
                    "answers": "Answer every question before submitting (choose 'Not asked' "
                    f"where it was not asked): {', '.join(str(n) for n in missing)}."
                }
            )
        result = assessment_result(
            version=version,
            options=[row.option for row in rows.values()],
            area=assessment.case.service.area,
            police_call_outs=assessment.police_call_outs,
            judgement_level=assessment.professional_judgement_level,
            judgement_reason=assessment.professional_judgement_reason,
        )
        for name, value in result.__dict__.items():
            setattr(assessment, name, value)
        assessment.status = Assessment.Status.SUBMITTED
        assessment.submitted_at = timezone.now()
        mark_submitted(assessment)
        assessment.supersedes = (
            Assessment.objects.filter(
                case=assessment.case,
                version__checklist=version.checklist,
                status=Assessment.Status.SUBMITTED,
                assessed_on__lte=assessment.assessed_on,
            )
            .order_by(*scoring.LATEST_FIRST)
            .first()
        )
    elif assessment.professional_judgement_level and not (
        assessment.professional_judgement_reason.strip()
    ):
        raise ValidationError(
            {"professional_judgement_reason": "Give the reason for the professional judgement."}
        )
    assessment.full_clean()
    assessment.save()
    if submit and not version.checklist.is_follow_up:
        case_risk_refresh(case=assessment.case)
    return assessment


def _numbers(rows):
    return {row.question.number: row for row in rows.values()}
