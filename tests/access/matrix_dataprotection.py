"""Access rows for a client's data-rights pages (dataprotection/urls.py).

Everyone who may read the case sees its correction requests and legal holds; a team leader or
the manager opens the page erasing its client's record (the caseworkers get 403); those who may edit
it record a correction request (a read-only caseworker and the manager get 403); a team leader or
the manager answers one, places and lifts holds, and handles subject access requests (the
caseworkers get 403); everyone else gets 404, as for a case that does not exist. POSTs send an
empty form: 400 with the errors in place for those allowed.

The retention review is the service manager's alone: its start page refuses (403) anyone who
reviews no service, and a service's review is 404 for anyone who does not review it."""

from tests.factories import CaseFactory

from .matrix import CASEWORKER, MANAGER, READ_ONLY, TEAM_LEADER, Entry, only

READERS = {CASEWORKER, READ_ONLY, TEAM_LEADER, MANAGER}


def build(world):
    from dataprotection.models import LegalHold, RectificationRequest

    world.rights_case = CaseFactory(service=world.service)
    world.rights_request = RectificationRequest.objects.create(
        case=world.rights_case,
        received_on=world.rights_case.opened_on,
        requested="The date of birth is wrong.",
        recorded_by=world.users[CASEWORKER],
    )
    world.rights_hold = LegalHold.objects.create(
        case=world.rights_case,
        reason=LegalHold.Reason.COURT,
        placed_by=world.users[TEAM_LEADER],
        placed_on=world.rights_case.opened_on,
    )


def build_erasable(world):
    # A case of its own, with no hold: an empty post reaches the form's errors (400).
    world.erasable_case = CaseFactory(service=world.service)


def build_subject_access(world):
    from django.core.files.base import ContentFile

    from dataprotection.models import SubjectAccessRequest

    world.access_request = SubjectAccessRequest.objects.create(
        case=world.rights_case,
        received_on=world.rights_case.opened_on,
        recorded_by=world.users[TEAM_LEADER],
        status=SubjectAccessRequest.Status.READY,
    )
    # Built already, so that the downloads have files to give.
    world.access_request.pdf.save("answer.pdf", ContentFile(b"%PDF-1.7 matrix"), save=False)
    world.access_request.json.save("answer.json", ContentFile(b"{}"), save=True)


BUILDERS = {
    **dict.fromkeys(("rights_case", "rights_request", "rights_hold"), build),
    "erasable_case": build_erasable,
    "access_request": build_subject_access,
}


def _case(world):
    return {"pk": world.rights_case.pk}


def _request(world):
    return {"pk": world.rights_case.pk, "request_pk": world.rights_request.pk}


def _access_request(world):
    return {"pk": world.rights_case.pk, "request_pk": world.access_request.pk}


def _download(kind):
    return lambda world: {**_access_request(world), "kind": kind}


def _hold(world):
    return {"pk": world.rights_case.pk, "hold_pk": world.rights_hold.pk}


def _erasable(world):
    return {"pk": world.erasable_case.pk}


def _service(world):
    return {"service_pk": world.service.pk}


DECIDERS = {**only(400, READERS), CASEWORKER: 403, READ_ONLY: 403}
# Subject access: a team leader's or the manager's alone, every page of it.
ANSWERERS = {**only(200, READERS), CASEWORKER: 403, READ_ONLY: 403}

ENTRIES = [
    Entry("dataprotection:legal_hold", _case, only(200, READERS)),
    Entry("dataprotection:legal_hold_place", _case, DECIDERS, method="post"),
    Entry("dataprotection:legal_hold_lift", _hold, DECIDERS, method="post"),
    Entry("dataprotection:corrections", _case, only(200, READERS)),
    Entry(
        "dataprotection:correction_record",
        _case,
        {**only(400, READERS), READ_ONLY: 403, MANAGER: 403},
        method="post",
    ),
    Entry("dataprotection:correction_answer", _request, DECIDERS, method="post"),
    Entry(
        "dataprotection:erase",
        _erasable,
        {**only(200, READERS), CASEWORKER: 403, READ_ONLY: 403},
    ),
    Entry("dataprotection:erase", _erasable, DECIDERS, method="post"),
    Entry("dataprotection:subject_access", _case, ANSWERERS),
    Entry("dataprotection:subject_access_open", _case, DECIDERS, method="post"),
    Entry("dataprotection:subject_access_detail", _access_request, ANSWERERS),
    Entry("dataprotection:subject_access_redact", _access_request, DECIDERS, method="post"),
    Entry("dataprotection:subject_access_build", _access_request, DECIDERS, method="post"),
    Entry("dataprotection:subject_access_download", _download("pdf"), ANSWERERS),
    Entry("dataprotection:subject_access_download", _download("json"), ANSWERERS),
    Entry("dataprotection:subject_access_send", _access_request, DECIDERS, method="post"),
    Entry("dataprotection:retention", expected=only(302, {MANAGER}, others=403)),
    Entry("dataprotection:retention_review", _service, only(200, {MANAGER})),
    Entry("dataprotection:retention_list_now", _service, only(302, {MANAGER}), method="post"),
    Entry("dataprotection:retention_approve", _service, only(400, {MANAGER}), method="post"),
    Entry("dataprotection:retention_exclude", _service, only(400, {MANAGER}), method="post"),
]
