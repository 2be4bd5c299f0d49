"""The service manager's retention review page, the home panel and `retention_run`: another
service's records never shown, approve all in one step, exclude with a reason in place, and
the dry run prints what is due and why while writing nothing."""

import datetime
import io

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from cases.models import Case, Client
from dataprotection.models import (
    ClientErasure,
    LegalHold,
    RetentionReview,
    RetentionReviewItem,
)
from dataprotection.retention import services
from dataprotection.retention.schedule import add_years
from dataprotection.tasks import apply_retention_items
from referrals.models import Referral
from tests.factories import CaseFactory
from tests.signin import sign_in_with_second_factor

pytestmark = pytest.mark.django_db

Decision = RetentionReviewItem.Decision


def closed_long_ago(service, years=7) -> Case:
    closed = add_years(timezone.localdate(), -years)
    return CaseFactory(
        service=service,
        opened_on=closed - datetime.timedelta(days=90),
        status=Case.Status.CLOSED,
        closed_on=closed,
    )


def test_the_manager_sees_their_services_list_and_never_anothers(
    client, service, other_service, manager
):
    mine = closed_long_ago(service)
    theirs = closed_long_ago(other_service)
    services.retention_review_refresh(service=service)
    other_review = services.retention_review_refresh(service=other_service).review
    sign_in_with_second_factor(client, manager)

    start = client.get(reverse("dataprotection:retention"))
    assert start.status_code == 302
    page = client.get(start.url)

    shown = page.content.decode()
    assert page.status_code == 200
    assert mine.reference in shown and "six years passed on" in shown
    assert theirs.reference not in shown
    assert mine.client.last_name not in shown
    other_page = reverse("dataprotection:retention_review", args=[other_service.pk])
    assert client.get(other_page).status_code == 404
    # Another service's items posted to one's own review are refused, and stay undecided.
    response = client.post(
        reverse("dataprotection:retention_approve", args=[service.pk]),
        {"items": [other_review.items.get().pk]},
    )
    assert response.status_code == 400
    assert other_review.items.get().decision == Decision.PENDING
    assert AuditEvent.objects.filter(actor=manager, detail__page="retention_review").exists()


def test_approve_all_in_one_step_then_the_task_erases(
    client, service, manager, django_capture_on_commit_callbacks
):
    first, second = closed_long_ago(service), closed_long_ago(service, years=9)
    review = services.retention_review_refresh(service=service).review
    sign_in_with_second_factor(client, manager)
    page = client.get(reverse("dataprotection:retention_review", args=[service.pk]))
    assert "Approve all 2 for erasure" in page.content.decode()
    ids = list(review.items.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            reverse("dataprotection:retention_approve", args=[service.pk]), {"items": ids}
        )

    assert response.status_code == 302 and len(queued) == 1
    assert set(review.items.values_list("decision", flat=True)) == {Decision.APPROVED}
    assert not ClientErasure.objects.exists()
    apply_retention_items(ids)  # what the queued task runs
    assert set(
        Client.objects.filter(pk__in=[first.client_id, second.client_id]).values_list(
            "erased_on", flat=True
        )
    ) == {timezone.localdate()}
    assert AuditEvent.objects.filter(detail__retention="approved", actor=manager).exists()
    assert AuditEvent.objects.filter(detail__retention="applied").count() == 2


def test_exclude_needs_a_reason_shown_in_place(client, service, manager):
    closed_long_ago(service)
    item = services.retention_review_refresh(service=service).review.items.get()
    sign_in_with_second_factor(client, manager)
    url = reverse("dataprotection:retention_exclude", args=[service.pk])

    refused = client.post(url, {"items": [item.pk], "reason": ""})
    assert refused.status_code == 400
    assert "This field is required" in refused.content.decode()
    item.refresh_from_db()
    assert item.decision == Decision.PENDING

    kept = client.post(url, {"items": [item.pk], "reason": "The client asked us to keep it."})
    assert kept.status_code == 302
    item.refresh_from_db()
    assert item.decision == Decision.EXCLUDED and item.decided_by == manager
    page = client.get(reverse("dataprotection:retention_review", args=[service.pk]))
    assert "The client asked us to keep it." in page.content.decode()


def test_the_home_panel_counts_what_waits(client, service, manager):
    closed_long_ago(service)
    services.retention_review_refresh(service=service)
    sign_in_with_second_factor(client, manager)

    home = client.get(reverse("home")).content.decode()

    assert "due for retention review" in home and "<strong>1</strong> record due" in home


# --- retention_run -----------------------------------------------------------------------------

COUNTED = (Client, Case, Referral, RetentionReview, RetentionReviewItem, ClientErasure, LogEntry)


def _counts() -> dict:
    counts: dict = {model.__name__: model.objects.count() for model in COUNTED}
    counts["AuditEvent"] = AuditEvent.objects.count()
    return counts


