"""The service manager's retention review: what is due and why, what a legal hold keeps, and
approving (which erases) or excluding (with a reason)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.audit import record_event
from accounts.models import AuditEvent
from cases.views import apply_errors

from . import selectors, services
from .forms import RetentionApproveForm, RetentionExcludeForm

Decision = selectors.Decision


def _reviewable_service(user, service_pk):
    """A service the user reviews retention for; 404 for any other (as for one that does not
    exist)."""
    service = selectors.services_reviewed_by(user).filter(pk=service_pk).first()
    if service is None:
        raise Http404
    return service


@login_required
def retention_home(request):
    """The current service's review, or the first the user reviews; 403 for anyone who
    reviews none."""
    reviewed = list(selectors.services_reviewed_by(request.user))
    if not reviewed:
        raise PermissionDenied
    current = getattr(request, "current_service", None)
    service = next((s for s in reviewed if current and s.pk == current.pk), reviewed[0])
    return redirect("dataprotection:retention_review", service_pk=service.pk)


def _page(request, service, *, approve_form=None, exclude_form=None, status=200):
    review = selectors.review_of(service)
    items = list(selectors.review_items(review)) if review else []
    pending = [item for item in items if item.decision == Decision.PENDING]
    pending_ids = [item.pk for item in pending]
    due = selectors.retention_due(service)
    record_event(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        service=service,
        label="Retention review",
        detail={"page": "retention_review", "pending": len(pending)},
    )
    return render(
        request,
        "dataprotection/retention_review.html",
        {
            "service": service,
            "services": selectors.services_reviewed_by(request.user),
            "review": review,
            "pending": pending,
            "pending_counts": selectors.counts_by_kind(pending),
            "approved": [item for item in items if item.decision == Decision.APPROVED],
            "excluded": [item for item in items if item.decision == Decision.EXCLUDED],
            "held": due.held,
            "periods": selectors.periods_for(service),
            "export_hours": settings.EXPORT_LINK_HOURS,
            "approve_form": approve_form
            or RetentionApproveForm(initial={"items": pending_ids}, item_ids=pending_ids),
            "exclude_form": exclude_form or RetentionExcludeForm(item_ids=pending_ids),
        },
        status=status,
    )


@login_required
def retention_review(request, service_pk):
    service = _reviewable_service(request.user, service_pk)
    return _page(request, service)


def _review_item_ids(service):
    review = selectors.review_of(service)
    return review, (list(review.items.values_list("pk", flat=True)) if review else [])


def _decided_meanwhile(request, decided):
    if decided.decided_meanwhile:
        messages.warning(
            request,
            f"{len(decided.decided_meanwhile)} of them had been decided meanwhile by someone "
            "else: their decision stands.",
        )


@login_required
@require_POST
def retention_approve(request, service_pk):
    service = _reviewable_service(request.user, service_pk)
    review, item_ids = _review_item_ids(service)
    form = RetentionApproveForm(request.POST, item_ids=item_ids)
    if review is None or not form.is_valid():
        messages.error(request, "Nothing was approved: the list changed. Here it is again.")
        return _page(request, service, status=400)
    decided = services.retention_items_approve(
        actor=request.user, review=review, item_ids=form.cleaned_data["items"]
    )
    messages.success(
        request,
        f"{len(decided.items)} records approved: they are being erased now, each checked "
        "again for a legal hold first.",
    )
    _decided_meanwhile(request, decided)
    return redirect("dataprotection:retention_review", service_pk=service.pk)


@login_required
@require_POST
def retention_exclude(request, service_pk):
    service = _reviewable_service(request.user, service_pk)
    review, item_ids = _review_item_ids(service)
    form = RetentionExcludeForm(request.POST, item_ids=item_ids)
    if review is not None and form.is_valid():
        try:
            decided = services.retention_items_exclude(
                actor=request.user,
                review=review,
                item_ids=form.cleaned_data["items"],
                reason=form.cleaned_data["reason"],
                review_again_on=form.cleaned_data["review_again_on"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{len(decided.items)} records kept, with your reason.")
            _decided_meanwhile(request, decided)
            return redirect("dataprotection:retention_review", service_pk=service.pk)
    return _page(request, service, exclude_form=form, status=400)


@login_required
@require_POST
def retention_list_now(request, service_pk):
    """Lists what is due now rather than at the next morning's run (after a schedule change, or
    on a new installation): the same listing, which erases nothing."""
    service = _reviewable_service(request.user, service_pk)
    refreshed = services.retention_review_refresh(service=service)
    record_event(
        actor=request.user,
        action=AuditEvent.Action.ADMIN,
        service=service,
        label="Retention review",
        detail={"retention": "listed_on_request", "added": refreshed.added},
    )
    messages.success(
        request,
        f"Listed now: {refreshed.added} new, {refreshed.removed} no longer due. "
        "Nothing was erased.",
    )
    return redirect("dataprotection:retention_review", service_pk=service.pk)
