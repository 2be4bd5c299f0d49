"""Reads of case data, always through the signed-in user's scope.

One scoped lookup per model: views never call `.objects.get` on case data. A case the user may
not see answers exactly as a case that does not exist (404), and the attempt is audited.
"""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Replace
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts import access, lookup
from accounts.audit import record_event
from accounts.models import AuditEvent
from catalogue.safety_in_numbers import INTENSIVE_SUPPORT_THRESHOLD

from .filters import CaseFilter
from .models import Case, Client, ClientAlias, Contact


def _restricted_grant(user):
    return Case.restricted_to.through.objects.filter(case_id=OuterRef("pk"), user_id=user.pk)


def restricted_from(user) -> Q:
    """The restricted-case rule, written once: a restricted case is for the users named on it.
    True of the cases this user is not named on (a filter on Case)."""
    return Q(is_restricted=True) & ~Q(Exists(_restricted_grant(user)))


def cases_visible_to(user, capability=access.Capability.VIEW_CASES) -> QuerySet[Case]:
    """Cases of the services where the user holds `capability`; a restricted case only for the
    users named on it."""
    service_ids = access.service_ids_with(user, capability)
    if not service_ids:
        return Case.objects.none()
    return Case.objects.filter(service_id__in=service_ids).filter(~restricted_from(user))


def references_shown_to(user, case_ids) -> dict[int, str | None]:
    """Each case's reference, or None for a restricted case the user is not named on: pages that
    list cases for another reason (a MARAC meeting's coordinator, say) show those without it."""
    rows = Case.objects.filter(pk__in=case_ids).values_list(
        "pk", "reference", restricted_from(user)
    )
    return {pk: None if is_hidden else reference for pk, reference, is_hidden in rows}


