"""A pump: one APScheduler job that does what is due, then sleeps until the next due time.

The job has an interval trigger of `poll` (the safety net: work created by another process
that could not tell us); after each run it moves its next run to the next due time, and
`wake(at)` moves it earlier when a commit here, or a NOTIFY from elsewhere, adds sooner work.
Times given to and returned by `work` are engine times; APScheduler runs on the wall clock,
so the demo offset is subtracted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)
# Work due sooner than this is done by waiting inside the run, so that the job never asks
# APScheduler to start it again while it is still running (that run would be skipped).
NEAR = timedelta(milliseconds=500)
IDLE_RETRY = timedelta(seconds=1)


@dataclass
class Pump:
    """Run `work` when it is due; `work()` returns the next due engine time or None."""

    name: str
    work: Callable[[], datetime | None]
    scheduler: BaseScheduler
    poll: timedelta
    offset: Callable[[], timedelta] = lambda: timedelta(0)
    # Wait this long after a hint before running, so that a burst of hints becomes one run.
    settle: timedelta = timedelta(0)
    # Set when the scheduler shuts down: a run ends after the work at hand.
    stopping: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _running: bool = False
    _again: bool = False
    _pending: datetime | None = None

    def start(self) -> None:
        """Add the job; it runs once at once, then as due."""
        self.scheduler.add_job(
            self.run,
            IntervalTrigger(seconds=self.poll.total_seconds()),
            id=self.name,
            next_run_time=datetime.now(UTC),
            coalesce=True,
            max_instances=2,  # a second instance only marks the running one to go again
            misfire_grace_time=None,
        )

    def now(self) -> datetime:
        """Return the engine time."""
        return datetime.now(UTC) + self.offset()

    def wake(self, at: datetime | None = None) -> None:
        """Make sure the work runs by engine time `at` (None: now, or after `settle`)."""
        if self.settle:
            at = max(at or self.now(), self.now() + self.settle)
        with self._lock:
            if not self._running:
                self._run_by(at)
            elif at is None or at - self.now() < NEAR:
                self._again = True
            else:
                self._pending = at if self._pending is None else min(self._pending, at)

    def run(self) -> None:
        """Do the due work until nothing is due within NEAR, then schedule the next run."""
        with self._lock:
            if self._running:  # the poll came during a long run: let that run go round again
                self._again = True
                return
            self._running, self._again, self._pending = True, False, None
        idle_rounds = 0
        while True:
            upcoming = self._work_safely()
            with self._lock:
                wait = self._next_wait(upcoming)
                if self.stopping.is_set():
                    self._running = False
                    return
                if wait is None or idle_rounds > 2:
                    self._running = False
                    later = [t for t in (upcoming, self._pending) if t is not None]
                    self._run_by(
                        max(min(later), self.now() + IDLE_RETRY) if later else None, poll=True
                    )
                    return
                self._again = False
            idle_rounds = idle_rounds + 1 if wait == timedelta(0) else 0
            time.sleep(wait.total_seconds())

    def _next_wait(self, upcoming: datetime | None) -> timedelta | None:
        """Return how long to wait before working again within this run, or None to stop."""
        if self._again:
            return timedelta(0)
        if upcoming is None or upcoming - self.now() >= NEAR:
            return None
        return max(upcoming - self.now(), timedelta(0))

    def _work_safely(self) -> datetime | None:
        try:
            return self.work()
        except Exception:  # the scheduler must survive anything; the poll tries again
            log.exception("%s: run failed", self.name)
            return None

    def _run_by(self, at: datetime | None, *, poll: bool = False) -> None:
        """Move the job's next run to engine time `at` if that is earlier (caller holds _lock)."""
        if at is None and poll:
            return
        wall = (at or self.now()) - self.offset()
        job = self.scheduler.get_job(self.name)
        if job is not None and (job.next_run_time is None or wall < job.next_run_time):
            self.scheduler.modify_job(self.name, next_run_time=wall)
