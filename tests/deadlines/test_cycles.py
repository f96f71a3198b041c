"""ISO-8601 cycles and durations: repetitions, and Oslo wall-clock days across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.runtime import periods
from engine.runtime.timers import first_cycle
from engine.services import instances
from engine.services.wiring import Wiring
from engine.timezone import OSLO
from tests.conftest import user
from tests.deadlines.conftest import all_timers, events, fire, start_notice


def _start_cycle(wiring: Wiring, cycle: str, at: datetime) -> None:
    instances.start_instance(
        wiring.new_uow(),
        "cycle",
        {"cycle": cycle, "ticks": 0},
        actor=user(wiring, "emp.asker"),
        now=at,
    )


def _fire_each(wiring: Wiring, rounds: int) -> list[datetime]:
    """Fire the waiting timer at its due time, `rounds` times; return the due times fired."""
    fired = []
    for _ in range(rounds):
        waiting = [t for t in all_timers(wiring) if t.state == "waiting"]
        if not waiting:
            break
        [row] = waiting
        assert fire(wiring, row.due_at) == 1
        fired.append(row.due_at)
    return fired


def test_r3_every_ten_minutes_fires_three_times_then_stops(processes: Wiring) -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    _start_cycle(processes, "R3/PT10M", start)
    fired = _fire_each(processes, 5)
    assert fired == [start + timedelta(minutes=m) for m in (10, 20, 30)]
    assert [t.state for t in all_timers(processes)] == ["fired"] * 3


@pytest.mark.parametrize(
    ("first", "offsets"),
    [
        ("2027-03-26T08:00:00", ["+01:00", "+01:00", "+02:00", "+02:00"]),  # 28 March 2027
        ("2027-10-29T08:00:00", ["+02:00", "+02:00", "+01:00", "+01:00"]),  # 31 October 2027
    ],
)
def test_daily_cycle_stays_at_eight_oslo_time_across_dst(
    processes: Wiring, first: str, offsets: list[str]
) -> None:
    _start_cycle(
        processes, f"R4/{first}/P1D", datetime.fromisoformat(first + "+00:00") - timedelta(days=1)
    )
    local = [t.astimezone(OSLO).isoformat() for t in _fire_each(processes, 6)]
    assert [t[11:] for t in local] == [f"08:00:00{o}" for o in offsets]
    assert len({t[:10] for t in local}) == 4


def test_one_day_duration_ends_at_the_same_oslo_time_after_the_spring_change(
    processes: Wiring,
) -> None:
    start = datetime.fromisoformat("2027-03-27T08:00:00+01:00")
    instance_id = start_notice(processes, delay="P1D", at=start)
    [row] = all_timers(processes)
    assert row.due_at.astimezone(OSLO).isoformat() == "2027-03-28T08:00:00+02:00"
    assert fire(processes, row.due_at) == 1
    assert [e.type for e in events(processes, instance_id)].count("timer_fired") == 1


def test_periods_count_months_from_the_start_and_hours_as_elapsed_time() -> None:
    start = datetime.fromisoformat("2027-01-31T08:00:00+01:00")
    month = periods.parse_period("P1M")
    assert [periods.add_period(start, month, n).astimezone(OSLO).day for n in (1, 2, 3)] == [
        28,
        31,
        30,
    ]
    night = datetime.fromisoformat("2027-03-28T00:30:00+01:00")
    assert (
        periods.add_period(night, periods.parse_period("PT24H")).astimezone(OSLO).hour == 1
    )  # 24 elapsed hours on a 23-hour day
    with pytest.raises(ValueError):
        periods.parse_period("P")
    with pytest.raises(ValueError):
        first_cycle("every day", start)
