"""Export files: made by a service function, offered by an expiring link, downloads audited."""

import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .audit import record_event
from .models import AuditEvent, ExportFile


@transaction.atomic
def export_file_create(
    *, owner, kind: str, filename: str, content: bytes, content_type: str, service=None
) -> ExportFile:
    """Stores an export for its owner and records the export in the audit trail."""
    now = timezone.now()
    export = ExportFile(
        owner=owner,
        service=service,
        kind=kind,
        filename=filename,
        content_type=content_type,
        size=len(content),
        created_at=now,
        expires_at=now + datetime.timedelta(hours=settings.EXPORT_LINK_HOURS),
    )
    export.file.save(export.token.hex, ContentFile(content), save=False)
    export.save()
    record_event(
        actor=owner,
        action=AuditEvent.Action.EXPORT,
        service=service,
        obj=export,
        label=f"{kind}: {filename}",
        detail={"kind": kind, "bytes": len(content)},
    )
    return export


def purge_expired_exports(now=None) -> int:
    """Deletes expired export files and their rows; returns how many. Idempotent."""
    now = now or timezone.now()
    purged = 0
    for export in ExportFile.objects.filter(expires_at__lte=now).iterator():
        export.file.delete(save=False)
        export.delete()
        purged += 1
    return purged
