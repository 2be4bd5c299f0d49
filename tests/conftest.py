import os
from pathlib import Path

import pytest
from django.core.cache import cache

from accounts.models import Role

from .factories import MembershipFactory, ServiceFactory, UserFactory
from .signin import sign_in_with_second_factor


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
def superuser(db):
    """Changes what every provider shares (the national lists, the risk checklists)."""
    return UserFactory(email="superuser@example.test", is_staff=True, is_superuser=True)


@pytest.fixture
def outsider(other_service):
    """A caseworker of another service."""
    return _member(other_service, Role.CASEWORKER)


@pytest.fixture
def no_service_user(db):
    return UserFactory()


@pytest.fixture
def client_for(client):
    """Signs a user in (password and TOTP code passed in this session) and returns the client."""

    def sign_in(user):
        return sign_in_with_second_factor(client, user)

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


# --- Browser tests -------------------------------------------------------------------------------
# Playwright drives Debian's chromium (Playwright's own browser download does not work here).
# axe-core comes from the npm registry (tests/browser/package-lock.json, `make browser-deps`).

BROWSER_EXECUTABLE = "/usr/bin/chromium"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Date inputs show (and take typing in) dd/mm/yyyy, as the users' browsers do.
    "--lang=en-GB",
]
REPO_ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT_ROOT = REPO_ROOT / "test-artifacts" / "screenshots"
AXE_SCRIPT = REPO_ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def browser_context(live_server, monkeypatch):
    """A fresh headless chromium context, with axe-core loaded into every page it opens.

    axe goes in as an init script (through the DevTools protocol), so the pages keep their real
    Content-Security-Policy: no inline script is needed, and none would be allowed.
    """
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's guard against async callers does not apply to them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `make browser-deps`.")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=BROWSER_EXECUTABLE, headless=True, args=BROWSER_ARGS
        )
        # British dates (dd/mm/yyyy) in date inputs, as the users see them.
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", timezone_id="Europe/London"
        )
        # Under pytest-xdist another worker shares the two cores; a report page can then take
        # longer than 15 s to render (the Insights page did, once), without anything being wrong.
        context.set_default_timeout(30_000 if os.environ.get("PYTEST_XDIST_WORKER") else 15_000)
        context.add_init_script(path=str(AXE_SCRIPT))
        try:
            yield context
        finally:
            context.close()
            browser.close()


def open_tab(context):
    """A new tab and the list its console errors are collected into."""
    errors = []
    tab = context.new_page()

    def console(message):
        source = message.location.get("url", "")
        # axe-core's own probes try inline styles, which the page's CSP rightly refuses.
        if message.type == "error" and not source.endswith("axe.min.js"):
            errors.append(f"{message.text} ({source})")

    tab.on("console", console)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    return tab, errors


@pytest.fixture
def signed_in_tab(browser_context, live_server):
    """`signed_in_tab(user)` -> (tab, console errors): a tab whose session is the user's (second
    factor counted as done; the caseworker journey signs in for real instead)."""
    from django.conf import settings
    from django.test import Client

    def open_signed_in(user):
        client = sign_in_with_second_factor(Client(), user)
        browser_context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        return open_tab(browser_context)

    return open_signed_in


@pytest.fixture
def screenshot():
    """`screenshot(tab, journey, name)` saves test-artifacts/screenshots/<journey>/NN-<name>.png
    (gitignored; CI keeps the folder as artifacts)."""
    counters: dict[str, int] = {}

    def save(tab, journey, name):
        folder = SCREENSHOT_ROOT / journey
        if journey not in counters:
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob("*.png"):
                old.unlink()
        counters[journey] = counters.get(journey, 0) + 1
        path = folder / f"{counters[journey]:02d}-{name}.png"
        try:
            tab.screenshot(path=str(path), full_page=True, timeout=30_000)
        except Exception:
            # A very long page (every Insights table) can outgrow a full-page capture.
            tab.screenshot(path=str(path))
        return path

    return save


AXE_FAILING_IMPACTS = {"serious", "critical"}


def axe_violations(tab):
    """axe-core's WCAG 2.2 A and AA checks on the tab's page: the serious and critical ones, as
    readable lines (rule, what it asks, the first elements at fault)."""
    results = tab.evaluate(
        """async () => {
            const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
            return await window.axe.run(document, {runOnly: {type: "tag", values: tags},
                                                   resultTypes: ["violations"]});
        }"""
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results["violations"]
        if violation["impact"] in AXE_FAILING_IMPACTS
    ]
