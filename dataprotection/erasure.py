"""Erasure that keeps the statistics (issue 21): a client's record de-identified to a stub of
coded answers, or removed entirely on their request, with the change history of every record
it touches.

What each field becomes is declared in `erasure_fields`. The records are found by walking every
relation that points at the client (and from those rows on, to any depth), so a new model linked
to a case is met, and refused until it is classified, rather than silently left behind.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import record_event_in_services
from accounts.concurrency import version_field
from accounts.models import AuditEvent
from cases.models import Case, Client
from outcomes.models import IntakeForm
from outcomes.models.base import FormStatus
from referrals.models import Referral

from . import erasure_fields
from .models import ClientErasure
from .selectors import cases_on_legal_hold

VERSION_HELP = version_field().help_text

# How far from the client the walk goes (client -> case -> assessment -> MARAC referral ->
# hearing -> action is five).
MAX_DEPTH = 8


class OnLegalHold(Exception):
    """A case of the client has a legal hold not lifted: nothing was erased."""


class UnclassifiedModel(RuntimeError):
    """A model linked to the client whose fields erasure_fields does not classify."""


@dataclass
class _Found:
    """The rows reachable from the erased clients, in the order met (parents first)."""

    rows: dict[tuple[str, object], models.Model] = field(default_factory=dict)

    def add(self, obj) -> bool:
        key = (obj._meta.label_lower, obj.pk)
        if key in self.rows:
            return False
        self.rows[key] = obj
        return True

    def of(self, label: str) -> list:
        return [obj for (found, _), obj in self.rows.items() if found == label]


def _check_classified(model) -> str:
    label = model._meta.label_lower
    if (
        label not in erasure_fields.FIELDS
        and label not in erasure_fields.DELETE
        and label not in erasure_fields.UNTOUCHED
    ):
        raise UnclassifiedModel(f"{label} is linked to a client but not in erasure_fields.")
    return label


def _walk(obj, found: _Found, depth: int = 0) -> None:
    """Adds `obj` and every row pointing at it (then at those, ...) to `found`."""
    if not found.add(obj):
        return
    if depth >= MAX_DEPTH:
        raise UnclassifiedModel(f"{obj._meta.label_lower}: records nested deeper than expected.")
    for relation in obj._meta.related_objects:
        if relation.many_to_many:
            continue
        model = relation.related_model
        if model is ClientErasure:
            continue
        label = _check_classified(model)
        if label in erasure_fields.UNTOUCHED:
            continue
        rows = model._base_manager.filter(**{relation.field.name: obj.pk}).order_by("pk")
        for row in rows:
            _walk(row, found, depth + 1)


def reachable_from(client: Client) -> _Found:
    """Every row of the client's record: the client (and any duplicate merged into it), their
    aliases, consents, referrals and cases, and everything of those cases."""
    found = _Found()
    _walk(client, found)
    return found


# --- History ---------------------------------------------------------------------------------


def _history_targets(found: _Found) -> dict[int, set[str]]:
    """content type id -> object pks whose change history goes: every row found, and rows of
    the client's cases or client-level lists deleted earlier (their entries still hold what
    they said)."""
    targets: dict[int, set[str]] = defaultdict(set)
    models_found = {type(obj) for obj in found.rows.values()}
    for model in models_found:
        content_type = ContentType.objects.get_for_model(model)
        targets[content_type.pk] |= {
            str(obj.pk) for obj in found.rows.values() if type(obj) is model
        }
    case_ids = [obj.pk for obj in found.of("cases.case")]
    client_ids = [obj.pk for obj in found.of("cases.client")]
    earlier = Q(additional_data__case_id__in=case_ids) if case_ids else Q(pk__in=[])
    for relation in Client._meta.related_objects:
        if relation.many_to_many or relation.related_model is ClientErasure:
            continue
        content_type = ContentType.objects.get_for_model(relation.related_model)
        name = relation.field.name
        for client_id in client_ids:
            # auditlog keeps a key as the number itself ([old, new]); older rows as text.
            for value in (client_id, str(client_id)):
                earlier |= Q(content_type=content_type) & (
                    Q(**{f"changes__{name}__0": value}) | Q(**{f"changes__{name}__1": value})
                )
    for content_type_id, object_pk in LogEntry.objects.filter(earlier).values_list(
        "content_type_id", "object_pk"
    ):
        targets[content_type_id].add(object_pk)
    return targets


def _erase_history(targets: dict[int, set[str]]) -> int:
    """Deletes the change-history entries of the given objects. On PostgreSQL only through
    lantern_erase_history (dataprotection migration 0003): the app's role has no DELETE on the
    table and the trigger refuses one outside that function."""
    removed = 0
    for content_type_id, object_pks in sorted(targets.items()):
        pks = sorted(object_pks)
        if not pks:
            continue
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT lantern_erase_history(%s, %s)", [content_type_id, pks])
                removed += cursor.fetchone()[0]
        else:
            removed += LogEntry.objects.filter(
                content_type_id=content_type_id, object_pk__in=pks
            ).delete()[0]
    return removed


# --- Writes ----------------------------------------------------------------------------------


def _age_on(day: date, born: date) -> int:
    """Whole years, as the Insights age table computes them (reporting builders.age_at)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _keep_age_at_intake(case: Case, born: date | None) -> bool:
    """Before a date of birth goes: the age at the case's intake, which the Insights age table
    reads in its place. True when the case changed."""
    if born is None or case.client_age_at_intake is not None:
        return False
    intake = (
        IntakeForm.objects.filter(case=case, status=FormStatus.SUBMITTED)
        .exclude(completed_on=None)
        .order_by("completed_on", "pk")
        .first()
    )
    if intake is None:
        return False
    case.client_age_at_intake = _age_on(intake.completed_on, born)
    return True


