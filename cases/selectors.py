"""Reads of case data, always through the signed-in user's scope.

One scoped lookup per model: views never call `.objects.get` on case data. A case the user may
not see answers exactly as a case that does not exist (404), and the attempt is audited.
"""

import functools
import re
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Case as CaseWhen
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts import access, lookup
from accounts.audit import record_event
from accounts.models import AuditEvent, Service
from accounts.statements import CompiledQuery
from catalogue.safety_in_numbers import INTENSIVE_SUPPORT_THRESHOLD

from . import matching
from .extensions import (
    ClosureGap,
    SearchHit,
    case_page_annotations,
    closure_checks,
    search_sources,
)
from .filters import CaseFilter
from .models import (
    Case,
    CaseStatusChange,
    ChildInCase,
    Client,
    ClientAlias,
    ClientMatchDismissal,
    ClosureRequest,
    Contact,
    InformationSharing,
    RiskLevel,
)


def _restricted_grant(user):
    return Case.restricted_to.through.objects.filter(case_id=OuterRef("pk"), user_id=user.pk)


def restricted_from(user) -> Q:
    """The restricted-case rule, written once: a restricted case is for the users named on it.
    True of the cases this user is not named on (a filter on Case)."""
    return Q(is_restricted=True) & ~Q(Exists(_restricted_grant(user)))


def cases_visible_to(user, capability=access.Capability.VIEW_CASES) -> QuerySet[Case]:
    """Cases of the services where the user holds `capability`; a restricted case only for the
    users named on it."""
    return _narrowed_to_scope(Case.objects.all(), user, capability)


def _narrowed_to_scope(cases: QuerySet[Case], user, capability) -> QuerySet[Case]:
    """`cases` narrowed to those of cases_visible_to(user, capability)."""
    service_ids = access.service_ids_with(user, capability)
    if not service_ids:
        return cases.none()
    return cases.filter(service_id__in=service_ids).filter(~restricted_from(user))


def references_shown_to(user, case_ids) -> dict[int, str | None]:
    """Each case's reference, or None for a restricted case the user is not named on: pages that
    list cases for another reason (a MARAC meeting's coordinator, say) show those without it."""
    rows = Case.objects.filter(pk__in=case_ids).values_list(
        "pk", "reference", restricted_from(user)
    )
    return {pk: None if is_hidden else reference for pk, reference, is_hidden in rows}


def audit_case_references(case_ids) -> dict[int, str]:
    """The references of cases named in the audit trail (accounts.selectors reads them through
    the registration in cases.apps): the trail's readers audit restricted cases too."""
    return dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "reference"))


def audit_case_id(reference: str, service_ids) -> int | None:
    """The case with this reference in these services (the audit trail's filter), or None."""
    return (
        Case.objects.filter(service_id__in=service_ids, reference__iexact=reference.strip())
        .values_list("pk", flat=True)
        .first()
    )


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
    user,
    pk,
    *,
    capability=access.Capability.VIEW_CASES,
    read: lookup.Read = False,
    for_case_page: bool = False,
) -> Case:
    """The case if the user may see it (or act on it with `capability`); otherwise 404, audited.
    `read`: the page shows the case, and its view is audited here (see accounts.lookup).
    `for_case_page`: what the case page needs of the case itself read with it (_case_page_values,
    set on the case): its contact summary (`contact_counts`), whether a closure waits for
    sign-off (`pending_closure_exists`, see `pending_closure`), whether it has children and
    information shares (`children_exist`, `shares_exist`) and the panels' annotations
    (cases.extensions).

    Checking edit rights raises 404 too when the case is outside the user's scope, and the view
    decides what to say to a user who may read it but not change it.
    """
    if for_case_page:
        scoped = _narrowed_to_scope(_cases_for_case_page(), user, capability)
    else:
        scoped = cases_visible_to(user, capability).select_related(
            "client", "service", "team", "caseworker"
        )
    case = lookup.get_in_scope(
        scoped,
        pk,
        user=user,
        capability=capability,
        case="pk",
        service="service_id",
    )
    if for_case_page:
        (row,) = _CASE_PAGE_VALUES.rows(case=case.pk)
        for name, value in zip(_case_page_value_names(), row, strict=True):
            setattr(case, name, value)
    lookup.record_read(user, case, read=read, service_id=case.service_id, case_id=case.pk)
    return case


@functools.cache
def _cases_for_case_page() -> QuerySet[Case]:
    """Every case with the rows the case page reads with it (case_get_for_user(for_case_page=
    True)): built once per process and never evaluated itself, only narrowed to the user's
    scope and the case (each filter is a copy)."""
    return Case.objects.select_related("client", "service", "team", "caseworker")


