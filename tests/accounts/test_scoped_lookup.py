"""Issue 17, item 3: one scoped lookup (accounts.lookup) for every kind of record a page opens.

A user outside the scope gets 404 and exactly one audited refusal; a user who may see the record
but not change it gets 403 on the edit pages and exactly one audited refusal; a user inside the
scope who opens a page gets exactly one audited read. Each kind builds only its own records.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role
from tests.factories import CaseFactory, ClientFactory, MembershipFactory

pytestmark = pytest.mark.django_db

MEETING_DAY = datetime.date(2026, 1, 20)


@dataclass
class Page:
    url: str
    method: str = "get"
    reader: str = "caseworker"  # the persona who may open it: "caseworker" or "coordinator"


@pytest.fixture
def coordinator(service):
    return MembershipFactory(service=service, role=Role.MARAC_COORDINATOR).user


def _case(service, caseworker):
    return CaseFactory(service=service, caseworker=caseworker)


def _hearing(service, caseworker, coordinator):
    from riskassessment import services as risk
    from tests.factories_riskassessment import AgencyFactory

    case = _case(service, caseworker)
    agency = AgencyFactory(name="Lookup agency")
    referral = risk.marac_refer(
        case=case,
        actor=caseworker,
        referred_on=datetime.date(2026, 1, 5),
        referring_agency=agency,
        visible_high_risk=True,
    )
    meeting = risk.marac_meeting_create(actor=coordinator, marac=service.marac, held_on=MEETING_DAY)
    hearing = risk.marac_hearing_add(meeting=meeting, referral=referral, actor=coordinator)
    return hearing, agency


# --- One builder per kind of record: (service, caseworker, coordinator) -> Page ---------------


def case_page(service, caseworker, coordinator):
    return Page(reverse("cases:case_detail", args=[_case(service, caseworker).pk]))


def client_page(service, caseworker, coordinator):
    return Page(reverse("cases:client_detail", args=[_case(service, caseworker).client_id]))


def referral_page(service, caseworker, coordinator):
    from referrals.models import Referral, ReferralRoute

    referral = Referral.objects.create(
        service=service,
        reference="R-LOOKUP-1",
        received_at=timezone.now(),
        route=ReferralRoute.objects.get(name="Police"),
        client=ClientFactory(service=service),
        recorded_by=caseworker,
    )
    return Page(reverse("referrals:referral_detail", args=[referral.pk]))


def assessment_page(service, caseworker, coordinator):
    from tests.factories_riskassessment import submitted

    assessment = submitted(_case(service, caseworker), caseworker, ticks=3)
    return Page(reverse("riskassessment:assessment_detail", args=[assessment.pk]))


def marac_referral_page(service, caseworker, coordinator):
    """A case's MARAC referrals and hearings are read on its risk page."""
    hearing, _agency = _hearing(service, caseworker, coordinator)
    return Page(reverse("riskassessment:case_risk", kwargs={"case_pk": hearing.case_id}))


def plan_page(service, caseworker, coordinator):
    from tests.factories_support import SafetyPlanFactory, SafetyPlanVersionFactory

    plan = SafetyPlanFactory(case=_case(service, caseworker), created_by=caseworker)
    SafetyPlanVersionFactory(plan=plan, number=1, made_by=caseworker)
    return Page(reverse("support:plan_detail", args=[plan.pk]))


def support_page(service, caseworker, coordinator):
    from tests.factories_support import AreaSupportFactory

    row = AreaSupportFactory(case=_case(service, caseworker), area="housing")
    return Page(reverse("support:support_edit", args=[row.case_id, "housing"]))


def intervention_page(service, caseworker, coordinator):
    from tests.factories_support import InterventionFactory

    item = InterventionFactory(case=_case(service, caseworker))
    return Page(reverse("support:intervention_delete", args=[item.pk]))


def outcome_form_page(service, caseworker, coordinator):
    from tests.factories_outcomes import IntakeFormFactory

    form = IntakeFormFactory(case=_case(service, caseworker))
    return Page(reverse("outcomes:form_detail", kwargs={"kind": "intake", "pk": form.pk}))


def police_report_page(service, caseworker, coordinator):
    from tests.factories_outcomes import CriminalJusticeFormFactory, PoliceReportFactory

    case = _case(service, caseworker)
    report = PoliceReportFactory(form=CriminalJusticeFormFactory(case=case, created_by=caseworker))
    return Page(reverse("outcomes:police_report_edit", kwargs={"pk": report.pk}))


def marac_meeting_page(service, caseworker, coordinator):
    hearing, _agency = _hearing(service, caseworker, coordinator)
    return Page(
        reverse("riskassessment:meeting_detail", args=[hearing.meeting_id]), reader="coordinator"
    )


def marac_hearing_post(service, caseworker, coordinator):
    hearing, _agency = _hearing(service, caseworker, coordinator)
    return Page(
        reverse("riskassessment:hearing_outcome", args=[hearing.pk]),
        method="post",
        reader="coordinator",
    )


def marac_action_post(service, caseworker, coordinator):
    from riskassessment import services as risk

    hearing, agency = _hearing(service, caseworker, coordinator)
    action = risk.marac_action_add(
        hearing=hearing, actor=coordinator, agency=agency, action="Flag", owner="PC"
    )
    return Page(
        reverse("riskassessment:action_toggle", args=[action.pk]),
        method="post",
        reader="coordinator",
    )


