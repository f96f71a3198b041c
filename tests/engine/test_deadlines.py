from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.rules.calendar import is_working_day
from engine.rules.deadlines import (
    add_months,
    application_deadline,
    due_after_working_days,
    end_of_day_oslo,
    notice_period_end,
    offer_answer_deadline,
    oslo_date,
    probation_end,
)
from engine.timezone import OSLO

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2098, 12, 31))
few = settings(max_examples=200, deadline=None)


def test_end_of_day_in_winter_and_summer():
    winter = end_of_day_oslo(date(2027, 1, 15))
    assert winter.isoformat() == "2027-01-15T23:59:59+01:00"
    summer = end_of_day_oslo(date(2027, 6, 15))
    assert summer.isoformat() == "2027-06-15T23:59:59+02:00"
    assert summer.tzinfo is OSLO


def test_end_of_day_on_the_days_the_clocks_change():
    assert end_of_day_oslo(date(2027, 3, 28)).utcoffset() == timedelta(hours=2)
    assert end_of_day_oslo(date(2027, 10, 31)).utcoffset() == timedelta(hours=1)
    assert end_of_day_oslo(date(2027, 10, 31)).astimezone(UTC) == datetime(
        2027, 10, 31, 22, 59, 59, tzinfo=UTC
    )


def test_oslo_date_needs_an_aware_datetime():
    with pytest.raises(ValueError, match="aware"):
        oslo_date(datetime(2027, 1, 4, 12))
    assert oslo_date(datetime(2027, 1, 4, 23, 30, tzinfo=UTC)) == date(2027, 1, 5)


def test_due_after_working_days_skips_easter():
    start = datetime(2027, 3, 24, 9, 0, tzinfo=OSLO)  # Wednesday before Maundy Thursday
    assert due_after_working_days(start, 1) == end_of_day_oslo(date(2027, 3, 30))
    assert due_after_working_days(start, 0) == end_of_day_oslo(date(2027, 3, 24))
    saturday = datetime(2027, 3, 27, 9, 0, tzinfo=OSLO)
    assert due_after_working_days(saturday, 0) == end_of_day_oslo(date(2027, 3, 30))


def test_due_after_working_days_counts_from_the_oslo_date():
    late_evening_utc = datetime(2027, 1, 7, 23, 30, tzinfo=UTC)  # Friday 00:30 in Oslo
    assert due_after_working_days(late_evening_utc, 1) == end_of_day_oslo(date(2027, 1, 11))


@few
@given(start=dates, hour=st.integers(0, 23), n=st.integers(0, 60))
def test_due_after_working_days_ends_a_working_day(start, hour, n):
    moment = datetime(start.year, start.month, start.day, hour, tzinfo=OSLO)
    due = due_after_working_days(moment, n)
    assert is_working_day(due.date())
    assert due.timetz().replace(tzinfo=None).isoformat() == "23:59:59"
    assert due >= moment


def test_application_deadline_is_three_weeks_after_publication():
    assert application_deadline(date(2027, 3, 1)) == date(2027, 3, 22)
    assert application_deadline(date(2027, 3, 1), days=14) == date(2027, 3, 15)
    with pytest.raises(ValueError):
        application_deadline(date(2027, 3, 1), days=0)


def test_offer_answer_deadline_counts_the_print_date_as_day_one():
    assert offer_answer_deadline(date(2027, 3, 1)) == date(2027, 3, 10)
    assert offer_answer_deadline(date(2027, 12, 28)) == date(2028, 1, 6)
    assert offer_answer_deadline(date(2027, 3, 1), days=1) == date(2027, 3, 1)
    with pytest.raises(ValueError):
        offer_answer_deadline(date(2027, 3, 1), days=0)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2027, 3, 15), 3, date(2027, 6, 15)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2027, 3, 31), -1, date(2027, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2027, 12, 15), 0, date(2027, 12, 15)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


@few
@given(d=dates, months=st.integers(-24, 24))
def test_add_months_moves_whole_months(d, months):
    moved = add_months(d, months)
    assert (moved.year * 12 + moved.month) - (d.year * 12 + d.month) == months
    assert moved.day == d.day or (moved.day < d.day and (moved + timedelta(days=1)).day == 1)


def test_notice_period_runs_from_date_to_date():
    assert notice_period_end(date(2027, 3, 15), 3) == date(2027, 6, 15)
    assert notice_period_end(date(2027, 3, 31), 3) == date(2027, 6, 30)


def test_probation_lasts_six_months():
    assert probation_end(date(2027, 1, 1)) == date(2027, 6, 30)
    assert probation_end(date(2027, 8, 1)) == date(2028, 1, 31)
    assert probation_end(date(2027, 8, 16), months=3) == date(2027, 11, 15)