def test_dry_run_prints_what_is_due_and_why_and_writes_nothing(service, team_leader):
    due = closed_long_ago(service)
    held = closed_long_ago(service, years=8)
    LegalHold.objects.create(
        case=held,
        reason=LegalHold.Reason.DHR,
        placed_by=team_leader,
        placed_on=timezone.localdate(),
    )
    before = _counts()
    out = io.StringIO()

    call_command("retention_run", "--dry-run", "--service", service.code, stdout=out)

    assert _counts() == before
    printed = out.getvalue()
    assert f"{service.name} ({service.code}): 1 due" in printed
    assert "Client record: 1" in printed
    assert f"Client of case {due.reference}: No contact recorded, case closed" in printed
    assert "Kept by a legal hold: 1" in printed and "Domestic homicide review" in printed
    for case in (due, held):
        assert case.client.last_name not in printed and case.client.first_name not in printed


def test_the_run_erases_only_what_a_manager_approved(service, manager):
    approved, pending = closed_long_ago(service), closed_long_ago(service, years=10)
    review = services.retention_review_refresh(service=service).review
    services.retention_items_approve(
        actor=manager,
        review=review,
        item_ids=review.items.filter(object_pk=approved.client_id).values_list("pk", flat=True),
    )
    out = io.StringIO()

    call_command("retention_run", stdout=out)

    assert Client.objects.get(pk=approved.client_id).erased_on is not None
    assert Client.objects.get(pk=pending.client_id).erased_on is None
    assert f"Erased: Client of case {approved.reference}" in out.getvalue()
    assert "1 of 1 approved records erased." in out.getvalue()
    again = io.StringIO()
    call_command("retention_run", stdout=again)
    assert "Nothing approved is waiting" in again.getvalue()


def test_dry_run_on_a_fresh_demo_shows_due_and_held_records(capsys):
    call_command("seed_demo")
    capsys.readouterr()
    before = _counts()

    call_command("retention_run", "--dry-run")

    printed = capsys.readouterr().out
    assert _counts() == before
    assert "Client record: 1" in printed
    assert "Referral that never became a case: " in printed
    assert "Kept by a legal hold: 1" in printed and "Complaint" in printed
    assert "Penrose" not in printed and "Haworth" not in printed


# --- The schedule in the admin ----------------------------------------------------------------


def test_an_admin_sets_their_providers_schedule_and_a_looser_service_one_is_refused(
    client, service, other_service, admin_user
):
    from dataprotection.models import RetentionSchedule

    foreign = RetentionSchedule.objects.create(provider=other_service.provider)
    sign_in_with_second_factor(client, admin_user)
    add = reverse("admin:dataprotection_retentionschedule_add")
    fields = {"client_record_years": 6, "referral_weeks": 6, "draft_months": 12}

    saved = client.post(add, {"provider": service.provider.pk, **fields, "impact_report_years": 6})
    looser = client.post(
        add,
        {
            "provider": service.provider.pk,
            "service": service.pk,
            **fields,
            "client_record_years": 9,
            "impact_report_years": 6,
        },
    )

    assert saved.status_code == 302
    assert looser.status_code == 200
    assert "may only be stricter than its provider" in looser.content.decode()
    assert RetentionSchedule.objects.filter(provider=service.provider).count() == 1
    assert AuditEvent.objects.filter(
        actor=admin_user, detail__model="dataprotection.retentionschedule"
    ).exists()
    # Another provider's schedule is out of reach.
    change = reverse("admin:dataprotection_retentionschedule_change", args=[foreign.pk])
    assert client.get(change).status_code in (302, 403, 404)
    listing = client.get(reverse("admin:dataprotection_retentionschedule_changelist"))
    assert other_service.provider.name not in listing.content.decode()


def test_the_manager_lists_what_is_due_now_and_nothing_is_erased(
    client, service, other_service, manager
):
    due = closed_long_ago(service)
    closed_long_ago(other_service)
    sign_in_with_second_factor(client, manager)
    page = reverse("dataprotection:retention_review", args=[service.pk])
    assert "Not listed yet." in client.get(page).content.decode()

    response = client.post(reverse("dataprotection:retention_list_now", args=[service.pk]))

    assert response.status_code == 302 and response.url == page
    shown = client.get(page).content.decode()
    assert due.reference in shown and "Listed now: 1 new" in shown
    item = RetentionReviewItem.objects.get()
    assert item.review.service == service and item.decision == Decision.PENDING
    assert Client.objects.get(pk=due.client_id).erased_on is None
    assert AuditEvent.objects.filter(actor=manager, detail__retention="listed_on_request").exists()
    # Another service's list is not this manager's to run.
    other = reverse("dataprotection:retention_list_now", args=[other_service.pk])
    assert client.post(other).status_code == 404
    assert not RetentionReview.objects.filter(service=other_service).exists()