def _case_page_values() -> dict:
    """What else the case page reads of the case itself: its contact summary
    (`contact_counts`), whether a closure waits for sign-off (`pending_closure`), whether it has
    children and information shares (many cases have none, and then the page reads none), and
    the panels' own annotations (cases.extensions.CasePanel: an Exists here costs less than the
    query a panel would run to find nothing)."""
    return {
        **_contact_count_columns("pk"),
        "pending_closure_exists": Exists(
            ClosureRequest.objects.filter(
                case_id=OuterRef("pk"), decision=ClosureRequest.Decision.REQUESTED
            )
        ),
        "children_exist": Exists(ChildInCase.objects.filter(case_id=OuterRef("pk"))),
        "shares_exist": Exists(InformationSharing.objects.filter(case_id=OuterRef("pk"))),
        **case_page_annotations(),
    }


@functools.cache
def _case_page_value_names() -> tuple[str, ...]:
    return tuple(_case_page_values())


def _case_page_values_of(case: int) -> QuerySet:
    values = _case_page_values()
    return Case.objects.filter(pk=case).annotate(**values).values_list(*values)


# Read in a query of their own, compiled once per process: compiling these dozen subqueries
# with the case's own query took more CPU time than the database took to answer both.
_CASE_PAGE_VALUES = CompiledQuery(_case_page_values_of, "case")


def require_case_capability(user, case, capability=access.Capability.EDIT_CASES) -> None:
    """403, audited, for a user who may see the case but not act on it with `capability`."""
    lookup.require(user, capability, service_id=case.service_id, case_id=case.pk)


def can_edit_case(user, case) -> bool:
    return access.can(user, access.Capability.EDIT_CASES, case.service_id)


# --- Closing a case ----------------------------------------------------------------------------


def closure_always_signed_off(case: Case) -> str:
    """Why this case's closure needs a team leader's sign-off whatever its service says ("" if
    nothing does): it is high-risk, or heard at (or referred to) MARAC."""
    kinds = []
    if case.risk_level == RiskLevel.HIGH:
        kinds.append("high-risk")
    if case.is_marac:
        kinds.append("MARAC")
    return " ".join(kinds)


def closure_sign_off_reason(case: Case, user) -> str:
    """Why a closure by `user` must wait for a team leader's sign-off, in words for the closure
    page; "" when they may close the case themselves. The only place this rule is written: the
    service that closes and the pages that offer closing both ask here.

    1. A high-risk or MARAC case always needs sign-off, even where the service turned it off.
       Someone who cannot sign off closures files a request; so does a team leader who holds
       the case as its caseworker, because the point of the rule is a second person's look at
       every high-risk closure, and a team leader carrying a case is its caseworker.
    2. Any other case follows the service's setting (on unless an admin turned it off); a team
       leader closes it directly, their sign-off being the check.
    """
    can_sign_off = access.can(user, access.Capability.SIGN_OFF_CLOSURES, case.service_id)
    always = closure_always_signed_off(case)
    if always:
        if not can_sign_off:
            return f"A {always} case always needs a team leader's sign-off to close."
        if case.caseworker_id == user.pk:
            return (
                f"This {always} case is allocated to you: another team leader signs off "
                "its closure."
            )
        return ""
    if case.service.requires_closure_sign_off and not can_sign_off:
        return "This service asks a team leader to sign off closures."
    return ""


def closure_gaps(case: Case) -> list[ClosureGap]:
    """What is missing before the case closes, from every app that registered a closure check
    (cases.extensions): no exit form, no safety plan, open MARAC actions, draft forms."""
    return [gap for check in closure_checks() for gap in check(case)]


def pending_closure(case: Case) -> ClosureRequest | None:
    """The closure request waiting for a team leader's sign-off, if any (no query when the case
    was read with `pending_closure_exists`, as the case page reads it, and none waits)."""
    if getattr(case, "pending_closure_exists", True) is False:
        return None
    return (
        case.closure_requests.filter(decision=ClosureRequest.Decision.REQUESTED)
        .select_related("requested_by")
        .first()
    )


