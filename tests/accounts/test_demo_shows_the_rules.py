"""Issue 18, item 12: the demo shows the rules. Its services have closure sign-off on (and a
team leader to give it), its sign-in page offers no sign-up while sign-up is closed, and
seed_demo (`make demo`) prints one login per role, each once."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.adapters import LanternAccountAdapter
from accounts.models import Membership, Role, Service
from cases.models import Case, ClosureRequest

pytestmark = pytest.mark.django_db

LOGIN_LINE = re.compile(
    r"^\s+(?P<role>.+?)\s{2,}(?P<email>\S+@demo\.lantern\.test)\s+(?P<password>\S+)"
)


def _login_lines(output: str) -> list[re.Match]:
    printed = output.split("Demo logins, one per role", 1)[1]
    lines = printed.split("Another provider's staff", 1)[0].splitlines()[1:]
    return [match for line in lines if (match := LOGIN_LINE.match(line))]


def _other_provider_lines(output: str) -> list[re.Match]:
    lines = output.split("Another provider's staff", 1)[1].splitlines()[1:]
    return [match for line in lines if (match := LOGIN_LINE.match(line))]


# --- Sign-in page ------------------------------------------------------------------------------


def test_the_sign_in_page_offers_no_sign_up_while_sign_up_is_closed(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "sign up" not in page.lower()
    assert f'href="{reverse("account_signup")}' not in page
    assert "Accounts are made by your service" in page


def test_the_sign_in_page_offers_sign_up_only_when_the_adapter_opens_it(client, monkeypatch):
    monkeypatch.setattr(LanternAccountAdapter, "is_open_for_signup", lambda self, request: True)
    page = client.get(reverse("account_login")).content.decode()
    assert f'href="{reverse("account_signup")}' in page


# --- seed_demo ---------------------------------------------------------------------------------


@pytest.fixture
def demo_output(capsys):
    call_command("seed_demo")
    return capsys.readouterr().out


def test_seed_demo_prints_one_login_per_role_each_once(demo_output):
    lines = _login_lines(demo_output)
    roles = [match["role"].strip() for match in lines]
    assert sorted(roles) == sorted(role.label for role in Role)
    assert len({match["email"] for match in lines}) == len(lines)
    # Each printed login really holds the role it is printed for.
    by_label = {role.label: role for role in Role}
    for match in lines:
        assert Membership.objects.filter(
            user__email=match["email"], role=by_label[match["role"].strip()]
        ).exists()


def test_seed_demo_has_another_provider_whose_staff_see_none_of_the_first(demo_output):
    from cases.selectors import cases_visible_to

    lines = _other_provider_lines(demo_output)
    assert {match["role"].strip() for match in lines} == {"Team leader", "Admin"}
    first_provider_cases = Case.objects.exclude(service__code="WWA")
    assert first_provider_cases.exists()
    for match in lines:
        memberships = Membership.objects.filter(user__email=match["email"])
        assert {m.service.provider.name for m in memberships} == {"Wirral Women's Aid (demo)"}
    leader = Membership.objects.get(user__email="wirral@demo.lantern.test").user
    visible = cases_visible_to(leader)
    assert visible.exists() and not visible.filter(pk__in=first_provider_cases).exists()


def test_a_second_run_prints_the_same_logins(demo_output, capsys):
    call_command("seed_demo")
    again = capsys.readouterr().out
    assert [m.group(0) for m in _login_lines(again)] == [
        m.group(0) for m in _login_lines(demo_output)
    ]


def test_demo_services_need_sign_off_and_their_closures_were_signed_off(demo_output):
    services = Service.objects.filter(code__in=["RRH", "RAI", "CID"])
    assert services.count() == 3
    for service in services:
        assert service.requires_closure_sign_off
        assert Membership.objects.filter(service=service, role=Role.TEAM_LEADER).exists()
    closed = Case.objects.filter(service__in=services, status=Case.Status.CLOSED)
    assert closed.exists()
    for case in closed:
        # A transfer is a closure path of its own: the case closes when the receiving
        # service accepts it (cases.services_transfers).
        if case.transfers.filter(decision="accepted").exists():
            continue
        approved = case.closure_requests.filter(decision=ClosureRequest.Decision.APPROVED)
        # A team leader closes a case they carry directly; every other closure was signed off.
        if not approved.exists():
            assert Membership.objects.filter(
                user=case.caseworker, service=case.service, role=Role.TEAM_LEADER
            ).exists()
            continue
        request = approved.get()
        assert request.decided_by_id != request.requested_by_id
