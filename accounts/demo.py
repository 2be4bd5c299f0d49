"""Registry of demo-data seeders. Each app registers its own in AppConfig.ready(), so that
seed_demo (here in accounts) creates every app's synthetic records without importing them."""

from collections.abc import Callable

from .models import Role

# (e-mail, full name, password, [(service code, role, team name or None)]). Every role has its
# user, listed first among those holding it: that user's login is the one `make demo` prints.
# Closure sign-off is on in every demo service, so each has a team leader to give it.
DEMO_USERS = [
    (
        "caseworker@demo.lantern.test",
        "Casey Worker",
        "demo-caseworker-lantern",
        [("CID", Role.CASEWORKER, "North"), ("RRH", Role.CASEWORKER, "Emergency department")],
    ),
    (
        "teamleader@demo.lantern.test",
        "Taylor Leader",
        "demo-teamleader-lantern",
        [
            ("CID", Role.TEAM_LEADER, "North"),
            ("RRH", Role.TEAM_LEADER, "Emergency department"),
            ("RAI", Role.TEAM_LEADER, "Hospital Idva"),
        ],
    ),
    (
        "manager@demo.lantern.test",
        "Morgan Manager",
        "demo-manager-lantern",
        [("CID", Role.SERVICE_MANAGER, None), ("RRH", Role.SERVICE_MANAGER, None)],
    ),
    (
        "marac@demo.lantern.test",
        "Mo Coordinator",
        "demo-marac-lantern",
        [
            ("CID", Role.MARAC_COORDINATOR, None),
            ("RRH", Role.MARAC_COORDINATOR, None),
            ("RAI", Role.MARAC_COORDINATOR, None),
        ],
    ),
    (
        "admin@demo.lantern.test",
        "Alex Admin",
        "demo-admin-lantern",
        [("CID", Role.ADMIN, None), ("RRH", Role.ADMIN, None), ("RAI", Role.ADMIN, None)],
    ),
    # A caseworker of one service only: shows that another service's cases stay out of sight.
    (
        "aintree@demo.lantern.test",
        "Ash Aintree",
        "demo-aintree-lantern",
        [("RAI", Role.CASEWORKER, "Hospital Idva")],
    ),
    # Another provider's team leader and admin: nothing of the first provider's is theirs.
    (
        "wirral@demo.lantern.test",
        "Wren Wirral",
        "demo-wirral-lantern",
        [("WWA", Role.TEAM_LEADER, "Birkenhead")],
    ),
    (
        "wirral.admin@demo.lantern.test",
        "Wynn Admin",
        "demo-wirral-admin-lantern",
        [("WWA", Role.ADMIN, None)],
    ),
]


def _login_line(label: str, email: str, password: str, codes) -> str:
    return f"{label:18} {email:30} {password:26} {', '.join(codes)}"


def demo_logins(other_provider_codes=()) -> list[str]:
    """One line per role, each role once, in the roles' order: the first demo user holding it
    (leaving out the staff of `other_provider_codes`, another provider's services), its
    password and the services where it holds it."""
    lines = []
    for role in Role:
        for email, _name, password, memberships in DEMO_USERS:
            codes = [code for code, held, _team in memberships if held == role]
            if codes and not set(codes) & set(other_provider_codes):
                lines.append(_login_line(role.label, email, password, codes))
                break
    return lines


def other_provider_logins(other_provider_codes) -> list[str]:
    """The demo users who work only in `other_provider_codes` (another provider's services),
    one line each."""
    lines = []
    for email, _name, password, memberships in DEMO_USERS:
        codes = [code for code, _role, _team in memberships]
        if codes and set(codes) <= set(other_provider_codes):
            lines.append(_login_line(memberships[0][1].label, email, password, codes))
    return lines


_seeders: list[tuple[int, Callable]] = []


def register_demo_seeder(order: int, seeder: Callable) -> None:
    """seeder(services=dict[code, Service], stdout=...) must be idempotent."""
    if all(existing is not seeder for _, existing in _seeders):
        _seeders.append((order, seeder))


def demo_seeders() -> list[Callable]:
    return [seeder for _, seeder in sorted(_seeders, key=lambda item: item[0])]
