import ipaddress

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit  # as allauth's adapter: returns the usage to undo
from django.conf import settings
from django.core.exceptions import PermissionDenied

# The per-(account, address) limit of failed sign-ins; its rate is in ACCOUNT_RATE_LIMITS.
ACCOUNT_ADDRESS_LIMIT = "login_failed_account_address"


def client_address(request) -> str | None:
    """The client's address, for the audit trail and the sign-in limits alike.

    REMOTE_ADDR; or, behind TRUSTED_PROXY_COUNT reverse proxies, the address the outermost of
    them saw. Each proxy appends the address it saw to X-Forwarded-For, so the entry that many
    places from the end is the trustworthy one; anything before it came from the client and may
    be forged.
    """
    trusted_proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("X-Forwarded-For", "")
    if trusted_proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        address = hops[-min(trusted_proxies, len(hops))]
    else:
        address = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class LanternAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by admins; nobody signs themselves up. Failed sign-ins are limited
    per account and per (account, address), never so per address that an office is locked out."""

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request) -> str:
        address = client_address(request)
        if address is None:
            raise PermissionDenied("Unable to determine the client's address.")
        return address

    def pre_authenticate(self, request, **credentials) -> None:
        """1. The (account, address) limit first: refused there, the attempt does not count
        against the account as a whole, so a guesser at one address cannot lock the account
        out everywhere. 2. allauth's own: per account and (flood protection) per address."""
        self._account_address_rl_usage = ratelimit.consume(
            request,
            app="allauth.account",
            action=ACCOUNT_ADDRESS_LIMIT,
            key=self._account_address_key(request, **credentials),
        )
        if not self._account_address_rl_usage:
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)

    def _rollback_login_failed_rl_usage(self) -> None:
        # allauth calls this after a successful password check: it gives back the attempt just
        # counted (rather than clearing the limit, which would let a guesser reset it).
        super()._rollback_login_failed_rl_usage()
        usage = getattr(self, "_account_address_rl_usage", None)
        if usage:
            usage.rollback()

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        # After a password reset allauth wipes the account's failed sign-ins; the same for the
        # address the reset was completed from.
        super()._delete_login_attempts_cached_email(request, **credentials)
        ratelimit.clear(
            request,
            app="allauth.account",
            action=ACCOUNT_ADDRESS_LIMIT,
            key=self._account_address_key(request, **credentials),
        )

    def _account_address_key(self, request, **credentials) -> str:
        account_key = self._get_login_attempts_cache_key(request, **credentials)
        return f"{account_key}|{self.get_client_ip(request)}"
