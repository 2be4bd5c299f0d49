"""Every URL of Lantern's own apps, for every persona (see matrix.py)."""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role
from tests.factories import MembershipFactory, ServiceFactory, UserFactory
from tests.signin import sign_in_with_second_factor

from . import matrix

OWN_NAMESPACES = {
    "accounts",
    "cases",
    "dataprotection",
    "outcomes",
    "referrals",
    "reporting",
    "riskassessment",
    "support",
}
OWN_TOP_LEVEL_NAMES = {"home", "healthz", "quick_exit"}


def _matrix_modules():
    package = importlib.import_module("tests.access")
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("matrix_"):
            yield importlib.import_module(f"tests.access.{info.name}")


MODULES = list(_matrix_modules())
ENTRIES = [entry for module in MODULES for entry in module.ENTRIES]
BUILDERS = {
    name: build for module in MODULES for name, build in getattr(module, "BUILDERS", {}).items()
}


def _own_url_names(resolver=None, namespace=None):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if inner is None or inner in OWN_NAMESPACES:
                yield from _own_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            if namespace in OWN_NAMESPACES:
                yield f"{namespace}:{pattern.name}"
            elif namespace is None and pattern.name in OWN_TOP_LEVEL_NAMES:
                yield pattern.name


def test_every_url_has_an_entry_in_the_access_matrix():
    covered = {entry.url_name for entry in ENTRIES}
    missing = sorted(set(_own_url_names()) - covered)
    assert not missing, f"URLs with no access-matrix entry: {missing}"


def test_no_two_apps_build_the_same_attribute():
    names = [name for module in MODULES for name in getattr(module, "BUILDERS", {})]
    assert len(names) == len(set(names))


def test_every_entry_names_every_persona():
    for entry in ENTRIES:
        assert set(entry.expected) == set(matrix.PERSONAS), entry.id()


@pytest.fixture
def world(db):
    service = ServiceFactory(name="Matrix Idva", code="MTX")
    other_service = ServiceFactory(name="Other Idva", code="OTH", provider=service.provider)

    def member(role, svc=service, **kwargs):
        return MembershipFactory(service=svc, role=role, **kwargs).user

    users = {
        matrix.ANON: None,
        matrix.NO_SERVICE: UserFactory(),
        matrix.CASEWORKER: member(Role.CASEWORKER),
        matrix.READ_ONLY: member(Role.CASEWORKER, read_only=True),
        matrix.TEAM_LEADER: member(Role.TEAM_LEADER),
        matrix.MANAGER: member(Role.SERVICE_MANAGER),
        matrix.MARAC_COORDINATOR: member(Role.MARAC_COORDINATOR),
        matrix.ADMIN: member(Role.ADMIN),
        matrix.OUTSIDER: member(Role.CASEWORKER, svc=other_service),
    }
    # Nothing else yet: each row builds what it reads (matrix.World).
    return matrix.World(BUILDERS, service=service, other_service=other_service, users=users)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.id())
def test_access(entry, world, client):
    failures = []
    for persona in matrix.PERSONAS:
        client.logout()
        user = world.users[persona]
        if user is not None:
            sign_in_with_second_factor(client, user)
        url = reverse(entry.url_name, kwargs=entry.kwargs(world))
        if entry.query:
            url = f"{url}?{entry.query}"
        data = entry.data(world) if entry.data else {}
        response = getattr(client, entry.method)(url, data)
        if response.status_code != entry.expected[persona]:
            failures.append(
                f"{persona}: expected {entry.expected[persona]}, got {response.status_code}"
            )
    assert not failures, f"{entry.id()}: " + "; ".join(failures)
