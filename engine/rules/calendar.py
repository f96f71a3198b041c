"""Norwegian working days: Monday to Friday, minus the statutory public holidays.

The default calendar of the assignment routine (assignment-routine.md §8.2, AMB-02): 24 and
31 December and the Wednesday before Maundy Thursday are ordinary working days here.
Holidays are counted as dates, not names: 17 May 2027 is both Constitution Day and Whit
Monday and removes one working day, not two.
"""

from bisect import bisect_left, bisect_right
from calendar import monthrange
from collections.abc import Iterator
from datetime import date, timedelta
from functools import lru_cache

import holidays

_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=256)
def public_holidays(year: int) -> frozenset[date]:
    """Return the dates of the Norwegian public holidays in a year, Sundays only if named."""
    # include_sundays=False: the package's default for Norway has changed between versions,
    # and with True every Sunday of the year is returned as a holiday (brief §8.2, pitfall 1).
    norway = holidays.country_holidays("NO", years=year, include_sundays=False)
    return frozenset(norway.keys())


def is_working_day(d: date) -> bool:
    """Tell whether a date is a Norwegian working day (Mon-Fri and not a public holiday)."""
    return d.weekday() < 5 and d not in public_holidays(d.year)


def working_dates(start: date, end: date) -> list[date]:
    """List the working days from start to end, both inclusive; empty if end < start."""
    found: list[date] = []
    for year, month in _months(start, end):
        found.extend(d for d in _working_dates_in_month(year, month) if start <= d <= end)
    return found


def working_days(start: date, end: date) -> int:
    """Count the working days from start to end, both inclusive; 0 if end < start."""
    if end < start:
        return 0
    total = 0
    for year, month in _months(start, end):
        month_dates = _working_dates_in_month(year, month)
        total += bisect_right(month_dates, end) - bisect_left(month_dates, start)
    return total


def working_days_in_month(year: int, month: int) -> int:
    """Count all working days of a calendar month."""
    return len(_working_dates_in_month(year, month))


@lru_cache(maxsize=2048)
def _working_dates_in_month(year: int, month: int) -> tuple[date, ...]:
    days = (date(year, month, day) for day in range(1, monthrange(year, month)[1] + 1))
    return tuple(d for d in days if is_working_day(d))


def _months(start: date, end: date) -> Iterator[tuple[int, int]]:
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)


def add_working_days(d: date, n: int) -> date:
    """Return the n-th working day after d (n > 0) or before d (n < 0).

    d itself is never counted when n != 0: add_working_days(friday, 1) is the next Monday
    (if it is a working day), add_working_days(monday, -1) the Friday before. For n == 0 the
    result is d if d is a working day, otherwise the first working day after d (roll forward).
    """
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    remaining = abs(n)
    if remaining == 0:
        while not is_working_day(d):
            d += step
        return d
    while remaining:
        d += step
        if is_working_day(d):
            remaining -= 1
    return d
