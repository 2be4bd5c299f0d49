"""Access rows for a client's data-rights requests (dataprotection/urls.py).

Everyone who may read the case sees its correction requests; those who may edit it record one
(a read-only caseworker and the manager get 403); a team leader or the manager answers one (the
caseworkers get 403); everyone else gets 404, as for a case that does not exist. POSTs send an
empty form: 400 with the errors in place for those allowed."""

from tests.factories import CaseFactory

from .matrix import CASEWORKER, MANAGER, READ_ONLY, TEAM_LEADER, Entry, only

READERS = {CASEWORKER, READ_ONLY, TEAM_LEADER, MANAGER}


def build(world):
    from dataprotection.models import RectificationRequest

    world.rights_case = CaseFactory(service=world.service)
    world.rights_request = RectificationRequest.objects.create(
        case=world.rights_case,
        received_on=world.rights_case.opened_on,
        requested="The date of birth is wrong.",
        recorded_by=world.users[CASEWORKER],
    )


BUILDERS = dict.fromkeys(("rights_case", "rights_request"), build)


def _case(world):
    return {"pk": world.rights_case.pk}


def _request(world):
    return {"pk": world.rights_case.pk, "request_pk": world.rights_request.pk}


ENTRIES = [
    Entry("dataprotection:corrections", _case, only(200, READERS)),
    Entry(
        "dataprotection:correction_record",
        _case,
        {**only(400, READERS), READ_ONLY: 403, MANAGER: 403},
        method="post",
    ),
    Entry(
        "dataprotection:correction_answer",
        _request,
        {**only(400, READERS), CASEWORKER: 403, READ_ONLY: 403},
        method="post",
    ),
]
