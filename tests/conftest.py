import pytest
from django.core.cache import cache

from accounts.models import Role

from .factories import MembershipFactory, ServiceFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and lockouts live in the cache: every test starts with none."""
    cache.clear()


@pytest.fixture
def service(db):
    return ServiceFactory(name="Community Idva")


@pytest.fixture
def other_service(db):
    return ServiceFactory(name="Elsewhere Idva")


def _member(service, role, **kwargs):
    membership = MembershipFactory(service=service, role=role, **kwargs)
    return membership.user


@pytest.fixture
def caseworker(service):
    return _member(service, Role.CASEWORKER)


@pytest.fixture
def team_leader(service):
    return _member(service, Role.TEAM_LEADER)


@pytest.fixture
def manager(service):
    return _member(service, Role.SERVICE_MANAGER)


@pytest.fixture
def admin_user(service):
    return _member(service, Role.ADMIN)


@pytest.fixture
def outsider(other_service):
    """A caseworker of another service."""
    return _member(other_service, Role.CASEWORKER)


@pytest.fixture
def no_service_user(db):
    return UserFactory()


@pytest.fixture
def client_for(client):
    """Signs a user in (second factor already set up) and returns the test client."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker thread consuming from the real Redis broker (not eager mode).

    Tests using it need django_db(transaction=True): the worker's thread has its own database
    connection and sees only committed rows.
    """
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker
