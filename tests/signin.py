"""Signing a test client in as allauth would after a password and a TOTP code."""

import time

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import RequestFactory

# Seconds of its 30-second step a code must have left when a test takes it.
TOTP_MARGIN = 3


def fresh_totp_code(secret: str) -> str:
    """The TOTP code of now, with at least TOTP_MARGIN seconds of its step left: Lantern accepts
    only the current step (allauth's TOTP_TOLERANCE is 0), so a code taken in a step's last
    moment was refused by the time the test posted it (a rare failure, seen in CI)."""
    left = 30 - time.time() % 30
    if left < TOTP_MARGIN:
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in_with_second_factor(client, user):
    """force_login, then the session's records of a password and a TOTP code, written by
    allauth's own function (so Lantern's check reads what a real sign-in leaves)."""
    client.force_login(user)
    session = client.session
    request = RequestFactory().get("/")
    request.session = session
    request.user = user
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    record_authentication(request, user, "password", email=user.email)
    record_authentication(request, user, "mfa", id=totp.pk if totp else None, type="totp")
    session.save()
    return client


def sign_in_with_password_only(client, user):
    """A session that passed the password but no second factor (what the admin's own login
    form used to give)."""
    client.force_login(user)
    session = client.session
    request = RequestFactory().get("/")
    request.session = session
    request.user = user
    record_authentication(request, user, "password", email=user.email)
    session.save()
    return client
