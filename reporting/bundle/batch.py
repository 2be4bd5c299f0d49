"""Writing the queued rows of a batch of bundle lines at once (importer.py decides what a batch
is): bulk inserts per model, parents before children, in as many rounds as the rows point at
each other (an assessment at an earlier one); then their many-to-many values, their change
history (history_rows: an entry per case listing its rows, in one insert) and one audit event
listing every row written.

Bulk inserts send no model signals: the caller brings the read model and the services' data
versions up to date (refresh_cases, mark_changed) in the batch's transaction."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from auditlog.cid import get_cid
from auditlog.diff import (
    get_field_value,
    get_mask_function,
    is_primitive,
    model_instance_diff,
    track_field,
)
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.encoding import smart_str

from accounts.audit import current_ip
from cases.models import Case

from .bulk_copy import can_copy, copy_insert, copy_values


@dataclass
class Queued:
    obj: models.Model
    many: dict = field(default_factory=dict)
    # False for rows today's path inserts in bulk with no history of their own (answers).
    logged: bool = True


@dataclass
class QueuedValues:
    """Rows of one model under one parent row, given as values rather than model instances
    (an assessment's answers: no model rule of theirs is checked, and none has a change-history
    entry of its own): each row the values of `attnames`, the parent's id written in
    `parent_attname` once the parent is saved. `pks`: their ids, once written."""

    model: type
    parent: models.Model
    parent_attname: str
    attnames: tuple[str, ...]
    rows: list[tuple]
    pks: list[int] = field(default_factory=list)
    # As Queued's, for the code that reads every queued item.
    obj = None
    many: dict = field(default_factory=dict)
    logged: bool = False


def insert_values(model, attnames, rows: list, references=None) -> list[int]:
    """New rows given as values (each the values of `attnames`), by COPY where it can
    (bulk_copy.copy_values), else bulk_create; returns their ids. `references`: the
    foreign_keys.ReferenceCheck of a batch whose per-row checks are off (on PostgreSQL only)."""
    if can_copy(model):
        return copy_values(model, attnames, rows, references)
    objs = model.objects.bulk_create(
        [model(**dict(zip(attnames, row, strict=True))) for row in rows]
    )
    return [obj.pk for obj in objs]


def _insert_values(items: list[QueuedValues], references=None) -> None:
    by_model = defaultdict(list)
    for item in items:
        by_model[(item.model, item.parent_attname, item.attnames)].append(item)
    for (model, parent_attname, attnames), group in by_model.items():
        rows = [(item.parent.pk, *row) for item in group for row in item.rows]
        pks = iter(insert_values(model, (parent_attname, *attnames), rows, references))
        for item in group:
            item.pks = [next(pks) for _row in item.rows]


@cache
def _relation_fields(model) -> tuple:
    return tuple(each for each in model._meta.concrete_fields if each.is_relation)


def _unsaved_parents(obj) -> bool:
    cache = obj._state.fields_cache  # the fields' is_cached and get_cached_value, inlined
    for model_field in _relation_fields(type(obj)):
        parent = cache.get(model_field.cache_name)
        if parent is not None and parent.pk is None:
            return True
    return False


def insert_in_rounds(queue: list[Queued], references=None) -> None:
    """Bulk-creates every queued row, per model, each row after the rows it points at.
    `references`: as insert_values'."""
    values = [item for item in queue if isinstance(item, QueuedValues)]
    pending = [item for item in queue if not isinstance(item, QueuedValues)]
    while pending:
        ready = [item for item in pending if not _unsaved_parents(item.obj)]
        if not ready:  # pragma: no cover - rows are queued after their parents
            raise ValueError("queued rows point at each other in a cycle.")
        by_model = defaultdict(list)
        for item in ready:
            by_model[type(item.obj)].append(item.obj)
        for model, objs in by_model.items():
            insert_rows(model, objs, references)
        done = {id(item) for item in ready}
        pending = [item for item in pending if id(item) not in done]
    # Rows given as values point at model rows only (written above).
    _insert_values(values, references)
    through_rows = defaultdict(list)
    for item in queue:
        for name, related in item.many.items():
            m2m = item.obj._meta.get_field(name)
            through = m2m.remote_field.through
            source, target = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
            through_rows[(through, source, target)] += [
                (item.obj.pk, other.pk) for other in related
            ]
    for (through, source, target), rows in through_rows.items():
        insert_values(through, (source, target), rows, references)


