"""A restricted case's transfer is seen and decided only by the receiving service's team leaders
the requester names on it (cases.services_transfers, cases.selectors_transfers): restricted
cases are seen by named users everywhere, and a colleague of the perpetrator may work in the
receiving service."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent, Role
from cases import services_transfers
from cases.models import CaseTransfer, RiskLevel
from tests.factories import CaseFactory, MembershipFactory, ServiceFactory
from tests.signin import sign_in_with_second_factor

pytestmark = pytest.mark.django_db

REASON = "The client moved near the hospital."


def member(service, role=Role.CASEWORKER, name=None):
    extra = {"user__full_name": name} if name else {}
    return MembershipFactory(service=service, role=role, **extra).user


@pytest.fixture
def third(sending):
    return ServiceFactory(name="Refuge Idva", code="RIDVA", provider=sending.provider)


@pytest.fixture
def people(sending, receiving, third):
    return {
        "requester": member(sending, Role.TEAM_LEADER, "Sam Sender"),
        "named": member(receiving, Role.TEAM_LEADER, "Nia Named"),
        "unnamed": member(receiving, Role.TEAM_LEADER, "Uma Unnamed"),
        "receiving_caseworker": member(receiving, name="Cal Caseworker"),
        "third_leader": member(third, Role.TEAM_LEADER, "Tom Third"),
    }


@pytest.fixture
def restricted(sending, people):
    case = CaseFactory(service=sending, is_restricted=True, risk_level=RiskLevel.MEDIUM)
    case.restricted_to.set([people["requester"]])
    return case


def as_user(client, user):
    client.logout()
    return sign_in_with_second_factor(client, user)


def request_transfer(case, actor, to_service, deciders=()):
    return services_transfers.case_transfer_request(
        case=case, actor=actor, to_service=to_service, reason=REASON, deciders=deciders
    )


def accept(transfer, actor, caseworker=None):
    return services_transfers.case_transfer_decide(
        transfer=transfer, actor=actor, accept=True, caseworker=caseworker
    )


def decider_value(service, user):
    return f"{service.pk}:{user.pk}"


def test_the_requester_names_the_deciders_and_only_they_see_and_decide(
    client, restricted, receiving, third, people
):
    as_user(client, people["requester"])
    url = reverse("cases:case_transfer", args=[restricted.pk])
    page = client.get(url).content.decode()
    # Every destination's team leaders, "Name (Service)"; no caseworker.
    assert "Nia Named (Hospital Idva)" in page and "Uma Unnamed (Hospital Idva)" in page
    assert "Tom Third (Refuge Idva)" in page
    assert "Cal Caseworker" not in page
    assert "someone there may know the perpetrator" in page
    response = client.post(
        url,
        {
            "to_service": receiving.pk,
            "reason": REASON,
            "deciders": [decider_value(receiving, people["named"])],
        },
    )
    assert response.status_code == 302
    transfer = CaseTransfer.objects.get(case=restricted)
    assert list(transfer.deciders.all()) == [people["named"]]
    panel = client.get(reverse("cases:case_detail", args=[restricted.pk])).content.decode()
    assert "waiting for Nia Named (the case is restricted" in panel

    decide_url = reverse("cases:transfer_decide", args=[transfer.pk])
    # The unnamed team leader of the receiving service: nothing in lists, 404 on its pages.
    as_user(client, people["unnamed"])
    for page_url in (reverse("cases:transfer_list"), reverse("home")):
        body = client.get(page_url).content.decode()
        assert restricted.reference not in body and decide_url not in body
    assert client.get(decide_url).status_code == 404
    assert client.post(decide_url, {"accept": "yes"}).status_code == 404
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.DENIED,
            actor=people["unnamed"],
            case_id=restricted.pk,
            detail__casetransfer=transfer.pk,
        ).count()
        == 2
    )
    with pytest.raises(PermissionDenied):
        accept(transfer, people["unnamed"])

    # The named one: in the list and on the home page, and decides.
    as_user(client, people["named"])
    for page_url in (reverse("cases:transfer_list"), reverse("home")):
        assert decide_url in client.get(page_url).content.decode()
    assert REASON in client.get(decide_url).content.decode()
    response = client.post(
        decide_url, {"accept": "yes", "caseworker": people["receiving_caseworker"].pk}
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    new_case = transfer.new_case
    assert transfer.decided_by == people["named"]
    # The restriction carried: the decider and the caseworker they allocated, nobody else.
    assert new_case.is_restricted
    assert set(new_case.restricted_to.all()) == {people["named"], people["receiving_caseworker"]}

    # Decided, it stays out of the unnamed team leader's list.
    as_user(client, people["unnamed"])
    assert restricted.reference not in client.get(reverse("cases:transfer_list")).content.decode()
    assert client.get(reverse("cases:case_detail", args=[new_case.pk])).status_code == 404


def test_a_case_that_is_not_restricted_names_nobody_and_every_team_leader_decides(
    client, sending, receiving, people
):
    case = CaseFactory(service=sending)
    as_user(client, people["requester"])
    url = reverse("cases:case_transfer", args=[case.pk])
    assert "Team leaders who may see and decide it" not in client.get(url).content.decode()
    with pytest.raises(ValidationError) as refused:
        request_transfer(case, people["requester"], receiving, deciders=[people["named"]])
    assert "deciders" in refused.value.error_dict
    response = client.post(url, {"to_service": receiving.pk, "reason": REASON})
    assert response.status_code == 302
    transfer = CaseTransfer.objects.get(case=case)
    assert not transfer.deciders.exists()
    for leader in (people["named"], people["unnamed"]):
        as_user(client, leader)
        assert case.reference in client.get(reverse("cases:transfer_list")).content.decode()
        assert client.get(reverse("cases:transfer_decide", args=[transfer.pk])).status_code == 200


def test_a_decider_who_does_not_lead_the_chosen_service_is_refused_with_a_field_error(
    client, restricted, receiving, third, people
):
    as_user(client, people["requester"])
    url = reverse("cases:case_transfer", args=[restricted.pk])
    # A team leader of another destination, ticked for the chosen service: an error in place.
    response = client.post(
        url,
        {
            "to_service": receiving.pk,
            "reason": REASON,
            "deciders": [
                decider_value(receiving, people["named"]),
                decider_value(third, people["third_leader"]),
            ],
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["deciders"]
    assert "Tom Third (Refuge Idva): not a team leader of Hospital Idva" in errors["deciders"][0]
    assert "not a team leader of Hospital Idva" in response.content.decode()
    # None ticked, or a caseworker's key forged into the form: refused too.
    for deciders in ([], [decider_value(receiving, people["receiving_caseworker"])]):
        response = client.post(
            url, {"to_service": receiving.pk, "reason": REASON, "deciders": deciders}
        )
        assert response.status_code == 400
        assert list(response.context["form"].errors) == ["deciders"]
    assert not CaseTransfer.objects.exists()

    # The service refuses them whatever the form let through, naming the field.
    for deciders in ([], [people["receiving_caseworker"]], [people["third_leader"]]):
        with pytest.raises(ValidationError) as refused:
            request_transfer(restricted, people["requester"], receiving, deciders=deciders)
        assert list(refused.value.error_dict) == ["deciders"]
    # A read-only team leader does not allocate there either.
    read_only = MembershipFactory(service=receiving, role=Role.TEAM_LEADER, read_only=True).user
    with pytest.raises(ValidationError, match="cannot decide transfers in Hospital Idva"):
        request_transfer(restricted, people["requester"], receiving, deciders=[read_only])
    assert not CaseTransfer.objects.exists()


def test_a_high_risk_restricted_case_names_a_second_decider_besides_the_requester(
    restricted, receiving, people
):
    both = people["requester"]
    MembershipFactory(user=both, service=receiving, role=Role.TEAM_LEADER)
    restricted.risk_level = RiskLevel.HIGH
    restricted.save()
    with pytest.raises(ValidationError, match="name another team leader of Hospital Idva"):
        request_transfer(restricted, both, receiving, deciders=[both])
    transfer = request_transfer(restricted, both, receiving, deciders=[both, people["named"]])
    with pytest.raises(ValidationError, match="Another team leader"):
        accept(transfer, both)
    transfer = accept(transfer, people["named"])
    assert transfer.decision == CaseTransfer.Decision.ACCEPTED
    assert people["named"] in transfer.new_case.restricted_to.all()


def test_a_case_restricted_after_its_request_is_seen_by_nobody_there_until_asked_again(
    client, sending, receiving, people
):
    case = CaseFactory(service=sending)
    transfer = request_transfer(case, people["requester"], receiving)
    decide_url = reverse("cases:transfer_decide", args=[transfer.pk])
    as_user(client, people["named"])
    assert client.get(decide_url).status_code == 200

    case.is_restricted = True
    case.save()
    case.restricted_to.set([people["requester"]])
    for leader in (people["named"], people["unnamed"]):
        as_user(client, leader)
        assert case.reference not in client.get(reverse("cases:transfer_list")).content.decode()
        assert decide_url not in client.get(reverse("home")).content.decode()
        assert client.get(decide_url).status_code == 404
        with pytest.raises(PermissionDenied):
            accept(transfer, leader)

    # The sending side is told to withdraw it and ask again naming the decider.
    as_user(client, people["requester"])
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "no team leader named on it can accept it" in page
    assert "Withdraw this request and ask again" in page
    client.post(reverse("cases:transfer_withdraw", args=[transfer.pk]))
    again = request_transfer(case, people["requester"], receiving, deciders=[people["named"]])
    as_user(client, people["named"])
    assert client.get(reverse("cases:transfer_decide", args=[again.pk])).status_code == 200


def test_a_decider_who_left_the_receiving_service_leaves_the_request_to_be_asked_again(
    client, restricted, receiving, people
):
    request_transfer(restricted, people["requester"], receiving, deciders=[people["named"]])
    people["named"].memberships.filter(service=receiving).delete()
    as_user(client, people["requester"])
    page = client.get(reverse("cases:case_detail", args=[restricted.pk])).content.decode()
    assert "no team leader named on it can accept it" in page
    assert "Withdraw this request and ask again" in page
    # A caseworker named on the case cannot withdraw it: told who can, not to do it.
    caseworker = member(restricted.service, name="Cara Named")
    restricted.restricted_to.add(caseworker)
    as_user(client, caseworker)
    page = client.get(reverse("cases:case_detail", args=[restricted.pk])).content.decode()
    assert "no team leader named on it can accept it" in page
    assert "Withdraw this request" not in page
    assert f"A team leader of {restricted.service.name} can withdraw it" in page


def test_the_transfers_page_reads_as_many_queries_for_many_transfers_as_for_one(
    client, sending, receiving, people
):
    def transfers(count, *, restricted):
        for _ in range(count):
            case = CaseFactory(service=sending, is_restricted=restricted)
            if restricted:
                case.restricted_to.set([people["requester"]])
            request_transfer(
                case,
                people["requester"],
                receiving,
                deciders=[people["named"]] if restricted else (),
            )

    as_user(client, people["named"])
    url = reverse("cases:transfer_list")
    transfers(1, restricted=True)
    client.get(url)  # the first page of a session reads what later ones have cached
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    transfers(5, restricted=True)
    transfers(5, restricted=False)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["incoming"]) == 11
    assert len(many) == len(few)
