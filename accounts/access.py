"""Who may do what, in one place. Views and selectors ask here; nothing checks roles by hand.

A role grants capabilities in the services where the user holds it. "Read only" on a membership
keeps the capabilities that read and drops those that write. A user in no service can do nothing
with case data; an admin manages lookups and users but sees no case content unless also given a
service role.
"""

from enum import StrEnum

from .models import Membership, Role, Service


class Capability(StrEnum):
    VIEW_CASES = "view_cases"
    EDIT_CASES = "edit_cases"
    ALLOCATE_CASES = "allocate_cases"
    SIGN_OFF_CLOSURES = "sign_off_closures"
    # Lowering a case's current risk below what its current assessments say: a reasoned
    # decision by the team leader, who oversees the case (riskassessment.current_risk).
    LOWER_RISK = "lower_risk"
    RESTRICT_CASES = "restrict_cases"
    # Merging two records of one client: moves cases between records, so a team leader's call.
    MERGE_CLIENTS = "merge_clients"
    RUN_REPORTS = "run_reports"
    READ_AUDIT = "read_audit"
    MANAGE_MARAC = "manage_marac"
    # Answering a client's data-rights requests (a correction, and later subject access): a
    # decision on the service's behalf, so a team leader's or the manager's.
    HANDLE_DATA_RIGHTS = "handle_data_rights"
    # Approving (or excluding) the records that reached their retention date, which erases
    # them: the service manager's decision, who answers for the service's records.
    REVIEW_RETENTION = "review_retention"
    ADMINISTER = "administer"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.CASEWORKER: frozenset({Capability.VIEW_CASES, Capability.EDIT_CASES}),
    Role.TEAM_LEADER: frozenset(
        {
            Capability.VIEW_CASES,
            Capability.EDIT_CASES,
            Capability.ALLOCATE_CASES,
            Capability.SIGN_OFF_CLOSURES,
            Capability.LOWER_RISK,
            Capability.RESTRICT_CASES,
            Capability.MERGE_CLIENTS,
            Capability.HANDLE_DATA_RIGHTS,
        }
    ),
    Role.SERVICE_MANAGER: frozenset(
        {
            Capability.VIEW_CASES,
            Capability.RESTRICT_CASES,
            Capability.RUN_REPORTS,
            Capability.READ_AUDIT,
            Capability.HANDLE_DATA_RIGHTS,
            Capability.REVIEW_RETENTION,
        }
    ),
    # A MARAC coordinator runs the meetings of the MARAC areas of their services: meetings, the
    # cases heard and the actions agreed; they see case content only through a service role.
    Role.MARAC_COORDINATOR: frozenset({Capability.MANAGE_MARAC}),
    Role.ADMIN: frozenset({Capability.ADMINISTER}),
}

READ_CAPABILITIES = frozenset(
    {Capability.VIEW_CASES, Capability.RUN_REPORTS, Capability.READ_AUDIT}
)


def _capability_map(user) -> dict[Capability, frozenset[int]]:
    """Service IDs per capability for this user, worked out once per request."""
    cached = getattr(user, "_lantern_capabilities", None)
    if cached is not None:
        return cached
    memberships = []
    if user.is_authenticated and user.is_active:
        memberships = Membership.objects.filter(user=user, service__is_active=True).values_list(
            "service_id", "role", "read_only"
        )
    return _remember_capabilities(user, memberships)


def _remember_capabilities(user, memberships) -> dict[Capability, frozenset[int]]:
    """The capability map from (service_id, role, read_only) rows, kept on the user for the
    rest of the request."""
    by_capability: dict[Capability, set[int]] = {c: set() for c in Capability}
    for service_id, role, read_only in memberships:
        for capability in ROLE_CAPABILITIES.get(role, ()):
            if read_only and capability not in READ_CAPABILITIES:
                continue
            by_capability[capability].add(service_id)
    result = {c: frozenset(ids) for c, ids in by_capability.items()}
    user._lantern_capabilities = result
    return result


def member_services_and_capabilities(user) -> list[Service]:
    """`member_services` as a list, read in the same query as the user's capabilities (which
    are kept for the request): what every signed-in request needs, in one query, not two."""
    if not user.is_authenticated:
        return []
    if not user.is_active:
        _remember_capabilities(user, [])
        return list(member_services(user))
    memberships = list(
        Membership.objects.filter(user=user, service__is_active=True).select_related("service")
    )
    _remember_capabilities(user, [(m.service_id, m.role, m.read_only) for m in memberships])
    services = {m.service_id: m.service for m in memberships}
    return sorted(services.values(), key=lambda service: (service.name, service.pk))


def forget_capabilities(user) -> None:
    """Drop the per-request cache after memberships change."""
    for cache in ("_lantern_capabilities", "_lantern_admin_providers"):
        if hasattr(user, cache):
            delattr(user, cache)


def service_ids_with(user, capability: Capability) -> frozenset[int]:
    return _capability_map(user)[capability]


def services_with(user, capability: Capability):
    return Service.objects.filter(pk__in=service_ids_with(user, capability))


def can(user, capability: Capability, service=None) -> bool:
    """True when the user has the capability in the given service (or in any, if none given)."""
    ids = service_ids_with(user, capability)
    if service is None:
        return bool(ids)
    service_id = service if isinstance(service, int) else service.pk
    return service_id in ids


def member_services(user):
    """Every active service the user holds any role in: the service switcher's choices."""
    if not user.is_authenticated:
        return Service.objects.none()
    return (
        Service.objects.filter(memberships__user=user, is_active=True).distinct().order_by("name")
    )


def roles_in(user, service) -> list[str]:
    if not user.is_authenticated or service is None:
        return []
    return list(
        Membership.objects.filter(user=user, service=service)
        .order_by("role")
        .values_list("role", flat=True)
    )


def _memberships_giving(capability: Capability):
    """The memberships that give `capability` (a read-only one gives only the read ones)."""
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]
    memberships = Membership.objects.filter(role__in=roles)
    if capability not in READ_CAPABILITIES:
        memberships = memberships.filter(read_only=False)
    return memberships


def users_with(capability: Capability, service):
    """Active users who hold `capability` in `service` (one query)."""
    from .models import User

    memberships = _memberships_giving(capability).filter(service=service)
    return User.objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by(
        "full_name"
    )


def users_with_in_services(capability: Capability, services) -> dict[int, list]:
    """`users_with` for several services in one query: each service's id to its active users
    holding `capability`, by name (a service where nobody does is left out)."""
    memberships = (
        _memberships_giving(capability)
        .filter(service__in=services, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user_id")
    )
    by_service: dict[int, list] = {}
    for membership in memberships:
        users = by_service.setdefault(membership.service_id, [])
        # A user holding two such roles in one service is listed once.
        if membership.user not in users:
            users.append(membership.user)
    return by_service


def administered_provider_ids(user) -> frozenset[int]:
    """The providers a user administers: those of the active services where they hold the admin
    role (not read only). A superuser administers every provider; use `administers_everything`
    to tell them apart rather than listing every provider here."""
    cached = getattr(user, "_lantern_admin_providers", None)
    if cached is not None:
        return cached
    service_ids = service_ids_with(user, Capability.ADMINISTER)
    result = frozenset(
        Service.objects.filter(pk__in=service_ids).values_list("provider_id", flat=True)
        if service_ids
        else ()
    )
    user._lantern_admin_providers = result
    return result


def administers_everything(user) -> bool:
    """Only a superuser manages every provider, superusers, and the national defaults."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)
