"""Inserting a batch's rows of one model with PostgreSQL's COPY instead of bulk_create.

bulk_create builds one INSERT whose every value Django compiles as SQL parameters, about a third
of an import's time; COPY streams the same values, prepared by the same field methods
(pre_save, get_db_prep_save), and PostgreSQL reads them faster. COPY returns no ids, so the
rows' ids are taken from the table's sequence first, in one query, and written explicitly.

Used only on PostgreSQL and for models whose primary key is an auto-incremented integer; any
other case (and SQLite, the demo) goes through bulk_create as before.
"""

import datetime
import json
from functools import cache, partial

from django.db import connection, models
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

from accounts.audit import BulkWriteRefused, CaseDataQuerySet, bulk_write_allowed


def can_copy(model) -> bool:
    pk = model._meta.pk
    return connection.vendor == "postgresql" and isinstance(pk, AutoFieldMixin)


# Field classes (exactly these) whose get_db_prep_save gives back, on PostgreSQL, a value of
# the Python type named unchanged, to be adapted by psycopg: such a value is written as it is.
# Any other value, and any other field, goes through pre_save and get_db_prep_save as in
# bulk_create. tests/reporting/test_case_bundle_batches.py compares both on imported rows.
_WRITTEN_AS_IT_IS = {
    **dict.fromkeys((models.CharField, models.TextField, models.SlugField, models.EmailField), str),
    **dict.fromkeys(
        (
            models.IntegerField,
            models.SmallIntegerField,
            models.BigIntegerField,
            models.PositiveIntegerField,
            models.PositiveSmallIntegerField,
            models.PositiveBigIntegerField,
            models.AutoField,
            models.BigAutoField,
            models.SmallAutoField,
        ),
        int,
    ),
    models.BooleanField: bool,
    models.DateField: datetime.date,
    models.DateTimeField: datetime.datetime,
}


def preparer(field, now: datetime.datetime | None = None):
    """obj -> the value COPY writes for the field: what bulk_create would send. `now`: the
    time every auto_now(_add) date-time of the rows takes (one statement, one time), set on
    each row as the field's pre_save does, instead of asking the clock per row and field."""

    def prepared_by_the_field(obj):
        return field.get_db_prep_save(field.pre_save(obj, add=True), connection)

    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        if now is None or type(field) is not models.DateTimeField:
            return prepared_by_the_field
        attname, written = field.attname, field.get_db_prep_save(now, connection)

        def stamp(obj):
            setattr(obj, attname, now)
            return written

        return stamp
    is_key = type(field) in (models.ForeignKey, models.OneToOneField)
    target = field.target_field if is_key else field
    kind = _WRITTEN_AS_IT_IS.get(type(target))
    if kind is None:
        return prepared_by_the_field
    attname = field.attname

    def prepare(obj):
        value = getattr(obj, attname)
        if value is None:
            return None
        # A naive datetime is made aware by the field (with a warning): not here.
        if type(value) is kind and (kind is not datetime.datetime or value.tzinfo is not None):
            return value
        return prepared_by_the_field(obj)

    return prepare


def take_ids(cursor, meta, count: int) -> list[int]:
    """`count` new ids from the table's own sequence (safe beside other writers), in one
    query. The sequence is looked up once (the CTE is materialised): as an argument of nextval,
    pg_get_serial_sequence ran once per id, nine tenths of the query's time."""
    cursor.execute(
        "WITH named AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) "
        "SELECT nextval(seq) FROM named, generate_series(1, %s)",
        [meta.db_table, meta.pk.column, count],
    )
    return [pk for (pk,) in cursor.fetchall()]


@cache
def _parent_keys(model) -> tuple | None:
    """The model's foreign keys, where they are its only relations (take_parents_ids)."""
    relations = [field for field in model._meta.concrete_fields if field.is_relation]
    if any(type(field) is not models.ForeignKey for field in relations) or any(
        field.is_relation for field in model._meta.private_fields
    ):
        return None
    return tuple(relations)


def take_parents_ids(obj) -> None:
    """obj._prepare_related_fields_for_save("bulk_create"), as bulk_create calls it, with the
    related rows read from the row's cache rather than through the fields' descriptors (an
    eighth of the time spent writing an import's rows): each parent row given to a foreign key
    gives the key its id once it is saved; an unsaved one is refused as Django refuses it. A
    model with other relations (one-to-one, generic) goes through Django's own method."""
    keys = _parent_keys(type(obj))
    if keys is None:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
        return
    cache, values = obj._state.fields_cache, obj.__dict__
    for key in keys:
        parent = cache.get(key.cache_name)
        if parent is None:
            continue
        target = getattr(parent, key.target_field.attname)
        if target is None:
            raise ValueError(
                f"bulk_create() prohibited to prevent data loss due to unsaved related object "
                f"'{key.name}'."
            )
        if values[key.attname] in key.empty_values:
            values[key.attname] = target
        elif values[key.attname] != target:
            del cache[key.cache_name]  # the key was changed since: the cached row is not its


def _foreign_keys(fields) -> list:
    return [field for field in fields if field.is_relation and field.concrete]