def closure_record(case: Case) -> dict | None:
    """How a closed case was closed, for its page: the note, who closed it and when, and who
    asked for the closure and who signed it off where it went through sign-off."""
    if not case.is_closed:
        return None
    closed = (
        CaseStatusChange.objects.filter(case=case, new_status=Case.Status.CLOSED)
        .select_related("changed_by")
        .order_by("-changed_at", "-pk")
        .first()
    )
    request = (
        case.closure_requests.filter(decision=ClosureRequest.Decision.APPROVED)
        .select_related("requested_by", "decided_by")
        .order_by("-decided_at", "-pk")
        .first()
    )
    return {
        "closed_on": case.closed_on,
        "closure_type": case.closure_type,
        "unplanned_closure_reason": case.unplanned_closure_reason,
        "note": case.closure_note,
        "closed_by": closed.changed_by if closed else None,
        "request": request,
        "gaps": case.closure_gaps_acknowledged.splitlines(),
    }


def clients_visible_to(user, capability=access.Capability.VIEW_CASES) -> QuerySet[Client]:
    """Clients with a case the user may see (or act on with `capability`), and clients their
    service recorded (from a referral) who have no case anywhere yet."""
    visible_cases = cases_visible_to(user, capability).filter(client_id=OuterRef("pk"))
    any_case = Case.objects.filter(client_id=OuterRef("pk"))
    service_ids = access.service_ids_with(user, capability)
    return Client.objects.filter(merged_into__isnull=True).filter(
        Q(Exists(visible_cases)) | (Q(service_id__in=service_ids) & ~Q(Exists(any_case)))
    )


def merged_client_kept(user, pk) -> int | None:
    """For a record merged into another (a tombstone): the kept record's id, if the user may
    see it; otherwise None. Old links to a merged record lead to the kept one."""
    kept_id = (
        Client.objects.filter(pk=pk, merged_into__isnull=False)
        .values_list("merged_into_id", flat=True)
        .first()
    )
    if kept_id is None or not clients_visible_to(user).filter(pk=kept_id).exists():
        return None
    return kept_id


def client_get_for_user(user, pk, *, read: lookup.Read = False) -> Client:
    client = lookup.get_in_scope(
        clients_visible_to(user), pk, user=user, case=None, service="service_id"
    )
    lookup.record_read(user, client, read=read, service_id=client.service_id)
    return client


def _dismissed_with(client) -> set[int]:
    """The clients a caseworker said are not the same person as `client`."""
    pairs = ClientMatchDismissal.objects.filter(Q(client=client) | Q(other=client)).values_list(
        "client_id", "other_id"
    )
    return {pk for pair in pairs for pk in pair} - {client.pk}


def _client_candidates(*, provider, typed: matching.Typed, exclude: Client | None = None):
    """Every client of the provider who may be the same person, whoever may see them (callers
    go through `client_matches_for`): similar names or aliases, the same date of birth with a
    similar first name, the same phone number or postcode. Merged-away records, the record
    itself and pairs already answered "not the same person" are left out.

    Each way in is its own query, so that PostgreSQL serves the names from the trigram indexes
    and the postcode from its index (ORed together they would read every client of the
    provider); the phone number, compared without its spaces, from the indexes of that same
    expression (Client.Meta: client_duplicate_phone_digits, client_duplicate_other_digits)."""
    # Erased records (stubs) are nobody anyone can be matched with.
    clients = Client.objects.filter(provider=provider, merged_into__isnull=True, erased_on=None)
    if exclude is not None:
        clients = clients.exclude(pk__in=[exclude.pk, *_dismissed_with(exclude)])
    probes = []
    phones = matching.digits_of(typed.phone)
    if phones:
        probes.append(
            clients.annotate(
                phone_digits=matching.digits_only("safe_phone"),
                other_phone_digits=matching.digits_only("safe_phone_alternative"),
            ).filter(Q(phone_digits__in=phones) | Q(other_phone_digits__in=phones))
        )
    if typed.postcode:
        probes.append(clients.filter(postcode=matching.normalise_postcode(typed.postcode)))
    first, last = typed.first_name.strip(), typed.last_name.strip()
    if matching.on_postgresql():
        # pg_trgm's operators, served by the GIN trigram indexes (migration 0010).
        names = Q(pk__in=[])
        if last:
            names |= matching.name_like("last_name", last)
        if first:
            names |= matching.name_like("preferred_name", first)
            if not last:
                names |= matching.name_like("first_name", first)
            if typed.date_of_birth:
                names |= Q(date_of_birth=typed.date_of_birth) & matching.name_like(
                    "first_name", first
                )
        probes.append(clients.filter(names))
        if typed.full_name:
            aliases = ClientAlias.objects.filter(
                matching.name_like("name", typed.full_name), client__provider=provider
            )
            probes.append(clients.filter(pk__in=list(aliases.values_list("client_id", flat=True))))
    else:
        # SQLite: the rows sharing an initial or the date of birth, compared in Python
        # (cases.matching says what that costs).
        initials = Q(pk__in=[])
        for name in (first, last):
            if name:
                initial = name[0]
                initials |= Q(first_name__istartswith=initial) | Q(last_name__istartswith=initial)
                initials |= Q(preferred_name__istartswith=initial)
                aliases = ClientAlias.objects.filter(
                    Q(name__istartswith=initial) | Q(name__icontains=f" {initial}")
                )
                initials |= Q(pk__in=aliases.values("client_id"))
        if typed.date_of_birth:
            initials |= Q(date_of_birth=typed.date_of_birth)
        probes.append(clients.filter(initials))
    limit = MATCH_CANDIDATE_ROWS["postgresql" if matching.on_postgresql() else "other"]
    found = set()
    for probe in probes:
        found |= set(probe.order_by().values_list("pk", flat=True)[:limit])
    return Client.objects.filter(pk__in=found)


