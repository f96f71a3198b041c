"""The scheduler: each pump sleeps until the next due time, wakes early, never dies."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from engine.deadlines import scheduler
from engine.deadlines.pump import Pump
from engine.services.step import wakeups
from engine.services.wiring import Wiring
from tests.deadlines.conftest import all_timers, start_notice


@dataclass
class Job:
    next_run_time: datetime | None


class FakeScheduler:
    """Records what a pump asks APScheduler to do."""

    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}

    def add_job(
        self, func: Any, trigger: Any, *, id: str, next_run_time: datetime, **kw: Any
    ) -> None:
        self.jobs[id] = Job(next_run_time)

    def get_job(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    def modify_job(self, job_id: str, *, next_run_time: datetime) -> None:
        self.jobs[job_id].next_run_time = next_run_time


def _pump(work: Any, offset: timedelta = timedelta(0)) -> tuple[Pump, FakeScheduler]:
    fake = FakeScheduler()
    pump = Pump("timers", work, fake, timedelta(seconds=30), lambda: offset)  # type: ignore[arg-type]
    pump.start()
    fake.jobs["timers"].next_run_time = datetime.now(UTC) + timedelta(seconds=30)  # the poll
    return pump, fake


def test_after_a_run_the_job_sleeps_until_the_next_due_time_on_the_wall_clock() -> None:
    offset = timedelta(days=21)  # demo clock: engine time is three weeks ahead
    due = datetime.now(UTC) + offset + timedelta(seconds=5)
    pump, fake = _pump(lambda: due, offset)
    pump.run()
    assert fake.jobs["timers"].next_run_time == due - offset


def test_nothing_due_leaves_the_safety_poll_and_later_work_never_postpones_it() -> None:
    pump, fake = _pump(lambda: None)
    poll = fake.jobs["timers"].next_run_time
    pump.run()
    pump.wake(datetime.now(UTC) + timedelta(hours=1))
    assert fake.jobs["timers"].next_run_time == poll


def test_a_hint_during_a_run_makes_it_work_again_before_sleeping() -> None:
    calls: list[int] = []

    def work() -> datetime | None:
        calls.append(1)
        if len(calls) == 1:
            pump.wake(None)  # a commit elsewhere in this process added due work
        return None

    pump, _fake = _pump(work)
    pump.run()
    assert len(calls) == 2


def test_a_failing_run_is_logged_and_the_pump_keeps_its_poll(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def work() -> datetime | None:
        raise RuntimeError("database is down")

    pump, fake = _pump(work)
    with caplog.at_level(logging.ERROR):
        pump.run()
    assert "database is down" in caplog.text and fake.jobs["timers"].next_run_time is not None


def test_a_committed_timer_hints_this_process_with_its_due_time(processes: Wiring) -> None:
    heard: list[tuple[str, datetime | None]] = []

    def listener(channel: str, at: datetime | None) -> None:
        heard.append((channel, at))

    wakeups.listen(processes.configuration, listener)
    try:
        start_notice(processes)
    finally:
        wakeups.unlisten(processes.configuration, listener)
    [row] = all_timers(processes)
    assert ("timers", row.due_at) in heard


def test_the_real_scheduler_starts_and_stops(processes: Wiring) -> None:
    jobs = scheduler.start(processes)
    try:
        assert {job.id for job in jobs.get_jobs()} == {"timers", "mail", "audit_anchor"}
    finally:
        jobs.shutdown(wait=True)
    assert processes.configuration.listeners == []  # the wake-up hook left with the scheduler
