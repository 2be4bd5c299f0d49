"""Access rows for the outcome forms (see matrix.py). Rows that change state build a fresh object
for each persona (kwargs run once per persona), so every persona meets the same situation."""

import datetime

from tests.factories import CaseFactory
from tests.factories_outcomes import (
    CivilJusticeFormFactory,
    CriminalJusticeFormFactory,
    ExitFormFactory,
    FollowUpFactory,
    IntakeFormFactory,
    PoliceReportFactory,
    ReviewFormFactory,
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
    today = datetime.date.today()  # noqa: DTZ011 - a date for synthetic rows
    world.oc_case = CaseFactory(service=world.service, caseworker=caseworker)
    world.oc_closed_case = CaseFactory(
        service=world.service,
        caseworker=caseworker,
        status="closed",
        closed_on=today,
        closure_type="Planned closure",
    )
    world.oc_forms = {
        "intake": IntakeFormFactory(case=world.oc_case, created_by=caseworker),
        "review": ReviewFormFactory(case=world.oc_case, created_by=caseworker),
        "criminal": CriminalJusticeFormFactory(case=world.oc_case, created_by=caseworker),
        "civil": CivilJusticeFormFactory(case=world.oc_case, created_by=caseworker),
        "exit": ExitFormFactory(case=world.oc_closed_case, created_by=caseworker),
        "follow_up": FollowUpFactory(case=world.oc_closed_case, created_by=caseworker),
    }
    world.oc_report = PoliceReportFactory(form=world.oc_forms["criminal"])


BUILDERS = dict.fromkeys(("oc_case", "oc_closed_case", "oc_forms", "oc_report"), build)


def statuses(*, caseworker, read_only, team_leader, manager):
    return {
        ANON: 302,
        NO_SERVICE: 404,
        CASEWORKER: caseworker,
        READ_ONLY: read_only,
        TEAM_LEADER: team_leader,
        MANAGER: manager,
        MARAC_COORDINATOR: 404,
        ADMIN: 404,
        OUTSIDER: 404,
    }


READ = statuses(caseworker=200, read_only=200, team_leader=200, manager=200)
EDIT_PAGE = statuses(caseworker=200, read_only=403, team_leader=200, manager=403)
EDIT_POST = statuses(caseworker=302, read_only=403, team_leader=302, manager=403)
AUTOSAVE = statuses(caseworker=200, read_only=403, team_leader=200, manager=403)


def form_kwargs(kind):
    return lambda w: {"kind": kind, "pk": w.oc_forms[kind].pk}


def _fresh_case(w):
    return CaseFactory(service=w.service).pk


def _fresh_draft_review(w):
    return ReviewFormFactory(case=w.oc_case, created_by=w.users[CASEWORKER]).pk


KINDS = ("intake", "review", "exit", "criminal", "civil", "follow_up")

ENTRIES = [
    Entry("outcomes:case_forms", lambda w: {"case_id": w.oc_case.pk}, READ),
    Entry(
        "outcomes:form_start",
        lambda w: {"case_id": _fresh_case(w), "kind": "intake"},
        EDIT_POST,
        method="post",
    ),
    Entry(
        "outcomes:form_start",
        lambda w: {"case_id": w.oc_case.pk, "kind": "review"},
        EDIT_POST,
        method="post",
    ),
    *(Entry("outcomes:form_detail", form_kwargs(kind), READ) for kind in KINDS),
    *(Entry("outcomes:form_edit", form_kwargs(kind), EDIT_PAGE) for kind in KINDS),
    Entry(
        "outcomes:form_edit",
        lambda w: {"kind": "review", "pk": _fresh_draft_review(w)},
        EDIT_POST,
        method="post",
        data=lambda w: {"save": "1", "reason": "other"},
    ),
    Entry(
        "outcomes:form_autosave",
        lambda w: {"kind": "review", "pk": _fresh_draft_review(w)},
        AUTOSAVE,
        method="post",
        data=lambda w: {"reason": "four_month"},
    ),
    Entry(
        "outcomes:form_discard",
        lambda w: {"kind": "review", "pk": _fresh_draft_review(w)},
        EDIT_POST,
        method="post",
    ),
    Entry(
        "outcomes:police_report_add",
        lambda w: {"pk": w.oc_forms["criminal"].pk},
        EDIT_PAGE,
    ),
    Entry(
        "outcomes:police_report_add",
        lambda w: {"pk": w.oc_forms["criminal"].pk},
        EDIT_PAGE,
        method="post",
    ),
    Entry("outcomes:police_report_edit", lambda w: {"pk": w.oc_report.pk}, EDIT_PAGE),
    Entry(
        "outcomes:police_report_delete",
        lambda w: {"pk": PoliceReportFactory(form=w.oc_forms["criminal"]).pk},
        EDIT_POST,
        method="post",
    ),
]
