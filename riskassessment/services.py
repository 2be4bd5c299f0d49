"""Writes for risk assessment and MARAC. Every function runs in one transaction, validates before
it writes, and leaves its audit entries (django-auditlog change history) in that transaction.
Views, the management command and the demo seeder call these; nothing here reads a request."""

import datetime
import itertools
import json
import re
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts import access
from accounts.audit import record_event
from accounts.models import AuditEvent, Marac, User
from cases import services as case_services
from cases.models import Agency, Case, Client, RiskLevel

from . import scoring, selectors
from .models import (
    Answer,
    AnswerOption,
    Assessment,
    Checklist,
    ChecklistVersion,
    MaracAction,
    MaracHearing,
    MaracMeeting,
    MaracReferral,
    Question,
    ScoreBand,
)
from .scoring import assessment_result

CHECKLIST_FORMAT = "lantern-checklist/1"
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
SMALL_INT_MAX = 32767  # PositiveSmallIntegerField
SHIPPED_DIR = Path(__file__).resolve().parent / "checklists"
# Follow-up screens first: DASH's questions name them.
SHIPPED_FILES = ("stalking.json", "honour_based_abuse.json", "dash.json", "merit.json")


def _require(user, capability, service_id):
    if not access.can(user, capability, service_id):
        raise PermissionDenied


# --- Checklists ------------------------------------------------------------------------------


def _is_int(value, *, minimum=None, maximum=None) -> bool:
    # JSON true/false are ints to Python: refuse them as numbers.
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return (minimum is None or value >= minimum) and (maximum is None or value <= maximum)


def _is_text(value, *, max_length=None, required=False) -> bool:
    if not isinstance(value, str):
        return False
    if required and not value.strip():
        return False
    return max_length is None or len(value) <= max_length


def _is_slug(value, max_length) -> bool:
    return _is_text(value, max_length=max_length, required=True) and bool(SLUG.fullmatch(value))


def _head_errors(data) -> list[str]:
    errors = []
    if data.get("format") != CHECKLIST_FORMAT:
        errors.append(f'"format" must be "{CHECKLIST_FORMAT}".')
    checklist = data.get("checklist")
    if not isinstance(checklist, dict):
        errors.append('"checklist" needs a "key" and a "name".')
    else:
        if not _is_slug(checklist.get("key"), 40) or not _is_text(
            checklist.get("name"), max_length=120, required=True
        ):
            errors.append(
                '"checklist" needs a "key" (letters, digits, - and _, up to 40) and a "name" '
                "(up to 120 characters)."
            )
        scoring = checklist.get("scoring", "ticks")
        if scoring not in Checklist.Scoring.values:
            errors.append('"checklist.scoring" must be "ticks" or "weighted".')
        existing = Checklist.objects.filter(key=str(checklist.get("key"))).first()
        if existing is not None and scoring != existing.scoring:
            # A new version never changes how the checklist's earlier versions were scored.
            errors.append(
                f'The checklist "{existing.key}" is scored as "{existing.scoring}": a new version '
                "cannot change that (import it under a new key)."
            )
        for flag in ("is_follow_up", "has_insights_band"):
            if not isinstance(checklist.get(flag, False), bool):
                errors.append(f'"checklist.{flag}" must be true or false.')
        if not _is_text(checklist.get("description", "")):
            errors.append('"checklist.description" must be text.')
    version = data.get("version")
    if not isinstance(version, dict) or not _is_text(
        version.get("label"), max_length=120, required=True
    ):
        errors.append('"version" needs a "label" (up to 120 characters).')
    else:
        if not _is_text(version.get("source_note", "")):
            errors.append('"version.source_note" must be text.')
        threshold = version.get("marac_threshold")
        if threshold is not None and not _is_int(threshold, minimum=0):
            errors.append('"version.marac_threshold" must be a whole number from 0, or null.')
        if not _is_int(version.get("escalation_call_outs", 3), minimum=1):
            errors.append('"version.escalation_call_outs" must be a whole number from 1.')
        if not _is_int(version.get("escalation_window_months", 12), minimum=1, maximum=120):
            errors.append('"version.escalation_window_months" must be from 1 to 120.')
        if not isinstance(version.get("publish", False), bool):
            errors.append('"version.publish" must be true or false.')
    return errors