# The most candidate rows compared (PostgreSQL's are already similar; SQLite's only share an
# initial), and the most matches shown, per check.
MATCH_CANDIDATE_ROWS = {"postgresql": 300, "other": 20_000}
MATCHES_SHOWN = 10


@dataclass
class ClientMatches:
    """The duplicate check's answer. `shown` are clients the user may already see, best match
    first, each with `visible_cases` (only the cases the user may see), `match_score` (0-100)
    and `match_reasons` (what matched, in words); `withheld` says that some other client, who
    the user may not see, may be the same person, and nothing more."""

    shown: list[Client] = field(default_factory=list)
    withheld: bool = False

    def __bool__(self):
        return bool(self.shown) or self.withheld


def client_matches_for(
    user,
    *,
    provider,
    first_name="",
    last_name="",
    date_of_birth=None,
    phone="",
    postcode="",
    client: Client | None = None,
) -> ClientMatches:
    """Possible duplicates of a new client (or of `client`, an existing one), ranked, disclosed
    only as far as the user's scope allows.

    1. Find the candidates in the provider (`_client_candidates`) and score each with
       cases.matching: name likeness (aliases and preferred name too), date of birth, phone
       and postcode; keep the possible matches, best first.
    2. Show the ones in `clients_visible_to(user)` (a case the user may see, restricted cases
       only to the users named on them, or a referral-only client of their service).
    3. Of the others say only that a possible match exists: no name, date of birth or service.
    4. Audit each disclosure on the matched case (or client), never what was typed.
    """
    typed = matching.Typed(
        first_name=first_name or "",
        last_name=last_name or "",
        date_of_birth=date_of_birth,
        phone=phone or "",
        postcode=postcode or "",
    )
    rows = (
        _client_candidates(provider=provider, typed=typed, exclude=client)
        .prefetch_related("aliases")
        .order_by("pk")
    )
    scored = {}
    for row in rows:
        facts = matching.facts_for(typed, row, [alias.name for alias in row.aliases.all()])
        if matching.is_possible_match(facts):
            scored[row.pk] = (matching.match_score(facts), facts.reasons)
    if not scored:
        return ClientMatches()
    ranked = sorted(scored, key=lambda pk: (-scored[pk][0], pk))[:MATCHES_SHOWN]
    visible_cases = cases_visible_to(user).select_related("service").order_by("-opened_on")
    shown = list(
        clients_visible_to(user)
        .filter(pk__in=ranked)
        .select_related("service")
        .prefetch_related(Prefetch("cases", visible_cases, to_attr="visible_cases"))
    )
    for match in shown:
        match.match_score, match.match_reasons = scored[match.pk]
    shown.sort(key=lambda match: (-match.match_score, match.pk))
    shown_ids = {match.pk for match in shown}
    withheld_ids = [pk for pk in ranked if pk not in shown_ids]
    for match in shown:
        _audit_match(user, match, match.visible_cases, disclosed="shown")
    if withheld_ids:
        for other in Client.objects.filter(pk__in=withheld_ids).prefetch_related("cases"):
            _audit_match(user, other, list(other.cases.all()), disclosed="withheld")
    return ClientMatches(shown=shown, withheld=bool(withheld_ids))


def client_duplicates_of(user, client: Client) -> ClientMatches:
    """Possible duplicates of a client already recorded (the client page's check)."""
    return client_matches_for(
        user,
        provider=client.provider,
        first_name=client.first_name,
        last_name=client.last_name,
        date_of_birth=client.date_of_birth,
        phone=client.safe_phone,
        postcode=client.postcode,
        client=client,
    )


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
    # An erased record (a stub of coded answers) is not edited again.
    return editable.filter(pk=client.pk, erased_on=None).exists()


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


