from celery import shared_task

from .exports import purge_expired_exports
from .idempotency import purge_old_form_submissions


@shared_task(acks_late=True, ignore_result=True)
def purge_expired_exports_task():
    """Daily: expired export files leave the disk (links already refuse them)."""
    purge_expired_exports()


@shared_task(acks_late=True, ignore_result=True)
def purge_old_form_submissions_task():
    """Daily: one-time form tokens whose pages can no longer post."""
    purge_old_form_submissions()
