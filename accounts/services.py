"""Writes for accounts: user lifecycle, restriction of who may sign in, and the audit of
administrative changes."""

from importlib import import_module

from allauth.account.forms import ResetPasswordForm
from allauth.core import context as allauth_context
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction

from .audit import record_event, record_event_in_services, user_service_ids
from .models import AuditEvent, Membership, Service, Team, User


@transaction.atomic
def user_deactivate(*, user: User, actor: User) -> None:
    """Disable an account and end every session it has, at once.

    1. Mark the user inactive (Django's backend then refuses the user on any later request).
    2. Delete the sessions allauth tracks for the user, and their session rows.
    3. Record who did it.
    """
    user.is_active = False
    user.save(update_fields=["is_active"])
    end_all_sessions(user)
    record_event(
        actor=actor,
        action=AuditEvent.Action.ADMIN,
        detail={"user_deactivated": user.pk},
    )


def end_all_sessions(user: User) -> int:
    """Ends every session of the user: through the session store, which deletes the row and,
    with cached sessions (settings SESSION_ENGINE), the cached copy a request would read."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    session_keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for session_key in session_keys:
        store.delete(session_key)
    Session.objects.filter(session_key__in=session_keys).delete()
    ended, _ = UserSession.objects.filter(user=user).delete()
    return ended


# Fields never named in an audit event, even as "changed".
_UNAUDITED_FIELDS = frozenset({"password"})


def _services_of(obj) -> list:
    """The service(s) an administrative change belongs to, so that it shows on the audit page of
    the managers of those services: a service itself, a team's or membership's service, each
    service a user is a member of; none for a provider."""
    if isinstance(obj, Service):
        return [obj]
    if isinstance(obj, Team | Membership):
        return [obj.service_id]
    if isinstance(obj, User):
        return user_service_ids(obj)
    return []


def admin_change_record(*, actor: User, obj, added: bool, changed_fields=()) -> None:
    """Records an add or change made in the admin, with the names of the fields changed (never
    their values: the change history keeps those, and passwords are never named)."""
    detail = {
        "model": obj._meta.label_lower,
        "change": "added" if added else "changed",
        "fields": sorted(set(changed_fields) - _UNAUDITED_FIELDS),
    }
    record_event_in_services(
        _services_of(obj), actor=actor, action=AuditEvent.Action.ADMIN, obj=obj, detail=detail
    )


def user_send_password_link(*, user: User, actor: User, request, invitation: bool) -> None:
    """Sends `user` a link to set their own password (nobody sets another's password).

    1. Record who asked, in this transaction.
    2. After commit, send allauth's password-reset e-mail: its link expires the normal way, and it
       carries no client data. allauth builds the link's address from the request, hence the
       request here.
    """
    admin_change_record(
        actor=actor,
        obj=user,
        added=False,
        changed_fields=["invitation_sent" if invitation else "password_reset_link_sent"],
    )

    def send():
        # allauth's adapter reads the request from its own context, set by its middleware for
        # its views: the admin is not one of them.
        with allauth_context.request_context(request):
            form = ResetPasswordForm(data={"email": user.email})
            if form.is_valid():
                form.save(request)

    transaction.on_commit(send)
