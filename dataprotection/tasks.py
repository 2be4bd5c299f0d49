"""Background jobs of data protection. Tasks carry ids only and call services."""

import logging

from celery import shared_task

from . import services

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
