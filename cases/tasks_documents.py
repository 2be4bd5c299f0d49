"""The virus scan of an uploaded document (cases.services_documents.document_scan).

Takes the document's id only. Idempotent: a document no longer pending is left alone. An
unreachable scanner is retried with backoff; after the last attempt the document stays pending
(not downloadable), which is the safe side, and the sweep below queues it again, so that a
scanner down for an hour holds documents back for that hour, not for ever.
"""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from . import services_documents
from .clamd import ScannerError
from .models import CaseDocument

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


@shared_task(
    bind=True, acks_late=True, ignore_result=True, max_retries=MAX_ATTEMPTS - 1, time_limit=300
)
def scan_document(self, document_id: int):
    try:
        services_documents.document_scan(document_id=document_id)
    except ScannerError as error:
        logger.warning("document %s: scan failed (%s)", document_id, error)
        if self.request.retries < self.max_retries:
            raise self.retry(countdown=30 * (2**self.request.retries)) from None


# A scan normally answers within seconds; one pending longer lost its task (retries spent, a
# worker gone): the sweep queues it again.
STALE_SCAN_MINUTES = 15


@shared_task(acks_late=True, ignore_result=True)
def requeue_stale_document_scans():
    """Every few minutes (CELERY_BEAT_SCHEDULE): documents still waiting for their scan well
    after upload are scanned again (ids only; scan_document leaves a decided one alone)."""
    cutoff = timezone.now() - datetime.timedelta(minutes=STALE_SCAN_MINUTES)
    stale = CaseDocument.objects.filter(
        scan_status=CaseDocument.ScanStatus.PENDING,
        deleted_at__isnull=True,
        uploaded_at__lt=cutoff,
    ).values_list("pk", flat=True)
    for document_id in stale.iterator():
        scan_document.delay(document_id)
