"""Demo appointments (seed_demo, through accounts.demo's registry): this week's diary for the
demo caseworker. Synthetic; a second run creates nothing."""

import datetime

from django.utils import timezone

from accounts.demo import DEMO_USERS
from accounts.models import User
from cases.models import Case

from .models import Appointment
from .services_appointments import appointment_book

# (weekday, hour, type, channel, place, with whom)
_DEMO_WEEK = (
    (0, 10, "client_meeting", "in_person", "Family centre, room 2", "The client"),
    (1, 14, "professional", "video", "", "Children's social worker"),
    (2, 11, "marac", "in_person", "Civic centre", "MARAC panel"),
    (3, 10, "client_meeting", "phone", "", "The client"),
    (4, 15, "court", "in_person", "Magistrates' court", "The client and the witness service"),
)


def _at(monday: datetime.date, weekday: int, hour: int) -> datetime.datetime:
    day = monday + datetime.timedelta(days=weekday)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def seed_demo_appointments(*, services, stdout=None) -> None:
    """The demo caseworker's first open cases in each service get one appointment each this
    week (client meetings, a professional meeting, MARAC, court), booked through the service
    so that the safety warnings are checked (and acknowledged, as a caseworker would)."""
    caseworker = User.objects.filter(email=DEMO_USERS[0][0]).first()
    if caseworker is None:
        return
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    booked = 0
    for service in services.values():
        cases = Case.objects.filter(
            service=service, status=Case.Status.OPEN, caseworker=caseworker
        ).order_by("pk")[: len(_DEMO_WEEK)]
        for case, (weekday, hour, kind, channel, place, with_whom) in zip(
            cases, _DEMO_WEEK, strict=False
        ):
            if Appointment.objects.filter(case=case).exists():
                continue
            starts_at = _at(monday, weekday, hour)
            appointment_book(
                case=case,
                actor=caseworker,
                kind=kind,
                channel=channel,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(hours=1),
                place=place,
                with_whom=with_whom,
                warnings_acknowledged=True,
            )
            booked += 1
    if stdout is not None:
        stdout.write(f"Appointments: {booked} booked this week for the demo caseworker.")
