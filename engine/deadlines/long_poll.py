"""Long polling of external tasks: hold a fetch until a task of its topics becomes lockable.

A fetch tries once; if nothing is lockable it waits on this process's doorbell, which rings
when a commit in this process readies an external task (engine.services.step.wakeups) or,
on PostgreSQL, when another process's commit does (LISTEN, engine/deadlines/listener.py).
It also wakes when a held task's lock or retry wait runs out, and polls every few seconds
anyway (SQLite has no NOTIFY between processes). The deadline is the caller's
`asyncResponseTimeout`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime

from engine.deadlines import listener
from engine.services import external_tasks
from engine.services.external_tasks import Locked, Topic
from engine.services.step import external, wakeups
from engine.services.wiring import Wiring
from engine.store.models import User

POLL_SECONDS = {"postgresql": 5.0, "sqlite": 1.0}


class Doorbell:
    """A condition every waiting fetch of this process sleeps on; a ring wakes them all."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.rings = 0

    def ring(self, channel: str, at: datetime | None) -> None:
        """Wake the waiting fetches (a wake-up listener: only the external channel rings)."""
        if channel != external.CHANNEL:
            return
        with self.condition:
            self.rings += 1
            self.condition.notify_all()

    def wait(self, seen: int, seconds: float) -> None:
        """Sleep up to `seconds` unless a ring came after `seen`."""
        with self.condition:
            if self.rings == seen:
                self.condition.wait(timeout=max(seconds, 0.0))


_bells: dict[int, Doorbell] = {}
_lock = threading.Lock()


def doorbell(wiring: Wiring) -> Doorbell:
    """Return the wiring's doorbell, listening from its first use (in-process commits and, on
    PostgreSQL, other processes' NOTIFY)."""
    with _lock:
        bell = _bells.get(id(wiring.configuration))
        if bell is None:
            bell = _bells[id(wiring.configuration)] = Doorbell()
            wakeups.listen(wiring.configuration, bell.ring)
            if wiring.engine.dialect.name == "postgresql":
                listener.start(wiring.settings.database_url, bell.ring, threading.Event())
    return bell


def fetch_and_lock(
    wiring: Wiring,
    worker_id: str,
    max_tasks: int,
    topics: Sequence[Topic],
    *,
    actor: User,
    timeout_ms: int,
    by_priority: bool = False,
) -> list[Locked]:
    """Lock tasks for the worker, waiting up to `timeout_ms` for one to become lockable.

    The doorbell (and, on PostgreSQL, its LISTEN connection) is made only when a fetch has to
    wait; a task readied between the first try and then is found by the next poll.
    """
    deadline = time.monotonic() + max(timeout_ms, 0) / 1000
    names = [topic.name for topic in topics]
    poll = POLL_SECONDS.get(wiring.engine.dialect.name, 1.0)
    bell: Doorbell | None = None
    while True:
        seen = bell.rings if bell is not None else 0
        found = external_tasks.fetch_and_lock(
            wiring.new_uow(),
            worker_id,
            max_tasks,
            topics,
            actor=actor,
            now=wiring.now(),
            by_priority=by_priority,
        )
        left = deadline - time.monotonic()
        if found or left <= 0 or not names:
            return found
        if bell is None:
            bell = doorbell(wiring)
            seen = bell.rings
        now = wiring.now()
        soonest = external_tasks.next_lockable(wiring.new_uow(read_only=True), names, now)
        wait = min(left, poll)
        if soonest is not None:
            wait = min(wait, (soonest - now).total_seconds() + 0.005)
        bell.wait(seen, wait)
