"""Writes for duplicate client records: "not the same person", and merging two records.

Linking a new referral to a record already known is referrals.services.referral_file's `client`.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from accounts import access
from accounts.audit import record_event
from accounts.concurrency import next_version
from accounts.models import AuditEvent, User

from .extensions import client_merge_steps
from .models import Case, Client, ClientAlias, ClientMatchDismissal, ConsentRecord
from .selectors import cases_visible_to, clients_visible_to


@transaction.atomic
def client_match_dismiss(
    *, client: Client, other: Client, actor: User, note: str = ""
) -> ClientMatchDismissal:
    """Records the caseworker's answer that `client` and `other` are not the same person, so
    the pair is not offered again. The actor must be able to change `client`'s record and see
    `other`'s. Answering twice keeps the first answer."""
    if client.pk == other.pk:
        raise ValidationError("A record cannot be a duplicate of itself.")
    if not clients_visible_to(actor, access.Capability.EDIT_CASES).filter(pk=client.pk).exists():
        raise PermissionDenied
    if not clients_visible_to(actor).filter(pk=other.pk).exists():
        raise PermissionDenied
    low, high = sorted([client.pk, other.pk])
    existing = ClientMatchDismissal.objects.filter(client_id=low, other_id=high).first()
    if existing is not None:
        return existing
    dismissal = ClientMatchDismissal(
        client_id=low,
        other_id=high,
        dismissed_by=actor,
        dismissed_at=timezone.now(),
        note=note.strip(),
    )
    dismissal.full_clean()
    try:
        with transaction.atomic():
            dismissal.save()
    except IntegrityError:  # the same answer, given at the same moment in another tab
        return ClientMatchDismissal.objects.get(client_id=low, other_id=high)
    return dismissal


# Blank answers of the kept record filled from the merged-away one.
MERGE_FILLS = (
    "last_name",
    "preferred_name",
    "date_of_birth",
    "postcode",
    "safe_phone",
    "safe_phone_alternative",
    "safe_times",
    "safe_address",
    "code_word",
    "do_not_contact_via",
    "first_language",
    "communication_needs",
)


def merge_refusal(*, keep: Client, merge_away: Client, actor: User) -> str:
    """Why the actor may not merge these two records ("" when they may): shown on the
    confirmation page and checked again by `client_merge`."""
    if keep.pk == merge_away.pk:
        return "A record cannot be merged into itself."
    if keep.provider_id != merge_away.provider_id:
        return "These records belong to different organisations and cannot be merged."
    if keep.merged_into_id or merge_away.merged_into_id:
        return "One of these records has already been merged."
    merge_services = access.service_ids_with(actor, access.Capability.MERGE_CLIENTS)
    if keep.service_id not in merge_services and merge_away.service_id not in merge_services:
        return "Only a team leader of the service may merge client records."
    hidden = Case.objects.filter(client=merge_away).exclude(pk__in=cases_visible_to(actor))
    if hidden.exists():
        return (
            "The record to merge away has cases you may not see (another service, or "
            "restricted): ask a team leader who can see them all."
        )
    return ""


