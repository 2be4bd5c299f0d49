"""When the data a stored Insights result counts have changed: a version per service
(ReportDataVersion), moved on in the same transaction as every write to a counted record.

The receivers are connected in ReportingConfig.ready(), so the apps that own the records never
import reporting. Each counted model is mapped once to the path from it to its service (its own
`service`, or through `case`, `client`, `assessment`...). Bulk writers that bypass signals
(`QuerySet.update`, `bulk_create`: the case importer, generate_cases) call `mark_changed`."""

from collections.abc import Iterable

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from .models import ReportDataVersion

# The apps whose records the Insights report (tables and analyses) counts.
COUNTED_APPS = ("cases", "outcomes", "riskassessment", "support", "referrals")
# How many foreign keys a record may be from its service (answer -> assessment -> case).
MAX_DEPTH = 3

# model -> the foreign keys from it to a model with a `service` field ([] for the model itself).
_PATHS: dict[type[models.Model], list[models.ForeignKey]] = {}


def mark_changed(service_ids: Iterable[int]) -> None:
    """Moves on the data version of each service, in the caller's transaction: results
    computed before it are stale once it commits. One upsert (a row is created on first use);
    the row lock it takes serialises concurrent writers of one service only until they commit,
    and the ids go in sorted so two writers of the same services cannot deadlock."""
    ids = sorted({int(service_id) for service_id in service_ids if service_id is not None})
    if not ids:
        return
    table = connection.ops.quote_name(ReportDataVersion._meta.db_table)
    now = timezone.now()
    rows = ", ".join(["(%s, 1, %s)"] * len(ids))
    params = [value for service_id in ids for value in (service_id, now)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (service_id, version, changed_at) VALUES {rows} "  # noqa: S608 - only placeholders and our own table name
            f"ON CONFLICT (service_id) DO UPDATE SET version = {table}.version + 1, "
            "changed_at = EXCLUDED.changed_at",
            params,
        )


def mark_services_changed_where(condition_sql: str = "TRUE", params=()) -> None:
    """Moves on the data version of every service matching `condition_sql` (over
    accounts_service, aliased s; every service by default): for a change to a list the
    reports of many services read. Locks taken in service order, as mark_changed does."""
    from accounts.models import Service

    table = connection.ops.quote_name(ReportDataVersion._meta.db_table)
    services = connection.ops.quote_name(Service._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (service_id, version, changed_at) "  # noqa: S608 - our own names
            f"SELECT s.id, 1, %s FROM {services} s WHERE {condition_sql} ORDER BY s.id "
            f"ON CONFLICT (service_id) DO UPDATE SET version = {table}.version + 1, "
            "changed_at = EXCLUDED.changed_at",
            [timezone.now(), *params],
        )


def versions_of(service_ids: Iterable[int]) -> dict[str, int]:
    """{service id (as a JSON key): version}; 0 for a service never changed."""
    ids = list(service_ids)
    found = dict(
        ReportDataVersion.objects.filter(service_id__in=ids).values_list("service_id", "version")
    )
    return {str(service_id): found.get(service_id, 0) for service_id in ids}


def _has_service(model) -> bool:
    try:
        field = model._meta.get_field("service")
    except FieldDoesNotExist:
        return False
    return isinstance(field, models.ForeignKey)


def _path_to_service(model, depth: int = 0) -> list[models.ForeignKey] | None:
    """The shortest chain of foreign keys from `model` to a model with a `service` key,
    preferring `case` and `client` (the usual owners)."""
    if _has_service(model):
        return []
    if depth >= MAX_DEPTH:
        return None
    keys = [
        field
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey) and field.related_model is not model
    ]
    keys.sort(key=lambda field: (field.name not in ("case", "client"), field.name))
    best = None
    for key in keys:
        rest = _path_to_service(key.related_model, depth + 1)
        if rest is not None and (best is None or len(rest) + 1 < len(best)):
            best = [key, *rest]
    return best


def service_id_of(instance) -> int | None:
    """The service a counted record belongs to, from the instance's own keys (its row may be
    gone: post_delete), then one query along the rest of the path."""
    path = _PATHS.get(type(instance))
    if path is None:
        return None
    if not path:
        return instance.service_id
    first, rest = path[0], path[1:]
    parent_id = getattr(instance, first.attname)
    if parent_id is None:
        return None
    lookup = "__".join([*(key.name for key in rest), "service_id"])
    return (
        first.related_model._base_manager.filter(pk=parent_id)
        .values_list(lookup, flat=True)
        .first()
    )


def _remember_service(sender, instance, **kwargs):
    """A record that names its service may move to another (a case transferred): the one it
    leaves changes too."""
    if instance._state.adding or kwargs.get("raw"):
        return
    instance._reporting_service_before = (
        sender._base_manager.filter(pk=instance.pk).values_list("service_id", flat=True).first()
    )


def _changed(sender, instance, **kwargs):
    if kwargs.get("raw"):  # fixtures loading: no report to invalidate yet
        return
    before = instance.__dict__.pop("_reporting_service_before", None)
    mark_changed([service_id_of(instance), before])


def _m2m_changed(sender, instance, action, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if type(instance) in _PATHS:
        mark_changed([service_id_of(instance)])
    elif model in _PATHS and pk_set:
        mark_changed(service_id_of(other) for other in model._base_manager.filter(pk__in=pk_set))


def _shared_record_changed(sender, instance, **kwargs):
    """A record of no one service that the reports read: a provider's list (its services'
    results go stale), a MARAC meeting (its date decides which hearings were known at intake:
    the services of the cases heard at it), or a national list (every service's)."""
    if kwargs.get("raw"):
        return
    if getattr(instance, "provider_id", None) is not None:
        mark_services_changed_where("s.provider_id = %s", [instance.provider_id])
    elif hasattr(instance, "hearings"):
        mark_changed(instance.hearings.values_list("case__service_id", flat=True))
    else:
        mark_services_changed_where()


def _shared_record_m2m_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        _shared_record_changed(type(instance), instance)


def connect_receivers() -> None:
    """Connects the receivers to every counted model (and its many-to-many tables)."""
    for label in COUNTED_APPS:
        for model in apps.get_app_config(label).get_models():
            path = _path_to_service(model)
            if path is None:
                _connect_shared(model)
                continue
            _PATHS[model] = path
            uid = f"reporting_freshness_{model._meta.label_lower}"
            if not path:
                pre_save.connect(_remember_service, sender=model, dispatch_uid=f"{uid}_pre")
            post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}_save")
            post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}_delete")
            for field in model._meta.many_to_many:
                m2m_changed.connect(
                    _m2m_changed,
                    sender=field.remote_field.through,
                    dispatch_uid=f"{uid}_{field.name}_m2m",
                )


def _connect_shared(model) -> None:
    uid = f"reporting_freshness_shared_{model._meta.label_lower}"
    post_save.connect(_shared_record_changed, sender=model, dispatch_uid=f"{uid}_save")
    # Before the delete: a meeting's hearings are still there to say whose results go stale.
    pre_delete.connect(_shared_record_changed, sender=model, dispatch_uid=f"{uid}_delete")
    for field in model._meta.many_to_many:
        m2m_changed.connect(
            _shared_record_m2m_changed,
            sender=field.remote_field.through,
            dispatch_uid=f"{uid}_{field.name}_m2m",
        )
