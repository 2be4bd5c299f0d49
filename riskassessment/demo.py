"""Synthetic risk assessments and a MARAC meeting for the demo cases (seed_demo, order 20).

Idempotent: a case that already has an assessment is left alone, and an area that already has a
MARAC meeting gets no other. Answers follow a fixed pattern from the case's ID: no real data.
"""

import datetime

from django.utils import timezone

from accounts import access
from accounts.demo import DEMO_USERS
from accounts.models import Membership, Role, User
from cases.models import Agency, Case, RiskLevel
from cases.selectors import demo_editor

from . import selectors
from . import services as risk_services
from .models import Assessment, Checklist, MaracMeeting, MaracReferral

DEMO_SERVICE_CODES = ("CID", "RRH", "RAI")
# seed_demo makes this user (accounts.demo.DEMO_USERS) and prints its login with the others.
DEMO_COORDINATOR = next(
    (email, name, password)
    for email, name, password, memberships in DEMO_USERS
    if any(role == Role.MARAC_COORDINATOR for _code, role, _team in memberships)
)
MAX_REFERRALS_PER_AREA = 3


def _answer(version, assessment, ticks: int, seed: int):
    """Yes to the first `ticks` questions, then a mix of No, Don't know and Not asked."""
    answers = {}
    for index, answer in enumerate(selectors.answers_for(assessment)):
        options = {o.key: o for o in answer.question.options.all()}
        if index < ticks:
            key = "yes"
        else:
            key = ("no", "no", "dont_know", "no", "not_asked")[(index + seed) % 5]
        answers[answer.question_id] = {"option": options.get(key), "detail": "", "comment": ""}
    return answers


def _assess(case, version, actor, *, stage, on, ticks):
    assessment = risk_services.assessment_start(
        case=case, version=version, actor=actor, stage=stage, assessed_on=on
    )
    return risk_services.assessment_save(
        assessment=assessment,
        actor=actor,
        answers=_answer(version, assessment, ticks, case.pk),
        submit=True,
    )


def _seed_incomplete_merit(case, intake, actor) -> int:
    """The issue-18 story on one high-risk demo case: a MeRIT with five answers and the rest
    "Not asked", submitted after the high DASH. It is incomplete and leaves the case high; the
    case page says why (riskassessment.current_risk)."""
    merit = Checklist.objects.filter(key="merit").first()
    version = selectors.published_version_of(merit) if merit else None
    if version is None:
        return 0
    assessment = risk_services.assessment_start(
        case=case, version=version, actor=actor, stage="review", assessed_on=intake.assessed_on
    )
    answers = {}
    for index, answer in enumerate(selectors.answers_for(assessment)):
        options = {o.key: o for o in answer.question.options.all()}
        key = ("yes", "no", "no", "yes", "no")[index] if index < 5 else "not_asked"
        answers[answer.question_id] = {"option": options.get(key), "detail": "", "comment": ""}
    risk_services.assessment_save(assessment=assessment, actor=actor, answers=answers, submit=True)
    return 1


def seed(*, services: dict, stdout) -> None:
    dash = Checklist.objects.filter(key="dash").first()
    version = selectors.published_version_of(dash) if dash else None
    demo_services = [services[code] for code in DEMO_SERVICE_CODES if code in services]
    cases = list(
        Case.objects.filter(service__in=demo_services)
        .select_related("service", "caseworker")
        .order_by("pk")
    )
    if version is None or not cases:
        stdout.write("Risk assessments: no demo cases yet (or no DASH version); created none.")
        return
    assessed_case_ids = set(
        Assessment.objects.filter(case__in=cases).values_list("case_id", flat=True)
    )
    created = 0
    new_high = []
    for case in cases:
        if case.pk in assessed_case_ids:
            continue
        actor = demo_editor(case)
        if actor is None:
            continue
        ticks = 5 + (case.pk * 7) % 16  # 5..20
        intake = _assess(case, version, actor, stage="intake", on=case.opened_on, ticks=ticks)
        created += 1
        if case.is_closed:
            exit_on = case.closed_on or case.opened_on
            _assess(
                case,
                version,
                actor,
                stage="exit",
                on=exit_on,
                ticks=max(0, ticks - 6 - case.pk % 4),
            )
            created += 1
        elif intake.risk_level == RiskLevel.HIGH:
            new_high.append((case, intake, actor))
    if new_high:
        created += _seed_incomplete_merit(*new_high[0])
    stdout.write(f"Risk assessments: {created} created.")

    agency = Agency.objects.filter(name="IDVA service").first() or Agency.objects.first()
    if agency is None:
        return
    coordinator = _demo_coordinator(demo_services)
    by_marac: dict = {}
    for case, intake, actor in new_high:
        by_marac.setdefault(case.service.marac, []).append((case, intake, actor))
    for marac, items in sorted(by_marac.items(), key=lambda item: str(item[0] or "")):
        if marac is None or MaracMeeting.objects.filter(marac=marac).exists():
            continue
        _seed_area_meetings(marac, items[:MAX_REFERRALS_PER_AREA], coordinator, agency, stdout)
    if not MaracReferral.objects.exists():
        stdout.write("MARAC: no new high-risk demo cases, so no meeting was created.")


