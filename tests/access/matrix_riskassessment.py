"""Access rows for the risk-assessment and MARAC URLs (see matrix.py)."""

import datetime

from tests.factories import CaseFactory

from .matrix import (
    ADMIN,
    ANON,
    CASEWORKER,
    MANAGER,
    MARAC_COORDINATOR,
    NO_SERVICE,
    OUTSIDER,
    PERSONAS,
    READ_ONLY,
    TEAM_LEADER,
    Entry,
    only,
)


def build(world):
    from riskassessment import services
    from tests.factories_riskassessment import AgencyFactory, dash_version, submitted

    caseworker = world.users[CASEWORKER]
    world.risk_case = CaseFactory(service=world.service)
    world.risk_version = dash_version()
    world.risk_draft = services.assessment_start(
        case=world.risk_case, version=world.risk_version, actor=caseworker, stage="intake"
    )
    # All yes: opens the stalking and honour-based abuse screens.
    world.risk_submitted = submitted(world.risk_case, caseworker, ticks=24)
    agency = AgencyFactory(name="Matrix agency")
    referral = services.marac_refer(
        case=world.risk_case,
        actor=caseworker,
        referred_on=datetime.date(2026, 1, 5),
        referring_agency=agency,
        visible_high_risk=True,
        assessment=world.risk_submitted,
    )
    coordinator = world.users[MARAC_COORDINATOR]
    world.marac_meeting = services.marac_meeting_create(
        actor=coordinator, marac=world.service.marac, held_on=datetime.date(2026, 1, 20)
    )
    world.marac_hearing = services.marac_hearing_add(
        meeting=world.marac_meeting, referral=referral, actor=coordinator
    )
    world.marac_action = services.marac_action_add(
        hearing=world.marac_hearing, actor=coordinator, agency=agency, action="Flag", owner="PC"
    )


BUILDERS = dict.fromkeys(
    (
        "risk_case",
        "risk_version",
        "risk_draft",
        "risk_submitted",
        "marac_meeting",
        "marac_hearing",
        "marac_action",
    ),
    build,
)

# Reading a case's risk: anyone who may see the case.
CASE_READERS = only(200, {CASEWORKER, READ_ONLY, TEAM_LEADER, MANAGER})
# Changing it: 403 for those who may see the case but not change it, 404 for everyone else.
CASE_EDITORS = {**only(200, {CASEWORKER, TEAM_LEADER}), READ_ONLY: 403, MANAGER: 403}
CASE_EDITORS_REDIRECT = {**only(302, {CASEWORKER, TEAM_LEADER}), READ_ONLY: 403, MANAGER: 403}
# Lowering a case's risk by a reasoned decision: the team leader only; 403 for the others who
# may see the case, 404 for everyone else.
RISK_DECIDERS = {
    **only(200, {TEAM_LEADER}),
    CASEWORKER: 403,
    READ_ONLY: 403,
    MANAGER: 403,
}
COORDINATOR_PAGE = only(200, {MARAC_COORDINATOR}, others=403)
COORDINATOR_ROW = only(200, {MARAC_COORDINATOR})
ADMIN_PAGE = only(200, {ADMIN}, others=403)
# Importing a checklist version changes every provider's checklists: a superuser's page
# (tests/referrals/test_security_lookups.py), refused to every persona here.
SUPERUSER_PAGE = only(200, set(), others=403)

ENTRIES = [
    Entry("riskassessment:case_risk", lambda w: {"case_pk": w.risk_case.pk}, CASE_READERS),
    Entry("riskassessment:assessment_start", lambda w: {"case_pk": w.risk_case.pk}, CASE_EDITORS),
    Entry(
        "riskassessment:assessment_start",
        lambda w: {"case_pk": w.risk_case.pk},
        CASE_EDITORS,
        method="post",
    ),
    Entry("riskassessment:marac_refer", lambda w: {"case_pk": w.risk_case.pk}, CASE_EDITORS),
    Entry("riskassessment:risk_decision", lambda w: {"case_pk": w.risk_case.pk}, RISK_DECIDERS),
    Entry(
        "riskassessment:risk_decision",
        lambda w: {"case_pk": w.risk_case.pk},
        RISK_DECIDERS,
        method="post",
    ),
    Entry(
        "riskassessment:marac_refer",
        lambda w: {"case_pk": w.risk_case.pk},
        CASE_EDITORS,
        method="post",
    ),
    Entry(
        "riskassessment:assessment_detail",
        lambda w: {"pk": w.risk_submitted.pk},
        CASE_READERS,
    ),
    Entry("riskassessment:assessment_edit", lambda w: {"pk": w.risk_draft.pk}, CASE_EDITORS),
    Entry(
        "riskassessment:assessment_edit",
        lambda w: {"pk": w.risk_draft.pk},
        CASE_EDITORS_REDIRECT,
        method="post",
        data=lambda w: {
            "assessed_on": "2026-01-02",
            "stage": "intake",
            "source": "client",
            "save": "1",
        },
    ),
    Entry(
        "riskassessment:assessment_follow_up",
        lambda w: {"pk": w.risk_submitted.pk},
        CASE_EDITORS_REDIRECT,
        method="post",
        data=lambda w: {"checklist": "stalking"},
    ),
    Entry("riskassessment:meeting_list", expected=COORDINATOR_PAGE),
    Entry("riskassessment:meeting_add", expected=COORDINATOR_PAGE),
    Entry("riskassessment:meeting_add", expected=COORDINATOR_PAGE, method="post"),
    Entry("riskassessment:meeting_detail", lambda w: {"pk": w.marac_meeting.pk}, COORDINATOR_ROW),
    Entry(
        "riskassessment:hearing_add",
        lambda w: {"pk": w.marac_meeting.pk},
        COORDINATOR_ROW,
        method="post",
    ),
    Entry(
        "riskassessment:hearing_outcome",
        lambda w: {"pk": w.marac_hearing.pk},
        COORDINATOR_ROW,
        method="post",
    ),
    Entry(
        "riskassessment:hearing_facts",
        lambda w: {"pk": w.marac_hearing.pk},
        only(302, {MARAC_COORDINATOR}),  # an empty form records every fact as not known
        method="post",
    ),
    Entry(
        "riskassessment:action_add",
        lambda w: {"pk": w.marac_hearing.pk},
        COORDINATOR_ROW,
        method="post",
    ),
    Entry(
        "riskassessment:action_toggle",
        lambda w: {"pk": w.marac_action.pk},
        only(302, {MARAC_COORDINATOR, CASEWORKER, TEAM_LEADER}),
        method="post",
    ),
    Entry("riskassessment:checklist_list", expected=ADMIN_PAGE),
    Entry("riskassessment:checklist_import", expected=SUPERUSER_PAGE),
    Entry("riskassessment:checklist_import", expected=SUPERUSER_PAGE, method="post"),
    Entry("riskassessment:version_detail", lambda w: {"pk": w.risk_version.pk}, ADMIN_PAGE),
    Entry(
        "riskassessment:version_status",
        lambda w: {"pk": w.risk_version.pk},
        only(302, {ADMIN}, others=403),
        method="post",
        data=lambda w: {"to": "published"},  # already published: refused with a message
    ),
]

assert all(set(entry.expected) == set(PERSONAS) for entry in ENTRIES)
_ = (ANON, NO_SERVICE, OUTSIDER)
