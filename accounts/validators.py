"""Date ranges for every date a person types or a file brings in, in one place.

Used as model field validators, so ModelForms, full_clean in the services and the case-bundle
importer all enforce them. Functions rather than instances: migrations refer to them by name,
and "today" is read when a value is checked, never when the code is loaded.

- a birth date lies between 1 January 1900 and today;
- an event (an assessment, a contact, a referral, a case opened or closed, a form's date) lies
  between 1 January 2000 and today (or, for a moment, now and a few minutes' clock skew);
- a scheduled date (a review due, a meeting, a follow-up) lies between 1 January 2000 and a few
  years ahead.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

EARLIEST_BIRTH = datetime.date(1900, 1, 1)
EARLIEST_EVENT = datetime.date(2000, 1, 1)
SCHEDULE_YEARS_AHEAD = 5
# A moment typed as "now" on a device whose clock runs slightly fast is still now.
CLOCK_SKEW = datetime.timedelta(minutes=5)


def _day(value, zone=None) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value, zone).date() if timezone.is_aware(value) else value.date()
    return value


def _show(day: datetime.date) -> str:
    return date_format(day)


def validate_birth_date(value) -> None:
    if value is None:
        return
    if value > timezone.localdate():
        raise ValidationError("A date of birth cannot be in the future.", code="future")
    if value < EARLIEST_BIRTH:
        raise ValidationError(
            f"A date of birth cannot be before {_show(EARLIEST_BIRTH)}.", code="too_early"
        )


# Every time zone's date is within a day of UTC's: a day before UTC's today is not in the
# future anywhere, and a day after 1 January 2000 is not before it anywhere.
_ONE_DAY = datetime.timedelta(days=1)


def _past_everywhere(value) -> bool:
    """Whether the value lies in [EARLIEST_EVENT, today] whatever the time zone: answered
    without the current time zone, a context-local lookup that was a tenth of a case-bundle
    import's time (tens of thousands of dates, nearly all well in the past)."""
    utc_now = datetime.datetime.now(datetime.UTC)
    if type(value) is datetime.date:
        return EARLIEST_EVENT + _ONE_DAY <= value <= utc_now.date() - _ONE_DAY
    if type(value) is datetime.datetime and value.tzinfo is not None:
        earliest = datetime.datetime.combine(
            EARLIEST_EVENT + _ONE_DAY, datetime.time(), datetime.UTC
        )
        return earliest <= value <= utc_now - _ONE_DAY
    return False


def validate_event_date(value) -> None:
    """A day something happened: not before 2000, not in the future."""
    if value is None or _past_everywhere(value):
        return
    # The current time zone read once (a context-local lookup, a few per call before: the
    # case-bundle import checks tens of thousands of dates).
    zone, now = timezone.get_current_timezone(), timezone.now()
    is_moment = isinstance(value, datetime.datetime) and timezone.is_aware(value)
    if is_moment and value > now + CLOCK_SKEW:
        raise ValidationError("This cannot be in the future.", code="future")
    day = _day(value, zone)
    if day > timezone.localtime(now, zone).date():
        raise ValidationError("This date cannot be in the future.", code="future")
    if day < EARLIEST_EVENT:
        raise ValidationError(
            f"This date cannot be before {_show(EARLIEST_EVENT)}.", code="too_early"
        )


def validate_scheduled_date(value) -> None:
    """A day something is due or planned: not before 2000, at most a few years ahead."""
    if value is None:
        return
    zone = timezone.get_current_timezone()
    latest = timezone.localdate(timezone=zone) + relativedelta(years=SCHEDULE_YEARS_AHEAD)
    day = _day(value, zone)
    if day > latest:
        raise ValidationError(
            f"This date cannot be more than {SCHEDULE_YEARS_AHEAD} years ahead.", code="too_late"
        )
    if day < EARLIEST_EVENT:
        raise ValidationError(
            f"This date cannot be before {_show(EARLIEST_EVENT)}.", code="too_early"
        )
