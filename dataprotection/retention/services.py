"""Writes of retention: the daily listing (which erases nothing), a manager's approval or
exclusion, and the erasure of what they approved, one record per transaction."""

import datetime
import logging
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import access, lookup
from accounts.audit import record_event
from accounts.models import AuditEvent, Service, User
from accounts.retention import retention_source
from riskassessment.models import Assessment

from .. import erasure
from ..models import ClientErasure, RetentionReview, RetentionReviewItem
from . import selectors

logger = logging.getLogger(__name__)

Decision = RetentionReviewItem.Decision
Kind = RetentionReviewItem.Kind


def _event(*, actor, service_id, action: str, item=None, **detail) -> None:
    """An audit event of a retention step: references and counts only, never a name."""
    record_event(
        actor=actor,
        action=AuditEvent.Action.ADMIN,
        service=service_id,
        obj=item,
        detail={"retention": action, **detail},
    )


# --- The daily listing -------------------------------------------------------------------------


@dataclass
class Refreshed:
    review: RetentionReview
    added: int = 0
    removed: int = 0
    relisted: int = 0
    held: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.relisted)


@transaction.atomic
def retention_review_refresh(*, service: Service, today: datetime.date | None = None) -> Refreshed:
    """Brings the service's review list up to date; writes nothing but the list. Idempotent:
    run twice on a day, the list is the same.

    1. The review row is locked (made if new): two runs at once make one list, not two.
    2. Each record due gets an item, waiting for review; a pending item's reason and date are
       brought up to date; an excluded item whose review-again day has come waits again.
    3. Pending items whose record is no longer due (a hold placed, a case reopened, a contact
       logged) leave the list. Decided items stay: the decision is the manager's record.
    """
    today = today or timezone.localdate()
    review, _ = RetentionReview.objects.get_or_create(
        service=service, defaults={"listed_on": today}
    )
    review = RetentionReview.objects.select_for_update().get(pk=review.pk)
    due = selectors.retention_due(service, today=today)
    result = Refreshed(review=review, held=len(due.held))
    existing = {
        (item.model_label, item.object_pk): item
        for item in RetentionReviewItem.objects.select_for_update().filter(
            model_label__in={record.model_label for record in due.due},
            object_pk__in=[record.object_pk for record in due.due],
        )
    }
    due_keys = set()
    for record in due.due:
        due_keys.add(record.key)
        item = existing.get(record.key)
        if item is None:
            RetentionReviewItem.objects.create(
                review=review,
                kind=record.kind,
                model_label=record.model_label,
                object_pk=record.object_pk,
                reference=record.reference,
                reason=record.reason,
                due_on=record.due_on,
            )
            result.added += 1
            continue
        if item.decision == Decision.EXCLUDED:
            # Only reached once the review-again day has come (selectors._already_decided).
            item.decision, item.decided_by, item.decided_at = Decision.PENDING, None, None
            item.review_again_on = None
            result.relisted += 1
        if item.decision == Decision.PENDING:
            item.review = review
            item.kind, item.reference = record.kind, record.reference
            item.reason, item.due_on = record.reason, record.due_on
            item.save()
    for item in review.items.filter(decision=Decision.PENDING):
        if (item.model_label, item.object_pk) not in due_keys:
            item.delete()
            result.removed += 1
    if review.listed_on != today:
        review.listed_on = today
        review.save(update_fields=["listed_on", "updated_at"])
    if result.changed:
        _event(
            actor=None,
            service_id=service.pk,
            action="listed",
            added=result.added,
            removed=result.removed,
            relisted=result.relisted,
            held=result.held,
        )
    return result


# --- A manager's decisions ---------------------------------------------------------------------


@dataclass
class Decided:
    items: list[RetentionReviewItem] = field(default_factory=list)
    # Items someone else decided while this manager was looking: theirs stands.
    decided_meanwhile: list[RetentionReviewItem] = field(default_factory=list)


def _pending_of(review: RetentionReview, item_ids) -> Decided:
    """The review's items among `item_ids`, locked, sorted into still pending and decided
    meanwhile. Ids of another review are ignored (a manager reaches their own service's)."""
    found = Decided()
    for item in (
        RetentionReviewItem.objects.select_for_update()
        .filter(review=review, pk__in=list(item_ids))
        .order_by("pk")
    ):
        (found.items if item.decision == Decision.PENDING else found.decided_meanwhile).append(item)
    return found


def _require_reviewer(actor: User, review: RetentionReview) -> None:
    lookup.require(actor, access.Capability.REVIEW_RETENTION, service_id=review.service_id)


