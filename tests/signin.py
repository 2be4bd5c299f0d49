"""Signing a test client in as allauth would after a password and a TOTP code."""

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.test import RequestFactory


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