def demo_editor(case: Case):
    """Who writes a demo case's records: its caseworker, or else the service's first active
    caseworker or team leader, if they may edit the case; otherwise None (seed_demo only)."""
    from accounts.models import Membership, Role

    if case.caseworker_id and access.can(
        case.caseworker, access.Capability.EDIT_CASES, case.service_id
    ):
        return case.caseworker
    membership = (
        Membership.objects.filter(
            service_id=case.service_id,
            role__in=[Role.CASEWORKER, Role.TEAM_LEADER],
            read_only=False,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership and access.can(membership.user, access.Capability.EDIT_CASES, case.service_id):
        return membership.user
    return None


def case_get_for_user(
    user, pk, *, capability=access.Capability.VIEW_CASES, read: lookup.Read = False
) -> Case:
    """The case if the user may see it (or act on it with `capability`); otherwise 404, audited.
    `read`: the page shows the case, and its view is audited here (see accounts.lookup).

    Checking edit rights raises 404 too when the case is outside the user's scope, and the view
    decides what to say to a user who may read it but not change it.
    """
    case = lookup.get_in_scope(
        cases_visible_to(user, capability).select_related(
            "client", "service", "team", "caseworker"
        ),
        pk,
        user=user,
        capability=capability,
        case="pk",
        service="service_id",
    )
    lookup.record_read(user, case, read=read, service_id=case.service_id, case_id=case.pk)
    return case


def require_case_capability(user, case, capability=access.Capability.EDIT_CASES) -> None:
    """403, audited, for a user who may see the case but not act on it with `capability`."""
    lookup.require(user, capability, service_id=case.service_id, case_id=case.pk)


def can_edit_case(user, case) -> bool:
    return access.can(user, access.Capability.EDIT_CASES, case.service_id)


def clients_visible_to(user, capability=access.Capability.VIEW_CASES) -> QuerySet[Client]:
    """Clients with a case the user may see (or act on with `capability`), and clients their
    service recorded (from a referral) who have no case anywhere yet."""
    visible_cases = cases_visible_to(user, capability).filter(client_id=OuterRef("pk"))
    any_case = Case.objects.filter(client_id=OuterRef("pk"))
    service_ids = access.service_ids_with(user, capability)
    return Client.objects.filter(
        Q(Exists(visible_cases)) | (Q(service_id__in=service_ids) & ~Q(Exists(any_case)))
    )


def client_get_for_user(user, pk, *, read: lookup.Read = False) -> Client:
    client = lookup.get_in_scope(
        clients_visible_to(user), pk, user=user, case=None, service="service_id"
    )
    lookup.record_read(user, client, read=read, service_id=client.service_id)
    return client


def _client_candidates(*, provider, first_name="", last_name="", date_of_birth=None, phone=""):
    """Every client of the provider who may be the same person (same name and date of birth, or
    the same phone number), whoever may see them: callers go through `client_matches_for`."""
    conditions = Q(pk__in=[])
    if first_name and last_name and date_of_birth:
        conditions |= Q(
            first_name__iexact=first_name.strip(),
            last_name__iexact=last_name.strip(),
            date_of_birth=date_of_birth,
        )
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    clients = Client.objects.filter(provider=provider)
    if len(digits) >= 6:
        clients = clients.annotate(
            phone_digits=_digits_only("safe_phone"),
            other_phone_digits=_digits_only("safe_phone_alternative"),
        )
        conditions |= Q(phone_digits=digits) | Q(other_phone_digits=digits)
    return clients.filter(conditions)


@dataclass
class ClientMatches:
    """The duplicate check's answer. `shown` are clients the user may already see, each with
    `visible_cases` (only the cases the user may see); `withheld` says that some other client,
    who the user may not see, may be the same person, and nothing more."""

    shown: list[Client] = field(default_factory=list)
    withheld: bool = False

    def __bool__(self):
        return bool(self.shown) or self.withheld


def client_matches_for(
    user, *, provider, first_name="", last_name="", date_of_birth=None, phone=""
) -> ClientMatches:
    """Possible duplicates of a new client, disclosed only as far as the user's scope allows.

    1. Find every candidate in the provider.
    2. Show the ones in `clients_visible_to(user)` (a case the user may see, restricted cases
       only to the users named on them, or a referral-only client of their service).
    3. Of the others say only that a possible match exists: no name, date of birth or service.
    4. Audit each disclosure on the matched case (or client), never what was typed.
    """
    candidates = list(
        _client_candidates(
            provider=provider,
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date_of_birth,
            phone=phone,
        ).values_list("pk", flat=True)
    )
    if not candidates:
        return ClientMatches()
    visible_cases = cases_visible_to(user).select_related("service").order_by("-opened_on")
    shown = list(
        clients_visible_to(user)
        .filter(pk__in=candidates)
        .select_related("service")
        .prefetch_related(Prefetch("cases", visible_cases, to_attr="visible_cases"))
        .order_by("pk")
    )
    shown_ids = {client.pk for client in shown}
    withheld_ids = [pk for pk in candidates if pk not in shown_ids]
    for client in shown:
        _audit_match(user, client, client.visible_cases, disclosed="shown")
    if withheld_ids:
        for client in Client.objects.filter(pk__in=withheld_ids).prefetch_related("cases"):
            _audit_match(user, client, list(client.cases.all()), disclosed="withheld")
    return ClientMatches(shown=shown, withheld=bool(withheld_ids))


def _audit_match(user, client, cases, *, disclosed: str) -> None:
    detail = {"duplicate_check": disclosed}
    if not cases:
        record_event(
            actor=user,
            action=AuditEvent.Action.SEARCH,
            service=client.service_id,
            obj=client,
            detail=detail,
        )
    for case in cases:
        record_event(
            actor=user,
            action=AuditEvent.Action.SEARCH,
            service=case.service_id,
            case_id=case.pk,
            obj=case,
            detail=detail,
        )


def case_get_for_editing(user, pk, *, capability=access.Capability.EDIT_CASES) -> Case:
    """The case for a page that changes it, whose form shows the record: 404 outside the user's
    scope, PermissionDenied (audited) for a user who may only read it, and the opening audited
    as a view, here so that no edit page can skip it."""
    case = case_get_for_user(user, pk)
    require_case_capability(user, case, capability)
    lookup.record_read(
        user,
        case,
        read={"form": str(capability)},
        service_id=case.service_id,
        case_id=case.pk,
    )
    return case


def client_get_for_editing(user, pk) -> Client:
    """The client for a page that changes their record: 404 if the user may not see them,
    PermissionDenied (audited) unless they may edit a case of the client they can see (or the
    client is their service's and has no case yet), and the opening audited as a view."""
    client = client_get_for_user(user, pk)
    capability = access.Capability.EDIT_CASES
    if not can_edit_client(user, client):
        lookup.refuse(user, capability, service_id=client.service_id, obj=client)
    lookup.record_read(user, client, read={"form": str(capability)}, service_id=client.service_id)
    return client


def can_edit_client(user, client) -> bool:
    """Whether the user may change the client's record: they may edit a case of the client they
    can see (or the client is their service's and has no case yet)."""
    editable = clients_visible_to(user, access.Capability.EDIT_CASES)
    return editable.filter(pk=client.pk).exists()


def with_last_contact(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Annotates `last_contact_at`: the latest successful contact, in the same query."""
    return cases.annotate(
        last_contact_at=Max("contacts__occurred_at", filter=Q(contacts__outcome="successful"))
    )


CASE_LIST_PAGE_SIZE = 50


def case_list_page(user, *, service, params, page_number) -> tuple[CaseFilter, Page]:
    """The case list of a service: the cases the user may see there, narrowed by the query
    string's filters (cases.filters.CaseFilter), newest first, a page at a time, with its last
    contact. Filters that do not validate list nothing (the page shows why). The read is
    audited here: the filters and the page, never a name."""
    cases = with_last_contact(
        cases_visible_to(user)
        .filter(service=service)
        .select_related("client", "caseworker", "team")
    )
    filters = CaseFilter(params, queryset=cases, user=user)
    listed = filters.qs if filters.is_valid() else cases.none()
    page = Paginator(listed.order_by("-opened_on", "-pk"), CASE_LIST_PAGE_SIZE).get_page(
        page_number
    )
    chosen = filters.form.cleaned_data if filters.is_valid() else {}
    record_event(
        actor=user,
        action=AuditEvent.Action.VIEW,
        service=service,
        detail={
            "list": "cases",
            "status": chosen.get("status") or "",
            "risk": chosen.get("risk") or "",
            "page": page.number,
        },
    )
    return filters, page


def case_search(user, query: str) -> QuerySet[Case]:
    """Visible cases whose client matches a name, alias, date of birth, phone or case reference.
    Unaudited: pages search through `case_search_results`."""
    import datetime

    query = query.strip()
    cases = cases_visible_to(user)
    if not query:
        return cases.none()
    conditions = Q(reference__iexact=query)
    for part in query.split():
        conditions |= Q(client__first_name__icontains=part) | Q(client__last_name__icontains=part)
        conditions |= Q(client__preferred_name__icontains=part)
    conditions |= Q(
        Exists(ClientAlias.objects.filter(client_id=OuterRef("client_id"), name__icontains=query))
    )
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) >= 6:
        cases = cases.annotate(
            phone_digits=_digits_only("client__safe_phone"),
            other_phone_digits=_digits_only("client__safe_phone_alternative"),
        )
        conditions |= Q(phone_digits__contains=digits) | Q(other_phone_digits__contains=digits)
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            born = datetime.datetime.strptime(query, fmt).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
        conditions |= Q(client__date_of_birth=born)
        break
    return cases.filter(conditions)


def case_search_results(user, query: str, *, service, limit: int = 100) -> list[Case]:
    """The search page's results, newest first, with the search audited: its kind and the
    number of results, never what was typed (a name or phone number in the trail is itself a
    disclosure)."""
    results = list(
        case_search(user, query)
        .select_related("client", "service", "caseworker")
        .order_by("-opened_on")[:limit]
    )
    record_event(
        actor=user,
        action=AuditEvent.Action.SEARCH,
        service=service,
        detail={"kind": case_search_kind(query), "results": len(results)},
    )
    return results


def case_search_kind(query: str) -> str:
    """What sort of search ran (a date, a phone number, a case reference or a name), for the
    audit trail, which records this and the number of results but never what was typed."""
    import datetime

    query = query.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            datetime.datetime.strptime(query, fmt)  # noqa: DTZ007 - a date only
        except ValueError:
            continue
        return "date"
    has_letters = any(ch.isalpha() for ch in query)
    if not has_letters and sum(ch.isdigit() for ch in query) >= 6:
        return "phone"
    if has_letters and any(ch.isdigit() for ch in query) and "-" in query:
        return "reference"
    return "name"


def _digits_only(field):
    """The phone number with its usual separators removed, in SQL."""
    expression = F(field)
    for separator in (" ", "-", "(", ")", "+"):
        expression = Replace(expression, Value(separator), Value(""))
    return expression


# --- Dashboards and reminders ------------------------------------------------------------------

HIGH_RISK_CONTACT_DAYS = 7
REMINDER_HORIZON_DAYS = 7


def my_open_cases(user):
    """The caseworker's open and on-hold cases with their last contact, in one query."""
    return with_last_contact(
        cases_visible_to(user)
        .filter(caseworker=user)
        .exclude(status=Case.Status.CLOSED)
        .select_related("client", "service", "caseworker")
    ).order_by("-risk_level", "review_due_on")


def team_open_cases(user, service):
    """Open cases of a service where the user may allocate, with caseworker and last contact."""
    if not access.can(user, access.Capability.ALLOCATE_CASES, service.pk):
        return Case.objects.none()
    return with_last_contact(
        cases_visible_to(user)
        .filter(service=service)
        .exclude(status=Case.Status.CLOSED)
        .select_related("client", "caseworker", "team")
    ).order_by("caseworker__full_name", "-risk_level")


def reminders_for(cases, today):
    """Reminders over already-annotated cases (no further queries): review due, follow-up due,
    and high-risk cases with no successful contact in the last 7 days."""
    import datetime

    horizon = today + datetime.timedelta(days=REMINDER_HORIZON_DAYS)
    contact_cutoff = today - datetime.timedelta(days=HIGH_RISK_CONTACT_DAYS)
    reminders = []
    for case in cases:
        if case.review_due_on and case.review_due_on <= horizon and not case.is_closed:
            overdue = case.review_due_on < today
            reminders.append(
                (
                    case,
                    f"Review {'overdue since' if overdue else 'due'} {case.review_due_on:%d %b %Y}",
                    "danger" if overdue else "warning",
                )
            )
        if case.risk_level == "high" and not case.is_closed:
            last = getattr(case, "last_contact_at", None)
            if last is None or last.date() < contact_cutoff:
                reminders.append((case, "High risk: no contact in the last 7 days", "danger"))
    return reminders


def follow_ups_due(user, today):
    """Closed cases of the caseworker whose 6-month follow-up falls due within a week."""
    import datetime

    return (
        cases_visible_to(user)
        .filter(
            caseworker=user,
            status=Case.Status.CLOSED,
            follow_up_due_on__lte=today + datetime.timedelta(days=REMINDER_HORIZON_DAYS),
            follow_up_due_on__gte=today - datetime.timedelta(days=60),
        )
        .select_related("client")
        .order_by("follow_up_due_on")
    )


TIMELINE_PAGE_SIZE = 20
TIMELINE_MAX_PAGE = 1000
LATEST_CONTACTS = 5
CONTACTS_PAGE_SIZE = 25


@dataclass(frozen=True)
class TimelinePage:
    """One page of a case's timeline, newest first."""

    items: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _as_recorded(moment, written_at):
    """When a status change or allocation happened, as far as it is known: one recorded for
    another day than the one it was written on (a backdated opening or closure) has only its
    day (cases.services._moment_of gives it midday only to keep it on that day)."""
    day = timezone.localdate(moment)
    return moment if day == timezone.localdate(written_at) else day


def _own_timeline(case, limit: int) -> list:
    """The case's own newest contacts, status changes and allocations: 3 queries, each limited."""
    from .extensions import TimelineItem

    items = []
    for contact in case.contacts.order_by("-occurred_at", "-pk")[:limit]:
        significance = " (significant)" if contact.is_significant else ""
        items.append(
            TimelineItem(
                at=contact.occurred_at,
                kind="Contact",
                title=f"{contact.get_contact_type_display()}: {contact.get_outcome_display()}"
                f"{significance}",
                detail=contact.notes,
                url=reverse("cases:contact_detail", args=[case.pk, contact.pk]),
            )
        )
    for change in case.status_changes.select_related("changed_by").order_by("-changed_at", "-pk")[
        :limit
    ]:
        title = (
            f"Case opened by {change.changed_by}"
            if not change.old_status
            else f"Status: {change.get_old_status_display()} → {change.get_new_status_display()}"
        )
        items.append(
            TimelineItem(
                at=_as_recorded(change.changed_at, change.created_at),
                kind="Status",
                title=title,
                detail=change.note,
            )
        )
    for allocation in case.allocations.select_related(
        "caseworker", "team", "allocated_by"
    ).order_by("-allocated_at", "-pk")[:limit]:
        holder = allocation.caseworker or "no caseworker"
        items.append(
            TimelineItem(
                at=_as_recorded(allocation.allocated_at, allocation.created_at),
                kind="Allocation",
                title=f"Allocated to {holder} by {allocation.allocated_by}",
            )
        )
    return items


def case_timeline(case, *, page: int = 1, per_page: int = TIMELINE_PAGE_SIZE) -> TimelinePage:
    """A page of the case's timeline: contacts, status changes, allocations and every
    registered source (cases.extensions), newest first.

    Page n is items (n-1)*per_page .. n*per_page of the merged list, so each source is asked
    for its newest n*per_page + 1 items (the extra one says whether there is a next page): the
    case page (page 1) loads at most 21 rows of any source and runs the same queries for a
    case with 300 contacts as for one with 10.
    """
    from .extensions import timeline_sources

    page = max(1, int(page))
    wanted = page * per_page + 1
    items = _own_timeline(case, wanted)
    for source in timeline_sources():
        items.extend(source(case, wanted))
    items.sort(key=lambda item: item.sort_key, reverse=True)
    start = (page - 1) * per_page
    return TimelinePage(
        items=items[start : start + per_page],
        number=page,
        has_next=len(items) > start + per_page,
    )


def latest_contacts(case, limit: int = LATEST_CONTACTS) -> list[Contact]:
    """The case page's newest contacts: one query, whatever the number of contacts."""
    return list(case.contacts.select_related("recorded_by").order_by("-occurred_at", "-pk")[:limit])


def contacts_page(case, page_number) -> Page:
    """A page of the case's contacts, newest first (the contacts list)."""
    contacts = case.contacts.select_related("recorded_by").order_by("-occurred_at", "-pk")
    return Paginator(contacts, CONTACTS_PAGE_SIZE).get_page(page_number)


def contact_of_case(case, contact_pk) -> Contact:
    """A contact of a case the caller has already scoped: the same 404 for one of another case
    as for one that does not exist."""
    contact = (
        case.contacts.select_related("recorded_by").filter(pk=lookup.pk_or_404(contact_pk)).first()
    )
    if contact is None:
        raise Http404
    return contact


def contact_history(contact) -> list:
    """The contact's earlier versions, newest first, each with what the next version changed."""
    from .models import ContactRevision

    revisions = list(contact.revisions.select_related("written_by", "replaced_by"))
    later = contact
    for revision in revisions:
        revision.changed_fields = [
            Contact._meta.get_field(name).verbose_name
            for name in ContactRevision.COPIED_FIELDS
            if getattr(revision, name) != getattr(later, name)
        ]
        later = revision
    return revisions


# --- Intensity of support (Safety in Numbers, Finding 3) ---------------------------------------

# A significant contact is one that reached the client (the database refuses any other:
# Contact's constraint contact_significant_only_when_successful).
SUCCESSFUL_CONTACT = Q(outcome="successful")
SIGNIFICANT_CONTACT = SUCCESSFUL_CONTACT & Q(is_significant=True)


def _contacts_of_case(condition: Q, case_ref: str):
    return Coalesce(
        Subquery(
            Contact.objects.filter(condition, case_id=OuterRef(case_ref))
            .order_by()
            .values("case_id")
            .annotate(total=Count("pk"))
            .values("total")[:1]
        ),
        Value(0),
    )


def significant_contacts(case_ref: str = "pk"):
    """The number of significant contacts of a case, as a database expression on any query whose
    `case_ref` column is the case's id. The case page and the reports both count with it."""
    return _contacts_of_case(SIGNIFICANT_CONTACT, case_ref)


def is_intensive_support(significant: int) -> bool:
    """Safety in Numbers' intensive support: INTENSIVE_SUPPORT_THRESHOLD or more significant
    contacts."""
    return significant >= INTENSIVE_SUPPORT_THRESHOLD


def contact_counts(case: Case) -> dict:
    """The case page's contact summary: successful contacts, significant ones, and whether that
    is intensive support. One query."""
    counts = (
        Case.objects.filter(pk=case.pk)
        .values(
            total=_contacts_of_case(SUCCESSFUL_CONTACT, "pk"),
            significant=significant_contacts("pk"),
        )
        .get()
    )
    return {**counts, "intensive": is_intensive_support(counts["significant"])}
