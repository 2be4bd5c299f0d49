"""Retention (issue 21, items 1 and 2): what reached its date is listed with its reason for the
service manager, and nothing is erased before they approve; a legal hold keeps a record out,
an exclusion sticks, a service may only be stricter than its provider, and the approval erases
(checking the hold again at that moment)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import Case, Client
from dataprotection.models import (
    ClientErasure,
    LegalHold,
    RetentionReviewItem,
    RetentionSchedule,
)
from dataprotection.retention import selectors, services
from dataprotection.retention.schedule import add_years, periods_for
from dataprotection.tasks import apply_retention_items, list_retention_due
from outcomes.models import IntakeForm
from referrals.models import Referral
from tests.factories import CaseFactory, ContactFactory, ServiceFactory
from tests.factories_outcomes import IntakeFormFactory
from tests.factories_referrals import ReferralFactory

pytestmark = pytest.mark.django_db

Decision = RetentionReviewItem.Decision


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def closed_case(service, *, closed_on, contact_on=None, **fields):
    case = CaseFactory(
        service=service,
        opened_on=closed_on - datetime.timedelta(days=120),
        status=Case.Status.CLOSED,
        closed_on=closed_on,
        **fields,
    )
    if contact_on is not None:
        ContactFactory(case=case, occurred_at=_aware(contact_on))
    return case


def years_ago(years: int, days: int = 0) -> datetime.date:
    return add_years(timezone.localdate(), -years) - datetime.timedelta(days=days)


def declined_referral(service, *, triaged_days_ago: int) -> Referral:
    triaged = timezone.now() - datetime.timedelta(days=triaged_days_ago)
    return ReferralFactory(
        service=service,
        received_at=triaged - datetime.timedelta(days=2),
        triage=Referral.Triage.DECLINED,
        triaged_at=triaged,
    )


def _hold(case, by):
    return LegalHold.objects.create(
        case=case, reason=LegalHold.Reason.COURT, placed_by=by, placed_on=timezone.localdate()
    )


def _keys(review):
    return sorted(review.items.values_list("model_label", "object_pk", "decision"))


# --- Listing ----------------------------------------------------------------------------------


def test_due_records_are_listed_with_their_reasons_and_nothing_is_erased(service):
    closed = years_ago(7)
    contact = closed - datetime.timedelta(days=20)
    due_case = closed_case(service, closed_on=closed, contact_on=contact)
    # Seen since: a contact later than the closure decides (the later of the two).
    closed_case(service, closed_on=years_ago(7), contact_on=years_ago(5))
    recent = closed_case(service, closed_on=years_ago(2))
    # One case closed long ago, but another of the same client still open: never due.
    still_open = closed_case(service, closed_on=years_ago(9))
    CaseFactory(service=service, client=still_open.client, status=Case.Status.OPEN)
    due_referral = declined_referral(service, triaged_days_ago=60)
    declined_referral(service, triaged_days_ago=20)
    ReferralFactory(service=service, triage=Referral.Triage.PENDING)

    refreshed = services.retention_review_refresh(service=service)

    items = {(item.model_label, item.object_pk): item for item in refreshed.review.items.all()}
    assert set(items) == {
        ("cases.client", due_case.client_id),
        ("referrals.referral", due_referral.pk),
    }
    client_item = items["cases.client", due_case.client_id]
    assert client_item.kind == RetentionReviewItem.Kind.CLIENT
    assert client_item.reference == f"Client of case {due_case.reference}"
    assert client_item.reason == (
        f"Last contact {contact:%-d %b %Y}, case closed {closed:%-d %b %Y}: six years passed "
        f"on {add_years(closed, 6):%-d %b %Y}"
    )
    assert client_item.decision == Decision.PENDING
    referral_item = items["referrals.referral", due_referral.pk]
    assert referral_item.reason.startswith(
        f"Triaged {timezone.localdate(due_referral.triaged_at):%-d %b %Y} "
        "(Declined by the client), never a case: six weeks passed on"
    )
    # Listed, not erased: every record as it was, and no erasure recorded.
    assert Client.objects.get(pk=due_case.client_id).first_name
    assert Client.objects.get(pk=recent.client_id).erased_on is None
    assert Referral.objects.filter(pk=due_referral.pk).exists()
    assert not ClientErasure.objects.exists()
    # Names never reach the list.
    client = Client.objects.get(pk=due_case.client_id)
    for item in items.values():
        assert client.last_name not in item.reference + item.reason


def test_the_daily_run_is_idempotent(service, other_service):
    closed_case(service, closed_on=years_ago(8))
    closed_case(other_service, closed_on=years_ago(8))
    declined_referral(service, triaged_days_ago=90)

    list_retention_due()
    first = {review.service_id: _keys(review) for review in _reviews()}
    pks = sorted(RetentionReviewItem.objects.values_list("pk", flat=True))
    list_retention_due()

    assert {review.service_id: _keys(review) for review in _reviews()} == first
    assert sorted(RetentionReviewItem.objects.values_list("pk", flat=True)) == pks
    assert len(first[service.pk]) == 2 and len(first[other_service.pk]) == 1


def _reviews():
    from dataprotection.models import RetentionReview

    return RetentionReview.objects.all()


def test_a_pending_item_leaves_the_list_when_its_record_is_no_longer_due(service, team_leader):
    case = closed_case(service, closed_on=years_ago(7))
    review = services.retention_review_refresh(service=service).review
    assert review.items.count() == 1
    _hold(case, team_leader)

    refreshed = services.retention_review_refresh(service=service)

    assert refreshed.removed == 1 and refreshed.held == 1
    assert not review.items.exists()


def test_an_abandoned_draft_is_listed_and_deleted_on_approval(service, manager):
    case = CaseFactory(service=service)
    draft = IntakeFormFactory(case=case)
    submitted = IntakeFormFactory(case=CaseFactory(service=service), status="submitted")
    later = timezone.localdate() + datetime.timedelta(days=400)

    due = selectors.retention_due(service, today=later)

    assert [(record.object_pk, record.model_label) for record in due.due] == [
        (draft.pk, "outcomes.intakeform")
    ]
    assert due.due[0].reference == f"Intake form (draft) on case {case.reference}"
    assert due.due[0].reason.startswith(f"Last edited {timezone.localdate():%-d %b %Y}: a year")
    review = services.retention_review_refresh(service=service, today=later).review
    services.retention_items_approve(
        actor=manager, review=review, item_ids=review.items.values_list("pk", flat=True)
    )
    result = services.retention_item_apply(item_id=review.items.get().pk, today=later)

    assert result.done
    assert not IntakeForm.objects.filter(pk=draft.pk).exists()
    assert IntakeForm.objects.filter(pk=submitted.pk).exists()


# --- The schedule -----------------------------------------------------------------------------


def test_a_stricter_service_schedule_applies_and_a_looser_one_is_refused(service):
    sibling = ServiceFactory(provider=service.provider)
    stricter = RetentionSchedule(provider=service.provider, service=service, client_record_years=3)
    stricter.full_clean()
    stricter.save()
    looser = RetentionSchedule(provider=service.provider, service=sibling, client_record_years=8)
    with pytest.raises(ValidationError) as refused:
        looser.full_clean()
    assert "may only be stricter than its provider" in str(refused.value)
    assert "at most 6" in str(refused.value)

    closed_here = closed_case(service, closed_on=years_ago(4))
    closed_there = closed_case(sibling, closed_on=years_ago(4))

    assert periods_for(service).client_record_years == 3
    assert periods_for(sibling).client_record_years == 6
    assert [r.object_pk for r in selectors.retention_due(service).due] == [closed_here.client_id]
    assert selectors.retention_due(sibling).due == []
    assert closed_there.client_id  # kept: six years have not passed
    # A provider that shortens its own schedule below a service's still wins.
    RetentionSchedule.objects.create(provider=service.provider, client_record_years=2)
    assert periods_for(service).client_record_years == 2
    assert periods_for(sibling).client_record_years == 2


def test_a_service_schedule_must_be_of_the_providers_service(service, other_service):
    wrong = RetentionSchedule(provider=service.provider, service=other_service)
    with pytest.raises(ValidationError) as refused:
        wrong.full_clean()
    assert "one of this provider's services" in str(refused.value)


# --- Legal hold and exclusions -----------------------------------------------------------------


def test_a_legal_hold_keeps_a_record_out_of_the_list_and_shows_it_as_held(service, team_leader):
    held_case = closed_case(service, closed_on=years_ago(7))
    _hold(held_case, team_leader)
    # The client's referral that never became a case is held with them.
    referral = declined_referral(service, triaged_days_ago=70)
    referral.client = held_case.client
    referral.save()

    due = selectors.retention_due(service)
    review = services.retention_review_refresh(service=service).review

    assert due.due == []
    assert sorted(record.object_pk for record in due.held) == sorted(
        [held_case.client_id, referral.pk]
    )
    assert all(record.held_because.startswith("Legal hold since") for record in due.held)
    assert "Court proceedings" in due.held[0].held_because
    assert not review.items.exists()


def test_an_exclusion_with_a_reason_sticks_until_its_review_day(service, manager):
    case = closed_case(service, closed_on=years_ago(7))
    review = services.retention_review_refresh(service=service).review
    item = review.items.get()
    with pytest.raises(ValidationError):
        services.retention_items_exclude(
            actor=manager, review=review, item_ids=[item.pk], reason=" "
        )
    again = timezone.localdate() + datetime.timedelta(days=30)

    services.retention_items_exclude(
        actor=manager,
        review=review,
        item_ids=[item.pk],
        reason="A complaint about the service is expected.",
        review_again_on=again,
    )
    services.retention_review_refresh(service=service)
    services.retention_review_refresh(service=service)

    item.refresh_from_db()
    assert item.decision == Decision.EXCLUDED and item.decided_by == manager
    assert item.exclusion_reason == "A complaint about the service is expected."
    assert selectors.retention_due(service).due == []
    assert Client.objects.get(pk=case.client_id).erased_on is None
    # On the review day it waits for a decision again.
    services.retention_review_refresh(service=service, today=again)
    item.refresh_from_db()
    assert item.decision == Decision.PENDING and item.decided_by is None


# --- Applying ---------------------------------------------------------------------------------


def test_approval_erases_and_checks_the_legal_hold_again(
    service, manager, team_leader, django_capture_on_commit_callbacks
):
    erased_case = closed_case(service, closed_on=years_ago(7), contact_on=years_ago(7, 30))
    held_later = closed_case(service, closed_on=years_ago(8))
    review = services.retention_review_refresh(service=service).review
    ids = list(review.items.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=False) as queued:
        decided = services.retention_items_approve(actor=manager, review=review, item_ids=ids)
    assert len(decided.items) == 2 and len(queued) == 1
    # Approved but not applied yet: still all there.
    assert Client.objects.get(pk=erased_case.client_id).erased_on is None
    # Proceedings begin between the approval and the erasure.
    _hold(held_later, team_leader)

    apply_retention_items(ids)

    erased = Client.objects.get(pk=erased_case.client_id)
    assert erased.erased_on is not None
    erasure = ClientErasure.objects.get()
    assert erasure.client_id == erased.pk and erasure.actor == manager
    assert erasure.reason == ClientErasure.Reason.RETENTION
    kept = Client.objects.get(pk=held_later.client_id)
    assert kept.erased_on is None and kept.first_name
    by_client = {item.object_pk: item for item in review.items.filter(kind="client")}
    assert by_client[erased.pk].applied_at is not None
    assert by_client[kept.pk].decision == Decision.PENDING
    assert by_client[kept.pk].applied_at is None
    # A second delivery of the task does nothing more.
    apply_retention_items(ids)
    assert ClientErasure.objects.count() == 1
    # The erased stub is not listed again.
    services.retention_review_refresh(service=service)
    assert not review.items.filter(decision=Decision.PENDING).exists()


def test_a_referral_is_de_identified_on_approval(service, manager):
    referral = declined_referral(service, triaged_days_ago=50)
    review = services.retention_review_refresh(service=service).review
    services.retention_items_approve(
        actor=manager, review=review, item_ids=review.items.values_list("pk", flat=True)
    )

    assert services.retention_item_apply(item_id=review.items.get().pk).done

    erasure = ClientErasure.objects.get()
    assert erasure.kind == ClientErasure.Kind.REFERRAL and erasure.referral_id == referral.pk
    assert selectors.retention_due(service).due == []


def test_items_decided_meanwhile_are_not_decided_again(service, manager):
    closed_case(service, closed_on=years_ago(7))
    review = services.retention_review_refresh(service=service).review
    item = review.items.get()
    services.retention_items_exclude(
        actor=manager, review=review, item_ids=[item.pk], reason="Kept for a complaint."
    )

    decided = services.retention_items_approve(actor=manager, review=review, item_ids=[item.pk])

    assert decided.items == [] and decided.decided_meanwhile == [item]
    item.refresh_from_db()
    assert item.decision == Decision.EXCLUDED


def test_an_old_impact_report_is_listed_and_erased_with_its_pdf_on_approval(
    service, manager, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from reporting.models import ImpactReport
    from tests.factories_impact import ImpactReportFactory

    def built(**fields):
        report = ImpactReportFactory(finished_at=timezone.now(), **fields)
        report.services.set([service])
        report.pdf.save("report.pdf", ContentFile(b"%PDF-1.4"), save=False)
        report.status = ImpactReport.Status.DONE
        report.save()
        return report

    first = built()
    second = built(replaces=first, edition=2)
    names = [first.pdf.name, second.pdf.name]
    storage = first.pdf.storage
    later = add_years(timezone.localdate(), 6)

    assert selectors.retention_due(service, today=later - datetime.timedelta(days=1)).due == []
    due = selectors.retention_due(service, today=later)
    # The newest edition stands for the earlier one it replaced.
    assert [(record.kind, record.object_pk) for record in due.due] == [("impact_report", second.pk)]
    assert due.due[0].reason.endswith(f"six years passed on {later:%-d %b %Y}")
    review = services.retention_review_refresh(service=service, today=later).review
    services.retention_items_approve(
        actor=manager, review=review, item_ids=review.items.values_list("pk", flat=True)
    )
    assert all(storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.retention_item_apply(item_id=review.items.get().pk, today=later)

    assert result.done
    assert not ImpactReport.objects.filter(pk__in=[first.pk, second.pk]).exists()
    assert not any(storage.exists(name) for name in names)
