"""Demo court hearings (seed_demo, through accounts.demo's registry). Synthetic; a second run
creates nothing."""

import datetime

from django.utils import timezone

from cases.models import Case
from cases.selectors import demo_editor

from .models import CourtHearing
from .services_hearings import court_hearing_record


def _this_week_at(weekday: int, hour: int) -> datetime.datetime:
    today = timezone.localdate()
    day = today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(days=weekday)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def seed_demo_hearings(*, services, stdout=None) -> None:
    """The first two open cases of each service with no hearing yet get a couple: a criminal
    first hearing with special measures asked for and bail conditions, then a trial this
    week; or a non-molestation order granted and a return hearing this week."""
    recorded = 0
    for service in services.values():
        # Once per service: a second run would otherwise take the next two cases.
        if CourtHearing.objects.filter(case__service=service).exists():
            continue
        cases = Case.objects.filter(service=service, status=Case.Status.OPEN).order_by("pk")[:2]
        for index, case in enumerate(cases):
            actor = demo_editor(case)
            if actor is None:
                continue
            if index == 0:
                first = timezone.now() - datetime.timedelta(days=40)
                court_hearing_record(
                    case=case,
                    actor=actor,
                    court="Magistrates' court",
                    starts_at=first,
                    kind="first_hearing",
                    outcome="Not guilty plea; sent for trial.",
                    special_measures="Not yet confirmed",
                    bail_conditions="Not to contact the victim directly or indirectly.",
                    bail_ends_on=timezone.localdate() + datetime.timedelta(days=30),
                )
                court_hearing_record(
                    case=case,
                    actor=actor,
                    court="Magistrates' court",
                    starts_at=_this_week_at(3, 10),
                    kind="trial",
                    special_measures="Granted",
                )
            else:
                court_hearing_record(
                    case=case,
                    actor=actor,
                    court="Family court",
                    starts_at=timezone.now() - datetime.timedelta(days=20),
                    kind="non_molestation",
                    outcome="Order made without notice.",
                    order_status="Granted",
                )
                court_hearing_record(
                    case=case,
                    actor=actor,
                    court="Family court",
                    starts_at=_this_week_at(2, 14),
                    kind="non_molestation",
                )
            recorded += 2
    if stdout is not None:
        stdout.write(f"Court hearings: {recorded} recorded.")