def _option_errors(where: str, options) -> list[str]:
    if not isinstance(options, list) or not options:
        return [f"{where}: give a list of answer options."]
    errors = []
    if not all(isinstance(option, dict) for option in options):
        return [f"{where}: every answer option must be an object."]
    keys = [option.get("key") for option in options]
    if not all(_is_slug(key, 30) for key in keys) or len(keys) != len(set(keys)):
        errors.append(f"{where}: options need unique keys (letters, digits, - and _).")
    for option in options:
        if not _is_text(option.get("label"), max_length=120, required=True):
            errors.append(f"{where}: every option needs a label (up to 120 characters).")
            break
    for option in options:
        if not _is_int(option.get("score", 0)) or not isinstance(
            option.get("counts_as_tick", False), bool
        ):
            errors.append(
                f'{where}: an option\'s "score" must be a whole number and "counts_as_tick" '
                "true or false."
            )
            break
    return errors


def _question_errors(data, own_key) -> list[str]:
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        return ['"questions" must list at least one question.']
    if not all(isinstance(question, dict) for question in questions):
        return ['Every entry of "questions" must be an object.']
    errors = []
    numbers = [question.get("number") for question in questions]
    if len(numbers) != len(set(map(repr, numbers))) or not all(
        _is_int(n, minimum=1, maximum=SMALL_INT_MAX) for n in numbers
    ):
        errors.append("Question numbers must be whole numbers from 1, each used once.")
    default_options = data.get("answer_options")
    if default_options is not None:
        errors.extend(_option_errors('"answer_options"', default_options))
    for index, question in enumerate(questions, start=1):
        where = f"Question {question['number'] if _is_int(question.get('number')) else index}"
        if not _is_text(question.get("text"), required=True):
            errors.append(f"{where} has no text.")
        if not _is_text(question.get("help", "")) or not _is_text(
            question.get("follow_up_prompt", ""), max_length=300
        ):
            errors.append(f'{where}: "help" and "follow_up_prompt" (up to 300) must be text.')
        if "order" in question and not _is_int(question["order"], minimum=0, maximum=SMALL_INT_MAX):
            errors.append(f'{where}: "order" must be a whole number from 0.')
        options = question.get("options")
        if options is not None:
            errors.extend(_option_errors(where, options))
        elif default_options is None:
            errors.append(f'{where} has no options and the file has no "answer_options".')
        options = options if options is not None else default_options
        keys = (
            {o.get("key") for o in options if isinstance(o, dict)}
            if isinstance(options, list)
            else set()
        )
        scores = question.get("scores", {})
        if not isinstance(scores, dict) or not all(_is_int(v) for v in scores.values()):
            errors.append(f'{where}: "scores" must map option keys to whole numbers.')
        elif set(scores) - keys:
            errors.append(f"{where}: scores name unknown options {sorted(set(scores) - keys)}.")
        opens = question.get("opens_checklist")
        if opens is not None and not _is_text(opens, required=True):
            errors.append(f'{where}: "opens_checklist" must be a checklist key.')
        elif opens and opens != own_key and not Checklist.objects.filter(key=opens).exists():
            errors.append(f"{where}: no checklist '{opens}' to open.")
    return errors


def _band_errors(data) -> list[str]:
    bands = data.get("bands", [])
    if not isinstance(bands, list) or not all(isinstance(band, dict) for band in bands):
        return ['"bands" must be a list of objects.']
    errors = []
    for band in bands:
        low, high = band.get("min_score"), band.get("max_score")
        if not _is_int(low) or not (high is None or _is_int(high, minimum=low)):
            errors.append(
                f'Band {band.get("label") or band.get("level")}: "min_score" must be a whole '
                'number and "max_score" one at least as large, or null for no top.'
            )
        if not _is_text(band.get("label", ""), max_length=40):
            errors.append(f"Band {band.get('level')}: the label must be text (up to 40).")
    if errors:
        return errors
    levels = [band.get("level") for band in bands]
    if len(levels) != len(set(map(repr, levels))) or not all(
        level in RiskLevel.values for level in levels
    ):
        errors.append("Bands: each level (standard, medium, high) at most once.")
    ordered = sorted(bands, key=lambda band: band["min_score"])
    for lower, upper in itertools.pairwise(ordered):
        name_low, name_up = lower.get("label", lower["level"]), upper.get("label", upper["level"])
        if lower["max_score"] is None or lower["max_score"] >= upper["min_score"]:
            errors.append(f"Bands {name_low} and {name_up} overlap.")
        elif lower["max_score"] + 1 != upper["min_score"]:
            errors.append(
                f"Bands {name_low} and {name_up} leave a gap: scores from "
                f"{lower['max_score'] + 1} to {upper['min_score'] - 1} would have no level."
            )
    return errors


