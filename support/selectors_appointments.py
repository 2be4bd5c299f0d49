"""Reads of the diary: appointments through the signed-in user's scope, and the week of a
caseworker or a team, gathered from every diary source (cases.extensions)."""

import datetime
from collections import defaultdict

from django.urls import reverse
from django.utils import timezone

from accounts import access, lookup
from cases.extensions import DiaryEntry, diary_sources
from cases.selectors import cases_visible_to, require_case_capability

from .models import Appointment


def appointment_get_for_user(user, pk, *, read: lookup.Read = False) -> Appointment:
    """The appointment if its case is visible to the user; otherwise 404, audited, as for one
    that does not exist. `read`: the page shows it, audited here."""
    appointment = lookup.get_in_scope(
        Appointment.objects.filter(case__in=cases_visible_to(user)).select_related(
            "case", "case__service", "case__client", "caseworker"
        ),
        pk,
        user=user,
    )
    case = appointment.case
    lookup.record_read(user, appointment, read=read, service_id=case.service_id, case_id=case.pk)
    return appointment


def appointment_get_for_editing(user, pk, *, read: lookup.Read = False) -> Appointment:
    """As appointment_get_for_user, then 403 (audited) for a user who may only read the case."""
    appointment = appointment_get_for_user(user, pk)
    require_case_capability(user, appointment.case)
    lookup.record_read(
        user,
        appointment,
        read=read,
        service_id=appointment.case.service_id,
        case_id=appointment.case_id,
    )
    return appointment


def appointments_for_case(case):
    return case.appointments.select_related("caseworker").order_by("-starts_at", "-pk")


def week_bounds(today: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Monday 00:00 to the next Monday 00:00 (local time) of the week holding `today`."""
    monday = today - datetime.timedelta(days=today.weekday())
    start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))
    return start, start + datetime.timedelta(days=7)


def appointments_diary_source(user, cases, start, end, caseworker_ids=None) -> list[DiaryEntry]:
    """Diary source (cases.extensions): the appointments not cancelled between start and end
    of the given cases; one query. Titles carry the type and the case reference only."""
    rows = Appointment.objects.filter(
        case__in=cases, starts_at__gte=start, starts_at__lt=end, cancelled_at__isnull=True
    )
    if caseworker_ids is not None:
        rows = rows.filter(caseworker_id__in=caseworker_ids)
    return [
        DiaryEntry(
            at=row.starts_at,
            ends_at=row.ends_at,
            kind="Appointment",
            title=row.get_kind_display(),
            reference=row.case.reference,
            url=reverse("support:appointment_detail", kwargs={"pk": row.pk}),
            caseworker_id=row.caseworker_id,
        )
        for row in rows.select_related("case").only(
            "starts_at", "ends_at", "kind", "caseworker_id", "case__reference"
        )
    ]


def diary(user, cases, start, end, caseworker_ids=None) -> list[DiaryEntry]:
    entries = []
    for source in diary_sources():
        entries += source(user, cases, start, end, caseworker_ids)
    return sorted(entries, key=lambda entry: (entry.at, entry.kind, entry.reference))


def by_day(entries, start) -> list[dict]:
    """The seven days from `start`, each with its weekday's name and entries (empty days too)."""
    days = defaultdict(list)
    for entry in entries:
        days[timezone.localtime(entry.at).date()].append(entry)
    first = timezone.localtime(start).date()
    week = [first + datetime.timedelta(days=n) for n in range(7)]
    return [{"day": day, "weekday": f"{day:%A}", "entries": days[day]} for day in week]


def my_week(user, service, today) -> list[dict]:
    """The user's week in a service: their appointments, and the hearings of the cases they
    hold."""
    start, end = week_bounds(today)
    cases = cases_visible_to(user).filter(service=service)
    return by_day(diary(user, cases, start, end, caseworker_ids=[user.pk]), start)


def team_week(user, service, today):
    """The service's week by caseworker, for a team leader: [(caseworker, [(day, entries)])]."""
    from accounts.models import User

    start, end = week_bounds(today)
    cases = cases_visible_to(user, access.Capability.ALLOCATE_CASES).filter(service=service)
    entries = diary(user, cases, start, end)
    by_worker = defaultdict(list)
    for entry in entries:
        by_worker[entry.caseworker_id].append(entry)
    workers = {u.pk: u for u in User.objects.filter(pk__in=[k for k in by_worker if k])}
    rows = sorted(
        ((workers.get(pk), by_day(items, start)) for pk, items in by_worker.items()),
        key=lambda row: row[0].full_name if row[0] else "~",
    )
    return start, rows


def tomorrow_prompts(user, cases_qs):
    """Dashboard prompts (cases.extensions): "Appointment tomorrow", to the caseworker only."""
    from cases.extensions import Prompt

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    rows = (
        Appointment.objects.filter(
            case__in=cases_qs,
            caseworker=user,
            cancelled_at__isnull=True,
            starts_at__gte=start,
            starts_at__lt=start + datetime.timedelta(days=1),
        )
        .select_related("case")
        .order_by("starts_at")[:20]
    )
    return [
        Prompt(
            case_id=row.case_id,
            reference=row.case.reference,
            message=(
                f"Appointment tomorrow at {timezone.localtime(row.starts_at):%H:%M}: "
                f"{row.get_kind_display()}"
            ),
            url=reverse("support:appointment_detail", kwargs={"pk": row.pk}),
            severity="info",
        )
        for row in rows
    ]