def insert_rows(model, objs: list[models.Model], references=None) -> None:
    """COPY where it can (bulk_copy.py), else bulk_create."""
    if can_copy(model):
        copy_insert(model, objs, references)
    else:
        model.objects.bulk_create(objs)


# The change-history values history_rows gives per entry (LogEntry fields; the others take
# their defaults, as a LogEntry built with these would).
HISTORY_FIELDS = (
    "content_type_id",
    "object_pk",
    "object_id",
    "object_repr",
    "additional_data",
    "actor_id",
    "actor_email",
    "timestamp",
    "cid",
    "remote_addr",
    "action",
    "changes",
    "serialized_data",
)


def history_rows(lines: list[list[Queued]], actor) -> list[tuple]:
    """The change history of the lines written, as values of HISTORY_FIELDS
    (insert_values(LogEntry, HISTORY_FIELDS, rows)): per line, one entry for its case, listing
    every row written with it, instead of one per row (the issue's "per batch, listing every
    row"; a row's own entry was a quarter of the import's time).

    - The line's case, client and the rows that are not the case's (a new MARAC or meeting, a
      MARAC action) each get the CREATE auditlog's signal would write (changes as auditlog
      computes them for a create, free text masked by the registry), and an m2m UPDATE per
      audited many-to-many field given values.
    - Every other row of the case (contacts, assessments, forms, support, plans, ...) that
      would have had an entry of its own is listed, by model and id, in the case's entry's
      additional_data["imported_with"]: its values are on the row, never copied here.
    """
    now, cid, ip = timezone.now(), get_cid(), current_ip()
    actor_id, actor_email = getattr(actor, "pk", None), getattr(actor, "email", None)
    # Plain ints, not the IntegerChoices members: COPY then writes them as they are.
    create, update = int(LogEntry.Action.CREATE), int(LogEntry.Action.UPDATE)
    serialized = LogEntry.objects._get_serialized_data_or_none
    plans = {}  # model -> (content type id, audited m2m fields, has additional data) or None

    def plan_of(obj):
        model = type(obj)
        if model not in plans:
            plans[model] = (
                (
                    ContentType.objects.get_for_model(obj).pk,
                    # The registry's m2m fields have no public getter in this auditlog version.
                    auditlog._registry[model].get("m2m_fields", set()),
                    hasattr(obj, "get_additional_data"),
                )
                if auditlog.contains(model)
                else None
            )
        return plans[model]

    rows = []
    for items in lines:
        logged = [item for item in items if item.logged and plan_of(item.obj) is not None]
        case = next((item.obj for item in logged if isinstance(item.obj, Case)), None)
        listed, own = defaultdict(list), []
        for item in logged:
            obj = item.obj
            if case is not None and obj is not case and getattr(obj, "case_id", None) == case.pk:
                listed[obj._meta.label_lower].append(obj.pk)
            else:
                own.append(item)
        for item in own:
            obj = item.obj
            content_type, audited_m2m, has_additional = plan_of(obj)
            # As auditlog's log_create: only models that define it (not Marac, say).
            additional = obj.get_additional_data() if has_additional else None
            if obj is case and listed:
                additional = {**(additional or {}), "imported_with": dict(listed)}
            identity = (
                content_type,
                str(obj.pk),
                obj.pk,
                smart_str(obj),
                additional,
                actor_id,
                actor_email,
                now,
                cid,
                ip,
            )
            changes = created_changes(obj)
            if changes:
                rows.append((*identity, create, changes, serialized(obj)))
            for name, related in item.many.items():
                if related and name in audited_m2m:
                    changes = {
                        name: {
                            "type": "m2m",
                            "operation": "add",
                            "objects": [smart_str(other) for other in related],
                        }
                    }
                    rows.append((*identity, update, changes, None))
    return rows


# How created_changes reads a field: the fast paths of auditlog.diff.get_field_value.
_PLAIN, _DATETIME, _FOREIGN_KEY, _OTHER = "plain", "datetime", "foreign key", "other"
_REVERSE_ONE = "reverse one-to-one"
# A reverse many-to-one (a case's contacts): auditlog records the text of the related manager
# (e.g. "cases.Contact.None"), the same for every row of a model, read once (_SAME_FOR_EVERY_ROW).
_REVERSE_MANY = "reverse many-to-one"
_SAME_FOR_EVERY_ROW: dict = {}
# auditlog.diff.is_primitive's types (the test comparing created_changes with auditlog's own
# diff notices a change), and the types whose smart_str is their str().
_PRIMITIVE = (type(None), bool, int, float, str, list, tuple, dict, set)
_TEXT_BY_STR = frozenset({datetime.date, datetime.datetime})


