"""The calendar month the law gives for answering a data-rights request."""

import calendar
import datetime


def one_month_after(day: datetime.date) -> datetime.date:
    """The corresponding day of the next month (ICO guidance), or that month's last day when it
    has no such day (31 January -> 28 or 29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
