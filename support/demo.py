"""Demo data for safety plans, support by area of need and interventions (seed_demo calls
seed_demo_plans through accounts.demo's registry)."""

import datetime
import random

from django.db import transaction

from cases.choices import DONT_KNOW
from cases.models import Agency, Case, Option
from cases.selectors import demo_editor
from catalogue.insights import TABLES_BY_KEY
from catalogue.safety_in_numbers import INTERVENTIONS as SIN_INTERVENTIONS

from .models.areas import SupportArea, impact_table_key, outcomes_list_key, supported_table_key
from .models.interventions import INTERVENTION_TYPES
from .selectors import assessments_for_plan
from .services import (
    _intervention_write,
    _safety_plan_next_version,
    _safety_plan_start,
    area_support_record,
    intervention_record,
    safety_plan_create,
    safety_plan_review,
)

_DEMO_SECTIONS = {
    "safe_places_people": "Sister's flat (key kept at work). Neighbour at 12 knows the signal.",
    "escape_route_bag": "Back door to the alley. Bag with keys, cash and charger at sister's.",
    "code_words": "Text 'Did you feed the cat?' to sister: call 999 for me.",
    "important_documents": "Passport and birth certificates copied; originals at sister's.",
    "children": "Children go to the neighbour's and call 999. School has the collection list.",
    "travel_work": "Vary the route to work; manager knows; parking near the entrance.",
    "phone_online_safety": "Location sharing turned off, new passwords, second phone kept charged.",
    "emergency": "Call 999. If unable to speak, press 55 when asked.",
}
_DEMO_INTERVENTIONS = (
    ("police_check", 2),
    ("tau_marker_requested", 3),
    ("personal_alarm", 5),
    ("home_visit", 8),
    ("target_hardening", 12),
    ("signposting_referral", 15),
    ("counselling_referral", 20),
    ("marac_referral", 22),
    ("housing_support", 25),
    ("benefits_support", 28),
    ("freedom_programme", 35),
)
# Closed demo cases: how often an output that Safety in Numbers does not rate (police checks,
# TAU markers, alarms, signposting, ...) was given. Demo data only: reports count what is
# recorded, never this figure.
_DEMO_OTHER_OUTPUT_RATE = 0.2
_DEMO_REVIEW_RATE = 0.4
_DEMO_DIGITAL_PLAN_RATE = 0.3
# The Insights safety outcome that each kind of plan is.
_PLAN_OUTCOMES = (
    ("personal", "Established personal safety plan"),
    ("digital", "Established digital/tech safety plan"),
)


def seed_demo_plans(*, services, stdout=None) -> None:
    """Synthetic plans, support and interventions on the demo cases; a second run creates
    nothing.

    1. Each service's first eight open cases with no safety plan yet get a worked example: a
       personal plan (some reviewed, some with a digital plan too), from three to eleven
       different interventions (so the Safety in Numbers bands 2-5, 6-10 and 11+ all show) and
       support in a few areas.
    2. Each closed case (the cases with exit forms) with nothing recorded yet gets the history
       it had while open, drawn from the seeds' own rates so the Insights support tables and
       the outputs look like a real service's: a safety plan as often as Safety in Numbers
       found safety planning (81%), each Table 4 intervention at its seed rate, and for each
       Insights area support recorded, given or not, with outcomes and impact weighted by the
       Insights counts (seed 002). A random generator seeded by the case keeps it repeatable.
    """
    agency = Agency.objects.filter(is_retired=False).order_by("name").first()
    open_filled = closed_filled = 0
    for service in services.values():
        cases = Case.objects.filter(service=service, status=Case.Status.OPEN).order_by("pk")[:8]
        for index, case in enumerate(cases):
            if not case.safety_plans.exists() and _seed_open_case(case, index, agency):
                open_filled += 1
        closed = Case.objects.filter(service=service, status=Case.Status.CLOSED).order_by("pk")
        for case in closed:
            if not _has_plans_or_support(case) and _seed_closed_case(case, agency):
                closed_filled += 1
    if stdout is not None:
        stdout.write(
            f"Safety plans, support and interventions: {open_filled} open and {closed_filled} "
            "closed demo cases filled."
        )


def _has_plans_or_support(case) -> bool:
    return case.safety_plans.exists() or case.interventions.exists() or case.area_support.exists()


def _assessment_answered(case, on: datetime.date):
    """The id of the latest assessment of the case made on or before the plan's date."""
    earlier = [choice for choice in assessments_for_plan(case) if choice.assessed_on <= on]
    return earlier[0].pk if earlier else None


