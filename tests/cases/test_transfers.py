"""Issue 22, item 6: a case transferred to another service of the same provider.

A team leader of the sending service requests it, one of the receiving service accepts (or
declines with a reason); acceptance closes the sending case as a planned transfer and opens a
"Continuing case" in the receiving service, whose team reads the previous case's history
through the link only."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role
from cases import services_transfers
from cases.models import Case, CaseTransfer, ChildInCase, Perpetrator, RiskLevel
from reporting.insights.engine import ReportFilters
from reporting.insights.report import build_report
from reporting.periods import Period
from tests.factories import (
    CaseFactory,
    ChildInCaseFactory,
    ContactFactory,
    MembershipFactory,
    PerpetratorFactory,
    ServiceFactory,
)
from tests.factories_outcomes import IntakeFormFactory
from tests.signin import sign_in_with_second_factor

pytestmark = pytest.mark.django_db


def member(service, role=Role.CASEWORKER):
    return MembershipFactory(service=service, role=role).user


@pytest.fixture
def people(sending, receiving):
    return {
        "sending_leader": member(sending, Role.TEAM_LEADER),
        "sending_caseworker": member(sending),
        "receiving_leader": member(receiving, Role.TEAM_LEADER),
        "receiving_caseworker": member(receiving),
    }


@pytest.fixture
def case(sending, people):
    case = CaseFactory(
        service=sending,
        caseworker=people["sending_caseworker"],
        risk_level=RiskLevel.HIGH,
        risk_level_label="High",
        risk_assessed_at=timezone.now() - datetime.timedelta(days=3),
        is_marac=True,
    )
    PerpetratorFactory(case=case, name="Perp Example", relationship="")
    ChildInCaseFactory(case=case, first_name="Kiddo", age_years=6)
    ContactFactory(case=case, recorded_by=people["sending_caseworker"])
    return case


def as_user(client, user):
    client.logout()
    return sign_in_with_second_factor(client, user)


def request_transfer(
    case, actor, to_service, reason="Client moved to the hospital's area.", deciders=()
):
    return services_transfers.case_transfer_request(
        case=case, actor=actor, to_service=to_service, reason=reason, deciders=deciders
    )


def accept(transfer, actor, caseworker=None):
    return services_transfers.case_transfer_decide(
        transfer=transfer, actor=actor, accept=True, caseworker=caseworker
    )


def test_the_whole_flow_through_the_pages(client, case, receiving, people):
    as_user(client, people["sending_leader"])
    page = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert reverse("cases:case_transfer", args=[case.pk]) in page.content.decode()
    response = client.post(
        reverse("cases:case_transfer", args=[case.pk]),
        {"to_service": receiving.pk, "reason": "Client now attends the hospital clinic."},
    )
    assert response.status_code == 302
    transfer = CaseTransfer.objects.get(case=case)
    assert transfer.decision == CaseTransfer.Decision.REQUESTED
    assert transfer.from_service_id == case.service_id

    as_user(client, people["receiving_leader"])
    listing = client.get(reverse("cases:transfer_list"))
    assert case.reference in listing.content.decode()
    decide_url = reverse("cases:transfer_decide", args=[transfer.pk])
    page = client.get(decide_url)
    assert page.status_code == 200
    assert "Client now attends the hospital clinic." in page.content.decode()
    response = client.post(
        decide_url, {"accept": "yes", "caseworker": people["receiving_caseworker"].pk}
    )
    transfer.refresh_from_db()
    new_case = transfer.new_case
    assert response.status_code == 302
    assert response.url == reverse("cases:case_detail", args=[new_case.pk])

    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.closed_on == timezone.localdate()
    assert case.closure_type == Case.ClosureType.PLANNED
    assert case.closure_note == "Transferred to Hospital Idva"
    assert case.follow_up_due_on is None  # support continues: nothing to follow up
    # A transfer is a closure path without the exit form (the receiving service fills it).
    assert "exit form" not in case.closure_gaps_acknowledged.lower()

    assert new_case.service == receiving
    assert new_case.client_id == case.client_id
    assert new_case.referral_status == Case.ReferralStatus.CONTINUING
    assert new_case.caseworker == people["receiving_caseworker"]
    assert (new_case.risk_level, new_case.is_marac) == (RiskLevel.HIGH, True)
    assert new_case.risk_level_label == "High"
    assert new_case.reference.startswith("HIDVA-")
    assert list(Perpetrator.objects.filter(case=new_case).values_list("name", flat=True)) == [
        "Perp Example"
    ]
    assert list(ChildInCase.objects.filter(case=new_case).values_list("first_name", flat=True)) == [
        "Kiddo"
    ]

    new_page = client.get(reverse("cases:case_detail", args=[new_case.pk])).content.decode()
    assert f"Transferred from Community Idva (case {case.reference})" in new_page
    assert reverse("cases:case_transfer_history", args=[new_case.pk]) in new_page
    as_user(client, people["sending_leader"])
    old_page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Transferred to Hospital Idva" in old_page
    # The sending team does not see the receiving case: its reference only, no link.
    assert reverse("cases:case_detail", args=[new_case.pk]) not in old_page


def test_only_other_active_services_of_the_same_provider_are_offered_and_accepted(
    client, case, receiving, people
):
    elsewhere = ServiceFactory(name="Another provider's Idva")
    closed_down = ServiceFactory(provider=case.service.provider, is_active=False)
    as_user(client, people["sending_leader"])
    page = client.get(reverse("cases:case_transfer", args=[case.pk])).content.decode()
    assert "Hospital Idva" in page
    assert "Another provider" not in page
    response = client.post(
        reverse("cases:case_transfer", args=[case.pk]),
        {"to_service": elsewhere.pk, "reason": "Moving."},
    )
    assert response.status_code == 400
    for service in (elsewhere, closed_down, case.service):
        with pytest.raises(ValidationError):
            request_transfer(case, people["sending_leader"], service)
    assert not CaseTransfer.objects.exists()


def test_a_caseworker_cannot_request_and_outsiders_cannot_decide(client, case, receiving, people):
    as_user(client, people["sending_caseworker"])
    assert client.get(reverse("cases:case_transfer", args=[case.pk])).status_code == 403
    assert client.get(reverse("cases:transfer_list")).status_code == 403
    with pytest.raises(PermissionDenied):
        request_transfer(case, people["sending_caseworker"], receiving)
    transfer = request_transfer(case, people["sending_leader"], receiving)
    decide_url = reverse("cases:transfer_decide", args=[transfer.pk])
    # The sending team leader, the receiving caseworker and a third service's team leader
    # cannot decide: the same 404 as for a transfer that does not exist, audited.
    third = ServiceFactory(provider=case.service.provider)
    for user in (
        people["sending_leader"],
        people["receiving_caseworker"],
        member(third, Role.TEAM_LEADER),
    ):
        as_user(client, user)
        assert client.post(decide_url, {"accept": "yes"}).status_code == 404
    refusals = AuditEvent.objects.filter(
        action=AuditEvent.Action.DENIED, case_id=case.pk, detail__casetransfer=transfer.pk
    )
    assert refusals.count() == 3
    with pytest.raises(PermissionDenied):
        accept(transfer, people["sending_leader"])
    transfer.refresh_from_db()
    assert transfer.decision == CaseTransfer.Decision.REQUESTED


def test_declining_needs_a_reason_and_keeps_the_case_open(client, case, receiving, people):
    transfer = request_transfer(case, people["sending_leader"], receiving)
    as_user(client, people["receiving_leader"])
    url = reverse("cases:transfer_decide", args=[transfer.pk])
    assert client.post(url, {"accept": "no"}).status_code == 400
    assert client.post(url, {"accept": "no", "declined_reason": "No capacity."}).status_code == 302
    transfer.refresh_from_db()
    case.refresh_from_db()
    assert transfer.decision == CaseTransfer.Decision.DECLINED
    assert transfer.declined_reason == "No capacity."
    assert transfer.decided_by == people["receiving_leader"]
    assert case.status == Case.Status.OPEN
    assert not Case.objects.filter(client=case.client, service=receiving).exists()
    # Decided meanwhile (another team leader's answer): refused, not decided twice.
    with pytest.raises(ValidationError, match="was declined already"):
        accept(transfer, member(receiving, Role.TEAM_LEADER))
    # A new request may follow a declined one.
    assert request_transfer(case, people["sending_leader"], receiving).pk != transfer.pk


def test_one_waiting_transfer_and_no_transfer_of_a_closed_case(case, receiving, people):
    request_transfer(case, people["sending_leader"], receiving)
    with pytest.raises(ValidationError, match="already waiting"):
        request_transfer(case, people["sending_leader"], receiving)
    closed = CaseFactory(service=case.service, status="closed", closed_on=timezone.localdate())
    with pytest.raises(ValidationError, match="closed"):
        request_transfer(closed, people["sending_leader"], receiving)


def test_the_receiving_team_reads_the_history_through_the_link_only(
    client, case, receiving, people
):
    transfer = request_transfer(case, people["sending_leader"], receiving, reason="Why: moved.")
    transfer = accept(transfer, people["receiving_leader"], people["receiving_caseworker"])
    new_case = transfer.new_case
    as_user(client, people["receiving_caseworker"])
    page = client.get(reverse("cases:case_transfer_history", args=[new_case.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert f"History of case {case.reference}" in body
    assert "Why: moved." in body
    assert "Perp Example" in body
    assert "Transferred to Hospital Idva" in body  # the closure record
    assert "Contact" in body  # the previous case's timeline
    # The read is audited in the previous case's service, naming the receiving case.
    event = AuditEvent.objects.get(
        action=AuditEvent.Action.VIEW,
        case_id=case.pk,
        actor=people["receiving_caseworker"],
    )
    assert event.service_id == case.service_id
    assert event.detail == {"page": "history through transfer", "receiving_case": new_case.pk}
    # The scope is not widened: the previous case's own page is still 404 for them.
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    # A case that came by no transfer has no such page.
    plain = CaseFactory(service=receiving)
    assert client.get(reverse("cases:case_transfer_history", args=[plain.pk])).status_code == 404
    # Nor does the sending team read it through the receiving case.
    as_user(client, people["sending_leader"])
    assert client.get(reverse("cases:case_transfer_history", args=[new_case.pk])).status_code == 404


def test_a_restricted_case_stays_restricted_to_named_users_of_the_receiving_service(
    client, case, receiving, people
):
    both = member(case.service, Role.CASEWORKER)
    MembershipFactory(user=both, service=receiving, role=Role.CASEWORKER)
    case.is_restricted = True
    case.save()
    case.restricted_to.set([people["sending_leader"], both])
    transfer = request_transfer(
        case, people["sending_leader"], receiving, deciders=[people["receiving_leader"]]
    )
    transfer = accept(transfer, people["receiving_leader"], people["receiving_caseworker"])
    new_case = transfer.new_case
    assert new_case.is_restricted
    assert set(new_case.restricted_to.all()) == {
        people["receiving_leader"],
        people["receiving_caseworker"],
        both,
    }
    event = AuditEvent.objects.get(action=AuditEvent.Action.RESTRICT, case_id=new_case.pk)
    assert event.service_id == receiving.pk
    not_named = member(receiving)
    as_user(client, not_named)
    for name in ("cases:case_detail", "cases:case_transfer_history"):
        assert client.get(reverse(name, args=[new_case.pk])).status_code == 404
    as_user(client, both)
    assert client.get(reverse("cases:case_transfer_history", args=[new_case.pk])).status_code == 200


def test_acceptance_is_audited(case, receiving, people):
    transfer = request_transfer(case, people["sending_leader"], receiving)
    accept(transfer, people["receiving_leader"])
    from auditlog.models import LogEntry

    entries = LogEntry.objects.get_for_object(transfer)
    assert entries.count() == 2  # requested, then decided
    assert LogEntry.objects.get_for_object(case).filter(changes__icontains="closed").exists()


def test_insights_counts_the_receiving_case_as_a_continuing_case(case, receiving, people):
    transfer = accept(
        request_transfer(case, people["sending_leader"], receiving), people["receiving_leader"]
    )
    today = timezone.localdate()
    IntakeFormFactory(
        case=transfer.new_case,
        created_by=people["receiving_leader"],
        completed_on=today,
        status="submitted",
        submitted_at=timezone.now(),
    )
    report = build_report(
        period=Period(today - datetime.timedelta(days=30), today),
        filters=ReportFilters(service_ids=(receiving.pk,)),
        comparison_period=None,
        keys=["referral_status"],
    )
    figures = report.table("referral_status").current
    assert figures.n == 1
    assert figures.count("Continuing case") == 1
    assert figures.count("New client") == 0


def test_seed_demo_makes_one_transfer_once():
    from django.core.management import call_command

    call_command("seed_demo")
    call_command("seed_demo")
    transfer = CaseTransfer.objects.get()
    assert transfer.decision == CaseTransfer.Decision.ACCEPTED
    assert transfer.case.status == Case.Status.CLOSED
    assert transfer.new_case.referral_status == Case.ReferralStatus.CONTINUING
    assert transfer.new_case.service_id == transfer.to_service_id != transfer.from_service_id


def test_the_receiving_team_leaders_home_lists_the_waiting_transfer(
    client, case, receiving, people
):
    transfer = request_transfer(case, people["sending_leader"], receiving)
    as_user(client, people["receiving_leader"])
    home = client.get(reverse("home")).content.decode()
    assert reverse("cases:transfer_decide", args=[transfer.pk]) in home
    as_user(client, people["receiving_caseworker"])
    home = client.get(reverse("home")).content.decode()
    assert "Transfers waiting" not in home


def test_a_high_risk_case_is_accepted_by_someone_other_than_the_requester(case, receiving, people):
    both = people["sending_leader"]
    MembershipFactory(user=both, service=receiving, role=Role.TEAM_LEADER)
    transfer = request_transfer(case, both, receiving)
    with pytest.raises(ValidationError, match="Another team leader"):
        accept(transfer, both)
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert accept(transfer, people["receiving_leader"]).decision == CaseTransfer.Decision.ACCEPTED


def test_the_sending_team_leader_withdraws_a_waiting_transfer(client, case, receiving, people):
    transfer = request_transfer(case, people["sending_leader"], receiving)
    withdraw_url = reverse("cases:transfer_withdraw", args=[transfer.pk])
    as_user(client, people["sending_leader"])
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert withdraw_url in page and "Withdraw this request" in page
    assert client.get(withdraw_url).status_code == 405  # a change is a POST

    response = client.post(withdraw_url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:case_detail", args=[case.pk])
    page = response.content.decode()
    assert "Transfer to Hospital Idva withdrawn: the case stays in this service." in page
    assert f"withdrawn by {people['sending_leader']}" in page
    assert withdraw_url not in page
    transfer.refresh_from_db()
    case.refresh_from_db()
    assert transfer.decision == CaseTransfer.Decision.WITHDRAWN
    assert transfer.decided_by == people["sending_leader"]
    assert transfer.decided_at is not None
    assert case.status == Case.Status.OPEN and case.service_id == transfer.from_service_id
    from auditlog.models import LogEntry

    assert LogEntry.objects.get_for_object(transfer).count() == 2  # requested, then withdrawn

    # The receiving team leaders can no longer decide it: their page says it was withdrawn.
    as_user(client, people["receiving_leader"])
    response = client.get(reverse("cases:transfer_decide", args=[transfer.pk]), follow=True)
    assert "This transfer was withdrawn." in response.content.decode()
    with pytest.raises(ValidationError, match="was withdrawn already"):
        accept(transfer, people["receiving_leader"])
    assert not Case.objects.filter(client=case.client, service=receiving).exists()
    # A new request may follow a withdrawn one.
    assert request_transfer(case, people["sending_leader"], receiving).pk != transfer.pk


def test_only_the_sending_team_leaders_withdraw_and_never_a_decided_transfer(
    client, case, receiving, people
):
    transfer = request_transfer(case, people["sending_leader"], receiving)
    withdraw_url = reverse("cases:transfer_withdraw", args=[transfer.pk])
    other_provider = ServiceFactory()
    outsiders = (
        people["sending_caseworker"],
        people["receiving_leader"],
        member(other_provider, Role.TEAM_LEADER),
    )
    as_user(client, people["sending_caseworker"])
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert withdraw_url not in page
    for user in outsiders:
        as_user(client, user)
        # The same 404 as for a transfer that does not exist, audited.
        assert client.post(withdraw_url).status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DENIED, case_id=case.pk, detail__casetransfer=transfer.pk
    ).count() == len(outsiders)
    with pytest.raises(PermissionDenied):
        services_transfers.case_transfer_withdraw(
            transfer=transfer, actor=people["receiving_leader"]
        )
    transfer.refresh_from_db()
    assert transfer.decision == CaseTransfer.Decision.REQUESTED

    # Accepted first (the receiving team leader was quicker): the withdrawal is refused, with
    # a message, and the acceptance stands.
    accept(transfer, people["receiving_leader"], caseworker=people["receiving_caseworker"])
    as_user(client, people["sending_leader"])
    response = client.post(withdraw_url, follow=True)
    assert response.status_code == 200
    assert "This transfer was accepted already" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.decision == CaseTransfer.Decision.ACCEPTED
    assert transfer.new_case is not None


def test_a_restricted_case_s_transfer_is_withdrawn_only_by_a_named_team_leader(
    client, case, receiving, people
):
    named_leader = people["sending_leader"]
    other_leader = member(case.service, Role.TEAM_LEADER)
    case.is_restricted = True
    case.save()
    case.restricted_to.set([named_leader, people["sending_caseworker"]])
    transfer = request_transfer(
        case, named_leader, receiving, deciders=[people["receiving_leader"]]
    )
    withdraw_url = reverse("cases:transfer_withdraw", args=[transfer.pk])
    as_user(client, other_leader)
    assert client.post(withdraw_url).status_code == 404
    as_user(client, named_leader)
    assert client.post(withdraw_url).status_code == 302
    transfer.refresh_from_db()
    assert transfer.decision == CaseTransfer.Decision.WITHDRAWN


def test_a_client_moved_twice_has_the_whole_history_read_back_along_the_chain(
    client, case, sending, receiving, people
):
    third = ServiceFactory(name="Community Idva South", code="CIDS", provider=sending.provider)
    third_leader = member(third, Role.TEAM_LEADER)
    third_caseworker = member(third)
    # Community Idva -> Hospital Idva -> Community Idva South.
    first = accept(
        request_transfer(case, people["sending_leader"], receiving, reason="First move."),
        people["receiving_leader"],
        people["receiving_caseworker"],
    )
    middle = first.new_case
    second = accept(
        request_transfer(middle, people["receiving_leader"], third, reason="Second move."),
        third_leader,
        third_caseworker,
    )
    latest = second.new_case
    url = reverse("cases:case_transfer_history", args=[latest.pk])
    as_user(client, third_caseworker)

    one_back = client.get(url).content.decode()
    assert f"History of case {middle.reference}" in one_back and "Second move." in one_back
    assert f"read the history of case {case.reference} (Community Idva)" in one_back
    assert "?back=2" in one_back

    two_back = client.get(url, {"back": 2})
    assert two_back.status_code == 200
    body = two_back.content.decode()
    assert f"History of case {case.reference}" in body and "First move." in body
    assert "Perp Example" in body  # the first case's own records
    assert "Transferred to Hospital Idva by" in body
    assert "by 2 transfers" in body and "?back=1" in body
    assert "?back=3" not in body  # the first case came by no transfer
    # Each read audited in the service and case read, naming the receiving case.
    event = AuditEvent.objects.get(
        action=AuditEvent.Action.VIEW, case_id=case.pk, actor=third_caseworker
    )
    assert event.service_id == sending.pk
    assert event.detail == {
        "page": "history through transfer",
        "receiving_case": latest.pk,
        "transfers_back": 2,
    }
    # No further back than the chain goes; nonsense is the first step; nothing widens the scope.
    assert client.get(url, {"back": 3}).status_code == 404
    assert client.get(url, {"back": 0}).status_code == 404
    assert client.get(url, {"back": "x"}).status_code == 200
    for pk in (case.pk, middle.pk):
        assert client.get(reverse("cases:case_detail", args=[pk])).status_code == 404
    # The middle team reads one step back from its own case, never through the latest.
    as_user(client, people["receiving_caseworker"])
    assert client.get(url, {"back": 2}).status_code == 404
    middle_url = reverse("cases:case_transfer_history", args=[middle.pk])
    assert client.get(middle_url).status_code == 200
