"""The virus scan of an uploaded document (cases.services_documents.document_scan).

Takes the document's id only. Idempotent: a document no longer pending is left alone. An
unreachable scanner is retried with backoff; after the last attempt the document stays pending
(not downloadable), which is the safe side.
"""

import logging

from celery import shared_task

from . import services_documents
from .clamd import ScannerError

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