def _seed_area_meetings(marac, items, coordinator, agency, stdout):
    """A meeting of the MARAC hearing its services' new high-risk cases, with actions, an outcome
    and the case facts the partnership counts; and, where the dates allow, the first case
    referred again within 12 months and heard as a repeat at a second meeting."""
    today = timezone.localdate()
    referrals = [
        risk_services.marac_refer(
            case=case,
            actor=actor,
            referred_on=min(intake.assessed_on + datetime.timedelta(days=1), today),
            referring_agency=agency,
            visible_high_risk=intake.visible_high_risk,
            professional_judgement=not intake.visible_high_risk,
            potential_escalation=intake.potential_escalation,
            assessment=intake,
        )
        for case, intake, actor in items
    ]
    held_on = max(r.referred_on for r in referrals) + datetime.timedelta(days=14)
    meeting = risk_services.marac_meeting_create(
        actor=coordinator, marac=marac, held_on=held_on, notes="Demo meeting (synthetic)."
    )
    for index, referral in enumerate(referrals):
        _hear(meeting, referral, coordinator, agency, with_outcome=index == 0)
    stdout.write(f"MARAC: a demo meeting for {marac} with {len(referrals)} cases heard.")
    first_case, _intake, first_actor = items[0]
    again_on = held_on + datetime.timedelta(days=60)
    if first_case.is_closed or again_on > today:
        return
    repeat = risk_services.marac_refer(
        case=first_case,
        actor=first_actor,
        referred_on=again_on,
        referring_agency=agency,
        professional_judgement=True,
        notes="Further incident reported by the police (synthetic demo referral).",
    )
    second = risk_services.marac_meeting_create(
        actor=coordinator,
        marac=marac,
        held_on=again_on + datetime.timedelta(days=14),
        notes="Demo meeting (synthetic).",
    )
    _hear(second, repeat, coordinator, agency, with_outcome=False)
    stdout.write(f"MARAC: a second demo meeting for {marac} hearing a repeat case.")


def _hear(meeting, referral, coordinator, agency, *, with_outcome):
    hearing = risk_services.marac_hearing_add(meeting=meeting, referral=referral, actor=coordinator)
    # Facts the case record cannot give, set in a fixed pattern from the case's ID.
    seed = referral.case_id
    risk_services.marac_hearing_record_facts(
        hearing=hearing,
        actor=coordinator,
        coercive_control=seed % 3 != 0,
        mental_health=hearing.mental_health if hearing.mental_health is not None else seed % 2 == 0,
        children_in_household=(
            hearing.children_in_household if hearing.children_in_household is not None else seed % 3
        ),
    )
    risk_services.marac_action_add(
        hearing=hearing,
        actor=coordinator,
        agency=agency,
        action="Agree a safety plan review with the client within a week.",
        owner="Allocated Idva",
        due_on=meeting.held_on + datetime.timedelta(days=7),
    )
    if with_outcome:
        risk_services.marac_hearing_record_outcome(
            hearing=hearing,
            actor=coordinator,
            outcome="Actions agreed; police marker placed (synthetic demo outcome).",
        )
    return hearing


def _demo_coordinator(demo_services):
    """The demo MARAC coordinator (made by seed_demo, which prints its login), in every demo
    service; made here too when this seeder runs on its own."""
    email, full_name, password = DEMO_COORDINATOR
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "is_demo_user": True}
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    for service in demo_services:
        Membership.objects.get_or_create(user=user, service=service, role=Role.MARAC_COORDINATOR)
    access.forget_capabilities(user)
    return user
