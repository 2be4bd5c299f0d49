"""The diary's demo seeders: this week's appointments for the demo caseworker and court
hearings on a couple of cases; a second run creates nothing."""

from django.utils import timezone

from accounts.demo import DEMO_USERS
from accounts.models import Role
from outcomes.demo_hearings import seed_demo_hearings
from outcomes.models import CourtHearing
from support.demo_diary import seed_demo_appointments
from support.models import Appointment
from support.selectors_appointments import my_week
from tests.factories import CaseFactory, MembershipFactory, UserFactory


def test_the_demo_caseworker_has_a_week_and_a_second_run_adds_nothing(service):
    worker = UserFactory(email=DEMO_USERS[0][0])
    MembershipFactory(user=worker, service=service, role=Role.CASEWORKER)
    for _ in range(6):
        CaseFactory(service=service, caseworker=worker)
    for _ in range(2):
        seed_demo_appointments(services={"S": service})
        seed_demo_hearings(services={"S": service})
    assert Appointment.objects.filter(caseworker=worker).count() == 5
    assert CourtHearing.objects.count() == 4
    week = my_week(worker, service, timezone.localdate())
    kinds = {entry.kind for day in week for entry in day["entries"]}
    assert kinds == {"Appointment", "Court"}
