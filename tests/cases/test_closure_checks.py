"""Issue 18, item 2: closing a case is checked.

Sign-off by a team leader is on by default, always needed for high-risk and MARAC cases, the
closure pages list what is missing and need it acknowledged, and the closure note is shown on
the case afterwards."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, Service
from cases import selectors
from cases import services as case_services
from cases.models import Case, ClosureRequest, RiskLevel
from riskassessment import services as risk_services
from riskassessment.models import MaracAction
from tests.factories import CaseFactory, MembershipFactory, ServiceFactory, UserFactory
from tests.factories_marac import MaracHearingFactory
from tests.factories_outcomes import ExitFormFactory, IntakeFormFactory
from tests.factories_riskassessment import AgencyFactory, dash_version
from tests.factories_support import SafetyPlanFactory, SafetyPlanVersionFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _close(case, actor, **extra):
    return case_services.case_close(
        case=case,
        actor=actor,
        closed_on=TODAY(),
        closure_type=Case.ClosureType.PLANNED,
        gaps_checked=True,
        **extra,
    )


def _sign_off_off(service):
    service.requires_closure_sign_off = False
    service.save()


@pytest.fixture
def named_caseworker(service):
    user = UserFactory(full_name="Casey Caseworker")
    MembershipFactory(user=user, service=service, role=Role.CASEWORKER)
    return user


@pytest.fixture
def named_leader(service):
    user = UserFactory(full_name="Lee Leader")
    MembershipFactory(user=user, service=service, role=Role.TEAM_LEADER)
    return user


@pytest.fixture
def complete_case(service, named_caseworker):
    """A case with nothing missing: a submitted exit form, an agreed safety plan, no drafts,
    no open MARAC actions."""
    case = CaseFactory(service=service, caseworker=named_caseworker)
    ExitFormFactory(case=case, status="submitted", exit_date=TODAY())
    SafetyPlanVersionFactory(plan=SafetyPlanFactory(case=case))
    return case


# --- Sign-off: on by default, always for high-risk and MARAC ---------------------------------


def test_a_new_service_needs_sign_off_and_a_caseworker_only_asks_for_closure(
    service, complete_case, named_caseworker
):
    assert ServiceFactory().requires_closure_sign_off
    assert Service._meta.get_field("requires_closure_sign_off").default is True
    result = _close(complete_case, named_caseworker)
    assert isinstance(result, ClosureRequest)
    complete_case.refresh_from_db()
    assert complete_case.status == Case.Status.OPEN


def test_the_migration_turns_sign_off_on_for_existing_services(service):
    Service.objects.filter(pk=service.pk).update(requires_closure_sign_off=False)
    migration = importlib.import_module("accounts.migrations.0010_closure_sign_off_on_by_default")
    migration.sign_off_on_for_every_service(django_apps, None)
    service.refresh_from_db()
    assert service.requires_closure_sign_off


def test_with_sign_off_turned_off_a_caseworker_closes_a_standard_case(
    service, complete_case, named_caseworker
):
    _sign_off_off(service)
    closed = _close(complete_case, named_caseworker)
    assert isinstance(closed, Case) and closed.status == Case.Status.CLOSED


@pytest.mark.parametrize(
    "fields", [{"risk_level": RiskLevel.HIGH}, {"is_marac": True}], ids=["high", "marac"]
)
def test_a_caseworker_alone_cannot_close_a_high_risk_or_marac_case_with_sign_off_off(
    client_for, service, complete_case, named_caseworker, fields
):
    _sign_off_off(service)
    for name, value in fields.items():
        setattr(complete_case, name, value)
    complete_case.save()
    assert selectors.closure_sign_off_reason(complete_case, named_caseworker)

    browser = client_for(named_caseworker)
    page = browser.get(reverse("cases:case_close", args=[complete_case.pk])).content.decode()
    assert "always needs a team leader" in page and "Request closure" in page
    response = browser.post(
        reverse("cases:case_close", args=[complete_case.pk]),
        {"closed_on": TODAY().isoformat(), "closure_type": "Planned closure"},
    )
    assert response.status_code == 302
    complete_case.refresh_from_db()
    assert complete_case.status == Case.Status.OPEN
    assert complete_case.closure_requests.get().decision == ClosureRequest.Decision.REQUESTED


def test_a_team_leader_closes_directly_except_their_own_high_risk_case(
    client_for, service, named_leader, named_caseworker
):
    standard = CaseFactory(service=service, caseworker=named_caseworker)
    assert isinstance(_close(standard, named_leader), Case)

    # Someone else's high-risk case: the team leader's sign-off is the second look.
    theirs = CaseFactory(service=service, caseworker=named_caseworker, risk_level="high")
    assert isinstance(_close(theirs, named_leader), Case)

    # Their own: another team leader signs it off, never the one who asked.
    own = CaseFactory(service=service, caseworker=named_leader, is_marac=True)
    request = _close(own, named_leader)
    assert isinstance(request, ClosureRequest)
    page = client_for(named_leader).get(reverse("cases:closure_decide", args=[own.pk, request.pk]))
    assert "another team leader signs it off" in page.content.decode()
    with pytest.raises(ValidationError):
        case_services.closure_decide(
            request=request, actor=named_leader, approve=True, gaps_checked=True
        )
    other_leader = MembershipFactory(service=service, role=Role.TEAM_LEADER).user
    case_services.closure_decide(
        request=request, actor=other_leader, approve=True, gaps_checked=True
    )
    own.refresh_from_db()
    assert own.status == Case.Status.CLOSED


# --- What is missing -------------------------------------------------------------------------


def test_the_closure_page_lists_each_kind_of_gap(client_for, service, named_caseworker):
    case = CaseFactory(service=service, caseworker=named_caseworker)
    risk_services.assessment_start(
        case=case, version=dash_version(), actor=named_caseworker, stage="intake"
    )
    hearing = MaracHearingFactory(case=case)
    MaracAction.objects.create(
        case=case, hearing=hearing, agency=AgencyFactory(), action="Fit a door alarm", owner="PC"
    )
    IntakeFormFactory(case=case)  # a draft
    SafetyPlanFactory(case=case, kind="digital")  # started, never agreed

    kinds = {gap.kind for gap in selectors.closure_gaps(case)}
    assert kinds == {
        "draft_assessment",
        "marac_actions",
        "draft_form",
        "exit_form",
        "safety_plan",
        "draft_plan",
    }
    page = client_for(named_caseworker).get(reverse("cases:case_close", args=[case.pk]))
    text = page.content.decode()
    for words in (
        "Draft risk assessment: DASH",
        "1 MARAC action not marked done",
        "Intake form is a draft, not submitted",
        "No exit form",
        "No safety plan agreed with the client",
        "Digital and tech safety plan started but never agreed",
        "I have checked what is missing",
    ):
        assert words in text, words


def test_a_complete_case_lists_nothing_missing(client_for, complete_case, named_caseworker):
    assert selectors.closure_gaps(complete_case) == []
    page = client_for(named_caseworker).get(reverse("cases:case_close", args=[complete_case.pk]))
    text = page.content.decode()
    assert "Nothing is missing" in text and "I have checked what is missing" not in text


def test_gaps_must_be_acknowledged_and_are_kept_with_the_request_and_the_closure(
    client_for, service, named_caseworker, named_leader
):
    case = CaseFactory(service=service, caseworker=named_caseworker)
    IntakeFormFactory(case=case)
    url = reverse("cases:case_close", args=[case.pk])
    data = {"closed_on": TODAY().isoformat(), "closure_type": "Planned closure"}

    browser = client_for(named_caseworker)
    refused = browser.post(url, data)
    assert refused.status_code == 200
    assert "Tick that you have checked what is missing" in refused.content.decode()
    assert not case.closure_requests.exists()

    assert browser.post(url, {**data, "gaps_checked": "on"}).status_code == 302
    request = case.closure_requests.get()
    assert "Intake form is a draft, not submitted" in request.gaps_acknowledged
    assert "No exit form" in request.gaps_acknowledged

    # The team leader sees the same list as it is now, and acknowledges it too.
    decide = reverse("cases:closure_decide", args=[case.pk, request.pk])
    leader = client_for(named_leader)
    page = leader.get(decide).content.decode()
    assert "Intake form is a draft" in page and "Casey Caseworker" in page
    refused = leader.post(decide, {"approve": "yes"})
    assert refused.status_code == 200
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert leader.post(decide, {"approve": "yes", "gaps_checked": "on"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert "Intake form is a draft, not submitted" in case.closure_gaps_acknowledged


def test_a_closure_with_gaps_is_refused_by_the_service_without_the_acknowledgement(
    service, named_caseworker
):
    _sign_off_off(service)
    case = CaseFactory(service=service, caseworker=named_caseworker)
    with pytest.raises(ValidationError) as error:
        case_services.case_close(
            case=case,
            actor=named_caseworker,
            closed_on=TODAY(),
            closure_type=Case.ClosureType.PLANNED,
        )
    assert "gaps_checked" in error.value.error_dict


# --- The closure note on the case afterwards ---------------------------------------------------


def test_the_closure_note_and_who_signed_it_off_are_shown_on_the_case(
    client_for, service, complete_case, named_caseworker, named_leader
):
    request = _close(
        complete_case, named_caseworker, closure_note="Moved to her sister's; knows to call us."
    )
    case_services.closure_decide(
        request=request, actor=named_leader, approve=True, comment="Agreed: refer on to Sefton."
    )
    page = client_for(named_caseworker).get(reverse("cases:case_detail", args=[complete_case.pk]))
    text = page.content.decode()
    assert "Moved to her sister&#x27;s; knows to call us." in text
    assert "asked for by Casey Caseworker" in text
    assert "signed off by Lee Leader" in text
    # The team leader's comment on signing off was kept but shown nowhere.
    assert "Lee Leader on signing off: Agreed: refer on to Sefton." in text


def test_a_direct_closure_shows_who_closed_it(client_for, service, complete_case, named_caseworker):
    _sign_off_off(service)
    _close(complete_case, named_caseworker, closure_note="Support complete.")
    text = (
        client_for(named_caseworker)
        .get(reverse("cases:case_detail", args=[complete_case.pk]))
        .content.decode()
    )
    assert "Support complete." in text and "closed by Casey Caseworker" in text


def test_a_pending_closure_shows_its_note_and_offers_no_second_request(
    client_for, service, complete_case, named_caseworker
):
    _close(complete_case, named_caseworker, closure_note="Moving away; agreed with her.")
    text = (
        client_for(named_caseworker)
        .get(reverse("cases:case_detail", args=[complete_case.pk]))
        .content.decode()
    )
    assert "Closure note: Moving away; agreed with her." in text
    assert reverse("cases:case_close", args=[complete_case.pk]) not in text
