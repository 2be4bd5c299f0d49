"""Appointments and the diary (issue 22, item 2): the safety warnings of a meeting with the
client (safe times, unsafe channel, unsafe address) shown before saving and saved only with an
acknowledgement, the week panel, the team's week, tomorrow's reminder, cancelling, and the
refusal to undo someone else's change."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from cases.models import SafeToContact
from support import services_appointments as services
from support.models import Appointment
from support.safe_times import read_safe_times
from tests.factories import CaseFactory, ClientFactory
from tests.factories_diary import AppointmentFactory, CourtHearingFactory


def _next(weekday: int, hour: int, minute: int = 0) -> datetime.datetime:
    """The next `weekday` (0 = Monday) after today at hour:minute, local time."""
    day = timezone.localdate() + datetime.timedelta(days=1)
    while day.weekday() != weekday:
        day += datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _case(service, caseworker, **client_fields):
    client = ClientFactory(service=service, **client_fields)
    return CaseFactory(service=service, client=client, caseworker=caseworker)


def _form(starts_at, **fields):
    data = {
        "kind": "client_meeting",
        "channel": "in_person",
        "starts_at": timezone.localtime(starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(starts_at + datetime.timedelta(hours=1)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "place": "Family centre",
        "with_whom": "",
        "notes": "",
    }
    data.update(fields)
    return data


@pytest.mark.parametrize(
    ("text", "start", "inside"),
    [
        ("Mornings only", (1, 10), True),
        ("Mornings only", (1, 14), False),
        ("after 3pm", (2, 16), True),
        ("after 3pm", (2, 11), False),
        ("weekdays 9-12", (0, 9), True),
        ("weekdays 9-12", (5, 10), False),
        ("Tuesdays and Thursdays, afternoons", (3, 13), True),
        ("Tuesdays and Thursdays, afternoons", (2, 13), False),
    ],
)
def test_common_ways_of_writing_safe_times_are_read(text, start, inside):
    starts_at = timezone.localtime(_next(*start))
    assert (
        read_safe_times(text).allows(starts_at, starts_at + datetime.timedelta(hours=1)) is inside
    )


@pytest.mark.parametrize("text", ["not when he is home", "ring first", "25-26", ""])
def test_safe_times_that_cannot_be_read_with_confidence_are_not_guessed(text):
    assert read_safe_times(text) is None


def test_a_meeting_outside_the_safe_times_is_warned_on_the_form_and_not_saved(
    client_for, service, caseworker
):
    case = _case(service, caseworker, safe_times="Mornings only")
    web = client_for(caseworker)
    url = reverse("support:appointment_add", args=[case.pk])
    response = web.post(url, _form(_next(1, 15)))
    assert response.status_code == 200
    assert "outside the client&#x27;s safe times: Mornings only" in response.content.decode()
    assert not Appointment.objects.exists()
    # Ticked: saved, with the warning and the acknowledgement kept.
    response = web.post(url, _form(_next(1, 15), warnings_acknowledged="on"))
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert "outside the client's safe times" in appointment.warnings
    assert appointment.warnings_acknowledged
    assert appointment.caseworker == caseworker
    # And the appointment's page shows it again.
    page = web.get(response.url).content.decode()
    assert "Safety warnings" in page and "Mornings only" in page


def test_a_meeting_inside_the_safe_times_saves_without_a_warning(client_for, service, caseworker):
    case = _case(service, caseworker, safe_times="Mornings only")
    response = client_for(caseworker).post(
        reverse("support:appointment_add", args=[case.pk]), _form(_next(1, 10))
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.warnings == "" and not appointment.warnings_acknowledged


def test_safe_times_that_cannot_be_read_ask_the_caseworker_to_check(service, caseworker):
    case = _case(service, caseworker, safe_times="Not when he is home")
    warnings = services.appointment_warnings(
        case.client,
        kind="client_meeting",
        channel="in_person",
        starts_at=_next(1, 10),
        ends_at=_next(1, 11),
        place="Library",
    )
    assert warnings == ["Check the client's safe times: Not when he is home"]


def test_a_phone_appointment_when_the_client_is_not_safe_to_call_is_warned(service, caseworker):
    case = _case(service, caseworker, safe_to_call=SafeToContact.NO)
    with pytest.raises(ValidationError) as refused:
        services.appointment_book(
            case=case,
            actor=caseworker,
            kind="client_meeting",
            channel="phone",
            starts_at=_next(1, 10),
            ends_at=_next(1, 11),
        )
    assert "not safe to call" in str(refused.value)
    # The same call with the professionals is not a call to the client.
    services.appointment_book(
        case=case,
        actor=caseworker,
        kind="professional",
        channel="phone",
        starts_at=_next(1, 10),
        ends_at=_next(1, 11),
    )
    assert Appointment.objects.count() == 1


def test_a_home_visit_without_a_safe_address_is_warned(service, caseworker):
    case = _case(service, caseworker, postcode="LS1 4AP", safe_address="")
    warn = services.appointment_warnings
    common = {"kind": "client_meeting", "channel": "in_person"}
    times = {"starts_at": _next(1, 10), "ends_at": _next(1, 11)}
    assert any(
        "no safe address" in w for w in warn(case.client, place="Her home", **common, **times)
    )
    assert any(
        "no safe address" in w
        for w in warn(case.client, place="12 Road, LS14AP", **common, **times)
    )
    assert warn(case.client, place="Library", **common, **times) == []


def test_the_client_is_never_reminded_only_the_caseworker(client_for, service, caseworker):
    case = _case(service, caseworker)
    AppointmentFactory(case=case, caseworker=caseworker)  # tomorrow at 10
    home = client_for(caseworker).get(reverse("home")).content.decode()
    assert "Appointment tomorrow at 10:00" in home


def test_the_week_panel_shows_my_appointments_and_my_cases_court_dates_by_day(
    client_for, service, caseworker, team_leader
):
    case = _case(service, caseworker)
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    at = timezone.make_aware(datetime.datetime.combine(monday, datetime.time(11)))
    AppointmentFactory(
        case=case, caseworker=caseworker, starts_at=at, ends_at=at + datetime.timedelta(hours=1)
    )
    CourtHearingFactory(case=case, starts_at=at + datetime.timedelta(days=2))
    cancelled = AppointmentFactory(
        case=case,
        caseworker=caseworker,
        starts_at=at + datetime.timedelta(days=1),
        ends_at=at + datetime.timedelta(days=1, hours=1),
    )
    services.appointment_cancel(appointment=cancelled, actor=caseworker, reason="Client unwell")
    # Someone else's appointment is in their diary, not mine.
    AppointmentFactory(
        case=case, caseworker=team_leader, starts_at=at, ends_at=at + datetime.timedelta(hours=1)
    )
    response = client_for(caseworker).get(reverse("home"))
    panels = response.context["panels"]
    panel = next(p["context"] for p in panels if p["template"].endswith("week_panel.html"))
    entries = [(d["day"], e.kind) for d in panel["days"] for e in d["entries"]]
    assert entries == [(monday, "Appointment"), (monday + datetime.timedelta(days=2), "Court")]
    assert case.reference in response.content.decode()


def test_the_team_leaders_week_is_by_caseworker_and_audited(
    client_for, service, caseworker, team_leader
):
    case = _case(service, caseworker)
    today = timezone.localdate()
    at = timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)))
    AppointmentFactory(
        case=case, caseworker=caseworker, starts_at=at, ends_at=at + datetime.timedelta(hours=1)
    )
    response = client_for(team_leader).get(reverse("support:team_diary"))
    assert response.status_code == 200
    ((worker, days),) = response.context["rows"]
    assert worker == caseworker
    assert sum(len(d["entries"]) for d in days) == 1
    assert AuditEvent.objects.filter(actor=team_leader, detail__page="team diary").exists()


def test_cancelling_needs_a_reason_and_keeps_the_row(client_for, service, caseworker):
    appointment = AppointmentFactory(case=_case(service, caseworker), caseworker=caseworker)
    web = client_for(caseworker)
    url = reverse("support:appointment_cancel", args=[appointment.pk])
    assert web.post(url, {"cancellation_reason": ""}).status_code == 200
    assert web.post(url, {"cancellation_reason": "Client asked to move it"}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.is_cancelled and appointment.cancelled_by == caseworker


def test_a_change_does_not_undo_someone_elses(client_for, service, caseworker, team_leader):
    appointment = AppointmentFactory(case=_case(service, caseworker), caseworker=caseworker)
    web = client_for(caseworker)
    url = reverse("support:appointment_edit", args=[appointment.pk])
    loaded = web.get(url).context["form"]
    state = loaded["edit_state"].value()
    services.appointment_change(appointment=appointment, actor=team_leader, place="Court annexe")
    data = _form(appointment.starts_at, kind="professional", place="Town hall", edit_state=state)
    response = web.post(url, data)
    assert response.status_code == 200
    appointment.refresh_from_db()
    assert appointment.place == "Court annexe"


def test_viewing_an_appointment_is_audited_and_another_services_is_404(
    client_for, service, caseworker, outsider
):
    appointment = AppointmentFactory(case=_case(service, caseworker), caseworker=caseworker)
    url = reverse("support:appointment_detail", args=[appointment.pk])
    assert client_for(caseworker).get(url).status_code == 200
    assert AuditEvent.objects.filter(
        actor=caseworker, action=AuditEvent.Action.VIEW, object_id=str(appointment.pk)
    ).exists()
    assert client_for(outsider).get(url).status_code == 404
    assert AuditEvent.objects.filter(actor=outsider, action=AuditEvent.Action.DENIED).exists()
