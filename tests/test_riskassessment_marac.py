"""MARAC: referrals, repeat detection across the 12-month boundary, meetings, hearings, actions,
the outcome fed back to the case, and the team leader's risk prompts."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from riskassessment import hooks, selectors, services
from tests.factories import CaseFactory, ContactFactory, MembershipFactory, ServiceFactory

from .factories_riskassessment import AgencyFactory, MaracMeetingFactory, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return AgencyFactory(name="Police")


@pytest.fixture
def coordinator(service):
    return MembershipFactory(service=service, role=Role.MARAC_COORDINATOR).user


def refer(case, actor, agency, on):
    return services.marac_refer(
        case=case,
        actor=actor,
        referred_on=on,
        referring_agency=agency,
        visible_high_risk=True,
    )


@pytest.mark.parametrize(
    ("later", "repeat"),
    [
        (datetime.date(2026, 3, 14), True),  # the day before 12 months are up
        (datetime.date(2026, 3, 15), True),  # exactly 12 months: still within
        (datetime.date(2026, 3, 16), False),  # one day after: a new referral
    ],
)
def test_repeat_marac_across_the_12_month_boundary(service, caseworker, agency, later, repeat):
    case = CaseFactory(service=service)
    first = refer(case, caseworker, agency, datetime.date(2025, 3, 15))
    assert not first.is_repeat
    second = refer(case, caseworker, agency, later)
    assert second.is_repeat is repeat


def test_repeat_counts_referrals_of_the_same_client_from_another_case(service, caseworker, agency):
    case = CaseFactory(service=service)
    other_case = CaseFactory(service=service, client=case.client)
    stranger = CaseFactory(service=service)
    refer(case, caseworker, agency, datetime.date(2026, 1, 5))
    assert refer(other_case, caseworker, agency, datetime.date(2026, 6, 1)).is_repeat
    assert not refer(stranger, caseworker, agency, datetime.date(2026, 6, 1)).is_repeat


def test_referral_needs_a_criterion_and_marks_the_case(service, caseworker, agency):
    case = CaseFactory(service=service)
    with pytest.raises(ValidationError):
        services.marac_refer(
            case=case,
            actor=caseworker,
            referred_on=datetime.date(2026, 1, 1),
            referring_agency=agency,
        )
    refer(case, caseworker, agency, datetime.date(2026, 1, 1))
    case.refresh_from_db()
    assert case.is_marac


def test_outsider_cannot_refer(service, outsider, agency):
    with pytest.raises(PermissionDenied):
        refer(CaseFactory(service=service), outsider, agency, datetime.date(2026, 1, 1))


def test_coordinator_runs_meetings_of_their_area(service, caseworker, coordinator, agency):
    case = CaseFactory(service=service)
    referral = refer(case, caseworker, agency, datetime.date(2026, 2, 1))
    meeting = services.marac_meeting_create(
        actor=coordinator, area=service.area, held_on=datetime.date(2026, 2, 10)
    )
    assert list(selectors.referrals_awaiting_hearing(meeting)) == [referral]
    hearing = services.marac_hearing_add(meeting=meeting, referral=referral, actor=coordinator)
    assert not hearing.is_repeat
    assert list(selectors.referrals_awaiting_hearing(meeting)) == []
    action = services.marac_action_add(
        hearing=hearing, actor=coordinator, agency=agency, action="Flag the address", owner="PC X"
    )
    services.marac_hearing_record_outcome(
        hearing=hearing, actor=coordinator, outcome="Actions agreed."
    )
    services.marac_action_set_done(action=action, actor=caseworker, done=True)
    action.refresh_from_db()
    assert action.done and action.done_on == timezone.localdate()
    case.refresh_from_db()
    assert case.is_marac
    assert selectors.hearings_for_case(case)[0].outcome == "Actions agreed."


def test_repeat_referral_makes_a_repeat_hearing(service, caseworker, coordinator, agency):
    case = CaseFactory(service=service)
    refer(case, caseworker, agency, datetime.date(2026, 1, 1))
    again = refer(case, caseworker, agency, datetime.date(2026, 5, 1))
    meeting = MaracMeetingFactory(area=service.area, held_on=datetime.date(2026, 5, 10))
    hearing = services.marac_hearing_add(meeting=meeting, referral=again, actor=coordinator)
    assert hearing.is_repeat


def test_coordinator_of_another_area_is_refused(caseworker, service, agency):
    elsewhere = ServiceFactory(area="Elsewhere")
    stranger = MembershipFactory(service=elsewhere, role=Role.MARAC_COORDINATOR).user
    with pytest.raises(PermissionDenied):
        services.marac_meeting_create(
            actor=stranger, area=service.area, held_on=datetime.date(2026, 1, 1)
        )
    meeting = MaracMeetingFactory(area=elsewhere.area)
    referral = refer(CaseFactory(service=service), caseworker, agency, datetime.date(2026, 1, 1))
    with pytest.raises(ValidationError):
        services.marac_hearing_add(meeting=meeting, referral=referral, actor=stranger)


def test_caseworker_is_not_a_coordinator(caseworker, service):
    with pytest.raises(PermissionDenied):
        services.marac_meeting_create(
            actor=caseworker, area=service.area, held_on=datetime.date(2026, 1, 1)
        )


# --- Prompts ---------------------------------------------------------------------------------


def test_team_leader_prompts(service, caseworker, team_leader, agency):
    from cases.selectors import cases_visible_to

    waiting = CaseFactory(service=service)
    old = submitted(waiting, caseworker, ticks=16)
    # Submitted three days ago: past the 48 hours.
    old.submitted_at = timezone.now() - datetime.timedelta(days=3)
    old.save()
    referred = CaseFactory(service=service)
    done = submitted(referred, caseworker, ticks=16)
    done.submitted_at = timezone.now() - datetime.timedelta(days=3)
    done.save()
    refer(referred, caseworker, agency, done.assessed_on)
    fresh = CaseFactory(service=service)
    submitted(fresh, caseworker, ticks=16)  # within 48 hours: no prompt yet
    ContactFactory(case=referred, recorded_by=caseworker, occurred_at=timezone.now())

    prompts = hooks.team_leader_prompts(team_leader, cases_visible_to(team_leader))
    no_referral = {p.case_id for p in prompts if "MARAC" in p.message}
    no_contact = {p.case_id for p in prompts if "no contact" in p.message}
    assert no_referral == {waiting.pk}
    # All three are high risk and were opened weeks ago; only `referred` had a contact lately.
    assert no_contact == {waiting.pk, fresh.pk}
    assert all(p.reference for p in prompts)