@transaction.atomic
def retention_items_approve(*, actor: User, review: RetentionReview, item_ids) -> Decided:
    """Approves the pending items the manager was shown (`item_ids`), in one step; their
    erasure is queued after commit and re-checks each record then."""
    _require_reviewer(actor, review)
    found = _pending_of(review, item_ids)
    now = timezone.now()
    for item in found.items:
        item.decision, item.decided_by, item.decided_at = Decision.APPROVED, actor, now
        item.full_clean()
        item.save()
    if found.items:
        _event(
            actor=actor,
            service_id=review.service_id,
            action="approved",
            items=[item.pk for item in found.items],
        )
        ids = [item.pk for item in found.items]
        from ..tasks import apply_retention_items

        transaction.on_commit(lambda: apply_retention_items.delay(ids))
    return found


@transaction.atomic
def retention_items_exclude(
    *,
    actor: User,
    review: RetentionReview,
    item_ids,
    reason: str,
    review_again_on: datetime.date | None = None,
) -> Decided:
    """Keeps the chosen pending items, with the reason (and the day to look again, if any):
    the daily run lists them no more until then."""
    _require_reviewer(actor, review)
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say why these records are kept."
    if review_again_on is not None and review_again_on <= timezone.localdate():
        errors["review_again_on"] = "The day to review again must be after today."
    if not list(item_ids):
        errors["items"] = "Choose the records to keep."
    if errors:
        raise ValidationError(errors)
    found = _pending_of(review, item_ids)
    now = timezone.now()
    for item in found.items:
        item.decision, item.decided_by, item.decided_at = Decision.EXCLUDED, actor, now
        item.exclusion_reason, item.review_again_on = reason.strip(), review_again_on
        item.full_clean()
        item.save()
    if found.items:
        _event(
            actor=actor,
            service_id=review.service_id,
            action="excluded",
            items=[item.pk for item in found.items],
            review_again_on=review_again_on.isoformat() if review_again_on else None,
        )
    return found


# --- Applying what was approved ----------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    item_id: int
    done: bool
    note: str = ""


def _delete_draft(item: RetentionReviewItem, actor: User) -> None:
    """Deletes an abandoned draft (each row through the change history, as a discard does):
    a draft submitted since is not a draft any more, and is kept."""
    model = apps.get_model(item.model_label)
    draft = model.objects.select_for_update().filter(pk=item.object_pk).first()
    if draft is None:
        return
    if draft.status != "draft":
        raise ValidationError("Submitted since it was listed: kept.")
    if isinstance(draft, Assessment):
        for follow_up in list(draft.follow_ups.filter(status=Assessment.Status.DRAFT)):
            follow_up.delete()
    draft.delete()


def _erase(item: RetentionReviewItem, actor: User) -> None:
    reason = ClientErasure.Reason.RETENTION
    source = retention_source(item.model_label)
    if source is not None:
        source.erase(item.object_pk, actor)
    elif item.kind == Kind.CLIENT:
        client = apps.get_model(item.model_label).objects.get(pk=item.object_pk)
        erasure.erase_client(client, actor=actor, reason=reason, keep_stub=True)
    elif item.kind == Kind.REFERRAL:
        referral = apps.get_model(item.model_label).objects.get(pk=item.object_pk)
        erasure.erase_referral(referral, actor=actor, reason=reason)
    else:
        _delete_draft(item, actor)


def _refused(item: RetentionReviewItem, note: str) -> Applied:
    """Back on the list, waiting (the next run drops it if it is no longer due)."""
    actor = item.decided_by
    item.decision, item.decided_by, item.decided_at = Decision.PENDING, None, None
    item.save()
    _event(actor=actor, service_id=item.review.service_id, action="not applied", item=item)
    return Applied(item.pk, False, note)


def retention_item_apply(*, item_id: int, today: datetime.date | None = None) -> Applied:
    """Erases one approved item's record, in its own transaction.

    1. The item is locked; one not approved, or applied already, is left alone.
    2. The record is checked again as the listing checks it: a legal hold placed since, a
       case reopened or a contact logged since, puts the item back to waiting, not erased.
    3. Client records keep a de-identified stub (the published figures stay); referrals lose
       what identifies; drafts are deleted. The approving manager is the actor.
    """
    with transaction.atomic():
        item = (
            RetentionReviewItem.objects.select_for_update(of=("self",))
            .select_related("review__service", "decided_by")
            .filter(pk=item_id)
            .first()
        )
        if item is None or item.decision != Decision.APPROVED or item.applied_at is not None:
            return Applied(item_id, False, "Not approved, or applied already.")
        why_not = selectors.record_still_due(item, today=today)
        if why_not:
            return _refused(item, why_not)
        try:
            with transaction.atomic():
                _erase(item, item.decided_by)
        except erasure.OnLegalHold:
            return _refused(item, "On legal hold.")
        except ValidationError as error:
            return _refused(item, " ".join(error.messages))
        item.applied_at = timezone.now()
        item.save(update_fields=["applied_at", "updated_at"])
        _event(
            actor=item.decided_by, service_id=item.review.service_id, action="applied", item=item
        )
        return Applied(item.pk, True)
