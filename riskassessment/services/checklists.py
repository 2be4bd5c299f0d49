"""Checklists as data: importing a checklist file as a new version (checklist_file checks it
first), publishing and retiring versions, and loading the shipped checklists."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.audit import record_event
from accounts.models import AuditEvent, User
from cases.models import RiskLevel

from ..models import AnswerOption, Checklist, ChecklistVersion, Question, ScoreBand
from .checklist_file import checklist_errors

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "checklists"
# Follow-up screens first: DASH's questions name them.
SHIPPED_FILES = ("stalking.json", "honour_based_abuse.json", "dash.json", "merit.json")


@transaction.atomic
def checklist_import(*, data: dict, actor: User | None = None, publish: bool = False):
    """Creates a new version (and the checklist, if new) from an import file.

    1. Validate the whole file first: nothing is written from a file with errors.
    2. Create the checklist if its key is new (an existing checklist keeps its settings).
    3. Number the version after the checklist's latest (locked, so two imports never clash).
    4. Write questions, options and bands; publish if asked (file or caller).
    """
    errors = checklist_errors(data)
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
