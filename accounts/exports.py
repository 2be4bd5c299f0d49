"""Export files: made by a service function, offered by an expiring link, downloads audited.

The files are written, read and deleted only through the storage API (the default storage:
the file system or an S3-compatible bucket, settings STORAGE_BACKEND), never by path."""

import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from . import access
from .access import Capability
from .audit import record_event
from .models import AuditEvent, ExportFile


@transaction.atomic
def export_file_create(
    *,
    owner,
    kind: str,
    filename: str,
    content: bytes,
    content_type: str,
    service=None,
    service_ids=None,
    capability: Capability = Capability.RUN_REPORTS,
) -> ExportFile:
    """Stores an export for its owner and records the export in the audit trail.

    `capability` is what let the owner make it, in `service` (or in each of `service_ids` when the
    export covers several services); the link stops working when they lose it (export_usable_by).
    """
    now = timezone.now()
    if service_ids is None:
        service_ids = [service.pk] if service is not None else []
    export = ExportFile(
        owner=owner,
        service=service,
        kind=kind,
        capability=capability,
        service_ids=sorted(int(pk) for pk in service_ids),
        filename=filename,
        content_type=content_type,
        size=len(content),
        created_at=now,
        expires_at=now + datetime.timedelta(hours=settings.EXPORT_LINK_HOURS),
    )
    export.file.save(export.token.hex, ContentFile(content), save=False)
    try:
        export.save()
        record_event(
            actor=owner,
            action=AuditEvent.Action.EXPORT,
            service=service,
            obj=export,
            label=f"{kind}: {filename}",
            detail={"kind": kind, "bytes": len(content)},
        )
    except BaseException:
        # The stored file is outside the transaction: without its row no purge would find it.
        export.file.storage.delete(export.file.name)
        raise
    return export


def export_usable_by(export: ExportFile, user) -> bool:
    """True while `user` owns the export and still holds the capability that made it in every
    service it covers (in any service, for an export that names none)."""
    if export.owner_id != user.pk:
        return False
    held = access.service_ids_with(user, Capability(export.capability))
    if not export.service_ids:
        return bool(held)
    return set(export.service_ids) <= held


def purge_expired_exports(now=None) -> int:
    """Deletes expired export files and their rows; returns how many. Idempotent: the file goes
    first, so a storage that fails leaves the row for the next run to try again."""
    now = now or timezone.now()
    purged = 0
    for export in ExportFile.objects.filter(expires_at__lte=now).iterator():
        export.file.delete(save=False)
        export.delete()
        purged += 1
    return purged
