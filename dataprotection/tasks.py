"""Retention's tasks: ids only; each re-reads its rows and calls a service."""

from celery import shared_task

from accounts.models import Service

from .retention import services as retention


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
