"""Issue 16: sign-in, the second factor, lockout, passwords, TOTP at rest and browser features
(items 1, 9, 12, 13, 14, 15 and the settings half of 20)."""

import json

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.apps import apps as django_apps
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import AuditEvent, Role
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory
from tests.project.test_settings import PRODUCTION_ENV, run_manage
from tests.signin import fresh_totp_code, sign_in_with_password_only

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts"


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def sign_in_attempt(client, email, password, address="192.0.2.10", **headers):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


# --- Item 1: the admin's own sign-in, and "second factor" meaning this session passed it -------


def test_item_1_admin_login_post_while_signed_in_does_not_switch_to_the_posted_account(
    client_for, caseworker, superuser
):
    client = client_for(caseworker)
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": superuser.email, "password": TEST_PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 403
    assert signed_in_user_id(client) == str(caseworker.pk)
    assert client.get("/admin/").status_code == 302


def test_item_1_admin_login_checks_no_password_and_signs_nobody_in(client, superuser):
    for _ in range(25):
        response = client.post(
            "/admin/login/?next=/admin/auth/",
            {"username": superuser.email, "password": "not the password at all"},
        )
        # Straight to allauth's form (with its lockout and second factor), keeping `next`.
        assert response.status_code == 302
        assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2Fauth%2F"
    response = client.post(
        "/admin/login/", {"username": superuser.email, "password": TEST_PASSWORD}
    )
    assert response["Location"].startswith(reverse("account_login"))
    assert signed_in_user_id(client) is None
    # No password was even checked there: nothing to count, nothing accepted.
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).exists()


def test_item_1_admin_login_refuses_an_unsafe_next(client):
    response = client.get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2F"


@pytest.mark.parametrize("path", ["/", "/cases/", "/referrals/", "/admin/", "/accounts/2fa/"])
def test_item_1_a_password_only_session_is_sent_to_the_code_step_from_every_page(
    client, service, path
):
    admin = MembershipFactory(service=service, role=Role.ADMIN).user
    sign_in_with_password_only(client, admin)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_reauthenticate") + "?" + urlencode({"next": path})


def test_item_1_a_password_only_session_cannot_remove_the_users_totp(client, caseworker):
    sign_in_with_password_only(client, caseworker)
    totp = Authenticator.objects.get(user=caseworker, type=Authenticator.Type.TOTP)
    response = client.post(reverse("mfa_deactivate_totp"), {})
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert Authenticator.objects.filter(pk=totp.pk).exists()


