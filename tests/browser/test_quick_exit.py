"""Quick exit in a real browser: Escape twice, or the header's button, blanks the screen at once
to a neutral page, in every open tab, and locks the session until the password is typed again."""

import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD, CaseFactory

from .journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEUTRAL_TITLE = "New tab"


def assert_neutral(tab):
    tab.wait_for_url("**" + reverse("accounts:quick_exit"))
    assert tab.title() == NEUTRAL_TITLE
    text = tab.locator("body").inner_text()
    for word in ("Lantern", "Idva", "abuse", "case", "Quick exit"):
        assert word.lower() not in text.lower()


def test_escape_twice_blanks_the_screen_and_locks_the_session(
    signed_in_tab, screenshot, caseworker, service
):
    case = CaseFactory(service=service)
    tab, errors = signed_in_tab(caseworker)
    journey = Journey(tab, errors, name="quick-exit", screenshot=screenshot)
    case_url = reverse("cases:case_detail", args=[case.pk])
    tab.goto(case_url)
    journey.page("case")
    # Hold the lock's request: the screen must be blank before any answer comes back.
    lock_url = "**" + reverse("accounts:quick_exit")
    held = []

    def hold_the_lock(route):
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    tab.route(lock_url, hold_the_lock)
    tab.keyboard.press("Escape")
    tab.keyboard.press("Escape")
    assert tab.evaluate("document.body.childElementCount") == 0
    assert tab.title() == NEUTRAL_TITLE
    while not held:
        tab.wait_for_timeout(50)
    held[0].continue_()
    assert_neutral(tab)
    journey.page("neutral")

    # Anything of Lantern's now asks for the password first, and nothing else is shown.
    tab.goto(case_url)
    assert tab.url.endswith(reverse("accounts:unlock") + "?next=" + case_url.replace("/", "%2F"))
    journey.page("locked")
    assert "Screen locked" in tab.locator("main").inner_text()
    assert tab.locator("#main-nav").count() == 0
    journey.type_into(tab.get_by_label("Password"), "not my password")
    journey.submit(tab.get_by_role("button", name="Unlock"))
    journey.page("unlock-error")
    password = tab.get_by_label("Password")
    assert password.evaluate("element => element === document.activeElement")
    assert password.get_attribute("aria-invalid") == "true"
    error_id = password.get_attribute("aria-describedby")
    assert tab.locator(f"#{error_id}").inner_text() == "That is not your password."
    journey.type_into(password, TEST_PASSWORD)
    journey.submit(tab.get_by_role("button", name="Unlock"))
    assert tab.url.endswith(case_url)
    journey.page("unlocked")
    journey.finish()


def test_the_button_blanks_every_open_tab(signed_in_tab, screenshot, caseworker, service):
    case = CaseFactory(service=service)
    first, first_errors = signed_in_tab(caseworker)
    journey = Journey(first, first_errors, name="quick-exit-button", screenshot=screenshot)
    first.goto(reverse("home"))
    journey.page("home")
    first.goto(reverse("cases:case_detail", args=[case.pk]))
    journey.page("case")
    second = first.context.new_page()
    second.goto(reverse("cases:case_list"))
    assert "Quick exit" in second.locator("header").inner_text()

    journey.focus_by_tab(first.get_by_role("button", name="Quick exit"))
    first.keyboard.press("Enter")
    assert_neutral(first)
    assert_neutral(second)
    journey.page("neutral")
    # Back goes to the page before the case: locked too, although the second tab's request
    # raced the lock's (both tabs asked for a page at once).
    first.go_back()
    assert reverse("accounts:unlock") in first.url
    journey.page("locked")
    second.goto(reverse("cases:case_list"))
    assert reverse("accounts:unlock") in second.url
    journey.finish()


QUICK_EXIT_RUNS = 20
TABS = 4


