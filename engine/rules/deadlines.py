"""Deadlines as dates and as aware Europe/Oslo datetimes.

A date-only deadline lasts until 23:59:59 local time on that date (domain README,
cross-cutting conventions). Hiring deadlines follow hiring-procedure.md §8 and §9.
"""

from calendar import monthrange
from datetime import date, datetime, time, timedelta

from engine.rules.calendar import add_working_days
from engine.timezone import OSLO

APPLICATION_PERIOD_DAYS = 21  # Løten 4.5.2 "normally 3 weeks"; from publication, H-AMB-01
OFFER_ANSWER_DAYS = 10  # Løten 4.5.6 "10 days from and including the print date", H-AMB-09
PROBATION_MONTHS = 6  # Løten 4.5.6; from the start date, H-AMB-11
_END_OF_DAY = time(23, 59, 59)


def end_of_day_oslo(d: date) -> datetime:
    """Return 23:59:59 Europe/Oslo time on a date, as an aware datetime."""
    return datetime.combine(d, _END_OF_DAY, tzinfo=OSLO)


def oslo_date(moment: datetime) -> date:
    """Return the Europe/Oslo calendar date of an aware datetime."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"need an aware datetime, got {moment.isoformat()}")
    return moment.astimezone(OSLO).date()


def due_after_working_days(start: datetime, n: int) -> datetime:
    """Return the end of the n-th working day after start's Oslo date (see add_working_days)."""
    return end_of_day_oslo(add_working_days(oslo_date(start), n))


def application_deadline(published_on: date, days: int = APPLICATION_PERIOD_DAYS) -> date:
    """Return the last day to apply: publication date plus the period in calendar days.

    Any day may be the deadline, weekends and holidays included (H-AMB-01).
    """
    if days < 1:
        raise ValueError(f"the application period must be at least one day, not {days}")
    return published_on + timedelta(days=days)


def offer_answer_deadline(print_date: date, days: int = OFFER_ANSWER_DAYS) -> date:
    """Return the last day to accept an offer: the print date counts as day 1 (D-07)."""
    if days < 1:
        raise ValueError(f"the answer period must be at least one day, not {days}")
    return print_date + timedelta(days=days - 1)


def add_months(d: date, months: int) -> date:
    """Move a date by whole months, "from date to date"; a missing day becomes the month's last.

    15 March + 3 months is 15 June; 31 January + 1 month is 28 (or 29) February (D-19).
    """
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(d.day, monthrange(year, month + 1)[1]))


def notice_period_end(given_on: date, months: int) -> date:
    """Return the date a notice period given on a date ends, "from date to date" (D-19)."""
    return add_months(given_on, months)


def probation_end(start_date: date, months: int = PROBATION_MONTHS) -> date:
    """Return the last day of probation: start + months - 1 day (H-AMB-11)."""
    return add_months(start_date, months) - timedelta(days=1)
