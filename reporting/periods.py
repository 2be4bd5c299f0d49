"""Reporting periods: quarters and financial years as services count them (April to March)."""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils.formats import date_format


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("A period cannot end before it starts.")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        quarter = quarter_name(self)
        if quarter:
            return quarter
        if (
            self.start.month == 4
            and self.start.day == 1
            and self.end == self.start + relativedelta(years=1, days=-1)
        ):
            return f"{self.start.year}-{str(self.start.year + 1)[2:]}"
        return f"{date_format(self.start)} to {date_format(self.end)}"

    def previous(self) -> "Period":
        """The period of the same shape just before: the previous quarter or year, or the same
        number of days before a custom period."""
        if self.start.day == 1 and self.end == self.start + relativedelta(months=3, days=-1):
            return Period(self.start - relativedelta(months=3), self.start - relativedelta(days=1))
        if self.start.day == 1 and self.end == self.start + relativedelta(years=1, days=-1):
            return Period(self.start - relativedelta(years=1), self.start - relativedelta(days=1))
        return Period(
            self.start - datetime.timedelta(days=self.days),
            self.start - datetime.timedelta(days=1),
        )


def quarter(year: int, number: int) -> Period:
    """Financial-year quarter: Q1 is April-June of `year`, Q4 is January-March of year + 1."""
    if number not in (1, 2, 3, 4):
        raise ValueError("A quarter is 1 to 4.")
    start = datetime.date(year, 4, 1) + relativedelta(months=3 * (number - 1))
    return Period(start, start + relativedelta(months=3, days=-1))


def financial_year(year: int) -> Period:
    """April `year` to March `year` + 1."""
    return Period(datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31))


def quarter_name(period: Period) -> str:
    if period.start.day != 1 or period.end != period.start + relativedelta(months=3, days=-1):
        return ""
    if period.start.month not in (1, 4, 7, 10):
        return ""
    number = {4: 1, 7: 2, 10: 3, 1: 4}[period.start.month]
    year = period.start.year if number != 4 else period.start.year - 1
    return f"Q{number} {year}-{str(year + 1)[2:]}"


def last_complete_quarter(today: datetime.date) -> Period:
    year = today.year if today.month >= 4 else today.year - 1
    current = (today.month - 4) % 12 // 3 + 1
    if current == 1:
        return quarter(year - 1, 4)
    return quarter(year, current - 1)


def year_to_date(end: datetime.date) -> Period:
    """The financial year so far: from 1 April of the year `end` falls in, to `end`."""
    year = end.year if end.month >= 4 else end.year - 1
    return Period(datetime.date(year, 4, 1), end)


def rolling_twelve_months(end: datetime.date) -> Period:
    """The twelve months up to and including `end`."""
    return Period(end - relativedelta(years=1) + datetime.timedelta(days=1), end)