def _de_identify(obj) -> list[str]:
    """Empties the identifying fields of one row (erasure_fields); the names of those changed."""
    label = obj._meta.label_lower
    changed = []
    for name in sorted(erasure_fields.fields_of(label, "blank")):
        model_field = obj._meta.get_field(name)
        empty = None if model_field.null else ""
        if getattr(obj, name) not in (None, ""):
            setattr(obj, name, empty)
            changed.append(name)
    for name in sorted(erasure_fields.fields_of(label, "mark")):
        value = getattr(obj, name)
        if value not in (None, "", erasure_fields.ERASED_TEXT):
            setattr(obj, name, erasure_fields.ERASED_TEXT)
            changed.append(name)
    return changed


def _keep_stub(found: _Found, today: date) -> Counter:
    counts: Counter = Counter()
    births = {obj.pk: obj.date_of_birth for obj in found.of("cases.client")}
    for obj in found.of("cases.case"):
        if _keep_age_at_intake(obj, births.get(obj.client_id)):
            obj.save(update_fields=["client_age_at_intake"])
    for (label, _), obj in reversed(found.rows.items()):
        if label in erasure_fields.DELETE:
            obj.delete()
            counts[label] += 1
            continue
        changed = _de_identify(obj)
        if label == "cases.client" and obj.erased_on is None:
            obj.erased_on = today
            changed.append("erased_on")
        if changed:
            if _is_edited_in_place(obj):
                # An edit form loaded before the erasure then sees someone else's change
                # (accounts.concurrency) rather than writing the erased values back.
                obj.version += 1
                changed.append("version")
            obj.save(update_fields=changed)
            counts[label] += 1
    return counts


def _is_edited_in_place(obj) -> bool:
    try:
        version = obj._meta.get_field("version")
    except FieldDoesNotExist:
        return False
    return version.help_text == VERSION_HELP


def _deletion_order(found: _Found) -> list:
    """The rows found, each after every found row that points at it (a protected foreign key
    refuses its target's deletion first)."""
    keys = set(found.rows)
    blockers: dict = {key: set() for key in keys}  # key -> rows pointing at it not yet deleted
    for key, obj in found.rows.items():
        for model_field in obj._meta.concrete_fields:
            if not model_field.is_relation or not model_field.many_to_one:
                continue
            target_label = model_field.related_model._meta.label_lower
            target = (target_label, getattr(obj, model_field.attname))
            if target in keys and target != key:
                blockers[target].add(key)
    order, done = [], set()
    while len(done) < len(keys):
        ready = [key for key in found.rows if key not in done and not blockers[key] - done]
        if not ready:
            raise RuntimeError("The client's records point at each other in a cycle.")
        for key in ready:
            order.append(found.rows[key])
            done.add(key)
    return order


def _delete_all(found: _Found) -> Counter:
    counts: Counter = Counter()
    for obj in _deletion_order(found):
        obj.delete()
        counts[obj._meta.label_lower] += 1
    return counts


def _check_reason(reason: str, actor) -> None:
    if reason not in ClientErasure.Reason.values:
        raise ValueError(f"reason must be one of {ClientErasure.Reason.values}")
    if actor is None and reason != ClientErasure.Reason.RETENTION:
        raise ValueError("An erasure on request names who approved it.")