@transaction.atomic
def client_merge(*, keep: Client, merge_away: Client, actor: User) -> Client:
    """Merges `merge_away` into `keep`, two records of one person found later.

    1. Lock both rows (in id order, so two merges of one pair cannot deadlock) and refuse what
       `merge_refusal` refuses: across providers, an already merged record, an actor who is not
       a team leader of either record's service, or who cannot see every case that would move.
    2. Move the cases, aliases and consent records, and what other apps registered
       (cases.extensions.register_client_merge_step: referrals), row by row so the change
       history records each move.
    3. Keep the merged-away name (and preferred name) as aliases, and fill blank answers of
       the kept record from the other.
    4. Leave the merged-away record as a tombstone pointing at the kept one (merged_into, who
       and when): deleting it would orphan every change-history entry and audit event that
       names it; it is hidden from lists, search and duplicate checks.
    5. Audit the merge on both records' services.
    """
    if not clients_visible_to(actor).filter(pk__in=[keep.pk, merge_away.pk]).count() == 2:
        raise PermissionDenied
    locked = {
        row.pk: row
        for row in Client.objects.select_for_update()
        .filter(pk__in=[keep.pk, merge_away.pk])
        .order_by("pk")
    }
    keep, merge_away = locked[keep.pk], locked[merge_away.pk]
    refusal = merge_refusal(keep=keep, merge_away=merge_away, actor=actor)
    if refusal:
        if "team leader of the service" in refusal:
            raise PermissionDenied(refusal)
        raise ValidationError(refusal)

    moved = {"cases": 0, "aliases": 0, "consents": 0, "other": 0}
    for case in Case.objects.select_for_update().filter(client=merge_away).order_by("pk"):
        case.client = keep
        case.save(update_fields=["client", "updated_at"])
        moved["cases"] += 1
    alias_names = {alias.name.casefold() for alias in keep.aliases.all()}
    for alias in ClientAlias.objects.filter(client=merge_away).order_by("pk"):
        alias.client = keep
        alias.save(update_fields=["client", "updated_at"])
        alias_names.add(alias.name.casefold())
        moved["aliases"] += 1
    for consent in ConsentRecord.objects.filter(client=merge_away).order_by("pk"):
        consent.client = keep
        consent.save(update_fields=["client", "updated_at"])
        moved["consents"] += 1
    moved["dismissals"] = _carry_dismissals(keep, merge_away)
    for step in client_merge_steps():
        moved["other"] += step(keep, merge_away, actor)

    kept_names = {
        f"{keep.first_name} {keep.last_name}".strip().casefold(),
        f"{keep.preferred_name} {keep.last_name}".strip().casefold(),
    }
    for name in (
        f"{merge_away.first_name} {merge_away.last_name}".strip(),
        f"{merge_away.preferred_name} {merge_away.last_name}".strip()
        if merge_away.preferred_name
        else "",
    ):
        if name and name.casefold() not in kept_names | alias_names:
            alias = ClientAlias(client=keep, name=name)
            alias.full_clean()
            alias.save()
            alias_names.add(name.casefold())

    filled = [name for name in MERGE_FILLS if not getattr(keep, name) and getattr(merge_away, name)]
    for name in filled:
        setattr(keep, name, getattr(merge_away, name))
    next_version(keep)  # an edit form opened before the merge must not overwrite it
    keep.full_clean()
    keep.save()

    merge_away.merged_into = keep
    merge_away.merged_at = timezone.now()
    merge_away.merged_by = actor
    next_version(merge_away)
    merge_away.save()

    detail = {
        "client_merge": f"Client {merge_away.pk} merged into Client {keep.pk}",
        **{f"moved_{key}": count for key, count in moved.items()},
        "filled": filled,
    }
    for service_id in sorted({keep.service_id, merge_away.service_id}):
        record_event(
            actor=actor,
            action=AuditEvent.Action.ADMIN,
            service=service_id,
            obj=keep,
            detail=detail,
        )
    return keep


def _carry_dismissals(keep: Client, merge_away: Client) -> int:
    """Someone answered "not the same person" for the merged-away record and a third: that
    answer holds for the kept record too, or the pair would be offered again after the merge.
    The answer between the two merged records themselves is left as history."""
    carried = 0
    pairs = ClientMatchDismissal.objects.filter(
        models.Q(client=merge_away) | models.Q(other=merge_away)
    ).order_by("pk")
    for dismissal in pairs:
        third_id = (
            dismissal.other_id if dismissal.client_id == merge_away.pk else dismissal.client_id
        )
        if third_id == keep.pk:
            continue
        low, high = sorted((keep.pk, third_id))
        if ClientMatchDismissal.objects.filter(client_id=low, other_id=high).exists():
            continue
        ClientMatchDismissal.objects.create(
            client_id=low,
            other_id=high,
            dismissed_by_id=dismissal.dismissed_by_id,
            dismissed_at=dismissal.dismissed_at,
            note=dismissal.note,
        )
        carried += 1
    return carried