def _seed_open_case(case, index, agency) -> bool:
    actor = demo_editor(case)
    if actor is None:
        return False
    today = datetime.date.today()  # noqa: DTZ011 - demo dates only

    def day(offset, start=case.opened_on):
        return min(start + datetime.timedelta(days=offset), today)

    def review_by(agreed_on):
        # Four weeks on; one case in four has let it pass, so the dashboard shows a prompt.
        four_weeks = agreed_on + datetime.timedelta(days=28)
        later = today + datetime.timedelta(days=7 + index)
        return four_weeks if index % 4 == 0 else max(four_weeks, later)

    version = safety_plan_create(
        case=case,
        actor=actor,
        kind="personal",
        reviewed_on=day(1),
        assessment_id=_assessment_answered(case, day(1)),
        next_review_on=review_by(day(1)),
        **_DEMO_SECTIONS,
    )
    if index % 2 and day(30) > version.reviewed_on:
        safety_plan_review(
            plan=version.plan,
            actor=actor,
            reviewed_on=day(30),
            review_reason="Risk reviewed after a new incident.",
            assessment_id=_assessment_answered(case, day(30)),
            next_review_on=review_by(day(30)),
            **{**_DEMO_SECTIONS, "travel_work": "Lifts to work from a colleague."},
        )
    if index % 3 == 0:
        safety_plan_create(
            case=case,
            actor=actor,
            kind="digital",
            reviewed_on=day(2),
            phone_online_safety=_DEMO_SECTIONS["phone_online_safety"],
            emergency=_DEMO_SECTIONS["emergency"],
        )
    for number, (type_key, offset) in enumerate(_DEMO_INTERVENTIONS):
        if number > index + 2:
            break
        intervention_record(
            case=case,
            actor=actor,
            type=type_key,
            occurred_on=day(offset),
            agency=agency if type_key == "signposting_referral" else None,
        )
    for area in list(SupportArea.values)[: 1 + index % 4]:
        supported = "No" if area == SupportArea.HOUSING and index % 2 else "Yes"
        outcomes = list(Option.objects.of(outcomes_list_key(area)).offered()[:2])
        area_support_record(
            case=case,
            actor=actor,
            area=area,
            supported=supported,
            outcomes=outcomes if supported == "Yes" else [],
            impact_safety="Improved slightly" if supported == "Yes" else "",
            impact_wellbeing="Improved greatly" if supported == "Yes" else "",
        )
    return True


def _seed_closed_case(case, agency) -> bool:
    """A closed case's plans, interventions and support, as they were recorded while it was
    open (the services refuse new plans and interventions on a closed case, so the demo uses
    their inner writers, which check everything else)."""
    actor = demo_editor(case)
    if actor is None or case.closed_on is None:
        return False
    rng = random.Random(f"plans-{case.pk}")  # noqa: S311 - synthetic demo data
    length = max((case.closed_on - case.opened_on).days, 0)

    def day(low=0, high=None):
        return case.opened_on + datetime.timedelta(days=rng.randint(low, high or length))

    sin_rates = {item.key: item.seed_percent / 100 for item in SIN_INTERVENTIONS}
    with transaction.atomic():
        if rng.random() < sin_rates["safety_planning"]:
            made_on = day(0, min(length, 7))
            version = _safety_plan_start(
                case=case,
                actor=actor,
                kind="personal",
                reviewed_on=made_on,
                assessment_id=_assessment_answered(case, made_on),
                **_DEMO_SECTIONS,
            )
            if length > 30 and rng.random() < _DEMO_REVIEW_RATE:
                reviewed_on = day(30)
                _safety_plan_next_version(
                    plan=version.plan,
                    actor=actor,
                    reviewed_on=reviewed_on,
                    review_reason="Reviewed before the court date.",
                    assessment_id=_assessment_answered(case, reviewed_on),
                    **{**_DEMO_SECTIONS, "travel_work": "A colleague gives lifts to work."},
                )
            if rng.random() < _DEMO_DIGITAL_PLAN_RATE:
                _safety_plan_start(
                    case=case,
                    actor=actor,
                    kind="digital",
                    reviewed_on=made_on,
                    phone_online_safety=_DEMO_SECTIONS["phone_online_safety"],
                )
        for item in INTERVENTION_TYPES:
            # A MARAC referral is recorded on the risk pages (the risk demo makes them).
            if item.key in ("marac_referral", "tau_marker_placed"):
                continue
            if rng.random() < sin_rates.get(item.sin, _DEMO_OTHER_OUTPUT_RATE):
                _intervention_write(
                    case=case,
                    actor=actor,
                    type=item.key,
                    occurred_on=day(),
                    agency=agency if item.needs_agency else None,
                    detail="",
                    notes="",
                )
        _seed_closed_case_support(case, actor, rng)
    return True


def _seed_closed_case_support(case, actor, rng) -> None:
    """Support in each Insights area: recorded as often as the seed has an answer, given as
    often as the seed says Yes, with outcomes and impact weighted by the seed's counts."""

    def weighted(table, count=1):
        labels = list(table.options)
        weights = [value or 0 for value in table.seed_counts]
        if table.has_dont_know and table.seed_dont_know:
            labels.append(DONT_KNOW)
            weights.append(table.seed_dont_know)
        picked = []
        while len(picked) < min(count, len(labels)):
            label = rng.choices(labels, weights=weights)[0]
            if label not in picked:
                picked.append(label)
        return picked

    plan_kinds = set(case.safety_plans.values_list("kind", flat=True))
    for area in SupportArea.values:
        table = TABLES_BY_KEY[supported_table_key(area)]
        yes, no = table.seed_counts
        if rng.random() >= (yes + no) / table.seed_n:
            continue  # not answered, as in the seed's Missing row
        if rng.random() >= yes / (yes + no):
            area_support_record(case=case, actor=actor, area=area, supported="No")
            continue
        outcome_table = TABLES_BY_KEY[outcomes_list_key(area)]
        labels = weighted(outcome_table, rng.choice((1, 1, 2, 3)))
        if area == SupportArea.SAFETY:  # the plans made are outcomes of the safety support
            labels += [label for kind, label in _PLAN_OUTCOMES if kind in plan_kinds]
        area_support_record(
            case=case,
            actor=actor,
            area=area,
            supported="Yes",
            outcomes=list(Option.objects.of(outcomes_list_key(area)).filter(label__in=labels)),
            impact_safety=weighted(TABLES_BY_KEY[impact_table_key(area, "safety")])[0],
            impact_wellbeing=weighted(TABLES_BY_KEY[impact_table_key(area, "wellbeing")])[0],
        )
