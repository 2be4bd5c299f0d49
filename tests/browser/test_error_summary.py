"""A form that comes back with several errors opens with the error summary (the GOV.UK Design
System's pattern): it has the focus, so it is read out, it says how many problems there are,
and each of its links, followed with Enter, puts the focus on its field. With one error the
focus still goes straight to the field. Keyboard only, every page checked with axe-core, at a
desk's width and a phone's."""

import pytest
from django.urls import reverse

from cases.models import Contact
from outcomes import services as outcome_services
from tests.conftest import open_tab
from tests.factories import CaseFactory, ClientFactory

from .journey import PHONE, Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desk", "phone"])
def test_a_contact_with_two_fields_wrong_opens_with_a_summary_whose_links_reach_the_fields(
    signed_in_tab, screenshot, caseworker, service, viewport
):
    case = CaseFactory(service=service, client=ClientFactory(service=service))
    tab, errors = signed_in_tab(caseworker)
    if viewport:
        tab.set_viewport_size(viewport)
    width = tab.viewport_size["width"]
    journey = Journey(tab, errors, name=f"error-summary-{width}", screenshot=screenshot)
    tab.goto(reverse("cases:contact_add", args=[case.pk]))
    journey.page("log-contact")

    # One field wrong (no type chosen): the focus goes to it, as before; no summary.
    journey.submit(tab.get_by_role("button", name="Save contact"))
    journey.page("one-error")
    assert tab.locator("[data-error-summary]").count() == 0
    assert _focused(tab.get_by_label("Contact type"))

    # Two wrong (no type, and longer than a day): the summary has the focus, and is read out.
    journey.type_into(tab.get_by_label("Duration (minutes)"), "99999")
    journey.submit(tab.get_by_role("button", name="Save contact"))
    journey.page("two-errors")
    summary = tab.locator("[data-error-summary]")
    assert _focused(summary)
    journey.assert_focus_visible()
    assert summary.get_by_role("heading").inner_text() == "There are 2 problems"
    assert summary.get_by_role("alert").count() == 1
    assert tab.evaluate("document.documentElement.scrollWidth") <= width

    # Each link, followed with Enter, puts the focus on its field (not only scrolls to it).
    duration = summary.get_by_role("link", name="Duration (minutes): A contact cannot last")
    journey.focus_by_tab(duration)
    tab.keyboard.press("Enter")
    field = tab.get_by_label("Duration (minutes)")
    assert _focused(field)
    journey.assert_focus_visible()
    assert field.evaluate("element => element.getBoundingClientRect().top >= 0")

    contact_type = summary.get_by_role("link", name="Contact type: This field is required.")
    journey.focus_by_tab(contact_type)  # back up the page, with Shift+Tab
    tab.keyboard.press("Enter")
    assert _focused(tab.get_by_label("Contact type"))
    journey.page("followed-a-link")

    # Put right from there, the contact is saved.
    journey.choose(tab.get_by_label("Contact type"), "Phone")
    journey.type_into(tab.get_by_label("Duration (minutes)"), "20")
    journey.submit(tab.get_by_role("button", name="Save contact"))
    journey.page("case")
    assert Contact.objects.get(case=case).duration_minutes == 20
    journey.finish()


def test_a_link_to_a_radio_question_puts_the_focus_on_its_first_answer(
    signed_in_tab, screenshot, caseworker, service
):
    """The intake form submitted with its required questions left: most are radio groups,
    whose legend is for no input, so the link goes to the group's first radio."""
    case = CaseFactory(service=service)
    intake = outcome_services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    tab, errors = signed_in_tab(caseworker)
    journey = Journey(tab, errors, name="error-summary-radios", screenshot=screenshot)
    tab.goto(reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk}))
    journey.page("intake")
    journey.submit(tab.get_by_role("button", name="Submit", exact=True))
    journey.page("intake-required")
    summary = tab.locator("[data-error-summary]")
    assert _focused(summary)
    invalid_groups = tab.locator("input[type=radio][aria-invalid=true]").evaluate_all(
        "radios => new Set(radios.map(radio => radio.name)).size"
    )
    assert invalid_groups >= 2
    assert summary.get_by_role("heading").inner_text().startswith("There are ")
    link = summary.locator("a[href$='_0']").first
    target = link.get_attribute("href").removeprefix("#")
    journey.focus_by_tab(link)
    tab.keyboard.press("Enter")
    radio = tab.locator(f"#{target}")
    assert radio.get_attribute("type") == "radio"
    assert _focused(radio)
    # The question (its legend) is in view above its answers, not scrolled off the top.
    legend = tab.locator("fieldset").filter(has=radio).last.locator("legend").first
    assert legend.evaluate("element => element.getBoundingClientRect().top >= 0")
    journey.page("followed-to-a-radio")
    journey.finish()


def test_signing_in_with_nothing_typed_opens_with_the_summary(browser_context, screenshot):
    """allauth's forms go through templates/allauth/elements/fields.html, summary and all."""
    tab, errors = open_tab(browser_context)
    journey = Journey(tab, errors, name="error-summary-sign-in", screenshot=screenshot)
    tab.goto(reverse("account_login"))
    journey.page("sign-in")
    journey.submit(tab.get_by_role("button", name="Sign in"))
    journey.page("sign-in-empty")
    summary = tab.locator("[data-error-summary]")
    assert _focused(summary)
    assert summary.get_by_role("heading").inner_text() == "There are 2 problems"
    journey.focus_by_tab(summary.get_by_role("link").nth(1))
    tab.keyboard.press("Enter")
    assert _focused(tab.get_by_label("Password"))
    journey.finish()