@cache
def _create_plan(model) -> tuple[list[tuple], object]:
    """The fields auditlog's model_instance_diff(None, row) compares for the model (its
    registry's include and exclude lists applied), each with how to read it and whether it
    is masked; and the mask function."""
    options = auditlog.get_model_fields(model)
    fields = [each for each in model._meta.get_fields() if track_field(each)]
    if options["include_fields"]:
        fields = [each for each in fields if each.name in options["include_fields"]]
    fields = [each for each in fields if each.name not in options["exclude_fields"]]
    plan = []
    for each in fields:
        if each.one_to_one and not getattr(each, "concrete", False):
            kind = _REVERSE_ONE
        elif each.one_to_many and not getattr(each, "concrete", False):
            kind = _REVERSE_MANY
        elif not getattr(each, "concrete", False) or isinstance(each, models.JSONField):
            kind = _OTHER
        elif isinstance(each, models.DateTimeField):
            kind = _DATETIME
        elif (
            not settings.AUDITLOG_USE_FK_STRING_REPRESENTATION
            and (each.one_to_one or each.many_to_one)
            and hasattr(each, "rel_class")
        ):
            kind = _FOREIGN_KEY
        elif each.is_relation:
            kind = _OTHER
        else:
            kind = _PLAIN
        plan.append((each, kind, each.name in options["mask_fields"]))
    return plan, get_mask_function(options.get("mask_callable"))


def created_changes(obj) -> dict | None:
    """What auditlog.diff.model_instance_diff(None, obj) gives for a row just created (every
    field with a value, from None; masked fields masked), read from the row's values directly:
    model_instance_diff looks each field up again and works out the old row's defaults, which
    was a quarter of a batch's time. tests/reporting/test_case_bundle_batches.py compares the
    two on imported rows."""
    use_json = settings.AUDITLOG_STORE_JSON_CHANGES
    if not use_json:  # auditlog's old values are then the text "None": its own diff says
        return model_instance_diff(None, obj)
    plan, mask = _create_plan(type(obj))
    to_naive = settings.USE_TZ  # read once a row, not once a date-time field
    changes = {}
    for each, kind, masked in plan:
        if kind is _PLAIN:
            value = getattr(obj, each.attname)
        elif kind is _FOREIGN_KEY:
            value = getattr(obj, each.attname)
            if value is not None and type(value) is not int:  # else smart_str gives it back
                value = smart_str(value, strings_only=True)
        elif kind is _DATETIME:
            value = getattr(obj, each.attname)
            if isinstance(value, datetime.datetime):
                if to_naive and not timezone.is_naive(value):
                    value = timezone.make_naive(value, timezone=datetime.UTC)
            else:
                value = get_field_value(obj, each, use_json)
        elif kind is _REVERSE_ONE and not each.is_cached(obj):
            # A row pointing at one just created was set on it by this batch (a referral's
            # case); anything else is None, as auditlog finds after a query per row.
            continue
        elif kind is _REVERSE_MANY:
            key = (type(obj), each.name)
            if key not in _SAME_FOR_EVERY_ROW:
                value = get_field_value(obj, each, use_json)
                # Its text, not the manager (which holds the row).
                _SAME_FOR_EVERY_ROW[key] = value if is_primitive(value) else smart_str(value)
            value = _SAME_FOR_EVERY_ROW[key]
        else:
            value = get_field_value(obj, each, use_json)
        if value is None:  # the old row's value: no change
            continue
        if masked:
            changes[each.name] = (mask(smart_str(None)), mask(smart_str(value)))
        elif isinstance(value, _PRIMITIVE):  # auditlog.diff.is_primitive, without its call
            changes[each.name] = (None, value)
        elif type(value) in _TEXT_BY_STR:  # what smart_str gives, without its calls
            changes[each.name] = (None, str(value))
        else:
            changes[each.name] = (None, smart_str(value))
    return changes or None


def written_ids(queue: list[Queued]) -> dict[str, list[int]]:
    """Every row written, as {"app.model": [ids]}: ids only, never names or text."""
    ids = defaultdict(list)
    for item in queue:
        if isinstance(item, QueuedValues):
            ids[item.model._meta.label_lower] += item.pks
        else:
            ids[item.obj._meta.label_lower].append(item.obj.pk)
    return dict(ids)
