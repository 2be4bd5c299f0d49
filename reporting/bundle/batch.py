"""Writing the queued rows of a batch of bundle lines at once (importer.py decides what a batch
is): bulk inserts per model, parents before children, in as many rounds as the rows point at
each other (an assessment at an earlier one); then their many-to-many values, their change
history (one auditlog entry per row, as auditlog records a create, in one insert) and one
audit event listing every row written.

Bulk inserts send no model signals: the caller brings the read model and the services' data
versions up to date (refresh_cases, mark_changed) in the batch's transaction."""

from collections import defaultdict
from dataclasses import dataclass, field

from auditlog.cid import get_cid
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.encoding import smart_str

from accounts.audit import current_ip


@dataclass
class Queued:
    obj: models.Model
    many: dict = field(default_factory=dict)
    # False for rows today's path inserts in bulk with no history of their own (answers).
    logged: bool = True


def _unsaved_parents(obj) -> bool:
    for model_field in obj._meta.concrete_fields:
        if model_field.is_relation and model_field.is_cached(obj):
            parent = model_field.get_cached_value(obj)
            if parent is not None and parent.pk is None:
                return True
    return False


def insert_in_rounds(queue: list[Queued]) -> None:
    """Bulk-creates every queued row, per model, each row after the rows it points at."""
    pending = list(queue)
    while pending:
        ready = [item for item in pending if not _unsaved_parents(item.obj)]
        if not ready:  # pragma: no cover - rows are queued after their parents
            raise ValueError("queued rows point at each other in a cycle.")
        by_model = defaultdict(list)
        for item in ready:
            by_model[type(item.obj)].append(item.obj)
        for model, objs in by_model.items():
            model.objects.bulk_create(objs)
        done = {id(item) for item in ready}
        pending = [item for item in pending if id(item) not in done]
    through_rows = defaultdict(list)
    for item in queue:
        for name, related in item.many.items():
            m2m = item.obj._meta.get_field(name)
            through = m2m.remote_field.through
            source, target = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
            through_rows[through] += [
                through(**{source: item.obj.pk, target: other.pk}) for other in related
            ]
    for through, rows in through_rows.items():
        through.objects.bulk_create(rows)


def history_entries(queue: list[Queued], actor) -> list[LogEntry]:
    """The auditlog entries today's row-by-row saves would have written: a CREATE per row
    (changes as auditlog computes them for a create, free text masked by the registry) and an
    m2m UPDATE per audited many-to-many field given values."""
    now, cid, ip = timezone.now(), get_cid(), current_ip()
    common = {
        "actor": actor,
        "actor_email": getattr(actor, "email", None),
        "timestamp": now,
        "cid": cid,
        "remote_addr": ip,
    }
    entries = []
    for item in queue:
        obj = item.obj
        if not item.logged or not auditlog.contains(type(obj)):
            continue
        identity = {
            "content_type": ContentType.objects.get_for_model(obj),
            "object_pk": str(obj.pk),
            "object_id": obj.pk,
            "object_repr": smart_str(obj),
            "additional_data": obj.get_additional_data(),
        }
        changes = model_instance_diff(
            None, obj, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
        )
        if changes:
            entries.append(
                LogEntry(
                    **identity,
                    **common,
                    action=LogEntry.Action.CREATE,
                    changes=changes,
                    serialized_data=LogEntry.objects._get_serialized_data_or_none(obj),
                )
            )
        # The registry's m2m fields have no public getter in this auditlog version.
        audited_m2m = auditlog._registry[type(obj)].get("m2m_fields", set())
        for name, related in item.many.items():
            if related and name in audited_m2m:
                entries.append(
                    LogEntry(
                        **identity,
                        **common,
                        action=LogEntry.Action.UPDATE,
                        changes={
                            name: {
                                "type": "m2m",
                                "operation": "add",
                                "objects": [smart_str(other) for other in related],
                            }
                        },
                    )
                )
    return entries


def written_ids(queue: list[Queued]) -> dict[str, list[int]]:
    """Every row written, as {"app.model": [ids]}: ids only, never names or text."""
    ids = defaultdict(list)
    for item in queue:
        ids[item.obj._meta.label_lower].append(item.obj.pk)
    return dict(ids)
