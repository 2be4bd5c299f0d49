"""Background jobs of data protection: subject access builds and retention. Tasks carry ids
only; each re-reads its rows and calls a service."""

import logging

from celery import shared_task

from accounts.models import Service

from . import services
from .retention import services as retention

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_BASE_SECONDS = 30


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=MAX_ATTEMPTS - 1)
def build_subject_access(self, request_id: int, user_id: int):
    """Builds a subject access answer's PDF and JSON. Idempotent: a rebuild replaces the files,
    and a request already sent is left alone."""
    try:
        services.subject_access_build(request_id=request_id, user_id=user_id)
    except Exception as exc:
        # The id and the exception's type only: its message could quote the client's data.
        logger.error("subject access request %s: build failed (%s)", request_id, type(exc).__name__)
        if self.request.retries < self.max_retries and not self.request.is_eager:
            raise self.retry(countdown=RETRY_BASE_SECONDS * 2**self.request.retries) from None
        raise


@shared_task(acks_late=True, ignore_result=True)
def list_retention_due():
    """Daily (CELERY_BEAT_SCHEDULE): each active service's records that reached their
    retention date are listed for its manager's review, one transaction per service. Erases
    nothing: that waits for the manager's approval."""
    for service in Service.objects.filter(is_active=True).order_by("pk"):
        retention.retention_review_refresh(service=service)


@shared_task(acks_late=True, ignore_result=True)
def apply_retention_items(item_ids: list[int]):
    """Erases the records a manager approved, one transaction each; an item not approved or
    applied already is left alone, so a second delivery does nothing."""
    for item_id in item_ids:
        retention.retention_item_apply(item_id=item_id)