def test_quick_exit_with_four_tabs_open_twenty_times_never_shows_an_error(
    browser_context, live_server, caseworker, service
):
    """Issue 18, item 3: four tabs on client pages, Quick exit pressed in one of them (each in
    turn), twenty times over. No tab ever gets an error answer, and every tab ends on the blank
    neutral page. (live_server runs on the test database, PostgreSQL; the SQLite demo's own
    settings are covered by the unit tests that make the session write fail.)"""
    from django.conf import settings
    from django.test import Client

    from tests.conftest import open_tab
    from tests.signin import sign_in_with_second_factor

    cases = [CaseFactory(service=service) for _ in range(TABS)]
    pages = [reverse("cases:case_detail", args=[case.pk]) for case in cases]
    error_answers = []
    browser_context.on(
        "response",
        lambda response: (
            error_answers.append(f"{response.status} {response.url}")
            if response.status >= 500
            else None
        ),
    )
    tabs = [open_tab(browser_context) for _ in range(TABS)]

    for run in range(QUICK_EXIT_RUNS):
        # A fresh sign-in each run (the last run locked the session).
        client = sign_in_with_second_factor(Client(), caseworker)
        browser_context.clear_cookies()
        browser_context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        for (tab, _errors), page in zip(tabs, pages, strict=True):
            tab.goto(page)
            assert "Quick exit" in tab.locator("header").inner_text()
        pressed, _errors = tabs[run % TABS]
        pressed.get_by_role("button", name="Quick exit").click()
        for tab, _errors in tabs:
            assert_neutral(tab)
        assert not error_answers, f"run {run + 1}: {error_answers}"

    for _tab, console_errors in tabs:
        # The neutral page names no icon; the browser's own try at /favicon.ico is not an error.
        assert not [error for error in console_errors if "/favicon.ico" not in error]
    # Locked as designed: a client page asks for the password.
    tabs[0][0].goto(pages[0])
    assert reverse("accounts:unlock") in tabs[0][0].url


@pytest.mark.parametrize("width", [1000, 1100, 1280, 1440])
def test_quick_exit_stays_on_screen_beside_a_long_menu(signed_in_tab, manager, service, width):
    """A manager of two services has the longest menu (Insights tables, Impact reports, Audit
    trail and the service switcher): at 1000-1100px it pushed Quick exit out of sight."""
    from accounts.models import Role
    from tests.factories import MembershipFactory, ServiceFactory

    MembershipFactory(
        user=manager,
        service=ServiceFactory(name="Ruby - Royal Hospital", provider=service.provider),
        role=Role.SERVICE_MANAGER,
    )
    tab, errors = signed_in_tab(manager)
    tab.set_viewport_size({"width": width, "height": 700})
    tab.goto(reverse("home"))
    button = tab.get_by_role("button", name="Quick exit")
    box = button.bounding_box()
    assert box is not None and button.is_visible()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)
    assert box["height"] < 40, "the button's label wraps onto two lines"
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    assert not errors, errors


def test_escape_twice_from_an_open_list_with_unsaved_notes(
    signed_in_tab, screenshot, caseworker, service
):
    """A select's open list takes the keydown of the Escape that closes it (the page sees only
    its keyup): Escape twice closed the list and left the contact form, notes and all, on
    screen."""
    case = CaseFactory(service=service)
    tab, errors = signed_in_tab(caseworker)
    journey = Journey(tab, errors, name="quick-exit-open-list", screenshot=screenshot)
    tab.goto(reverse("cases:contact_add", args=[case.pk]))
    journey.page("log-contact")
    journey.type_into(tab.get_by_label("Notes"), "She is at her sister's on Elm Road.")
    journey.focus_by_tab(tab.get_by_label("Contact type"))
    tab.keyboard.press("Alt+ArrowDown")  # opens the list
    tab.keyboard.press("Escape")
    tab.keyboard.press("Escape")
    assert_neutral(tab)
    journey.page("neutral")
    journey.finish()
