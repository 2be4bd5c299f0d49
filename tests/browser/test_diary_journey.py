"""A caseworker books a meeting with a client whose safe times are "Mornings only" for the
afternoon: the form warns and refuses until the warning is acknowledged, and the appointment's
page shows it (issue 22, item 2). Then a non-molestation order hearing is recorded and the civil
justice form, once started, has the order filled in (item 3). Keyboard only, axe on every page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from outcomes.models import CivilJusticeForm, CourtHearing
from support.models import Appointment
from tests.factories import CaseFactory, ClientFactory

from .journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _type_datetime(journey, field, moment: datetime.datetime):
    """A datetime-local field, typed as a person does: the date, then the time. The day and
    the month are the same number (see the test), so the locale's order of them is no matter."""
    assert moment.day == moment.month
    journey.focus_by_tab(field)
    journey.tab.keyboard.type(moment.strftime("%d%m%Y"))
    journey.tab.keyboard.press("ArrowRight")
    journey.tab.keyboard.type(moment.strftime("%H%M"))
    assert field.input_value() == moment.strftime("%Y-%m-%dT%H:%M"), field.input_value()


def test_booking_outside_safe_times_warns_and_a_hearing_prefills_the_civil_form(
    signed_in_tab, screenshot, caseworker, service
):
    client = ClientFactory(service=service, safe_times="Mornings only")
    case = CaseFactory(service=service, client=client, caseworker=caseworker)
    # 12 December next year: in the future, and typed alike day-first or month-first.
    day = datetime.date(timezone.localdate().year + 1, 12, 12)
    afternoon = datetime.datetime.combine(day, datetime.time(15, 0))
    tab, errors = signed_in_tab(caseworker)
    journey = Journey(tab, errors, name="diary", screenshot=screenshot)

    tab.goto(reverse("support:appointment_list", args=[case.pk]))
    journey.page("appointments")
    journey.follow(tab.get_by_role("link", name="Book an appointment"))
    journey.page("book")
    journey.choose(tab.get_by_label("Type"), "Meeting with the client")
    _type_datetime(journey, tab.get_by_label("Starts"), afternoon)
    _type_datetime(journey, tab.get_by_label("Ends"), afternoon + datetime.timedelta(hours=1))
    journey.type_into(tab.get_by_label("Place"), "Family centre")
    journey.submit(tab.get_by_role("button", name="Save"))
    journey.page("book-warned")
    assert "outside the client's safe times: Mornings only" in tab.content().replace("&#x27;", "'")
    assert not Appointment.objects.exists()
    journey.tick(tab.get_by_label("I have checked: it is safe to go ahead despite the warnings"))
    journey.submit(tab.get_by_role("button", name="Save"))
    journey.page("appointment")
    assert "Safety warnings" in tab.content()
    assert Appointment.objects.get().warnings_acknowledged

    tab.goto(reverse("outcomes:hearing_add", args=[case.pk]))
    journey.page("record-hearing")
    journey.type_into(tab.get_by_label("Court"), "Family court")
    _type_datetime(journey, tab.get_by_label("Date and time"), afternoon)
    journey.choose(tab.get_by_label("Hearing"), "Civil: non-molestation order")
    journey.choose(tab.get_by_label("Order status"), "Granted")
    journey.submit(tab.get_by_role("button", name="Save"))
    journey.page("hearing")
    assert CourtHearing.objects.get().order_status == "Granted"

    tab.goto(reverse("outcomes:case_forms", args=[case.pk]))
    journey.page("forms")
    civil = tab.locator(f"form[action='{reverse('outcomes:form_start', args=[case.pk, 'civil'])}']")
    journey.submit(civil.get_by_role("button", name="Start"))
    journey.page("civil-form")
    form = CivilJusticeForm.objects.get()
    assert {o.order_type: o.status for o in form.orders.all()} == {
        "Non-molestation order": "Granted"
    }
    # The first order of the form is the non-molestation order.
    assert tab.locator("input[name='order_0'][value='Granted']").is_checked()
    journey.finish()
