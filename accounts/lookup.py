"""The one scoped lookup: a record if this user may see it, else an audited refusal and 404.

Every `<thing>_get_for_user` selector finds its row through `get_in_scope`, so that a record
outside the user's scope answers exactly as one that does not exist, and the attempt is in the
audit trail; a user who may see a record but not act on it is refused through `require`, also
audited. The selectors audit the reads they serve with `record_read`, so that no view writes
its own read audit.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from . import access
from .audit import record_event, record_event_in_services, user_service_ids
from .models import AuditEvent

# A read to audit: True for a plain view, or a dict of details saying which page (never anything
# identifying); False for a lookup that serves no page of its own (a POST, a re-read).
Read = bool | dict


def pk_or_404(value) -> int:
    """A primary key from a URL or form, or 404 (a key that is not a number finds nothing)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def get_in_scope(
    scoped: QuerySet,
    pk,
    *,
    user,
    capability=access.Capability.VIEW_CASES,
    case: str | None = "case_id",
    service: str | None = "case__service_id",
) -> Model:
    """The row `pk` of `scoped` (a queryset already narrowed to what `user` may see), or 404.

    1. A key that is not a number: 404, nothing to audit.
    2. The row is in scope: returned.
    3. The row exists outside the scope: a DENIED event in the row's service (and case), which
       names the kind of row and its key but nothing about the client, then 404.
    4. No such row: 404, as in 3, so that the answer does not tell them apart.

    `case` and `service` are the lookups of the row's case id and service id. A row of no case
    (a client, a referral not yet triaged) has case None; a row of no service (a MARAC meeting)
    has service None, and its refusal is recorded in the user's own services, as other events
    about a user are (accounts.audit.user_service_ids).
    """
    pk = pk_or_404(pk)
    # At most one row has the key, so it is read unordered: .first() would order by it, and
    # Django then hashes every selected column and annotation to plan the ORDER BY (about a
    # tenth of the case page's CPU time, with its related rows and annotations).
    found = next(iter(scoped.filter(pk=pk).order_by()[:1]), None)
    if found is not None:
        return found
    model = scoped.model
    fields = [field for field in (service, case) if field]
    row = model._base_manager.filter(pk=pk).values("pk", *fields).first()
    if row is not None:
        record_event_in_services(
            [row[service]] if service else user_service_ids(user),
            actor=user,
            action=AuditEvent.Action.DENIED,
            case_id=row[case] if case else None,
            detail={model._meta.model_name: pk, "capability": str(capability)},
        )
    raise Http404(f"No such {model._meta.verbose_name}.")


class AuditedRefusal(PermissionDenied):
    """A 403 whose refusal is already in the audit trail (accounts.middleware audits the rest)."""


def require(user, capability, *, service_id: int, case_id: int | None = None, obj=None) -> None:
    """403 for a user who may see a record but not act on it with `capability` (a read-only
    member, a manager); the refusal is audited like an out-of-scope lookup."""
    if access.can(user, capability, service_id):
        return
    refuse(user, capability, service_id=service_id, case_id=case_id, obj=obj)


def refuse(user, capability, *, service_id: int, case_id: int | None = None, obj=None):
    """Audit a refusal of `capability` on a record the user may see, and raise 403: for rules
    richer than `access.can` (a client's editors are those of any of their cases)."""
    record_event(
        actor=user,
        action=AuditEvent.Action.DENIED,
        service=service_id,
        case_id=case_id,
        obj=obj,
        detail={"capability": str(capability)},
    )
    raise AuditedRefusal


def record_read(
    user,
    obj,
    *,
    read: Read,
    service_id: int,
    case_id: int | None = None,
    action=AuditEvent.Action.VIEW,
) -> None:
    """One VIEW (or DOWNLOAD) event for a page that shows `obj`, unless `read` is False."""
    if read is False or read is None:
        return
    record_event(
        actor=user,
        action=action,
        service=service_id,
        case_id=case_id,
        obj=obj,
        detail=read if isinstance(read, dict) else None,
    )