def _checklist_errors(data) -> list[str]:
    """Everything wrong with an import file, so an admin fixes it in one go. Every value is
    checked for its type here, so that whatever the file holds the import answers with these
    messages rather than failing part-way."""
    if not isinstance(data, dict):
        return ["The file must hold one JSON object."]
    checklist = data.get("checklist")
    own_key = checklist.get("key") if isinstance(checklist, dict) else None
    return [*_head_errors(data), *_question_errors(data, own_key), *_band_errors(data)]


@transaction.atomic
def checklist_import(*, data: dict, actor: User | None = None, publish: bool = False):
    """Creates a new version (and the checklist, if new) from an import file.

    1. Validate the whole file first: nothing is written from a file with errors.
    2. Create the checklist if its key is new (an existing checklist keeps its settings).
    3. Number the version after the checklist's latest (locked, so two imports never clash).
    4. Write questions, options and bands; publish if asked (file or caller).
    """
    errors = _checklist_errors(data)
    if errors:
        raise ValidationError({"file": errors})
    meta = data["checklist"]
    checklist, _ = Checklist.objects.get_or_create(
        key=meta["key"],
        defaults={
            "name": meta["name"],
            "scoring": meta.get("scoring", Checklist.Scoring.TICKS),
            "is_follow_up": bool(meta.get("is_follow_up", False)),
            "has_insights_band": bool(meta.get("has_insights_band", False)),
            "description": meta.get("description", ""),
        },
    )
    # Lock the checklist row so that concurrent imports take consecutive version numbers.
    Checklist.objects.select_for_update().get(pk=checklist.pk)
    last = checklist.versions.aggregate(last=Max("number"))["last"] or 0
    version_meta = data["version"]
    version = ChecklistVersion(
        checklist=checklist,
        number=last + 1,
        label=version_meta["label"],
        source_note=version_meta.get("source_note", ""),
        marac_threshold=version_meta.get("marac_threshold"),
        escalation_call_outs=version_meta.get("escalation_call_outs", 3),
        escalation_window_months=version_meta.get("escalation_window_months", 12),
    )
    version.full_clean()
    version.save()
    default_options = data.get("answer_options") or []
    for order, item in enumerate(data["questions"]):
        opens = item.get("opens_checklist")
        question = Question(
            version=version,
            number=item["number"],
            text=item["text"].strip(),
            help_text=item.get("help", ""),
            order=item.get("order", order),
            follow_up_prompt=item.get("follow_up_prompt", ""),
            opens_checklist=Checklist.objects.get(key=opens) if opens else None,
        )
        question.full_clean()
        question.save()
        scores = item.get("scores") or {}
        for option_order, option in enumerate(item.get("options") or default_options):
            AnswerOption.objects.create(
                question=question,
                key=option["key"],
                label=option["label"],
                score=scores.get(option["key"], option.get("score", 0)),
                counts_as_tick=bool(option.get("counts_as_tick", False)),
                order=option_order,
            )
    for band in data.get("bands") or []:
        row = ScoreBand(
            version=version,
            level=band["level"],
            label=band.get("label") or RiskLevel(band["level"]).label,
            min_score=band["min_score"],
            max_score=band.get("max_score"),
        )
        row.full_clean()
        row.save()
    if actor is not None:
        record_event(
            actor=actor,
            action=AuditEvent.Action.ADMIN,
            obj=version,
            label=str(version),
            detail={"checklist_import": checklist.key, "version": version.number},
        )
    if publish or version_meta.get("publish"):
        version = version_publish(version=version, actor=actor)
    return version


def checklist_import_file(*, path, actor: User | None = None, publish: bool = False):
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValidationError({"file": [f"Cannot read the file as JSON: {error}"]}) from error
    return checklist_import(data=data, actor=actor, publish=publish)


@transaction.atomic
def version_publish(*, version: ChecklistVersion, actor: User | None = None) -> ChecklistVersion:
    version = ChecklistVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != ChecklistVersion.Status.DRAFT:
        raise ValidationError({"status": "Only a draft version can be published."})
    if not version.questions.exists():
        raise ValidationError({"status": "A version needs questions before it is published."})
    version.status = ChecklistVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at", "updated_at"])
    if actor is not None:
        record_event(
            actor=actor, action=AuditEvent.Action.ADMIN, obj=version, detail={"published": True}
        )
    return version


