"""The second factor: whether this session passed it, and TOTP secrets encrypted at rest.

"Has a second factor" means "this session passed it" (a TOTP or recovery code, or setting TOTP
up in this session), not "a TOTP device exists": a session signed in by a password alone, by
whatever route, reaches nothing until its user types a code.
"""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

# allauth's name for a passed second factor in a session's authentication records.
SECOND_FACTOR_METHOD = "mfa"


def session_passed_second_factor(request) -> bool:
    """True when the signed-in user has TOTP set up and this session passed it.

    1. Demo users in demo mode count as set up (the README says so).
    2. allauth records each authentication method a session used; "mfa" means a TOTP or
       recovery code was accepted (at sign-in, at re-authentication, or at set-up, see
       `record_second_factor_setup`).
    3. The user must still have TOTP: one who removed it sets it up again.
    """
    user = request.user
    if user.is_demo_user and settings.LANTERN_DEMO_MODE:
        return True
    records = get_authentication_records(request, user)
    if not any(record.get("method") == SECOND_FACTOR_METHOD for record in records):
        return False
    return user_has_totp(user)


# Whether a user has TOTP is asked on every request (session_passed_second_factor): the answer
# is kept in the cache, and forgotten whenever any authenticator of the user is saved or deleted
# (allauth's flows and the admin alike), so it is never staler than that write.
TOTP_CACHE_SECONDS = 300


def _totp_cache_key(user_id) -> str:
    return f"mfa-has-totp:{user_id}"


def user_has_totp(user) -> bool:
    key = _totp_cache_key(user.pk)
    cached = cache.get(key)
    if cached is not None:
        return cached
    has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    cache.set(key, has_totp, TOTP_CACHE_SECONDS)
    return has_totp


@receiver(post_save, sender=Authenticator)
@receiver(post_delete, sender=Authenticator)
def forget_whether_user_has_totp(sender, instance, **kwargs):
    cache.delete(_totp_cache_key(instance.user_id))


def record_second_factor_setup(request, user, authenticator) -> None:
    """Setting TOTP up proves the user holds it: the session counts as having passed it, as
    allauth would record a code typed at sign-in."""
    # allauth has no public function for this record; its internal one keeps the format its
    # own reads expect (pinned allauth version, see pyproject.toml).
    from allauth.account.internal.flows.login import record_authentication

    record_authentication(
        request, user, SECOND_FACTOR_METHOD, id=authenticator.pk, type=authenticator.type
    )


@receiver(authenticator_added)
def count_totp_setup_as_passed(sender, request, user, authenticator, **kwargs):
    if (
        authenticator.type == Authenticator.Type.TOTP
        and request is not None
        and request.user.pk == user.pk
    ):
        record_second_factor_setup(request, user, authenticator)


# --- Encryption at rest ---------------------------------------------------------------------------


def _secret_box() -> MultiFernet:
    """Fernet with the keys from MFA_ENCRYPTION_KEY: the first encrypts, all decrypt (so a key
    can be rotated by putting the new one first)."""
    try:
        return MultiFernet([Fernet(key) for key in settings.MFA_ENCRYPTION_KEYS])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "MFA_ENCRYPTION_KEY must be one or more Fernet keys (32 url-safe base64 bytes)."
        ) from error


def encrypt_secret(text: str) -> str:
    return _secret_box().encrypt(text.encode()).decode()


def decrypt_secret(token: str) -> str:
    return _secret_box().decrypt(token.encode()).decode()


def is_encrypted(value: str) -> bool:
    try:
        decrypt_secret(value)
    except InvalidToken:
        return False
    return True


class LanternMFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored Fernet-encrypted: a copy of the database
    alone does not give anyone's second factor."""

    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)
