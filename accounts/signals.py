"""Sign-in, sign-out and failed sign-in go to the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import record_event
from .models import AuditEvent


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    record_event(actor=user, action=AuditEvent.Action.LOGIN)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record_event(actor=user, action=AuditEvent.Action.LOGOUT)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; keep only the address tried.
    tried = str(credentials.get("email") or credentials.get("username") or "")[:254]
    record_event(actor=None, action=AuditEvent.Action.LOGIN_FAILED, actor_email=tried)
