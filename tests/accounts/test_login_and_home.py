import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Membership, Role, Service, User
from tests.factories import TEST_PASSWORD, MembershipFactory, ServiceFactory, UserFactory
from tests.signin import fresh_totp_code

pytestmark = pytest.mark.django_db


def test_login_page_is_discreet(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Lantern</title>" in html
    for word in ("domestic", "abuse", "violence", "Idva"):
        assert word.lower() not in html.lower()


def test_login_asks_for_the_second_factor_and_then_lets_the_user_in(client, caseworker):
    response = client.post(
        reverse("account_login"), {"login": caseworker.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Not signed in yet: home sends them back to sign in.
    assert client.get(reverse("home")).status_code == 302

    response = client.post(
        reverse("mfa_authenticate"), {"code": fresh_totp_code(caseworker.totp_secret)}
    )
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "My caseload" in home.content.decode()


def test_wrong_password_and_unknown_user_get_the_same_message(client, caseworker):
    wrong_password = client.post(
        reverse("account_login"), {"login": caseworker.email, "password": "not the password"}
    )
    unknown_user = client.post(
        reverse("account_login"), {"login": "nobody@example.test", "password": "not the password"}
    )
    assert wrong_password.status_code == unknown_user.status_code == 200
    errors = wrong_password.context["form"].non_field_errors()
    assert errors == unknown_user.context["form"].non_field_errors()
    assert "email address and/or password" in " ".join(errors).lower()


def test_a_user_without_a_second_factor_must_set_one_up(client, service):
    user = UserFactory(second_factor=False)
    MembershipFactory(user=user, service=service)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize(
    ("role", "panel", "absent"),
    [
        (Role.CASEWORKER, "My caseload", "Service performance"),
        (Role.TEAM_LEADER, "Team", "Service performance"),
        (Role.SERVICE_MANAGER, "Service performance", "My caseload"),
        (Role.ADMIN, "Administration", "My caseload"),
    ],
)
def test_home_page_differs_by_role(client_for, service, role, panel, absent):
    user = MembershipFactory(service=service, role=role).user
    html = client_for(user).get(reverse("home")).content.decode()
    assert panel in html
    assert absent not in html


def test_a_user_in_no_service_is_told_so(client_for, no_service_user):
    html = client_for(no_service_user).get(reverse("home")).content.decode()
    assert "not a member of any service" in html


def test_service_switcher_changes_the_current_service_only_to_own_services(
    client_for, caseworker, service, other_service
):
    second = ServiceFactory(provider=service.provider, name="Second Idva", code="SEC")
    MembershipFactory(user=caseworker, service=second)
    client = client_for(caseworker)
    html = client.get(reverse("home")).content.decode()
    assert 'id="service-switcher"' in html

    client.post(reverse("accounts:switch_service"), {"service": second.pk})
    assert "Working in <strong>Second Idva</strong>" in client.get(reverse("home")).content.decode()

    # Another service's ID is refused and the current service stays.
    client.post(reverse("accounts:switch_service"), {"service": other_service.pk})
    assert "Working in <strong>Second Idva</strong>" in client.get(reverse("home")).content.decode()

    assert client.post(reverse("accounts:switch_service"), {"service": "x"}).status_code == 400


def test_pages_for_signed_in_users_are_not_cached(client_for, caseworker):
    response = client_for(caseworker).get(reverse("home"))
    assert response["Cache-Control"] == "no-store"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_seed_demo_is_idempotent_and_creates_one_user_per_role(capsys):
    call_command("seed_demo")
    counts = (User.objects.count(), Membership.objects.count(), Service.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Membership.objects.count(), Service.objects.count()) == counts
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles >= {Role.CASEWORKER, Role.TEAM_LEADER, Role.SERVICE_MANAGER, Role.ADMIN}
    out = capsys.readouterr().out
    assert "caseworker@demo.lantern.test" in out
    assert all(user.is_demo_user for user in User.objects.all())


def test_demo_users_sign_in_without_a_second_factor_only_in_demo_mode(client, settings):
    call_command("seed_demo")
    credentials = {"login": "caseworker@demo.lantern.test", "password": "demo-caseworker-lantern"}
    settings.LANTERN_DEMO_MODE = True
    client.post(reverse("account_login"), credentials)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Demo mode" in response.content.decode()

    client.logout()
    settings.LANTERN_DEMO_MODE = False
    client.post(reverse("account_login"), credentials)
    assert client.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")
