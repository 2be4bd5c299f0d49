"""Writes for accounts: user lifecycle and restriction of who may sign in."""

from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.db import transaction

from .audit import record_event
from .models import AuditEvent, User


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
    session_keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=session_keys).delete()
    ended, _ = UserSession.objects.filter(user=user).delete()
    return ended
