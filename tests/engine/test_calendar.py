from datetime import date, timedelta

import pytest
from dateutil.easter import easter
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.rules.calendar import (
    add_working_days,
    is_working_day,
    public_holidays,
    working_dates,
    working_days,
    working_days_in_month,
)

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
few = settings(max_examples=200, deadline=None)


def statutory_holidays(year: int) -> set[date]:
    """List the holidays of assignment-routine.md §8.2 independently of the package."""
    e = easter(year)
    fixed = {date(year, 1, 1), date(year, 5, 1), date(year, 5, 17)}
    fixed |= {date(year, 12, 25), date(year, 12, 26)}
    moving = {e + timedelta(days=n) for n in (-3, -2, 0, 1, 39, 49, 50)}
    return fixed | moving


def test_public_holidays_2027_are_eleven_dates():
    assert sorted(public_holidays(2027)) == [
        date(2027, 1, 1),
        date(2027, 3, 25),
        date(2027, 3, 26),
        date(2027, 3, 28),
        date(2027, 3, 29),
        date(2027, 5, 1),
        date(2027, 5, 6),
        date(2027, 5, 16),
        date(2027, 5, 17),
        date(2027, 12, 25),
        date(2027, 12, 26),
    ]


@pytest.mark.parametrize("year", range(1990, 2101))
def test_public_holidays_match_the_statutory_list(year):
    assert public_holidays(year) == statutory_holidays(year)


def test_ordinary_sundays_are_not_holidays():
    assert date(2027, 3, 21) not in public_holidays(2027)
    assert not is_working_day(date(2027, 3, 21))


def test_easter_2027():
    assert is_working_day(date(2027, 3, 24))  # Wednesday before Maundy Thursday (AMB-02)
    for holiday in (date(2027, 3, 25), date(2027, 3, 26), date(2027, 3, 29)):
        assert not is_working_day(holiday)
    assert is_working_day(date(2027, 3, 30))
    assert working_days_in_month(2027, 3) == 20
    assert working_days_in_month(2027, 4) == 22
    assert working_days(date(2027, 3, 15), date(2027, 4, 9)) == 17


def test_17_may_2027_is_one_date_with_two_holidays():
    assert sum(d == date(2027, 5, 17) for d in public_holidays(2027)) == 1
    assert not is_working_day(date(2027, 5, 17))
    assert not is_working_day(date(2027, 5, 6))  # Ascension Day
    assert working_days_in_month(2027, 5) == 19
    assert working_days(date(2027, 5, 3), date(2027, 5, 28)) == 18


def test_christmas_2026():
    assert is_working_day(date(2026, 12, 24))  # Christmas Eve is a full working day (AMB-02)
    assert not is_working_day(date(2026, 12, 25))
    assert is_working_day(date(2026, 12, 28))
    assert is_working_day(date(2026, 12, 31))
    assert not is_working_day(date(2027, 1, 1))
    assert working_days_in_month(2026, 12) == 22
    assert working_days_in_month(2027, 1) == 20
    assert working_days(date(2026, 12, 14), date(2027, 1, 8)) == 18


def test_labour_day_on_a_weekday():
    assert not is_working_day(date(2026, 5, 1))  # Friday
    assert working_days_in_month(2027, 5) == 19  # 1 May 2027 is a Saturday


def test_working_days_of_an_empty_and_a_one_day_period():
    assert working_days(date(2027, 1, 8), date(2027, 1, 7)) == 0
    assert working_dates(date(2027, 1, 8), date(2027, 1, 7)) == []
    assert working_days(date(2027, 1, 8), date(2027, 1, 8)) == 1
    assert working_days(date(2027, 1, 9), date(2027, 1, 9)) == 0


def test_months_add_up_to_the_year():
    months = sum(working_days_in_month(2027, month) for month in range(1, 13))
    assert months == working_days(date(2027, 1, 1), date(2027, 12, 31))


@few
@given(start=dates, length=st.integers(-5, 800))
def test_working_days_counts_working_dates(start, length):
    end = start + timedelta(days=length)
    found = working_dates(start, end)
    assert working_days(start, end) == len(found)
    assert all(is_working_day(d) and d.weekday() < 5 for d in found)
    assert working_days(start, end) == sum(
        is_working_day(start + timedelta(days=i)) for i in range(length + 1)
    )


@few
@given(start=dates, first=st.integers(0, 400), second=st.integers(0, 400))
def test_working_days_add_up_over_a_split(start, first, second):
    middle = start + timedelta(days=first)
    end = middle + timedelta(days=second)
    assert working_days(start, end) == (
        working_days(start, middle) + working_days(middle + timedelta(days=1), end)
    )


@few
@given(d=dates, n=st.integers(1, 300))
def test_add_working_days_forward(d, n):
    result = add_working_days(d, n)
    assert is_working_day(result)
    assert working_days(d + timedelta(days=1), result) == n


@few
@given(d=dates, n=st.integers(1, 300))
def test_add_working_days_backward(d, n):
    result = add_working_days(d, -n)
    assert is_working_day(result)
    assert working_days(result, d - timedelta(days=1)) == n


@few
@given(d=dates)
def test_add_zero_working_days_rolls_forward(d):
    result = add_working_days(d, 0)
    assert is_working_day(result)
    assert working_days(d, result - timedelta(days=1)) == 0
    assert result == d or not is_working_day(d)


def test_add_working_days_over_holidays():
    assert add_working_days(date(2027, 3, 24), 1) == date(2027, 3, 30)
    assert add_working_days(date(2027, 3, 30), -1) == date(2027, 3, 24)
    assert add_working_days(date(2026, 12, 18), 5) == date(2026, 12, 28)
    assert add_working_days(date(2027, 3, 27), 0) == date(2027, 3, 30)
    assert add_working_days(date(2027, 3, 24), 0) == date(2027, 3, 24)