def test_item_1_the_code_step_lets_a_password_only_session_in(client, caseworker):
    sign_in_with_password_only(client, caseworker)
    response = client.post(
        reverse("mfa_reauthenticate") + "?next=/", {"code": fresh_totp_code(caseworker.totp_secret)}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_item_1_a_wrong_code_does_not(client, caseworker):
    sign_in_with_password_only(client, caseworker)
    client.post(reverse("mfa_reauthenticate"), {"code": "000000"})
    assert client.get(reverse("home"))["Location"].startswith(reverse("mfa_reauthenticate"))


@pytest.mark.django_db(transaction=True)
def test_item_1_setting_totp_up_in_this_session_counts_as_passing_it(client, service):
    """Real transactions: allauth announces the new authenticator once it is committed."""
    user = UserFactory(second_factor=False)
    MembershipFactory(user=user, service=service)
    sign_in_attempt(client, user.email, TEST_PASSWORD)
    assert client.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")
    # Setting a second factor up asks for the password again first (allauth).
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    client.post(reverse("mfa_activate_totp"), {"code": fresh_totp_code(secret)})
    assert client.get(reverse("home")).status_code == 200


# --- Item 9: lockout per account and per (account, address), never a whole office --------------


def test_item_9_one_address_cannot_lock_out_every_account(client, caseworker):
    for n in range(30):
        sign_in_attempt(client, f"nobody{n % 6}@example.test", "a wrong password")
    response = sign_in_attempt(client, caseworker.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")


def test_item_9_failures_at_one_address_lock_the_account_there_only(client, caseworker):
    for _ in range(5):
        sign_in_attempt(client, caseworker.email, "a wrong password", address="192.0.2.66")
    refused = sign_in_attempt(client, caseworker.email, TEST_PASSWORD, address="192.0.2.66")
    assert TOO_MANY in refused.content.decode()
    elsewhere = sign_in_attempt(client, caseworker.email, TEST_PASSWORD, address="198.51.100.4")
    assert elsewhere.status_code == 302
    assert elsewhere["Location"] == reverse("mfa_authenticate")


def test_item_9_failures_from_many_addresses_lock_the_account_everywhere(client, caseworker):
    for n in range(10):
        sign_in_attempt(client, caseworker.email, "a wrong password", address=f"203.0.113.{n}")
    response = sign_in_attempt(client, caseworker.email, TEST_PASSWORD, address="198.51.100.9")
    assert TOO_MANY in response.content.decode()


def test_item_9_behind_a_trusted_proxy_the_address_it_saw_is_used_for_limits_and_audit(
    client, caseworker, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.5"
    for _ in range(5):
        sign_in_attempt(
            client,
            caseworker.email,
            "a wrong password",
            address=proxy,
            HTTP_X_FORWARDED_FOR="198.51.100.200, 203.0.113.77",
        )
    failure = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).latest("pk")
    assert failure.ip_address == "203.0.113.77"
    # The same proxy, another client behind it: not locked out by the first one's failures.
    response = sign_in_attempt(
        client, caseworker.email, TEST_PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.8"
    )
    assert response["Location"] == reverse("mfa_authenticate")


def test_item_9_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, caseworker, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    sign_in_attempt(
        client, caseworker.email, "wrong", address="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.1"
    )
    failure = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).latest("pk")
    assert failure.ip_address == "192.0.2.1"


# --- Item 12: quick-exit unlock failures count toward the lockout --------------------------------


@pytest.fixture
def locked_client(client_for, caseworker):
    client = client_for(caseworker)
    client.post(reverse("accounts:quick_exit"))
    return client


def unlock(client, password):
    return client.post(reverse("accounts:unlock"), {"password": password, "next": "/"})


def test_item_12_failed_unlocks_count_toward_the_account_lockout(locked_client, caseworker):
    for _ in range(5):
        assert unlock(locked_client, "not my password").status_code == 200
    # The same account, from the same address, at the sign-in form: locked out.
    response = Client().post(
        reverse("account_login"), {"login": caseworker.email, "password": TEST_PASSWORD}
    )
    assert TOO_MANY in response.content.decode()


def test_item_12_a_locked_out_account_cannot_unlock(locked_client, caseworker):
    other = Client()
    for _ in range(5):
        other.post(
            reverse("account_login"), {"login": caseworker.email, "password": "not my password"}
        )
    response = unlock(locked_client, TEST_PASSWORD)
    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert locked_client.get(reverse("home"))["Location"].startswith(reverse("accounts:unlock"))


def test_item_12_the_right_password_still_unlocks_and_gives_back_its_attempt(
    locked_client, caseworker
):
    for _ in range(4):
        unlock(locked_client, "not my password")
    assert unlock(locked_client, TEST_PASSWORD).status_code == 302
    assert locked_client.get(reverse("home")).status_code == 200


# --- Item 13: passwords --------------------------------------------------------------------------


def refusal_codes(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {item.code for item in error.error_list}
    return set()


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",
        "123456789012",
        "qwertyuiop12",
        "abababababab",
        "abcabcabcabc",
        "0987654321zz",
    ],
)
def test_item_13_repeated_and_sequential_passwords_are_refused(password):
    assert "password_repetitive" in refusal_codes(password)


def test_item_13_passwords_close_to_the_users_name_are_refused():
    user = UserFactory.build(full_name="Marjorie Pemberton-Hale", email="mph@example.test")
    assert "password_too_similar" in refusal_codes("marjoriepemberton", user)


@pytest.mark.parametrize(
    "password", [TEST_PASSWORD, "plum kettle river", "Xk9#mQ2$vL8!", "Tr0ub4dor&3xyz"]
)
def test_item_13_good_passwords_still_pass(password):
    user = UserFactory.build(full_name="Marjorie Pemberton-Hale", email="mph@example.test")
    assert refusal_codes(password, user) == set()


def test_item_13_the_password_form_says_why(client_for, caseworker):
    response = client_for(caseworker).post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": "123456789012", "password2": "123456789012"},
    )
    assert response.status_code == 200
    assert "run along the keyboard" in response.content.decode()
    caseworker.refresh_from_db()
    assert caseworker.check_password(TEST_PASSWORD)