READ_PAGES = [
    case_page,
    client_page,
    referral_page,
    assessment_page,
    marac_referral_page,
    plan_page,
    support_page,
    intervention_page,
    outcome_form_page,
    police_report_page,
    marac_meeting_page,
]
KINDS = [*READ_PAGES, marac_hearing_post, marac_action_post]


def _events(user, action):
    return AuditEvent.objects.filter(actor=user, action=action)


@pytest.mark.parametrize("build", KINDS, ids=lambda build: build.__name__)
def test_out_of_scope_answers_404_with_exactly_one_audited_refusal(
    client_for, service, caseworker, coordinator, outsider, build
):
    page = build(service, caseworker, coordinator)
    response = getattr(client_for(outsider), page.method)(page.url)
    assert response.status_code == 404
    denied = _events(outsider, AuditEvent.Action.DENIED)
    assert denied.count() == 1
    assert not _events(outsider, AuditEvent.Action.VIEW).exists()
    # Nothing identifying in the refusal: the kind of record and its key at most.
    event = denied.get()
    assert event.object_label == "" and "R-LOOKUP" not in str(event.detail)


@pytest.mark.parametrize("build", KINDS, ids=lambda build: build.__name__)
def test_a_missing_record_answers_the_same_404_and_is_not_audited(
    client_for, service, caseworker, coordinator, outsider, build
):
    page = build(service, caseworker, coordinator)
    # The same URL with a key no record has: its last number, made huge.
    parts = page.url.rstrip("/").split("/")
    number_at = max(i for i, part in enumerate(parts) if part.isdigit())
    parts[number_at] = "987654321"
    url = "/".join(parts) + "/"
    reader = coordinator if page.reader == "coordinator" else caseworker
    response = getattr(client_for(reader), page.method)(url)
    assert response.status_code == 404
    assert not _events(reader, AuditEvent.Action.DENIED).exists()


@pytest.mark.parametrize("build", READ_PAGES, ids=lambda build: build.__name__)
def test_an_in_scope_read_writes_exactly_one_audited_view(
    client_for, service, caseworker, coordinator, build
):
    page = build(service, caseworker, coordinator)
    reader = coordinator if page.reader == "coordinator" else caseworker
    response = client_for(reader).get(page.url)
    assert response.status_code == 200
    assert _events(reader, AuditEvent.Action.VIEW).count() == 1
    assert not _events(reader, AuditEvent.Action.DENIED).exists()


# --- 403: may see the record, may not change it ---------------------------------------------


def _edit_pages(service, caseworker, coordinator):
    from riskassessment import services as risk
    from tests.factories_outcomes import (
        CriminalJusticeFormFactory,
        IntakeFormFactory,
        PoliceReportFactory,
    )
    from tests.factories_riskassessment import dash_version
    from tests.factories_support import (
        AreaSupportFactory,
        InterventionFactory,
        SafetyPlanFactory,
        SafetyPlanVersionFactory,
    )

    case = _case(service, caseworker)
    plan = SafetyPlanFactory(case=case, created_by=caseworker)
    SafetyPlanVersionFactory(plan=plan, number=1, made_by=caseworker)
    AreaSupportFactory(case=case, area="housing")
    item = InterventionFactory(case=case)
    intake = IntakeFormFactory(case=case)
    draft = risk.assessment_start(
        case=case, version=dash_version(), actor=caseworker, stage="intake"
    )
    report = PoliceReportFactory(form=CriminalJusticeFormFactory(case=case, created_by=caseworker))
    referral = referral_page(service, caseworker, coordinator).url
    outcome = {"kind": "intake", "pk": intake.pk}
    return [
        ("get", reverse("cases:contact_add", args=[case.pk])),
        ("get", reverse("support:plan_review", args=[plan.pk])),
        ("get", reverse("support:support_edit", args=[case.pk, "housing"])),
        ("get", reverse("support:intervention_delete", args=[item.pk])),
        ("get", reverse("riskassessment:assessment_edit", args=[draft.pk])),
        ("get", reverse("outcomes:form_edit", kwargs=outcome)),
        ("post", reverse("outcomes:form_autosave", kwargs=outcome)),
        ("post", reverse("outcomes:form_start", kwargs={"case_id": case.pk, "kind": "review"})),
        ("get", reverse("outcomes:police_report_edit", kwargs={"pk": report.pk})),
        ("post", reverse("outcomes:police_report_delete", kwargs={"pk": report.pk})),
        ("post", referral + "triage/"),
    ]


def test_a_reader_refused_an_edit_page_gets_403_with_exactly_one_audited_refusal(
    client_for, service, caseworker, coordinator, manager
):
    web = client_for(manager)
    for method, url in _edit_pages(service, caseworker, coordinator):
        before = _events(manager, AuditEvent.Action.DENIED).count()
        assert getattr(web, method)(url).status_code == 403, url
        assert _events(manager, AuditEvent.Action.DENIED).count() == before + 1, url
    assert not _events(manager, AuditEvent.Action.VIEW).exists()
