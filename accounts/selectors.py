"""Reads for accounts: the audit trail as managers see it."""

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime, time

from auditlog.models import LogEntry
from django.apps import apps
from django.db import connection
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
from django.db.models.functions import Cast, Coalesce, Concat
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
    "who_name",
    "object_type",
    # A case brought in from a case bundle: the rows that came with it, by model (their ids),
    # listed in its change-history entry (reporting.bundle.batch.history_rows); else None.
    "imported_with",
)

# The trail in words: what the person did, to a record named by its kind ("viewed the case",
# "changed the contact"). Actions without a record read on their own.
VERBS = {
    "create": "added",
    "update": "changed",
    "delete": "deleted",
    "view": "viewed",
    "search": "searched",
    "export": "exported",
    "download": "downloaded",
    "login": "signed in",
    "login_failed": "failed to sign in",
    "logout": "signed out",
    "denied": "was refused access",
    "restrict": "restricted",
    "unrestrict": "lifted the restriction on",
    "admin": "changed the set-up",
}

# Case references for the trail. accounts sits below the cases app, which registers these in
# its ready(): references(case_ids) -> {id: reference}; case_id(reference, service_ids) -> id of
# the case with that reference in those services, or None.
_case_references: dict[str, Callable] = {}


def register_case_references(*, references: Callable, case_id: Callable) -> None:
    _case_references.update(references=references, case_id=case_id)


def case_id_for_reference(reference: str, service_ids: Iterable[int]) -> int | None:
    finder = _case_references.get("case_id")
    return finder(reference, list(service_ids)) if finder else None


def _case_reference_map(case_ids: Iterable[int]) -> dict[int, str]:
    references = _case_references.get("references")
    ids = {case_id for case_id in case_ids if case_id is not None}
    return references(ids) if references and ids else {}


class _WithoutKey(Func):
    """jsonb minus a key, in SQL. Searches once stored what was typed; the trail is append-only,
    so those older rows are shown without it."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = JSONField()


def _names_case_in_detail(case_id: int) -> Q:
    """An event whose detail lists the case among several ({"cases": [...]}).

    SQLite (the embedded demo) has no JSON containment ("contains lookup is not supported"):
    there the list's text is matched, the id bounded by the list's brackets and commas."""
    if connection.features.supports_json_field_contains:
        return Q(detail__cases__contains=[case_id])
    return Q(detail__cases__isnull=False) & Q(
        pk__in=AuditEvent.objects.annotate(
            cases_text=Cast(KeyTextTransform("cases", "detail"), CharField())
        )
        .filter(cases_text__regex=rf"(^|[\[,\s]){int(case_id)}([,\]\s]|$)")
        .values("pk")
    )


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
        events = events.filter(Q(case_id=case_id) | _names_case_in_detail(case_id))
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
            who_name=Coalesce(F("actor__full_name"), Value(""), output_field=CharField()),
            what=F("action"),
            label=F("object_label"),
            trail_case_id=F("case_id"),
            address=Cast("ip_address", CharField()),
            details=Cast(_WithoutKey("detail", Value("query")), CharField()),
            imported_with=Value(None, output_field=CharField()),
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
            who_name=Coalesce(F("actor__full_name"), Value(""), output_field=CharField()),
            what=change_action,
            object_type=Concat(
                F("content_type__app_label"),
                Value("."),
                F("content_type__model"),
                output_field=CharField(),
            ),
            label=F("object_repr"),
            trail_case_id=Cast(KeyTextTransform("case_id", "additional_data"), BigIntegerField()),
            address=Cast("remote_addr", CharField()),
            details=Cast("changes", CharField()),
            imported_with=KeyTextTransform("imported_with", "additional_data"),
        )
        .values_list(*TRAIL_COLUMNS)
    )
    return events.union(changes, all=True).order_by("-at")


def as_rows(trail) -> list[dict]:
    """The page's rows: the columns, plus the event in words and the case's reference."""
    rows = [dict(zip(TRAIL_COLUMNS, row, strict=True)) for row in trail]
    for row in rows:
        detail = _parsed(row["details"])
        # A page that shows several cases (a MARAC meeting) names them in its one event.
        named = detail.pop("cases", None) if row["what"] not in ("create", "update") else None
        row["case_ids"] = (
            [row["trail_case_id"]]
            if row["trail_case_id"] is not None
            else [case_id for case_id in named or [] if isinstance(case_id, int)]
        )
        row["what_label"] = ACTION_LABELS.get(row["what"], row["what"])
        row["in_words"] = _in_words(row, detail)
        row["detail_words"] = _detail_words(row, detail)
    references = _case_reference_map(case_id for row in rows for case_id in row["case_ids"])
    for row in rows:
        row["case_reference"] = ", ".join(
            references[case_id] for case_id in row["case_ids"] if case_id in references
        )
    return rows


def _parsed(details) -> dict:
    try:
        parsed = json.loads(details) if details else {}
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _model_of(object_type: str):
    try:
        return apps.get_model(object_type) if object_type else None
    except (LookupError, ValueError):
        return None


def _kind_of(object_type: str) -> str:
    model = _model_of(object_type)
    return str(model._meta.verbose_name) if model is not None else ""


def _in_words(row: dict, detail: dict) -> str:
    """ "Viewed the case", "Changed the contact", "Was refused access to the case"."""
    what = row["what"]
    if what == "logout" and detail.get("screen_locked"):
        return "Locked the screen (quick exit)"
    if what == "login" and detail.get("screen_unlocked"):
        return "Unlocked the screen"
    verb = VERBS.get(what, str(ACTION_LABELS.get(what, what)).lower())
    kind = _kind_of(row["object_type"])
    if what == "denied":
        words = f"{verb} to the {kind}" if kind else f"{verb}"
    elif what == "admin":
        words = f"{verb} ({kind})" if kind else verb
    elif what in ("export", "download") and kind == "export file":
        words = f"{verb} a file"
    elif kind and what not in ("search", "login", "login_failed", "logout"):
        words = f"{verb} the {kind}"
    else:
        words = verb
    return words[:1].upper() + words[1:]


def _imported_with_words(imported_with) -> str:
    """ "Imported with 9 contacts, 1 risk assessment": what a case bundle brought with a case,
    counted by kind (never the rows' contents)."""
    listed = _parsed(imported_with)
    counts = []
    for label, ids in listed.items():
        model = _model_of(label)
        if model is None or not isinstance(ids, list):
            continue
        name = model._meta.verbose_name if len(ids) == 1 else model._meta.verbose_name_plural
        counts.append(f"{len(ids)} {name}")
    return f"Imported with {', '.join(counts)}" if counts else ""


def _detail_words(row: dict, detail: dict) -> str:
    """A change names the fields that changed (never their values: a note's text is not in the
    trail, see accounts.audit); an event its non-identifying details."""
    if row["what"] == "create":
        return _imported_with_words(row["imported_with"])
    if row["what"] == "delete":
        return ""
    if row["what"] == "update":
        model = _model_of(row["object_type"])
        names = []
        for name in detail:
            try:
                names.append(str(model._meta.get_field(name).verbose_name) if model else name)
            except Exception:  # a field since removed: its stored name
                names.append(name.replace("_", " "))
        return ", ".join(sorted(names))
    parts = []
    for key, value in detail.items():
        if key in ("screen_locked", "screen_unlocked"):
            continue
        shown = ", ".join(str(item) for item in value) if isinstance(value, list) else value
        parts.append(f"{key.replace('_', ' ')}: {shown}")
    return "; ".join(parts)


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