def _search_words(query: str) -> list[str]:
    return re.findall(r"[^\W_]+", query)


def _name_queries(provider_ids, query: str) -> tuple[QuerySet[Client], QuerySet[ClientAlias]]:
    """PostgreSQL: the clients with every typed word like one of their names, and the aliases
    like the whole query; pg_trgm's operators, served by the GIN trigram indexes."""
    by_name = Client.objects.filter(
        provider_id__in=provider_ids, merged_into__isnull=True, erased_on=None
    )
    for word in _search_words(query):
        by_name = by_name.filter(
            matching.name_like("first_name", word)
            | matching.name_like("last_name", word)
            | matching.name_like("preferred_name", word)
        )
    by_alias = ClientAlias.objects.filter(
        matching.name_like("name", query), client__provider_id__in=provider_ids
    )
    return by_name, by_alias


def _provider_ids_of(user) -> list[int]:
    service_ids = access.service_ids_with(user, access.Capability.VIEW_CASES)
    return sorted(
        set(Service.objects.filter(pk__in=service_ids).values_list("provider_id", flat=True))
    )


# The most clients a name search considers.
SEARCH_CLIENT_ROWS = 500


def clients_named(user, query: str) -> QuerySet[Client]:
    """Clients of the user's providers with every typed word like one of their names (first,
    last or preferred), misspellings included, or with an alias like the whole query. On
    PostgreSQL two index-served queries (`_name_queries`: no %LIKE% scan) find their ids; on
    SQLite the rows sharing an initial are compared in Python. Scope is the caller's:
    `case_search` keeps only the cases the user may see."""
    words = _search_words(query)
    provider_ids = _provider_ids_of(user)
    if not words or not provider_ids:
        return Client.objects.none()
    if matching.on_postgresql():
        by_name, by_alias = _name_queries(provider_ids, query)
        ids = set(by_name.values_list("pk", flat=True)[:SEARCH_CLIENT_ROWS])
        ids |= set(by_alias.values_list("client_id", flat=True)[:SEARCH_CLIENT_ROWS])
        return Client.objects.filter(pk__in=ids)
    clients = Client.objects.filter(
        provider_id__in=provider_ids, merged_into__isnull=True, erased_on=None
    )
    initials = Q(pk__in=[])
    for word in words:
        initials |= Q(first_name__istartswith=word[0]) | Q(last_name__istartswith=word[0])
        initials |= Q(preferred_name__istartswith=word[0])
        # An alias of several words: any of its words may carry the initial.
        initials |= Q(aliases__name__istartswith=word[0]) | Q(
            aliases__name__icontains=f" {word[0]}"
        )
    ids = set()
    for row in clients.filter(initials).distinct().prefetch_related("aliases"):
        names = [row.first_name, row.last_name, row.preferred_name]
        if all(any(matching.name_matches(word, name) for name in names) for word in words) or any(
            matching.name_matches(query, alias.name) for alias in row.aliases.all()
        ):
            ids.add(row.pk)
    return Client.objects.filter(pk__in=ids)


def case_search(user, query: str, *, client_ids: list[int] | None = None) -> QuerySet[Case]:
    """Visible cases found by a client's name (misspelt too), alias, date of birth or phone,
    or by the case's or its referral's reference. Unaudited: pages search through
    `search_results`.

    A date searches dates of birth, six or more digits without letters a phone number, and
    anything else names and references, so that a name search is served by indexes only.
    `client_ids`: what `clients_named` found, when the caller has it already."""
    query = query.strip()
    cases = cases_visible_to(user)
    if not query:
        return cases.none()
    kind = case_search_kind(query)
    if kind == "date":
        return cases.filter(client__date_of_birth=_date_in(query))
    conditions = Q(reference__in={query, query.upper()})
    if kind == "phone":
        phones = matching.digits_of(query)
        cases = cases.annotate(
            phone_digits=matching.digits_only("client__safe_phone"),
            other_phone_digits=matching.digits_only("client__safe_phone_alternative"),
        )
        for digits in phones:
            conditions |= Q(phone_digits__contains=digits) | Q(other_phone_digits__contains=digits)
        return cases.filter(conditions)
    # Each way of finding a case is its own index-served query (the reference's unique index,
    # the client's foreign key, the trigram indexes behind `clients_named`); ORed together in
    # one query they would make PostgreSQL read every case of the user's services.
    if client_ids is None:
        client_ids = list(clients_named(user, query).values_list("pk", flat=True))
    found = set(cases.filter(conditions).values_list("pk", flat=True))
    found |= set(cases.filter(client_id__in=client_ids).values_list("pk", flat=True))
    for source in search_sources():
        found |= set(cases.filter(pk__in=source.case_ids(user, query)).values_list("pk", flat=True))
    return cases.filter(pk__in=found)


