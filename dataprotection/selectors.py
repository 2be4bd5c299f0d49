"""Reads of data-rights requests, scoped through the case they came by."""

from dataclasses import dataclass

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts import access
from cases.models import Case, Client
from cases.selectors import cases_visible_to
from referrals.models import Referral

from .models import LegalHold, RectificationRequest

HISTORY_LIMIT = 50


def rectifications_of_case(case: Case) -> QuerySet:
    return case.rectification_requests.select_related("recorded_by", "decided_by")


def _row_of_visible_case(model, user, case_pk: int, pk: int):
    """The row of `model` on case `case_pk` if the user may see that case (404 otherwise, as
    for a case that does not exist)."""
    found = (
        model.objects.filter(pk=pk, case_id=case_pk, case__in=cases_visible_to(user))
        .select_related("case", "case__client", "case__service")
        .first()
    )
    if found is None:
        raise Http404
    return found


def rectification_get_for_user(user, case_pk: int, pk: int) -> RectificationRequest:
    return _row_of_visible_case(RectificationRequest, user, case_pk, pk)


def can_decide(user, case: Case) -> bool:
    return access.can(user, access.Capability.HANDLE_DATA_RIGHTS, case.service_id)


@dataclass(frozen=True)
class HistoryEntry:
    at: object
    who: str
    action: str
    record: str
    fields: list[str]


# A correction changes or removes what was held; rows added are not corrections.
ACTIONS = {
    LogEntry.Action.UPDATE: "Changed",
    LogEntry.Action.DELETE: "Removed",
}


def _client_records(case: Case) -> Q:
    """The change-history entries of the case's client record and the rows hanging from it
    (aliases, consents, ...): they carry no case, being the client's across their cases."""
    from auditlog.registry import auditlog

    client = case.client
    condition = Q(content_type=ContentType.objects.get_for_model(Client), object_pk=str(client.pk))
    for model in auditlog.get_models():
        keys = [
            field.name
            for field in model._meta.concrete_fields
            if field.is_relation and field.related_model is Client
        ]
        for key in keys:
            ids = model._base_manager.filter(**{key: client}).values_list("pk", flat=True)
            condition |= Q(
                content_type=ContentType.objects.get_for_model(model),
                object_pk__in=[str(pk) for pk in ids],
            )
    return condition


def case_change_history(case: Case, *, since=None) -> list[HistoryEntry]:
    """The newest changes to the case's records and its client's (since a day, when given),
    the fields each changed by name: where a correction shows, beside the request it
    answered. The values are on the records themselves; the history's own free text is
    masked as everywhere."""
    entries = LogEntry.objects.filter(
        Q(additional_data__case_id=case.pk) | _client_records(case), action__in=list(ACTIONS)
    ).exclude(content_type=ContentType.objects.get_for_model(RectificationRequest))
    entries = entries.select_related("actor", "content_type")
    if since is not None:
        entries = entries.filter(timestamp__date__gte=since)
    found = []
    for entry in entries.order_by("-timestamp", "-pk")[:HISTORY_LIMIT]:
        model = entry.content_type.model_class() if entry.content_type else None
        found.append(
            HistoryEntry(
                at=entry.timestamp,
                who=entry.actor.get_full_name() or entry.actor.email if entry.actor else "",
                action=ACTIONS[entry.action],
                record=str(model._meta.verbose_name).capitalize() if model else "Record",
                fields=[_field_label(model, name) for name in entry.changes_dict]
                if entry.action == LogEntry.Action.UPDATE
                else [],
            )
        )
    return found


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except (AttributeError, FieldDoesNotExist):
        return name.replace("_", " ")


def legal_holds_of_case(case: Case) -> QuerySet:
    return case.legal_holds.select_related("placed_by", "lifted_by")


def cases_on_legal_hold() -> QuerySet:
    """Cases with a hold not lifted: every automatic retention step leaves them alone."""
    in_force = LegalHold.objects.filter(case_id=OuterRef("pk"), lifted_on__isnull=True)
    return Case.objects.filter(Exists(in_force))


def legal_hold_get_for_user(user, case_pk: int, pk: int) -> LegalHold:
    return _row_of_visible_case(LegalHold, user, case_pk, pk)


def erasure_refusal(user, case: Case) -> str:
    """Why this user may not erase the client of `case` now ("" when they may): a legal hold
    on any case of the client, or a case at a service where the user does not handle data
    rights (erasure takes every case of the client with it)."""
    cases = Case.objects.filter(client_id=case.client_id)
    if cases_on_legal_hold().filter(client_id=case.client_id).exists():
        return "A case of this client is on legal hold: nothing can be erased until it is lifted."
    managed = set(access.service_ids_with(user, access.Capability.HANDLE_DATA_RIGHTS))
    if set(cases.values_list("service_id", flat=True)) - managed:
        return (
            "This client also has a case at a service where you do not handle data rights: "
            "a manager of every service involved must agree, and one of them erase it."
        )
    return ""


def erasure_extent(case: Case) -> dict:
    """How much an erasure from this case takes with it: the client's cases and referrals."""
    return {
        "cases": Case.objects.filter(client_id=case.client_id).count(),
        "referrals": Referral.objects.filter(client_id=case.client_id).count(),
    }
