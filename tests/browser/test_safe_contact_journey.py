"""A caseworker logs a phone call for a client marked "not safe to call": the log-contact page
names the client discreetly, warns as soon as "Phone" is chosen, refuses the contact until the
caseworker confirms it was safe this time and says why, and the saved contact records that
confirmation (issue 18, item 4); the contact is then corrected and keeps its earlier version
(item 6). Keyboard only, every page checked with axe-core."""

import pytest
from django.urls import reverse

from cases.models import Contact, SafeToContact
from tests.factories import CaseFactory, ClientFactory

from .journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_logging_a_call_to_a_client_not_safe_to_call_warns_and_records_the_confirmation(
    signed_in_tab, screenshot, caseworker, service
):
    client = ClientFactory(
        service=service,
        first_name="Marnie",
        last_name="Quillfeather",
        safe_phone="07700 900555",
        safe_to_call=SafeToContact.NO,
        safe_to_text=SafeToContact.YES,
    )
    case = CaseFactory(service=service, client=client, caseworker=caseworker)
    tab, errors = signed_in_tab(caseworker)
    journey = Journey(tab, errors, name="safe-contact", screenshot=screenshot)
    tab.goto(reverse("cases:case_detail", args=[case.pk]))
    journey.page("case")
    # The banner says calls are not safe, and gives the number to text instead.
    banner = tab.locator(".safe-contact").inner_text()
    assert "Call: Not" in banner or "Call: No" in banner
    assert "07700 900555" in tab.locator(".safe-text-number").inner_text()

    journey.follow(tab.get_by_role("link", name="Log contact"))
    journey.page("log-contact")
    assert "Marnie Q." in tab.locator(".contact-client").inner_text()
    assert "Quillfeather" not in tab.locator(".contact-client").inner_text()
    warning = tab.locator("#unsafe-channel")
    assert warning.is_hidden()
    journey.choose(tab.get_by_label("Contact type"), "Phone")
    warning.wait_for(state="visible")
    assert "not safe to call" in warning.inner_text()
    journey.page("log-contact-warned")
    journey.type_into(tab.get_by_label("Notes"), "Called to arrange a meeting.")

    # Saved without the confirmation: refused, the warning stays, nothing is saved.
    journey.submit(tab.get_by_role("button", name="Save contact"))
    journey.page("log-contact-refused")
    assert "not safe to call" in tab.locator("#unsafe-channel").inner_text()
    assert not Contact.objects.filter(case=case).exists()

    journey.tick(tab.get_by_label("I have checked it was safe this time"))
    journey.type_into(
        tab.get_by_label("Why it was safe this time"),
        "She rang from a friend's phone and asked us to call back within the hour.",
    )
    journey.submit(tab.get_by_role("button", name="Save contact"))
    journey.page("case-after-contact")
    assert reverse("cases:case_detail", args=[case.pk]) in tab.url

    contact = Contact.objects.get(case=case)
    assert contact.contact_type == Contact.ContactType.PHONE
    assert contact.unsafe_channel_confirmed is True
    assert "not safe to call" in contact.unsafe_channel_warning
    assert contact.unsafe_channel_reason.startswith("She rang from a friend's phone")

    # The contact, opened from the case page, shows the confirmation.
    journey.follow(tab.locator(".contact-table a").first)
    journey.page("contact")
    assert "She rang from a friend's phone" in tab.locator("main").inner_text()

    # Corrected: the earlier version stays on the contact's page (issue 18, item 6).
    journey.follow(tab.get_by_role("link", name="Correct this contact"))
    journey.page("correct-contact")
    assert tab.locator("#unsafe-channel").is_visible()  # still a call: still confirmed
    journey.type_into(tab.get_by_label("Notes"), "Called to arrange a meeting on Friday.")
    journey.type_into(tab.get_by_label("What are you correcting, and why?"), "Added the day.")
    journey.submit(tab.get_by_role("button", name="Save correction"))
    journey.page("contact-corrected")
    main = tab.locator("main").inner_text()
    assert "Called to arrange a meeting on Friday." in main
    assert "Earlier versions" in main and "Added the day." in main
    contact.refresh_from_db()
    assert contact.version == 1 and contact.revisions.get().notes == "Called to arrange a meeting."
    journey.finish()
