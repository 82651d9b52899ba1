"""US federal holidays and business days, for the SYNTHETIC scenario generators.

Rules of the Federal Reserve's holiday calendar, which the Fed, Treasury and bond-market data
follow: a holiday that falls on a Sunday is observed on the Monday after; one that falls on a
Saturday is not moved (the Fed stays open on the Friday before). Juneteenth (June 19) is
counted from 2022 on. A business day is a weekday (Mon-Fri) that is not an observed holiday.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

__all__ = ["business_days", "is_business_day", "us_federal_holidays", "weekdays"]

_ONE_DAY = dt.timedelta(days=1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th (1-based) given weekday (Mon=0) of a month."""
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> dt.date:
    """The last given weekday (Mon=0) of a month."""
    last = dt.date(year + (month == 12), month % 12 + 1, 1) - _ONE_DAY
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    if day.weekday() == 6:  # Sunday -> Monday
        return day + _ONE_DAY
    return day


@lru_cache(maxsize=None)
def _holidays_of_year(year: int) -> frozenset[dt.date]:
    """Observed US federal holidays whose *actual* date falls in ``year``."""
    days = [
        _observed(dt.date(year, 1, 1)),  # New Year's Day
        _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday (Presidents Day)
        _last_weekday(year, 5, 0),  # Memorial Day
        _observed(dt.date(year, 7, 4)),  # Independence Day
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 10, 0, 2),  # Columbus Day
        _observed(dt.date(year, 11, 11)),  # Veterans Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving
        _observed(dt.date(year, 12, 25)),  # Christmas
    ]
    if year >= 2022:
        days.append(_observed(dt.date(year, 6, 19)))  # Juneteenth
    return frozenset(days)


def us_federal_holidays(start: dt.date, end: dt.date) -> set[dt.date]:
    """Weekdays in [start, end] (inclusive) on which the Fed is closed for a federal holiday."""
    found: set[dt.date] = set()
    for year in range(start.year, end.year + 1):
        found.update(d for d in _holidays_of_year(year) if start <= d <= end and d.weekday() < 5)
    return found


def weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every Monday-Friday in [start, end] (inclusive), holidays included."""
    out: list[dt.date] = []
    day = start
    while day <= end:
        if day.weekday() < 5:
            out.append(day)
        day += _ONE_DAY
    return out


def business_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """US business days in [start, end] (inclusive): weekdays that are not observed federal holidays."""
    holidays = us_federal_holidays(start, end)
    return [d for d in weekdays(start, end) if d not in holidays]


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in us_federal_holidays(day, day)
