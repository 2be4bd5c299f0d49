"""Reads for accounts: the audit trail as managers see it."""

from datetime import date, datetime, time

from auditlog.models import LogEntry
from django.db.models import (
    BigIntegerField,
    CharField,
    F,
    Func,
    JSONField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from . import access
from .models import AuditEvent, Marac, Membership, Provider, Service, Team, User

CHANGE_ACTIONS = {
    LogEntry.Action.CREATE: "create",
    LogEntry.Action.UPDATE: "update",
    LogEntry.Action.DELETE: "delete",
    LogEntry.Action.ACCESS: "view",
}
ACTION_LABELS = {
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
    **dict(AuditEvent.Action.choices),
}

TRAIL_COLUMNS = (
    "at",
    "who",
    "what",
    "label",
    "trail_case_id",
    "address",
    "details",
)


class _WithoutKey(Func):
    """jsonb minus a key, in SQL. Searches once stored what was typed; the trail is append-only,
    so those older rows are shown without it."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = JSONField()


def audit_trail(
    user,
    *,
    actor_id: int | None = None,
    case_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet:
    """Access events and change history for the services where `user` may read the audit
    trail, newest first, as one queryset (a UNION computed in the database).

    Rows are dicts with TRAIL_COLUMNS. A user with no such service gets nothing.
    """
    service_ids = list(access.service_ids_with(user, access.Capability.READ_AUDIT))
    events = AuditEvent.objects.filter(service_id__in=service_ids)
    changes = LogEntry.objects.filter(additional_data__service_id__in=service_ids)

    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
        changes = changes.filter(actor_id=actor_id)
    if case_id is not None:
        # A page that shows several cases (a MARAC meeting) names them in its one event.
        events = events.filter(Q(case_id=case_id) | Q(detail__cases__contains=[case_id]))
        changes = changes.filter(additional_data__case_id=case_id)
    if date_from is not None:
        start = timezone.make_aware(datetime.combine(date_from, time.min))
        events = events.filter(at__gte=start)
        changes = changes.filter(timestamp__gte=start)
    if date_to is not None:
        end = timezone.make_aware(datetime.combine(date_to, time.max))
        events = events.filter(at__lte=end)
        changes = changes.filter(timestamp__lte=end)

    events = (
        events.order_by()
        .annotate(
            who=F("actor_email"),
            what=F("action"),
            label=F("object_label"),
            trail_case_id=F("case_id"),
            address=Cast("ip_address", CharField()),
            details=Cast(_WithoutKey("detail", Value("query")), CharField()),
        )
        .values_list(*TRAIL_COLUMNS)
    )
    change_action = SqlCase(
        *[When(action=number, then=Value(name)) for number, name in CHANGE_ACTIONS.items()],
        default=Value("update"),
        output_field=CharField(),
    )
    changes = (
        changes.order_by()
        .annotate(
            at=F("timestamp"),
            who=F("actor_email"),
            what=change_action,
            label=F("object_repr"),
            trail_case_id=Cast(KeyTextTransform("case_id", "additional_data"), BigIntegerField()),
            address=Cast("remote_addr", CharField()),
            details=Cast("changes", CharField()),
        )
        .values_list(*TRAIL_COLUMNS)
    )
    return events.union(changes, all=True).order_by("-at")


def as_rows(trail) -> list[dict]:
    return [
        dict(zip(TRAIL_COLUMNS, row, strict=True))
        | {"what_label": ACTION_LABELS.get(row[2], row[2])}
        for row in trail
    ]


# --- What an admin may manage -----------------------------------------------------------------
# One scope for every admin page: a superuser manages everything; an admin manages the providers
# of the services where they hold the admin role (access.administered_provider_ids), and within
# them the services, teams, memberships and the users who hold a membership there. Superusers are
# managed by superusers only.


def providers_administered_by(user) -> QuerySet[Provider]:
    if access.administers_everything(user):
        return Provider.objects.all()
    return Provider.objects.filter(pk__in=access.administered_provider_ids(user))


def services_administered_by(user) -> QuerySet[Service]:
    if access.administers_everything(user):
        return Service.objects.all()
    return Service.objects.filter(provider_id__in=access.administered_provider_ids(user))


def teams_administered_by(user) -> QuerySet[Team]:
    if access.administers_everything(user):
        return Team.objects.all()
    return Team.objects.filter(service__provider_id__in=access.administered_provider_ids(user))


def memberships_administered_by(user) -> QuerySet[Membership]:
    if access.administers_everything(user):
        return Membership.objects.all()
    return Membership.objects.filter(
        service__provider_id__in=access.administered_provider_ids(user), user__is_superuser=False
    )


def users_administered_by(user) -> QuerySet[User]:
    """Users with a membership in one of the admin's providers; never a superuser."""
    if access.administers_everything(user):
        return User.objects.all()
    member_ids = Membership.objects.filter(
        service__provider_id__in=access.administered_provider_ids(user)
    ).values("user_id")
    return User.objects.filter(pk__in=member_ids, is_superuser=False)


def maracs_administered_by(user) -> QuerySet[Marac]:
    """MARACs whose services `user` may set: all for a superuser, else those naming them admin."""
    if access.administers_everything(user):
        return Marac.objects.all()
    if not user.is_authenticated:
        return Marac.objects.none()
    return Marac.objects.filter(admins=user)


def user_wholly_administered_by(user, target: User) -> bool:
    """True when every membership `target` holds is one `user` manages, so that changing the
    account itself (its name, whether it may sign in) touches no other provider's staff."""
    if access.administers_everything(user):
        return True
    if target.is_superuser:
        return False
    return not (
        Membership.objects.filter(user=target)
        .exclude(service__provider_id__in=access.administered_provider_ids(user))
        .exists()
    )