def _date_in(query: str):
    import datetime

    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(query, fmt).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    return None


@dataclass
class SearchResults:
    """The search page's answer: cases (each with `last_contact_at`), and what the registered
    search sources found that has no case the user may see (referrals awaiting triage)."""

    cases: list[Case]
    others: list[SearchHit]

    def __len__(self):
        return len(self.cases) + len(self.others)


def search_results(user, query: str, *, service, limit: int = 100) -> SearchResults:
    """The search page's results, newest first, with the search audited: its kind and the
    number of results, never what was typed (a name or phone number in the trail is itself a
    disclosure)."""
    by_name = query.strip() and case_search_kind(query) not in ("date", "phone")
    client_ids = list(clients_named(user, query).values_list("pk", flat=True)) if by_name else []
    cases = list(
        with_last_contact(
            case_search(user, query, client_ids=client_ids).select_related(
                "client", "service", "caseworker"
            )
        ).order_by("-opened_on", "-pk")[:limit]
    )
    others = []
    if by_name:
        for source in search_sources():
            others.extend(source.hits(user, query.strip(), client_ids))
    record_event(
        actor=user,
        action=AuditEvent.Action.SEARCH,
        service=service,
        detail={"kind": case_search_kind(query), "results": len(cases) + len(others)},
    )
    return SearchResults(cases=cases, others=others[:limit])


def case_search_results(user, query: str, *, service, limit: int = 100) -> list[Case]:
    """The cases of `search_results`."""
    return search_results(user, query, service=service, limit=limit).cases


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


# --- Dashboards and reminders ------------------------------------------------------------------

HIGH_RISK_CONTACT_DAYS = 7
REMINDER_HORIZON_DAYS = 7
# A six-month follow-up missed by more than this is no longer asked for: the client is not
# called about support that ended years ago (a case closed long before, or imported).
FOLLOW_UP_REMINDER_DAYS = 60


# The caseload's order: the highest risk first, then the longest since the last successful
# contact (never contacted counts as longest), then the longest open.
RISK_ORDER = (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.STANDARD)


def risk_rank():
    """0 for high risk, 1 medium, 2 standard, 3 not assessed: risk_level's text sorts wrongly."""
    return CaseWhen(
        *[When(risk_level=level, then=Value(rank)) for rank, level in enumerate(RISK_ORDER)],
        default=Value(len(RISK_ORDER)),
        output_field=IntegerField(),
    )