def _record(*, actor, kind, reason, client, referral_id, provider_id, service_ids, cases, counts):
    erasure = ClientErasure.objects.create(
        erased_at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        reason=reason,
        client=client,
        referral_id=referral_id,
        provider_id=provider_id,
        service_ids=sorted(service_ids),
        cases_count=cases,
        row_counts=dict(sorted(counts.items())),
    )
    record_event_in_services(
        sorted(service_ids),
        actor=actor,
        action=AuditEvent.Action.ADMIN,
        label=f"Erasure {erasure.pk}",
        detail={"erasure": kind, "reason": reason, "cases": cases},
    )
    return erasure


def _service_ids(found: _Found) -> set[int]:
    ids = {obj.service_id for obj in found.of("cases.client")}
    ids |= {obj.service_id for obj in found.of("cases.case")}
    ids |= {obj.service_id for obj in found.of("referrals.referral")}
    return ids


def erase_client(client: Client, *, actor, reason: str, keep_stub: bool = True) -> ClientErasure:
    """Erases a client's record, in one transaction:

    1. locks the client and refuses (OnLegalHold) if any case of theirs, or of a record merged
       into theirs, has a legal hold not lifted;
    2. finds every row of the record (reachable_from);
    3. keep_stub: empties every identifying field (erasure_fields), keeping the coded answers,
       the age at each intake in place of the date of birth, and marks the client erased; or
       (keep_stub=False, the right to erasure) deletes every row, the client last;
    4. deletes the change history of every row found;
    5. records a ClientErasure and an audit event per service, naming nobody.

    The erasure's own writes are kept out of the change history (they would hold the values
    erased). The reports' freshness receivers see the writes as any other.
    `reason` is ClientErasure.Reason; `actor` may be None only for a retention run.
    """
    _check_reason(reason, actor)
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=client.pk)
        found = reachable_from(client)
        client_ids = [obj.pk for obj in found.of("cases.client")]
        if cases_on_legal_hold().filter(client_id__in=client_ids).exists():
            raise OnLegalHold("A case of this client is on legal hold.")
        service_ids = _service_ids(found)
        cases = len(found.of("cases.case"))
        history = _history_targets(found)
        with disable_auditlog():
            counts = _keep_stub(found, timezone.localdate()) if keep_stub else _delete_all(found)
        counts["history"] = _erase_history(history)
        return _record(
            actor=actor,
            kind=ClientErasure.Kind.STUB if keep_stub else ClientErasure.Kind.FULL,
            reason=reason,
            client=client if keep_stub else None,
            referral_id=None,
            provider_id=client.provider_id,
            service_ids=service_ids,
            cases=cases,
            counts=counts,
        )


def _referrals_left(client: Client, erased_referral: Referral) -> bool:
    """Whether the client has a case, or a referral other than this one not yet erased."""
    if Case.objects.filter(client=client).exists():
        return True
    erased = ClientErasure.objects.filter(
        kind=ClientErasure.Kind.REFERRAL, referral_id__isnull=False
    ).values("referral_id")
    return (
        Referral.objects.filter(client=client)
        .exclude(pk=erased_referral.pk)
        .exclude(pk__in=erased)
        .exists()
    )


def erase_referral(referral: Referral, *, actor, reason: str) -> ClientErasure:
    """De-identifies a referral that never became a case (retention: some weeks after triage):
    its referrer's details and free text, and its change history. When its client has no case
    and no other referral left un-erased, the client is de-identified too (a stub, as
    erase_client with keep_stub=True)."""
    _check_reason(reason, actor)
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.case_id is not None:
            raise ValueError("A referral that became a case is erased with its client.")
        done = ClientErasure.objects.filter(
            kind=ClientErasure.Kind.REFERRAL, referral_id=referral.pk
        ).first()
        if done is not None:
            # A retention run met it again: erased once is enough.
            return done
        client = Client.objects.select_for_update().get(pk=referral.client_id)
        whole_client = client.erased_on is None and not _referrals_left(client, referral)
        if whole_client:
            found = reachable_from(client)
        else:
            found = _Found()
            _walk(referral, found)
        service_ids = _service_ids(found) | {referral.service_id}
        history = _history_targets(found)
        with disable_auditlog():
            counts = _keep_stub(found, timezone.localdate())
        counts["history"] = _erase_history(history)
        return _record(
            actor=actor,
            kind=ClientErasure.Kind.REFERRAL,
            reason=reason,
            client=client,
            referral_id=referral.pk,
            provider_id=client.provider_id,
            service_ids=service_ids,
            cases=0,
            counts=counts,
        )