# --- Item 14: TOTP secrets encrypted at rest ------------------------------------------------------


def decrypt_secret(token):
    from accounts.mfa import decrypt_secret as decrypt

    return decrypt(token)


def test_item_14_the_totp_secret_is_stored_encrypted_and_its_codes_still_work(client, caseworker):
    totp = Authenticator.objects.get(user=caseworker, type=Authenticator.Type.TOTP)
    assert caseworker.totp_secret not in json.dumps(totp.data)
    assert decrypt_secret(totp.data["secret"]) == caseworker.totp_secret

    sign_in_attempt(client, caseworker.email, TEST_PASSWORD)
    client.post(reverse("mfa_authenticate"), {"code": fresh_totp_code(caseworker.totp_secret)})
    assert client.get(reverse("home")).status_code == 200


def test_item_14_recovery_code_seeds_are_stored_encrypted(client_for, caseworker):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes.activate(caseworker)
    stored = Authenticator.objects.get(pk=codes.instance.pk).data
    assert decrypt_secret(stored["seed"]) != stored["seed"]
    assert codes.validate_code(codes.get_unused_codes()[0])


def _encryption_migration():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    (module,) = [
        migration
        for (app, name), migration in loader.disk_migrations.items()
        if app == "accounts" and name.endswith("encrypt_mfa_secrets")
    ]
    return module.__module__


def test_item_14_the_migration_encrypts_plain_secrets_and_backwards_decrypts(caseworker):
    import importlib

    migration = importlib.import_module(_encryption_migration())
    totp = Authenticator.objects.get(user=caseworker, type=Authenticator.Type.TOTP)
    # As stored before encryption at rest.
    Authenticator.objects.filter(pk=totp.pk).update(data={"secret": caseworker.totp_secret})

    migration.encrypt_plain_secrets(django_apps, None)
    migration.encrypt_plain_secrets(django_apps, None)  # twice: already-encrypted values stay
    totp.refresh_from_db()
    assert caseworker.totp_secret not in json.dumps(totp.data)
    assert decrypt_secret(totp.data["secret"]) == caseworker.totp_secret

    migration.decrypt_secrets(django_apps, None)
    totp.refresh_from_db()
    assert totp.data == {"secret": caseworker.totp_secret}


# --- Item 15: Permissions-Policy -----------------------------------------------------------------


def test_item_15_every_response_carries_a_permissions_policy(client_for, caseworker, client):
    responses = [
        client.get(reverse("account_login")),
        client.get(reverse("healthz")),
        client_for(caseworker).get(reverse("home")),
    ]
    for response in responses:
        policy = response["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy


# --- Item 20 (settings half), and the production settings these items need --------------------


def test_item_20_production_settings_keep_the_impact_reports_storage():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(sorted(s.STORAGES)); print(s.STORAGES['impact_reports']['BACKEND'])"
    )
    result = run_manage(
        "shell",
        "-c",
        code,
        env_extra=PRODUCTION_ENV,
        settings_module="config.settings.production",
    )
    assert result.returncode == 0, result.stderr
    keys, backend = result.stdout.strip().splitlines()[-2:]
    assert keys == "['default', 'impact_reports', 'staticfiles']"
    assert backend == "django.core.files.storage.FileSystemStorage"


@pytest.mark.parametrize(
    "key",
    ["", "not-a-fernet-key", "bGFudGVybi1sb2NhbC1vbmx5LW5vdC1zZWNyZXQtMDA="],
    ids=["missing", "malformed", "the-public-local-default"],
)
def test_item_14_production_refuses_to_start_without_its_own_encryption_key(key):
    env = dict(PRODUCTION_ENV, MFA_ENCRYPTION_KEY=key)
    result = run_manage("check", env_extra=env, settings_module="config.settings.production")
    assert result.returncode != 0
    assert "MFA_ENCRYPTION_KEY" in result.stderr


def test_item_9_the_old_audit_proxy_variable_still_means_one_proxy():
    env = dict(PRODUCTION_ENV, AUDIT_TRUST_X_FORWARDED_FOR="true")
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.TRUSTED_PROXY_COUNT)",
        env_extra=env,
        settings_module="config.settings.production",
    )
    assert result.stdout.strip().splitlines()[-1] == "1", result.stderr