def by_risk_then_longest_without_contact(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Orders cases annotated by with_last_contact (see RISK_ORDER)."""
    return cases.annotate(risk_rank=risk_rank()).order_by(
        "risk_rank", F("last_contact_at").asc(nulls_first=True), "opened_on", "pk"
    )


def days_since_contact(case: Case, today) -> int | None:
    """Whole days since the case's last successful contact (annotated); None if never."""
    last = getattr(case, "last_contact_at", None)
    if last is None:
        return None
    return (today - timezone.localdate(last)).days


def my_open_cases(user):
    """The caseworker's open and on-hold cases with their last contact and client, in one
    query, highest risk first and then the longest without contact. (The dashboard shows
    neither their service nor their caseworker, the user: not joined, each row's columns cost
    the page CPU.)"""
    return by_risk_then_longest_without_contact(
        with_last_contact(
            cases_visible_to(user)
            .filter(caseworker=user)
            .exclude(status=Case.Status.CLOSED)
            .select_related("client")
        )
    )


def team_open_cases(user, service):
    """Open cases of a service where the user may allocate, with caseworker and last contact:
    by caseworker, then as a caseworker's own caseload."""
    if not access.can(user, access.Capability.ALLOCATE_CASES, service.pk):
        return Case.objects.none()
    return (
        with_last_contact(
            cases_visible_to(user)
            .filter(service=service)
            .exclude(status=Case.Status.CLOSED)
            .select_related("client", "caseworker", "team")
        )
        .annotate(risk_rank=risk_rank())
        .order_by(
            "caseworker__full_name",
            "risk_rank",
            F("last_contact_at").asc(nulls_first=True),
            "opened_on",
            "pk",
        )
    )


class Reminder(tuple):
    """(case, message, severity), with `key`: the reminder's identity for this occurrence
    (cases.selectors_work.reminder_key), which a snoozed or reassigned Task names."""

    def __new__(cls, case, message, severity, key=""):
        reminder = super().__new__(cls, (case, message, severity))
        reminder.key = key
        return reminder


def reminder_key(kind: str, case, on) -> str:
    """ "review_due:<case>:<date due>" or "no_contact:<case>:<last contact date or never>": a new
    review date or a new contact makes a new reminder, which an old snooze does not hide."""
    return f"{kind}:{case.pk}:{on.isoformat() if on else 'never'}"


def reminders_for(cases, today, *, overdue_reviews_only=False, hidden_keys=frozenset()):
    """Reminders over already-annotated cases (no further queries): review due, follow-up due,
    and high-risk cases with no successful contact in the last 7 days. A team leader's
    (overdue_reviews_only) are the reviews overdue: high-risk cases left without contact reach
    them as the risk assessment app's prompt. Reminders whose key is in `hidden_keys` (snoozed
    or handed on as a task: cases.selectors_work.hidden_reminder_keys) are left out."""
    import datetime

    horizon = (
        today if overdue_reviews_only else today + datetime.timedelta(days=REMINDER_HORIZON_DAYS)
    )
    contact_cutoff = today - datetime.timedelta(days=HIGH_RISK_CONTACT_DAYS)
    reminders = []
    for case in cases:
        if case.review_due_on and case.review_due_on <= horizon and not case.is_closed:
            overdue = case.review_due_on < today
            if overdue_reviews_only and not overdue:
                continue
            key = reminder_key("review_due", case, case.review_due_on)
            if key not in hidden_keys:
                reminders.append(
                    Reminder(
                        case,
                        f"Review {'overdue since' if overdue else 'due'} "
                        f"{date_format(case.review_due_on)}",
                        "danger" if overdue else "warning",
                        key,
                    )
                )
        if case.risk_level == "high" and not case.is_closed and not overdue_reviews_only:
            last = getattr(case, "last_contact_at", None)
            if last is None or timezone.localdate(last) < contact_cutoff:
                key = reminder_key("no_contact", case, last and timezone.localdate(last))
                if key not in hidden_keys:
                    reminders.append(
                        Reminder(case, "High risk: no contact in the last 7 days", "danger", key)
                    )
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
            follow_up_due_on__gte=today - datetime.timedelta(days=FOLLOW_UP_REMINDER_DAYS),
        )
        .select_related("client")
        .order_by("follow_up_due_on")
    )


# Reminders grouped by case and urgency: one entry per case (its reminders listed under it),
# the most urgent first, so that 24 reminders for 8 cases read as 8 cases, not 24 red lines.
URGENCY_ORDER = ("danger", "warning", "info")
URGENCY_LABELS = {"danger": "Overdue", "warning": "Due soon", "info": "To note"}


@dataclass
class ReminderGroup:
    case_id: int
    reference: str
    url: str
    risk_rank: int
    items: list = field(
        default_factory=list
    )  # (severity, message, url, action_url), most urgent first

    @property
    def severity(self) -> str:
        return self.items[0][0]

    @property
    def urgency_label(self) -> str:
        return URGENCY_LABELS[self.severity]


def _urgency(severity: str) -> int:
    return URGENCY_ORDER.index(severity) if severity in URGENCY_ORDER else len(URGENCY_ORDER)


def reminder_groups(*, cases, reminders, follow_ups, prompts, today) -> list[dict]:
    """The dashboard's reminders by urgency, each urgency's cases in caseload order.

    1. Collect every reminder as (case, severity, message, url): the case's own reminders
       (reminders_for), six-month follow-ups due (overdue once the date has passed) and the
       apps' prompts (cases.extensions.Prompt).
    2. One group per case; a group is as urgent as its most urgent reminder.
    3. Urgencies in order (overdue, due soon, to note); within one, higher risk first, then
       the case reference.
    Returns [{"severity", "label", "groups"}], only the urgencies that have reminders.
    """
    rank_of = {
        case.pk: RISK_ORDER.index(case.risk_level)
        if case.risk_level in RISK_ORDER
        else len(RISK_ORDER)
        for case in cases
    }
    groups: dict[int, ReminderGroup] = {}

    def add(case_id, reference, severity, message, url, action_url=""):
        group = groups.get(case_id)
        if group is None:
            group = groups[case_id] = ReminderGroup(
                case_id=case_id,
                reference=reference,
                url=reverse("cases:case_detail", args=[case_id]),
                risk_rank=rank_of.get(case_id, len(RISK_ORDER)),
            )
        group.items.append((severity, message, url, action_url))

    for reminder in reminders:
        case, message, severity = reminder
        key = getattr(reminder, "key", "")
        # What can be done with it: snoozed with a reason, or handed to someone (a Task).
        action_url = reverse("cases:reminder_act", args=[case.pk, key]) if key else ""
        add(case.pk, case.reference, severity, message, "", action_url)
    for case in follow_ups:
        overdue = case.follow_up_due_on < today
        add(
            case.pk,
            case.reference,
            "danger" if overdue else "warning",
            f"Six-month follow-up {'overdue since' if overdue else 'due'} "
            f"{date_format(case.follow_up_due_on)}",
            "",
        )
    for prompt in prompts:
        add(prompt.case_id, prompt.reference, prompt.severity, prompt.message, prompt.url)
    for group in groups.values():
        group.items.sort(key=lambda item: _urgency(item[0]))
    ordered = sorted(
        groups.values(), key=lambda g: (_urgency(g.severity), g.risk_rank, g.reference)
    )
    sections = []
    for severity in URGENCY_ORDER:
        in_section = [group for group in ordered if group.severity == severity]
        if in_section:
            sections.append(
                {"severity": severity, "label": URGENCY_LABELS[severity], "groups": in_section}
            )
    return sections


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


