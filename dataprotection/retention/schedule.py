"""The retention periods in force for a service: its provider's schedule (or the defaults),
made stricter where the service has its own."""

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Q

from accounts.models import Service

from ..models import PERIOD_FIELDS, RETENTION_DEFAULTS, RetentionSchedule


@dataclass(frozen=True)
class Periods:
    client_record_years: int
    referral_weeks: int
    draft_months: int
    impact_report_years: int


def periods_for(service: Service) -> Periods:
    """Each period the shorter of the provider's (saved, else the default) and the service's
    own: a service's schedule only ever shortens (RetentionSchedule.clean refuses longer, and
    a provider's later shortening below it still wins here)."""
    rows = {
        row.service_id: row
        for row in RetentionSchedule.objects.filter(
            Q(provider_id=service.provider_id, service__isnull=True) | Q(service=service)
        )
    }
    provider_row, service_row = rows.get(None), rows.get(service.pk)
    values = {}
    for name in PERIOD_FIELDS:
        value = getattr(provider_row, name) if provider_row else RETENTION_DEFAULTS[name]
        if service_row is not None:
            value = min(value, getattr(service_row, name))
        values[name] = value
    return Periods(**values)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or that month's last day (29 Feb + 1 year -> 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: datetime.date, years: int) -> datetime.date:
    return add_months(day, 12 * years)


NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]


def in_words(count: int, unit: str) -> str:
    """ "six years", "one year", "18 months": as the reason a record is due is read aloud."""
    number = NUMBER_WORDS[count] if count < len(NUMBER_WORDS) else str(count)
    if count == 1:
        return f"a {unit}" if unit != "hour" else "an hour"
    return f"{number} {unit}s"
