"""What the journeys share: a record of the pages a tab visits (each checked with axe-core and
photographed), keyboard-only ways to fill a form, and the sign-in code of an authenticator app."""

import base64
import hashlib
import hmac
import struct
import time
from urllib.parse import urlsplit

from tests.conftest import axe_violations

MAX_TAB_PRESSES = 400
# The phone the walks check pages at (390 px wide: where tables and sticky bars misbehaved).
PHONE = {"width": 390, "height": 844}


# Seconds of its 30 s step a code typed in the browser keeps at least: Lantern accepts only the
# current step, and typing it, key by key, then signing in takes a few seconds.
BROWSER_TOTP_MARGIN = 10


def totp_code(secret: str, at: float | None = None) -> str:
    """The six digits an authenticator app shows for a base32 secret (RFC 6238: SHA-1, 30 s).
    For now (no `at`), taken with at least BROWSER_TOTP_MARGIN seconds of its step left (it
    waits for the next step if need be): a code typed in a step's last moment would be refused
    by the time the form is sent."""
    if at is None:
        left = 30 - time.time() % 30
        if left < BROWSER_TOTP_MARGIN:
            time.sleep(left + 0.05)
        at = time.time()
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int(at // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


class Journey:
    """One user's way through Lantern in one tab.

    `page(name)` is called on every page the journey reaches: it runs axe-core there and saves a
    screenshot. `finish()` fails the test on any serious or critical axe violation, any console
    error, or any page the tab showed that was never checked.
    """

    def __init__(self, tab, console_errors, *, name, screenshot):
        self.tab = tab
        self.name = name
        self.console_errors = console_errors
        self._screenshot = screenshot
        self.visited: list[str] = []
        self.checked: set[str] = set()
        self.violations: dict[str, list[str]] = {}
        tab.on("framenavigated", self._navigated)

    def _navigated(self, frame):
        if frame == self.tab.main_frame and frame.url.startswith("http"):
            self.visited.append(urlsplit(frame.url).path)

    @property
    def path(self) -> str:
        return urlsplit(self.tab.url).path

    def page(self, name: str):
        """Checks the page now on screen (axe-core) and saves its screenshot."""
        self.tab.wait_for_load_state("load")
        found = axe_violations(self.tab)
        if found:
            self.violations[f"{name} ({self.path})"] = found
        self.checked.add(self.path)
        self._screenshot(self.tab, self.name, name)

    def finish(self):
        unchecked = sorted(set(self.visited) - self.checked)
        assert not unchecked, f"pages visited but not checked with axe: {unchecked}"
        assert not self.violations, "serious or critical axe violations:\n" + "\n".join(
            f"{page}: {line}" for page, lines in self.violations.items() for line in lines
        )
        assert not self.console_errors, self.console_errors

    # Keyboard only: every step below presses or types keys and never clicks. They read the page
    # (which element has focus) to know when to stop pressing Tab, as a person looks at it.

    def _focused(self, locator) -> bool:
        return locator.evaluate("element => element === document.activeElement")

    def focus_by_tab(self, locator):
        """Presses Tab until `locator` has the focus (Shift+Tab when it comes before the focus
        in the page, as a person would), and checks that the focus is visible."""
        locator.wait_for(state="visible")
        backwards = locator.evaluate(
            "element => Boolean(document.activeElement && document.activeElement !== document.body"
            " && element.compareDocumentPosition(document.activeElement)"
            " & Node.DOCUMENT_POSITION_FOLLOWING)"
        )
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(MAX_TAB_PRESSES):
            if self._focused(locator):
                self.assert_focus_visible()
                return
            self.tab.keyboard.press(key)
        raise AssertionError(f"{locator} was never reached with {key}")

    def assert_focus_visible(self):
        """WCAG 2.4.7: the focused element shows a focus ring of its own (lantern.css gives
        every :focus-visible element a 3px outline)."""
        ring = self.tab.evaluate(
            """() => {
                const element = document.activeElement;
                const style = getComputedStyle(element);
                return {visible: element.matches(":focus-visible"), style: style.outlineStyle,
                        width: parseFloat(style.outlineWidth), tag: element.outerHTML.slice(0, 80)};
            }"""
        )
        assert ring["visible"] and ring["style"] != "none" and ring["width"] >= 2, ring

    def follow(self, link):
        """Tab to a link or button and press Enter, then wait for the next page."""
        self.focus_by_tab(link)
        with self.tab.expect_navigation():
            self.tab.keyboard.press("Enter")

    def submit(self, button):
        self.follow(button)

    def type_into(self, field, text: str):
        self.focus_by_tab(field)
        self.tab.keyboard.press("ControlOrMeta+a")
        self.tab.keyboard.press("Delete")
        self.tab.keyboard.type(text)

    def type_date(self, field, day: int, month: int, year: int):
        """A date input, typed segment by segment. Its order of segments follows the browser's
        own locale (dd/mm/yyyy in a British one): a person reads it off the field; the test
        types day first and, if the field took that as the month, types again month first."""
        self.focus_by_tab(field)
        expected = f"{year:04d}-{month:02d}-{day:02d}"
        self.tab.keyboard.type(f"{day:02d}{month:02d}{year:04d}")
        if field.input_value() != expected:
            # Back from the year segment to the first one, and over again.
            self.tab.keyboard.press("Shift+Tab")
            self.tab.keyboard.press("Shift+Tab")
            self.tab.keyboard.type(f"{month:02d}{day:02d}{year:04d}")
        assert field.input_value() == expected, field.input_value()

    def choose(self, select, label: str):
        """A closed <select>: typing the start of an option picks it, as in every browser."""
        self.focus_by_tab(select)
        self.tab.keyboard.type(label)
        chosen = select.evaluate("s => s.options[s.selectedIndex].text")
        assert chosen.startswith(label), f"typed {label!r}, got {chosen!r}"

    def tick(self, checkbox):
        self.focus_by_tab(checkbox)
        if not checkbox.is_checked():
            self.tab.keyboard.press("Space")
        assert checkbox.is_checked()

    def pick(self, radio):
        """A radio button: Tab reaches its group, the arrow keys move to it."""
        name = radio.get_attribute("name")
        group = self.tab.locator(f"input[type=radio][name='{name}']")
        for _ in range(MAX_TAB_PRESSES):
            if group.evaluate_all("radios => radios.includes(document.activeElement)"):
                break
            self.tab.keyboard.press("Tab")
        else:
            raise AssertionError(f"radio group {name} was never reached with Tab")
        for _ in range(group.count()):
            if self._focused(radio):
                break
            self.tab.keyboard.press("ArrowDown")
        if not radio.is_checked():
            self.tab.keyboard.press("Space")
        assert radio.is_checked(), f"{radio} not chosen"
