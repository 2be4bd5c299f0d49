"""The audit trail: who read, searched, exported, changed or was refused what, and when.

Two kinds of entry, read together by accounts.selectors.audit_trail:
- changes to case data (create, update, delete, with field-level before/after) are recorded by
  django-auditlog from model signals. Case-data models are `CaseDataModel`s: their querysets refuse
  `update()`, `delete()` and `bulk_update()` (which send no signals), and allow `bulk_create()` only
  inside `audited_bulk_write`, which records the bulk write itself. So no write path skips the log.
- everything else (views, searches, exports, downloads, sign-ins, refusals) is an AuditEvent,
  written by `record_event` in the same transaction as the work it records.

Free text (contact notes, a closure note, safe contact notes, plan sections, the reasons given
for a correction or for contacting by an unsafe way: `is_free_text`) is not copied into the
change history: the entry records that the text changed, not what it says. The record itself
keeps the text, where its own access rules apply.
"""

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass

from auditlog.context import set_actor
from auditlog.registry import auditlog
from django.db import models

from .adapters import client_address
from .models import AuditEvent, Membership, TimeStampedModel


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None


_request_context: ContextVar[RequestContext | None] = ContextVar(
    "lantern_audit_request", default=None
)
_bulk_write_allowed: ContextVar[bool] = ContextVar("lantern_bulk_write", default=False)


def client_ip(request) -> str | None:
    """The client's address: the same rule as the sign-in limits (TRUSTED_PROXY_COUNT)."""
    return client_address(request)


class AuditContextMiddleware:
    """Makes the signed-in user and their address known to audit writes during a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = client_ip(request)
        token = _request_context.set(RequestContext(ip_address=ip))
        user = request.user if request.user.is_authenticated else None
        try:
            with set_actor(user, remote_addr=ip):
                return self.get_response(request)
        finally:
            _request_context.reset(token)


def current_ip() -> str | None:
    context = _request_context.get()
    return context.ip_address if context else None


def record_event(
    *,
    actor,
    action: str,
    service=None,
    case_id: int | None = None,
    obj=None,
    label: str = "",
    detail: dict | None = None,
    actor_email: str = "",
) -> AuditEvent:
    """Append one audit event. `label` and `detail` must not identify a client by name."""
    if obj is not None and not label:
        label = getattr(obj, "audit_label", "") or f"{obj._meta.verbose_name} {obj.pk}"
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_email=actor_email or (getattr(actor, "email", "") or ""),
        action=action,
        service_id=service if isinstance(service, int) else getattr(service, "pk", None),
        case_id=case_id,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=label,
        detail=detail or {},
        ip_address=current_ip(),
    )


def record_event_in_services(service_ids, **event) -> None:
    """The same event once per service, so that each service's managers see it on their audit
    page (an event with no service is seen by nobody); one without a service where there is
    none."""
    for service_id in service_ids or [None]:
        record_event(service=service_id, **event)


def user_service_ids(user) -> list[int]:
    """The services whose audit pages show events about `user`: those they belong to."""
    return list(
        Membership.objects.filter(user=user, service__is_active=True)
        .values_list("service_id", flat=True)
        .distinct()
    )


def bulk_write_allowed() -> bool:
    """Whether case data may be inserted in bulk here (inside audited_bulk_write)."""
    return _bulk_write_allowed.get()


class BulkWriteRefused(Exception):
    """Raised when case data would be written in bulk, bypassing the change history."""


class CaseDataQuerySet(models.QuerySet):
    """Case data is written one row at a time through service functions so that every change is
    in the audit trail: the bulk paths, which send no model signals, are refused."""

    def update(self, **kwargs):
        raise BulkWriteRefused(
            f"{self.model._meta.label}: change rows one at a time through a service function."
        )

    def delete(self):
        raise BulkWriteRefused(
            f"{self.model._meta.label}: delete rows one at a time through a service function."
        )

    def bulk_update(self, objs, fields, batch_size=None):
        raise BulkWriteRefused(
            f"{self.model._meta.label}: change rows one at a time through a service function."
        )

    def bulk_create(self, objs, *args, **kwargs):
        if not bulk_write_allowed():
            raise BulkWriteRefused(
                f"{self.model._meta.label}: bulk inserts need accounts.audit.audited_bulk_write."
            )
        return super().bulk_create(objs, *args, **kwargs)


class CaseDataModel(TimeStampedModel):
    """Base for every model holding case data. Subclasses say which case and service a row
    belongs to (for the audit trail's scoping) and register with `audited`."""

    objects = CaseDataQuerySet.as_manager()

    class Meta:
        abstract = True

    def audit_scope(self) -> tuple[int | None, int | None]:
        """(case_id, service_id) of this row."""
        raise NotImplementedError

    @property
    def audit_label(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"

    def __str__(self):
        # Never a client's name: this string lands in the change history and the admin.
        return self.audit_label

    def get_additional_data(self):
        case_id, service_id = self.audit_scope()
        return {"case_id": case_id, "service_id": service_id}


# What the change history holds in place of a free-text field's words.
TEXT_NOT_RECORDED = "(text not recorded)"


def text_not_recorded(value: str) -> str:
    """auditlog's mask callable for free text: whether there was any text, never the text."""
    return "" if value in ("", "None") else TEXT_NOT_RECORDED


# Short free-text fields that hold narrative as much as a note does ("why I called anyway", "why
# I am correcting this contact"), by their names.
NARRATIVE_NAMES = ("note", "notes", "reason")


def is_free_text(field) -> bool:
    """A TextField, or a CharField without choices named as a note or a reason."""
    if isinstance(field, models.TextField):
        return True
    return (
        isinstance(field, models.CharField)
        and not field.choices
        and (field.name in NARRATIVE_NAMES or field.name.endswith(("_note", "_notes", "_reason")))
    )


def free_text_fields(cls) -> list[str]:
    """The fields of `cls` holding narrative (is_free_text)."""
    return [field.name for field in cls._meta.concrete_fields if is_free_text(field)]


def audited(model=None, **options):
    """Class decorator: record every create, update and delete of this model with auditlog,
    free text masked (see the module's docstring)."""

    def register(cls):
        if not issubclass(cls, CaseDataModel):
            raise TypeError(f"{cls.__name__} must be a CaseDataModel to be audited.")
        masked = set(options.pop("mask_fields", ())) | set(free_text_fields(cls))
        auditlog.register(
            cls,
            mask_fields=sorted(masked),
            mask_callable="accounts.audit.text_not_recorded",
            **options,
        )
        return cls

    return register(model) if model is not None else register


@contextlib.contextmanager
def audited_bulk_write(*, actor, description: str, service=None):
    """Allows bulk inserts of case data (imports, generators) and records that they happened.

    The inserted rows get no per-row change entries (bulk inserts send no signals); the event
    names who wrote how much, and the rows themselves carry their created_at.
    """
    token = _bulk_write_allowed.set(True)
    try:
        yield
    finally:
        _bulk_write_allowed.reset(token)
    record_event(
        actor=actor,
        action=AuditEvent.Action.ADMIN,
        service=service,
        detail={"bulk_write": description},
    )
