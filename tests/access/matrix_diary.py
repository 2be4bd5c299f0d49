"""Access rows for appointments (support/urls.py) and court hearings (outcomes/urls.py).

Readers of the case's service see the lists and pages; only those who may edit cases reach the
booking, change and cancel pages (the others who can see the case get 403); everyone else 404,
as for a case that does not exist. The team's week is the team leader's (404 for the rest)."""

from tests.factories import CaseFactory
from tests.factories_diary import AppointmentFactory, CourtHearingFactory

from .matrix import CASEWORKER, MANAGER, READ_ONLY, TEAM_LEADER, Entry, only

READERS = {CASEWORKER, READ_ONLY, TEAM_LEADER, MANAGER}
EDITORS = {CASEWORKER, TEAM_LEADER}


def read(status=200):
    return only(status, READERS)


def edit(status=200):
    return {**only(status, EDITORS), READ_ONLY: 403, MANAGER: 403}


def build(world):
    world.diary_case = CaseFactory(service=world.service)
    world.diary_appointment = AppointmentFactory(
        case=world.diary_case, caseworker=world.users[CASEWORKER]
    )
    world.diary_hearing = CourtHearingFactory(case=world.diary_case)


BUILDERS = dict.fromkeys(("diary_case", "diary_appointment", "diary_hearing"), build)


def _case_pk(world):
    return {"case_pk": world.diary_case.pk}


def _case_id(world):
    return {"case_id": world.diary_case.pk}


def _appointment(world):
    return {"pk": world.diary_appointment.pk}


def _hearing(world):
    return {"pk": world.diary_hearing.pk}


ENTRIES = [
    Entry("support:appointment_list", _case_pk, read()),
    Entry("support:appointment_add", _case_pk, edit()),
    # An empty form comes back with its errors.
    Entry("support:appointment_add", _case_pk, edit(), method="post"),
    Entry("support:appointment_detail", _appointment, read()),
    Entry("support:appointment_edit", _appointment, edit()),
    Entry("support:appointment_edit", _appointment, edit(), method="post"),
    Entry("support:appointment_cancel", _appointment, edit()),
    # Without a reason nothing is cancelled and the page asks again.
    Entry("support:appointment_cancel", _appointment, edit(), method="post"),
    Entry("support:team_diary", expected=only(200, {TEAM_LEADER})),
    Entry("outcomes:hearing_list", _case_id, read()),
    Entry("outcomes:hearing_add", _case_id, edit()),
    Entry("outcomes:hearing_add", _case_id, edit(), method="post"),
    Entry("outcomes:hearing_detail", _hearing, read()),
    Entry("outcomes:hearing_edit", _hearing, edit()),
    Entry("outcomes:hearing_edit", _hearing, edit(), method="post"),
]
