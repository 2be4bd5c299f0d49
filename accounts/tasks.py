from celery import shared_task

from .exports import purge_expired_exports


@shared_task(acks_late=True, ignore_result=True)
def purge_expired_exports_task():
    """Daily: expired export files leave the disk (links already refuse them)."""
    purge_expired_exports()
