"""Wires safety plans, support by area of need and interventions into Lantern: the case-page
panel, the timeline source, the built-in option lists and the demo data. Called once from
CasesConfig.ready() (register_plans_extensions)."""

import datetime

from django.apps import apps
from django.db.models import Max
from django.db.models.signals import post_migrate
from django.urls import reverse

from .extensions import TimelineItem, register_case_panel, register_timeline_source

PANEL_ORDER = 25
DEMO_SEEDER_ORDER = 25


def register_plans_extensions() -> None:
    from accounts.demo import register_demo_seeder

    register_case_panel(PANEL_ORDER, "cases/plans/_case_panel.html", case_panel_context)
    register_timeline_source(plans_timeline)
    register_demo_seeder(DEMO_SEEDER_ORDER, seed_demo_plans)
    post_migrate.connect(
        _sync_option_lists, sender=apps.get_app_config("cases"), dispatch_uid="cases_plans_options"
    )


def _sync_option_lists(sender, **kwargs):
    from .models.support import OPTION_LIST_KEYS
    from .services import sync_option_lists

    sync_option_lists(OPTION_LIST_KEYS)


# --- Case page ---------------------------------------------------------------------------------


def case_panel_context(request, case) -> dict:
    """Plans (kind, latest version), the Safety in Numbers count and band, and the number of
    areas where support was given: 4 queries."""
    from .models import AreaSupport
    from .selectors_plans import intervention_band, intervention_count

    plans = list(
        case.safety_plans.annotate(
            latest_number=Max("versions__number"), latest_on=Max("versions__reviewed_on")
        )
    )
    count = intervention_count(case)
    from .models.support import SupportArea

    return {
        "case": case,
        "plans": plans,
        "intervention_count": count,
        "intervention_band": intervention_band(count),
        "areas_supported": AreaSupport.objects.filter(case=case, supported="Yes").count(),
        "areas_total": len(SupportArea.values),
    }


def plans_timeline(case) -> list[TimelineItem]:
    """Plan versions and interventions of the case: 2 queries whatever the number of rows."""
    from django.utils import timezone

    from .models import Intervention, SafetyPlanVersion

    def at(day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(
            day, datetime.time(12), tzinfo=timezone.get_current_timezone()
        )

    items = []
    for version in SafetyPlanVersion.objects.filter(plan__case=case).select_related("plan"):
        items.append(
            TimelineItem(
                at=at(version.reviewed_on),
                kind="Safety plan",
                title=(
                    f"{version.plan.get_kind_display()} "
                    + (f"reviewed (version {version.number})" if version.is_review else "made")
                ),
                url=reverse("cases:plan_version", args=[version.plan_id, version.number]),
            )
        )
    for item in Intervention.objects.filter(case=case).select_related("agency"):
        items.append(
            TimelineItem(
                at=at(item.occurred_on),
                kind="Intervention",
                title=item.get_type_display(),
                detail=item.agency.name if item.agency else item.detail,
                url=reverse("cases:intervention_list", args=[case.pk]),
            )
        )
    return items


# --- Demo data ---------------------------------------------------------------------------------

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


def seed_demo_plans(*, services, stdout=None) -> None:
    """Synthetic plans, support and interventions on the demo cases: each service's first eight
    open cases with no safety plan yet (so a second run creates nothing). The cases get from
    four to eleven different interventions (counting safety planning), so the Safety in Numbers
    bands 2-5, 6-10 and 11+ all show; some plans have been reviewed, some cases have a digital
    plan too."""
    from accounts import access

    from .models import Agency, Case, Option
    from .models.support import SupportArea, outcomes_list_key
    from .services_plans import (
        area_support_record,
        intervention_record,
        safety_plan_create,
        safety_plan_review,
    )

    created = 0
    agency = Agency.objects.filter(is_retired=False).order_by("name").first()
    areas = list(SupportArea.values)
    for service in services.values():
        cases = Case.objects.filter(service=service, status=Case.Status.OPEN).order_by("pk")[:8]
        for index, case in enumerate(cases):
            if case.safety_plans.exists():
                continue
            actor = case.caseworker
            if actor is None or not access.can(actor, access.Capability.EDIT_CASES, service.pk):
                continue
            today = datetime.date.today()  # noqa: DTZ011 - demo dates only

            def day(offset, start=case.opened_on, today=today):
                return min(start + datetime.timedelta(days=offset), today)

            version = safety_plan_create(
                case=case, actor=actor, kind="personal", reviewed_on=day(1), **_DEMO_SECTIONS
            )
            if index % 2 and day(30) > version.reviewed_on:
                safety_plan_review(
                    plan=version.plan,
                    actor=actor,
                    reviewed_on=day(30),
                    review_reason="Risk reviewed after a new incident.",
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
            for area in areas[: 1 + index % 4]:
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
            created += 1
    if stdout is not None:
        stdout.write(f"Safety plans, support and interventions: {created} demo cases filled.")