def copy_insert(model, objs: list[models.Model], references=None) -> None:
    """Writes the unsaved rows `objs` as bulk_create does (their ids set, their state saved),
    with COPY. Case data needs accounts.audit.audited_bulk_write, as for bulk_create.
    `references` (a foreign_keys.ReferenceCheck): notes every value the rows' foreign keys
    hold, for a batch whose per-row checks are off."""
    if not objs:
        return
    if isinstance(model._default_manager.get_queryset(), CaseDataQuerySet) and not (
        bulk_write_allowed()
    ):
        raise BulkWriteRefused(
            f"{model._meta.label}: bulk inserts need accounts.audit.audited_bulk_write."
        )
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not getattr(field, "generated", False)]
    now = timezone.now()
    preparers = [preparer(field, now) for field in fields]
    for obj in objs:
        # As bulk_create: a parent saved in an earlier round gives its id to the row.
        take_parents_ids(obj)
    if references is not None:
        for field in _foreign_keys(fields):
            attname = field.attname
            references.pointed_at(field).update(getattr(obj, attname) for obj in objs)
    with connection.cursor() as cursor:
        for obj, pk in zip(objs, take_ids(cursor, meta, len(objs)), strict=True):
            obj.pk = pk
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"

        def copy_rows(sql, _params, _many, _context):
            # The psycopg cursor under Django's wrapper (which has no copy()); its errors
            # translated to Django's (IntegrityError, ...) as for any query, so that a batch
            # the database refuses is written again line by line.
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                for obj in objs:
                    copy.write_row([prepare(obj) for prepare in preparers])

        # Through the connection's execute wrappers, so that query counts see the COPY.
        cursor._execute_with_wrappers(sql, None, False, executor=copy_rows)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def value_preparer(field):
    """value -> what COPY writes for the field given that value: the value itself when the
    field would give it back unchanged (as `preparer`), else the field's get_db_prep_save."""
    is_key = type(field) in (models.ForeignKey, models.OneToOneField)
    target = field.target_field if is_key else field
    kind = _WRITTEN_AS_IT_IS.get(type(target))

    def prepared_by_the_field(value):
        return field.get_db_prep_save(value, connection)

    if type(field) is models.JSONField:
        # On PostgreSQL the field sends Jsonb(value, dumps=json.dumps with its encoder), which
        # psycopg turns into that text: COPY is given the text itself (a change-history entry
        # has two JSON values; the wrapping was a quarter of its COPY's time).
        dumps = json.dumps if field.encoder is None else partial(json.dumps, cls=field.encoder)

        def prepare_json(value):
            if value is None:
                return None
            if type(value) in (dict, list):
                return dumps(value)
            return prepared_by_the_field(value)

        return prepare_json
    if kind is None:
        return prepared_by_the_field

    def prepare(value):
        if value is None:
            return None
        if type(value) is kind and (kind is not datetime.datetime or value.tzinfo is not None):
            return value
        return prepared_by_the_field(value)

    return prepare


def copy_values(model, attnames, rows: list, references=None) -> list[int]:
    """Writes new rows of the model given as values, not model instances (each row the values
    of `attnames`, in order), with COPY, and returns their ids (taken from the table's sequence
    first, as copy_insert). Every other field takes its default as bulk_create would give it
    (auto_now(_add) date-times the one time of the statement); each value given is prepared as
    the field prepares it (value_preparer). For rows no model rule checks (an assessment's
    answers, the change history, many-to-many links): building a model instance per row was
    a third of an import's time. `references`: as copy_insert's."""
    if not rows:
        return []
    if isinstance(model._default_manager.get_queryset(), CaseDataQuerySet) and not (
        bulk_write_allowed()
    ):
        raise BulkWriteRefused(
            f"{model._meta.label}: bulk inserts need accounts.audit.audited_bulk_write."
        )
    meta = model._meta
    by_attname = {field.attname: field for field in meta.concrete_fields}
    given = [by_attname[name] for name in attnames]
    now = timezone.now()
    defaults = []
    for field in meta.concrete_fields:
        if field is meta.pk or field.attname in attnames or getattr(field, "generated", False):
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            # As the fields' pre_save: a date-time now, a date today.
            is_moment = isinstance(field, models.DateTimeField)
            value = now if is_moment else timezone.localdate(now)
        else:
            value = field.get_default()
        defaults.append((field, field.get_db_prep_save(value, connection)))
    preparers = [value_preparer(field) for field in given]
    fields = [meta.pk, *given, *(field for field, _value in defaults)]
    if references is not None:  # as copy_insert's
        keys = _foreign_keys(given)
        for position, field in enumerate(given):
            if field in keys:
                references.pointed_at(field).update(row[position] for row in rows)
        for field, value in defaults:
            if field.is_relation and value is not None:
                references.pointed_at(field).add(value)
    default_values = tuple(value for _field, value in defaults)
    with connection.cursor() as cursor:
        pks = take_ids(cursor, meta, len(rows))
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"

        def copy_rows(sql, _params, _many, _context):
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                write = copy.write_row
                for pk, row in zip(pks, rows, strict=True):
                    write(
                        (
                            pk,
                            *[
                                prepare(value)
                                for prepare, value in zip(preparers, row, strict=True)
                            ],
                            *default_values,
                        )
                    )

        cursor._execute_with_wrappers(sql, None, False, executor=copy_rows)
    return pks