def _newest_contacts(case, limit: int) -> list[Contact]:
    return list(case.contacts.select_related("recorded_by").order_by("-occurred_at", "-pk")[:limit])


def _own_timeline(case, limit: int, contacts: list[Contact] | None = None) -> list:
    """The case's own newest contacts (`contacts`, when the caller has read them), status
    changes and allocations: 3 queries, each limited."""
    from .extensions import TimelineItem

    items = []
    if contacts is None:
        # Who recorded each contact is not on the timeline: no join to the users.
        contacts = list(case.contacts.order_by("-occurred_at", "-pk")[:limit])
    for contact in contacts[:limit]:
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


def case_timeline(
    case, *, page: int = 1, per_page: int = TIMELINE_PAGE_SIZE, contacts=None
) -> TimelinePage:
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
    items = _own_timeline(case, wanted, contacts)
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
    return _newest_contacts(case, limit)


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


# What a correction changed, in the contact page's words where a field's own name reads badly
# ("duration minutes", "I have checked it was safe this time").
CONTACT_CHANGE_LABELS = {
    "occurred_at": "when",
    "duration_minutes": "duration",
    "location": "where",
    "with_client": "with whom",
    "unsafe_channel_warning": "safe-contact warning",
    "unsafe_channel_confirmed": "safe-contact confirmation",
    "unsafe_channel_reason": "why it was safe",
}


def contact_history(contact) -> list:
    """The contact's earlier versions, newest first, each with what the next version changed."""
    from .models import ContactRevision

    revisions = list(contact.revisions.select_related("written_by", "replaced_by"))
    later = contact
    for revision in revisions:
        revision.changed_fields = [
            CONTACT_CHANGE_LABELS.get(name) or Contact._meta.get_field(name).verbose_name
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


def _contacts_of_case(condition: Q, case_ref: str, up_to: str = ""):
    if up_to:
        condition &= Q(occurred_at__date__lte=OuterRef(up_to))
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


def significant_contacts(case_ref: str = "pk", up_to: str = ""):
    """The number of significant contacts of a case, as a database expression on any query whose
    `case_ref` column is the case's id. The case page and the reports both count with it.
    `up_to`: the query's column of the last day counted (a report counts a case's contacts up
    to its exit, not the follow-ups after it)."""
    return _contacts_of_case(SIGNIFICANT_CONTACT, case_ref, up_to)


def is_intensive_support(significant: int) -> bool:
    """Safety in Numbers' intensive support: INTENSIVE_SUPPORT_THRESHOLD or more significant
    contacts."""
    return significant >= INTENSIVE_SUPPORT_THRESHOLD


def _contact_count_columns(case_ref: str) -> dict:
    return {
        "successful_contact_count": _contacts_of_case(SUCCESSFUL_CONTACT, case_ref),
        "significant_contact_count": significant_contacts(case_ref),
    }


def contact_counts(case: Case) -> dict:
    """The case page's contact summary: successful contacts, significant ones, and whether that
    is intensive support. Read with the case (case_get_for_user(with_contact_counts=True)), or
    else one query."""
    if not hasattr(case, "significant_contact_count"):
        row = Case.objects.filter(pk=case.pk).values(**_contact_count_columns("pk")).get()
        for name, value in row.items():
            setattr(case, name, value)
    return {
        "total": case.successful_contact_count,
        "significant": case.significant_contact_count,
        "intensive": is_intensive_support(case.significant_contact_count),
    }
