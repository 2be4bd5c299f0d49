from django.utils import timezone

from cases.models import ConsentRecord
from tests.factories import (
    CaseFactory,
    ChildInCaseFactory,
    ClientFactory,
    ClosureRequestFactory,
    ConsentRecordFactory,
    ContactFactory,
    PerpetratorFactory,
)

from .matrix import (
    ADMIN,
    ANON,
    CASEWORKER,
    MANAGER,
    MARAC_COORDINATOR,
    NO_SERVICE,
    OUTSIDER,
    READ_ONLY,
    TEAM_LEADER,
    Entry,
)


def build(world):
    caseworker = world.users[CASEWORKER]
    world.case = CaseFactory(service=world.service, caseworker=caseworker)
    world.perpetrator = PerpetratorFactory(case=world.case, name="P")
    world.contact = ContactFactory(
        case=world.case, recorded_by=caseworker, contact_type="face_to_face"
    )
    world.child = ChildInCaseFactory(case=world.case, first_name="C")
    world.consent = ConsentRecordFactory(
        client=world.case.client,
        purpose=ConsentRecord.Purpose.CONTACT,
        recorded_on=world.case.opened_on,
        recorded_by=caseworker,
    )
    world.closure_request = ClosureRequestFactory(
        case=world.case,
        requested_by=caseworker,
        requested_at=timezone.now(),
        closed_on=timezone.localdate(),
        closure_type="Planned closure",
    )


BUILDERS = dict.fromkeys(
    ("case", "perpetrator", "contact", "child", "consent", "closure_request"), build
)


def build_duplicate(world):
    """A second record of the matrix case's client, with a case of its own."""
    client = world.case.client
    world.duplicate = ClientFactory(
        service=world.service, first_name=client.first_name, last_name=client.last_name
    )
    CaseFactory(service=world.service, client=world.duplicate)


BUILDERS["duplicate"] = build_duplicate


def pair_kwargs(world):
    return {"pk": world.case.client_id, "other_pk": world.duplicate.pk}


def case_kwargs(world):
    return {"pk": world.case.pk}


def client_kwargs(world):
    return {"pk": world.case.client_id}


def statuses(**given):
    base = {ANON: 302, NO_SERVICE: 404, MARAC_COORDINATOR: 404, ADMIN: 404, OUTSIDER: 404}
    return {**base, **given}


READ = statuses(**{CASEWORKER: 200, READ_ONLY: 200, TEAM_LEADER: 200, MANAGER: 200})
EDIT = statuses(**{CASEWORKER: 200, READ_ONLY: 403, TEAM_LEADER: 200, MANAGER: 403})
LEAD = statuses(**{CASEWORKER: 403, READ_ONLY: 403, TEAM_LEADER: 200, MANAGER: 403})
RESTRICT = statuses(**{CASEWORKER: 403, READ_ONLY: 403, TEAM_LEADER: 200, MANAGER: 200})
SERVICE_LIST = {
    ANON: 302,
    NO_SERVICE: 403,
    CASEWORKER: 200,
    READ_ONLY: 200,
    TEAM_LEADER: 200,
    MANAGER: 200,
    MARAC_COORDINATOR: 403,
    ADMIN: 403,
    OUTSIDER: 200,
}

ENTRIES = [
    Entry("cases:case_list", expected=SERVICE_LIST),
    Entry("cases:case_search", expected=SERVICE_LIST),
    Entry(
        "cases:case_search",
        method="post",
        data=lambda w: {"query": w.case.client.last_name},
        expected=SERVICE_LIST,
    ),
    Entry("cases:case_detail", case_kwargs, READ),
    Entry("cases:contact_add", case_kwargs, EDIT),
    Entry("cases:contact_list", case_kwargs, READ),
    Entry("cases:case_timeline", case_kwargs, READ),
    Entry("cases:contact_detail", lambda w: {"pk": w.case.pk, "contact_pk": w.contact.pk}, READ),
    Entry("cases:contact_edit", lambda w: {"pk": w.case.pk, "contact_pk": w.contact.pk}, EDIT),
    Entry("cases:case_close", case_kwargs, EDIT),
    Entry(
        "cases:closure_decide",
        lambda w: {"pk": w.case.pk, "request_pk": w.closure_request.pk},
        LEAD,
    ),
    Entry("cases:case_allocate", case_kwargs, LEAD),
    Entry("cases:case_status", case_kwargs, EDIT),
    Entry("cases:case_restrict", case_kwargs, RESTRICT),
    Entry("cases:perpetrator_add", case_kwargs, EDIT),
    Entry(
        "cases:perpetrator_edit",
        lambda w: {"pk": w.case.pk, "perpetrator_pk": w.perpetrator.pk},
        EDIT,
    ),
    Entry("cases:child_add", case_kwargs, EDIT),
    Entry("cases:child_edit", lambda w: {"pk": w.case.pk, "child_pk": w.child.pk}, EDIT),
    Entry("cases:information_share_add", case_kwargs, EDIT),
    Entry("cases:client_detail", client_kwargs, READ),
    Entry("cases:client_edit", client_kwargs, EDIT),
    Entry("cases:client_safe_contact", client_kwargs, EDIT),
    Entry("cases:alias_add", client_kwargs, EDIT),
    Entry("cases:client_duplicates", client_kwargs, READ),
    Entry(
        "cases:client_not_duplicate",
        pair_kwargs,
        statuses(**{CASEWORKER: 302, READ_ONLY: 403, TEAM_LEADER: 302, MANAGER: 403}),
        method="post",
    ),
    Entry("cases:client_merge", pair_kwargs, LEAD),
    Entry("cases:consent_add", client_kwargs, EDIT),
    Entry(
        "cases:consent_withdraw",
        lambda w: {"pk": w.case.client_id, "consent_pk": w.consent.pk},
        statuses(**{CASEWORKER: 302, READ_ONLY: 403, TEAM_LEADER: 302, MANAGER: 403}),
        method="post",
    ),
]
