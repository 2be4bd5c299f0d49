"""MARAC: referrals, repeat detection across the 12-month boundary, meetings, hearings, actions,
the outcome fed back to the case, and the team leader's risk prompts."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Role
from riskassessment import case_page, selectors, services
from tests.factories import (
    CaseFactory,
    ChildInCaseFactory,
    ContactFactory,
    MaracFactory,
    MembershipFactory,
    PerpetratorFactory,
    ServiceFactory,
)
from tests.factories_riskassessment import AgencyFactory, MaracMeetingFactory, submitted

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
        actor=coordinator, marac=service.marac, held_on=datetime.date(2026, 2, 10)
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
    meeting = MaracMeetingFactory(marac=service.marac, held_on=datetime.date(2026, 5, 10))
    hearing = services.marac_hearing_add(meeting=meeting, referral=again, actor=coordinator)
    assert hearing.is_repeat


def test_coordinator_of_another_area_is_refused(caseworker, service, agency):
    elsewhere = ServiceFactory(area="Elsewhere", marac=MaracFactory(name="Elsewhere"))
    stranger = MembershipFactory(service=elsewhere, role=Role.MARAC_COORDINATOR).user
    with pytest.raises(PermissionDenied):
        services.marac_meeting_create(
            actor=stranger, marac=service.marac, held_on=datetime.date(2026, 1, 1)
        )
    meeting = MaracMeetingFactory(marac=elsewhere.marac)
    referral = refer(CaseFactory(service=service), caseworker, agency, datetime.date(2026, 1, 1))
    with pytest.raises(ValidationError):
        services.marac_hearing_add(meeting=meeting, referral=referral, actor=stranger)


def test_caseworker_is_not_a_coordinator(caseworker, service):
    with pytest.raises(PermissionDenied):
        services.marac_meeting_create(
            actor=caseworker, marac=service.marac, held_on=datetime.date(2026, 1, 1)
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

    prompts = case_page.team_leader_prompts(team_leader, cases_visible_to(team_leader))
    no_referral = {p.case_id for p in prompts if "MARAC" in p.message}
    no_contact = {p.case_id for p in prompts if "no contact" in p.message}
    assert no_referral == {waiting.pk}
    # All three are high risk and were opened weeks ago; only `referred` had a contact lately.
    assert no_contact == {waiting.pk, fresh.pk}
    assert all(p.reference for p in prompts)
    # Both are overdue, as on the caseworker's dashboard: never under "Due soon".
    assert {p.severity for p in prompts} == {"danger"}


# --- Repeat: the same victim and perpetrator -------------------------------------------------


def test_a_referral_records_the_earlier_one_it_repeats(service, caseworker, agency):
    case = CaseFactory(service=service)
    first = refer(case, caseworker, agency, datetime.date(2026, 1, 10))
    second = refer(case, caseworker, agency, datetime.date(2026, 4, 10))
    third = refer(case, caseworker, agency, datetime.date(2026, 7, 10))
    assert (first.repeat_of, second.repeat_of, third.repeat_of) == (None, first, second)
    assert second.is_repeat and third.is_repeat


def test_abuse_by_a_different_perpetrator_is_not_a_repeat(service, caseworker, agency):
    case = CaseFactory(service=service)
    first = refer(case, caseworker, agency, datetime.date(2026, 1, 10))
    other = services.marac_refer(
        case=case,
        actor=caseworker,
        referred_on=datetime.date(2026, 3, 1),
        referring_agency=agency,
        visible_high_risk=True,
        different_perpetrator=True,
    )
    assert not other.is_repeat and other.different_perpetrator and other.repeat_of == first
    # With nothing earlier, "different perpetrator" has nothing to differ from.
    lone = services.marac_refer(
        case=CaseFactory(service=service),
        actor=caseworker,
        referred_on=datetime.date(2026, 3, 1),
        referring_agency=agency,
        visible_high_risk=True,
        different_perpetrator=True,
    )
    assert not lone.is_repeat and not lone.different_perpetrator and lone.repeat_of is None


def test_referral_refuses_a_future_date_and_a_draft_assessment(service, caseworker, agency):
    case = CaseFactory(service=service)
    draft = services.assessment_start(
        case=case,
        version=submitted(case, caseworker, ticks=15).version,
        actor=caseworker,
        stage="review",
    )
    with pytest.raises(ValidationError) as error:
        services.marac_refer(
            case=case,
            actor=caseworker,
            referred_on=timezone.localdate() + datetime.timedelta(days=1),
            referring_agency=agency,
            visible_high_risk=True,
            assessment=draft,
        )
    assert set(error.value.message_dict) == {"referred_on", "assessment"}
    assert not case.marac_referrals.exists()


def test_the_referral_page_asks_about_the_perpetrator_only_for_a_possible_repeat(
    client_for, service, caseworker, agency
):
    from django.urls import reverse

    case = CaseFactory(service=service)
    web = client_for(caseworker)
    url = reverse("riskassessment:marac_refer", args=[case.pk])
    assert 'name="different_perpetrator"' not in web.get(url).content.decode()
    first = refer(case, caseworker, agency, timezone.localdate() - datetime.timedelta(days=30))
    page = web.get(url).content.decode()
    assert 'name="different_perpetrator"' in page
    assert date_format(first.referred_on) in page
    response = web.post(
        url,
        {
            "referred_on": timezone.localdate().isoformat(),
            "referring_agency": agency.pk,
            "visible_high_risk": "on",
            "different_perpetrator": "on",
        },
    )
    assert response.status_code == 302
    latest = case.marac_referrals.order_by("-pk").first()
    assert latest.repeat_of == first and not latest.is_repeat
    future = web.post(
        url,
        {
            "referred_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "referring_agency": agency.pk,
            "visible_high_risk": "on",
        },
    )
    assert future.status_code == 200 and "in the future" in future.content.decode()
    assert case.marac_referrals.count() == 2


# --- The case as MARAC heard it (seed 004's partnership counts) ------------------------------


def test_hearing_facts_start_from_the_case_record(service, caseworker, coordinator, agency):
    held_on = datetime.date(2026, 6, 1)
    case = CaseFactory(service=service)
    client = case.client
    client.pregnant, client.disability = "Yes", "No"
    client.date_of_birth = datetime.date(1961, 6, 1)  # 65 on the meeting day
    client.save()
    for lives_with in ("client", "both", "care"):
        ChildInCaseFactory(case=case, lives_with=lives_with)
    PerpetratorFactory(
        case=case, is_primary=True, need_alcohol="Yes", need_drugs="No", need_mental_health=""
    )
    referral = refer(case, caseworker, agency, datetime.date(2026, 5, 20))
    meeting = MaracMeetingFactory(marac=service.marac, held_on=held_on)
    hearing = services.marac_hearing_add(meeting=meeting, referral=referral, actor=coordinator)
    facts = {name: getattr(hearing, name) for name in hearing.FACT_FIELDS}
    assert facts == {
        "coercive_control": None,  # not on the case record: the coordinator records it
        "children_in_household": 2,  # the child in care is not in the household
        "pregnancy": True,
        "alcohol": True,
        "drugs": False,
        "mental_health": None,
        "disability": False,
        "victim_over_65": True,
    }
    # A case with nothing recorded has every fact unknown.
    bare = CaseFactory(service=service)
    bare.client.date_of_birth = None
    bare.client.save()
    other = services.marac_hearing_add(
        meeting=meeting,
        referral=refer(bare, caseworker, agency, datetime.date(2026, 5, 21)),
        actor=coordinator,
    )
    assert all(getattr(other, name) is None for name in other.FACT_FIELDS)


def test_coordinator_records_the_facts_and_bad_input_is_an_error_in_place(
    client_for, service, caseworker, coordinator, agency
):
    from django.urls import reverse

    case = CaseFactory(service=service)
    referral = refer(case, caseworker, agency, datetime.date(2026, 5, 20))
    meeting = MaracMeetingFactory(marac=service.marac, held_on=datetime.date(2026, 6, 1))
    hearing = services.marac_hearing_add(meeting=meeting, referral=referral, actor=coordinator)
    web = client_for(coordinator)
    url = reverse("riskassessment:hearing_facts", args=[hearing.pk])
    prefix = f"facts{hearing.pk}-"
    response = web.post(
        url,
        {
            f"{prefix}coercive_control": "true",
            f"{prefix}children_in_household": "3",
            f"{prefix}mental_health": "false",
        },
    )
    assert response.status_code == 302
    hearing.refresh_from_db()
    assert (hearing.coercive_control, hearing.children_in_household) == (True, 3)
    assert hearing.mental_health is False and hearing.pregnancy is None
    bad = web.post(url, {f"{prefix}children_in_household": "-2"})
    assert bad.status_code == 200 and "Check the form" in bad.content.decode()
    hearing.refresh_from_db()
    assert hearing.children_in_household == 3
    # A caseworker of the case cannot change what the meeting recorded.
    assert client_for(caseworker).post(url, {}).status_code == 404


def test_a_case_cannot_be_heard_before_it_was_referred(service, caseworker, coordinator, agency):
    referral = refer(CaseFactory(service=service), caseworker, agency, datetime.date(2026, 5, 20))
    meeting = MaracMeetingFactory(marac=service.marac, held_on=datetime.date(2026, 5, 19))
    with pytest.raises(ValidationError):
        services.marac_hearing_add(meeting=meeting, referral=referral, actor=coordinator)


def test_the_meeting_page_audits_one_read_naming_the_cases_heard(
    client_for, service, caseworker, coordinator, agency
):
    from django.urls import reverse

    from accounts.models import AuditEvent
    from accounts.selectors import audit_trail

    meeting = MaracMeetingFactory(marac=service.marac, held_on=datetime.date(2026, 6, 1))
    cases = [CaseFactory(service=service) for _ in range(2)]
    for case in cases:
        referral = refer(case, caseworker, agency, datetime.date(2026, 5, 20))
        services.marac_hearing_add(meeting=meeting, referral=referral, actor=coordinator)
    client_for(coordinator).get(reverse("riskassessment:meeting_detail", args=[meeting.pk]))
    viewed = AuditEvent.objects.get(actor=coordinator, action="view")
    assert viewed.service_id == service.pk
    assert viewed.object_type == "riskassessment.maracmeeting"
    assert viewed.detail == {"page": "marac meeting", "cases": sorted(c.pk for c in cases)}
    # Ids only: no reference, name or outcome in the row.
    assert all(case.reference not in str(viewed.detail) for case in cases)
    # Each case's access history still shows the read.
    manager = MembershipFactory(service=service, role=Role.SERVICE_MANAGER).user
    for case in cases:
        rows = audit_trail(manager, case_id=case.pk, actor_id=coordinator.pk)
        assert [row[2] for row in rows] == ["view"]


def test_the_meeting_page_audits_its_read_once_in_each_service_it_shows(
    client_for, service, caseworker, coordinator, agency
):
    from django.urls import reverse

    from accounts.models import AuditEvent

    other = ServiceFactory(provider=service.provider, marac=service.marac)
    other_worker = MembershipFactory(service=other, role=Role.CASEWORKER).user
    meeting = MaracMeetingFactory(marac=service.marac, held_on=datetime.date(2026, 6, 1))
    ours, theirs = CaseFactory(service=service), CaseFactory(service=other)
    for case, worker in ((ours, caseworker), (theirs, other_worker)):
        referral = refer(case, worker, agency, datetime.date(2026, 5, 20))
        services.marac_hearing_add(meeting=meeting, referral=referral, actor=coordinator)
    client_for(coordinator).get(reverse("riskassessment:meeting_detail", args=[meeting.pk]))
    views = AuditEvent.objects.filter(actor=coordinator, action="view")
    assert {event.service_id: event.detail["cases"] for event in views} == {
        service.pk: [ours.pk],
        other.pk: [theirs.pk],
    }


def test_a_high_follow_up_screen_is_not_prompted_for_marac(service, caseworker, team_leader):
    from cases.selectors import cases_visible_to
    from riskassessment.models import Checklist

    case = CaseFactory(service=service)
    submitted(case, caseworker, ticks=2)
    stalking = selectors.published_version_of(Checklist.objects.get(key="stalking"))
    # Call-outs entered on the follow-up screen make it "high" by escalation; the case's level
    # (from the main checklist) stays standard, so there is nothing to refer.
    screen = submitted(case, caseworker, version=stalking, ticks=5, police_call_outs=3)
    assert screen.risk_level == "high"
    screen.submitted_at = timezone.now() - datetime.timedelta(days=3)
    screen.save()
    prompts = case_page.team_leader_prompts(team_leader, cases_visible_to(team_leader))
    assert not [p for p in prompts if "MARAC" in p.message]


def test_a_restricted_case_is_heard_without_its_reference_unless_the_user_is_named(
    client_for, service, caseworker, coordinator, agency
):
    from django.urls import reverse

    meeting = MaracMeetingFactory(marac=service.marac, held_on=datetime.date(2026, 6, 1))
    restricted = CaseFactory(service=service, is_restricted=True)
    restricted.restricted_to.set([caseworker])
    awaiting = CaseFactory(service=service, is_restricted=True)
    open_case = CaseFactory(service=service)
    heard = refer(restricted, caseworker, agency, datetime.date(2026, 5, 20))
    services.marac_hearing_add(meeting=meeting, referral=heard, actor=coordinator)
    refer(awaiting, caseworker, agency, datetime.date(2026, 5, 21))
    services.marac_hearing_add(
        meeting=meeting,
        referral=refer(open_case, caseworker, agency, datetime.date(2026, 5, 22)),
        actor=coordinator,
    )
    url = reverse("riskassessment:meeting_detail", args=[meeting.pk])

    page = client_for(coordinator).get(url).content.decode()
    assert restricted.reference not in page
    assert awaiting.reference not in page  # in the list of referrals waiting to be heard
    assert page.count("Restricted case") == 2  # the hearing heading, the choice of referral
    assert f"Case {open_case.reference}" in page

    coordinator.restricted_cases_granted.add(restricted)
    page = client_for(coordinator).get(url).content.decode()
    assert f"Case {restricted.reference}" in page
    assert awaiting.reference not in page
