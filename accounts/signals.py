"""Sign-in, sign-out and failed sign-in go to the audit trail.

Each is recorded once per active service the account belongs to, so that every service
manager's audit page shows their staff's sign-ins (an event with no service is seen by nobody);
an account in no service gets one event without a service.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import record_event, record_event_in_services, user_service_ids
from .models import AuditEvent, User


def _record_for_each_service(account, **event):
    record_event_in_services(user_service_ids(account), **event)


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    _record_for_each_service(user, actor=user, action=AuditEvent.Action.LOGIN)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        _record_for_each_service(user, actor=user, action=AuditEvent.Action.LOGOUT)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; keep only the address tried.
    tried = str(credentials.get("email") or credentials.get("username") or "")[:254]
    event = {"actor": None, "action": AuditEvent.Action.LOGIN_FAILED, "actor_email": tried}
    account = User.objects.filter(email__iexact=tried).first() if tried else None
    if account is None:
        record_event(**event)
    else:
        _record_for_each_service(account, **event)