@transaction.atomic
def version_retire(*, version: ChecklistVersion, actor: User | None = None) -> ChecklistVersion:
    """A retired version is no longer offered; its assessments keep it."""
    version = ChecklistVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != ChecklistVersion.Status.PUBLISHED:
        raise ValidationError({"status": "Only a published version can be retired."})
    version.status = ChecklistVersion.Status.RETIRED
    version.retired_at = timezone.now()
    version.save(update_fields=["status", "retired_at", "updated_at"])
    if actor is not None:
        record_event(
            actor=actor, action=AuditEvent.Action.ADMIN, obj=version, detail={"retired": True}
        )
    return version


def checklists_sync_shipped() -> None:
    """Loads each shipped checklist once (post_migrate): a checklist that already has a version
    with the shipped label is left alone, so admins' later versions are never touched."""
    for name in SHIPPED_FILES:
        data = json.loads((SHIPPED_DIR / name).read_text(encoding="utf-8"))
        exists = ChecklistVersion.objects.filter(
            checklist__key=data["checklist"]["key"], label=data["version"]["label"]
        ).exists()
        if not exists:
            checklist_import(data=data)


# --- Assessments -----------------------------------------------------------------------------


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
    _require(actor, access.Capability.EDIT_CASES, case.service_id)
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
       result; mark the previous submitted assessment of the checklist as superseded; and, for
       the latest main assessment of the case, set the case's current risk.
    """
    _require(actor, access.Capability.EDIT_CASES, assessment.case.service_id)
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
        assessment.supersedes = (
            Assessment.objects.filter(
                case=assessment.case,
                version__checklist=version.checklist,
                status=Assessment.Status.SUBMITTED,
                assessed_on__lte=assessment.assessed_on,
            )
            .order_by("-assessed_on", "-submitted_at")
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
        _set_case_risk(assessment.case)
    return assessment


def _numbers(rows):
    return {row.question.number: row for row in rows.values()}


def _set_case_risk(case: Case) -> None:
    """The case's current risk is its latest submitted main assessment's level (a backdated
    assessment submitted later does not override a newer one)."""
    latest = scoring.latest_submitted_assessment(case)
    if latest is not None and latest.risk_level:
        case_services.case_set_risk(
            case=case,
            level=latest.risk_level,
            label=latest.risk_level_label,
            assessed_at=latest.submitted_at,
        )


# --- MARAC -----------------------------------------------------------------------------------


@transaction.atomic
def marac_refer(
    *,
    case: Case,
    actor: User,
    referred_on: datetime.date,
    referring_agency: Agency,
    visible_high_risk: bool = False,
    professional_judgement: bool = False,
    potential_escalation: bool = False,
    assessment: Assessment | None = None,
    different_perpetrator: bool = False,
    notes: str = "",
) -> MaracReferral:
    """Refers a case to MARAC.

    1. The referral names at least one criterion, is not dated in the future, and follows a
       submitted assessment of the same case if it names one.
    2. Repeat (catalogue.marac.REPEAT_MARAC_DEFINITION): the client's latest referral in
       the 12 months before, from any case and any agency, is stored as `repeat_of`; the
       referral is a repeat unless the referrer records that this abuse is by a different
       perpetrator (a repeat is between the same victim and perpetrator).
    3. The case is marked as a MARAC case.
    """
    _require(actor, access.Capability.EDIT_CASES, case.service_id)
    errors = {}
    if not (visible_high_risk or professional_judgement or potential_escalation):
        errors["visible_high_risk"] = "Tick at least one MARAC criterion met."
    if referred_on > timezone.localdate():
        errors["referred_on"] = "The referral date is in the future."
    if assessment is not None and (
        assessment.case_id != case.pk or assessment.status != Assessment.Status.SUBMITTED
    ):
        errors["assessment"] = "Choose a submitted assessment of this case."
    if errors:
        raise ValidationError(errors)
    # Lock the client: two referrals of the same client made at once must see each other.
    Client.objects.select_for_update().filter(pk=case.client_id).first()
    earlier = selectors.earlier_referral_within_window(
        client_id=case.client_id, on_date=referred_on
    )
    referral = MaracReferral(
        case=case,
        referred_on=referred_on,
        referring_agency=referring_agency,
        referred_by=actor,
        assessment=assessment,
        visible_high_risk=visible_high_risk,
        professional_judgement=professional_judgement,
        potential_escalation=potential_escalation,
        notes=notes,
        repeat_of=earlier,
        different_perpetrator=bool(different_perpetrator and earlier is not None),
        is_repeat=earlier is not None and not different_perpetrator,
    )
    referral.full_clean()
    referral.save()
    case_services.case_set_marac(case=case, is_marac=True)
    return referral


def _require_marac(actor: User, marac_id: int) -> None:
    if marac_id not in selectors.marac_ids_for(actor):
        raise PermissionDenied


@transaction.atomic
def marac_meeting_create(
    *, actor: User, marac: Marac, held_on: datetime.date, notes: str = ""
) -> MaracMeeting:
    _require_marac(actor, marac.pk)
    meeting = MaracMeeting(marac=marac, held_on=held_on, notes=notes, created_by=actor)
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def marac_hearing_add(
    *, meeting: MaracMeeting, referral: MaracReferral, actor: User
) -> MaracHearing:
    """Lists a referred case at a meeting of its service's MARAC.

    1. The hearing is a repeat when its referral was (see marac_refer).
    2. Its case facts for the partnership's counts start from the case record
       (selectors.hearing_facts_from_case); the coordinator corrects them with
       marac_hearing_record_facts.
    """
    _require_marac(actor, meeting.marac_id)
    if referral.case.service.marac_id != meeting.marac_id:
        raise ValidationError({"referral": "That case is not of this meeting's MARAC."})
    if meeting.held_on < referral.referred_on:
        raise ValidationError({"referral": "That case was referred after this meeting."})
    hearing = MaracHearing(
        case=referral.case,
        meeting=meeting,
        referral=referral,
        is_repeat=referral.is_repeat,
        **selectors.hearing_facts_from_case(referral.case, meeting.held_on),
    )
    hearing.full_clean()
    hearing.save()
    return hearing


@transaction.atomic
def marac_hearing_record_facts(*, hearing: MaracHearing, actor: User, **facts) -> MaracHearing:
    """The coordinator records the case facts as the meeting heard them (None: not known)."""
    _require_marac(actor, hearing.meeting.marac_id)
    unknown = set(facts) - set(MaracHearing.FACT_FIELDS)
    if unknown:
        raise ValueError(f"Not a hearing fact: {sorted(unknown)}")
    hearing = MaracHearing.objects.select_for_update().get(pk=hearing.pk)
    for name, value in facts.items():
        setattr(hearing, name, value)
    hearing.full_clean()
    hearing.save()
    return hearing


@transaction.atomic
def marac_hearing_record_outcome(
    *, hearing: MaracHearing, actor: User, outcome: str
) -> MaracHearing:
    """The outcome goes back to the case: it is shown on the case page, which is marked as a
    MARAC case."""
    _require_marac(actor, hearing.meeting.marac_id)
    hearing = MaracHearing.objects.select_for_update().get(pk=hearing.pk)
    if not outcome.strip():
        raise ValidationError({"outcome": "Write the outcome."})
    hearing.outcome = outcome.strip()
    hearing.outcome_recorded_at = timezone.now()
    hearing.full_clean()
    hearing.save()
    case_services.case_set_marac(case=hearing.case, is_marac=True)
    return hearing


@transaction.atomic
def marac_action_add(
    *,
    hearing: MaracHearing,
    actor: User,
    agency: Agency,
    action: str,
    owner: str,
    due_on: datetime.date | None = None,
) -> MaracAction:
    _require_marac(actor, hearing.meeting.marac_id)
    row = MaracAction(
        case=hearing.case, hearing=hearing, agency=agency, action=action, owner=owner, due_on=due_on
    )
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def marac_action_set_done(*, action: MaracAction, actor: User, done: bool) -> MaracAction:
    """The coordinator of the MARAC, or an editor of the case, marks an action done."""
    if not (
        action.hearing.meeting.marac_id in selectors.marac_ids_for(actor)
        or access.can(actor, access.Capability.EDIT_CASES, action.case.service_id)
    ):
        raise PermissionDenied
    action = MaracAction.objects.select_for_update().get(pk=action.pk)
    action.done = done
    action.done_on = timezone.localdate() if done else None
    action.full_clean()
    action.save()
    return action
