"""Timers on PostgreSQL with worker processes: 10,000 due at once, and a lone timer's delay.

    .venv/bin/python -m bench.timers      # prints its rows; informational, exit status 0

BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test), BENCH_TIMERS=10000,
BENCH_LONE=100, BENCH_WORKERS=2. Each worker is a separate process running the real scheduler
(`engine.deadlines.scheduler.start`, as `saksflyt worker` does); this process only writes
instances and watches the timer table, so wake-ups reach the workers by NOTIFY.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, insert, select

from bench import apps
from bench.report import Row, percentile
from engine.services import definitions, instances, organisation
from engine.services.step import wakeups
from engine.services.wiring import Wiring, wire
from engine.settings import Settings
from engine.store.models import Base, HistoryEvent, Outbox, ProcessInstance, Timer

NOTICE = Path(__file__).resolve().parents[1] / "tests" / "deadlines" / "fixtures" / "notice.bpmn"
MASS_TARGET_S = 60.0
LONE_TARGET_S = 2.0


def run(
    postgres_url: str, count: int = 10_000, lone: int = 100, workers: int = 2
) -> tuple[dict[str, Any], list[Row]]:
    """Measure both figures in a private schema; return results and table rows."""
    with apps.postgres_schema(postgres_url, f"bench_timers_{os.getpid()}") as url:
        wiring = _prepare(url)
        with tempfile.TemporaryDirectory() as mail_dir, _workers(url, workers, Path(mail_dir)):
            mass = _mass(wiring, count)
            delays = _lone(wiring, lone)
        wiring.engine.dispose()
    results = {"mass": mass, "lone_delays_s": delays, "workers": workers}
    return results, _rows(mass, delays, workers)


def _prepare(url: str) -> Wiring:
    wiring = wire(_settings(url, Path(tempfile.gettempdir())))
    Base.metadata.create_all(wiring.engine)
    organisation.load_demo(wiring.new_uow(), Settings().demo_file, "demo")
    form = NOTICE.with_name("notice.start.schema.json")
    files = {"notice.bpmn": NOTICE.read_bytes(), form.name: form.read_bytes()}
    definitions.deploy(wiring.new_uow(), files, actor="bench", now=datetime.now(UTC))
    return wiring


def _settings(url: str, mail_dir: Path) -> Settings:
    return Settings(database_url=url, env="test", mail_dir=mail_dir, scheduler_enabled=True)


@contextmanager
def _workers(url: str, count: int, mail_dir: Path) -> Iterator[None]:
    """Start worker processes and wait until their schedulers run; stop them afterwards."""
    env = {**os.environ, "SAKSFLYT_DATABASE_URL": url, "SAKSFLYT_ENV": "test"}
    env["SAKSFLYT_MAIL_DIR"] = str(mail_dir)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.timers", "worker"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)


def _start(wiring: Wiring, delay: str, at: datetime) -> UUID:
    with wiring.new_uow() as uow:
        starter = uow.users.get("emp.asker")
    instance = instances.start_instance(
        wiring.new_uow(), "notice", {"delay": delay, "copy_to": None}, actor=starter, now=at
    )
    return instance.id


def _mass(wiring: Wiring, count: int) -> dict[str, Any]:
    """Make `count` timers fall due at one moment a few seconds ahead; time until all fired."""
    due = datetime.now(UTC) + timedelta(seconds=5)
    first = _start(wiring, "PT1H", due - timedelta(hours=1))
    _clone(wiring, first, count - 1, due)
    done = _wait_until(wiring, count, select(func.count()).where(Timer.state == "fired"))
    sent = _wait_until(wiring, count, select(func.count()).where(Outbox.state == "sent"))
    return {
        "timers": count,
        "seconds": (done - due).total_seconds(),
        "mail_seconds": (sent - due).total_seconds(),
        **_check(wiring),
    }


def _clone(wiring: Wiring, instance_id: UUID, copies: int, due: datetime) -> None:
    with wiring.new_uow() as uow:
        instance = _row(uow.session.get(ProcessInstance, instance_id))
        timers = [_row(t) for t in uow.waits.timers_of(instance_id)]
        events = [_row(e) for e in uow.history.of_instance(instance_id)]
        for start in range(0, copies, 1000):
            ids = [uuid4() for _ in range(min(1000, copies - start))]
            uow.session.execute(insert(ProcessInstance), [{**instance, "id": i} for i in ids])
            uow.session.execute(
                insert(Timer), [{**t, "id": uuid4(), "instance_id": i} for i in ids for t in timers]
            )
            rows = [{**e, "stream": str(i), "instance_id": i} for i in ids for e in events]
            uow.session.execute(insert(HistoryEvent), rows)
        wakeups.hint(uow.session, "timers", due)  # NOTIFY the workers at commit
        uow.commit()


def _row(obj: Any) -> dict[str, Any]:
    skip = {"id"} if isinstance(obj, HistoryEvent) else set()
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns if c.key not in skip}


def _wait_until(wiring: Wiring, count: int, query: Any, timeout: float = 600) -> datetime:
    """Poll a count every 0.1 s until it reaches `count`; return when it did."""
    deadline, seen = time.monotonic() + timeout, 0
    while time.monotonic() < deadline:
        with wiring.new_uow() as uow:
            seen = uow.session.scalar(query) or 0
        if seen >= count:
            return datetime.now(UTC)
        time.sleep(0.1)
    raise TimeoutError(f"only {seen} of {count} in {timeout} s")


def _check(wiring: Wiring) -> dict[str, Any]:
    """Count what happened: each timer fired once, one history event and one mail each."""
    with wiring.new_uow() as uow:
        session = uow.session
        by_state = dict(
            session.execute(select(Timer.state, func.count()).group_by(Timer.state)).tuples().all()
        )
        by_worker = dict(
            session.execute(select(Timer.claimed_by, func.count()).group_by(Timer.claimed_by))
            .tuples()
            .all()
        )
        fired_events = session.scalar(
            select(func.count()).where(HistoryEvent.type == "timer_fired")
        )
        streams = session.scalar(
            select(func.count(func.distinct(HistoryEvent.stream))).where(
                HistoryEvent.type == "timer_fired"
            )
        )
        mails = session.scalar(select(func.count()).select_from(Outbox))
    return {
        "states": by_state,
        "by_worker": {str(k): v for k, v in by_worker.items()},
        "timer_fired_events": fired_events,
        "instances_fired": streams,
        "mails": mails,
    }


def _lone(wiring: Wiring, count: int, spacing: float = 0.25) -> list[float]:
    """Start `count` instances whose timers fall due one second later, a quarter second apart."""
    seen: dict[UUID, datetime] = {}
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(wiring, seen, stop), daemon=True)
    watcher.start()
    due: dict[UUID, datetime] = {}
    for _ in range(count):
        started = datetime.now(UTC)
        instance_id = _start(wiring, "PT1S", started)
        due[instance_id] = started + timedelta(seconds=1)
        time.sleep(spacing)
    deadline = time.monotonic() + 30
    while len([i for i in due if i in seen]) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    watcher.join()
    return [(seen[i] - due[i]).total_seconds() for i in due if i in seen]


def _watch(wiring: Wiring, seen: dict[UUID, datetime], stop: threading.Event) -> None:
    """Note when each timer is first seen fired (polling every 10 ms)."""
    since = datetime.now(UTC)
    while not stop.is_set():
        with wiring.new_uow() as uow:
            ids = uow.session.scalars(
                select(Timer.instance_id).where(Timer.state == "fired", Timer.fired_at >= since)
            ).all()
        now = datetime.now(UTC)
        for instance_id in ids:
            seen.setdefault(instance_id, now)
        time.sleep(0.01)


def _rows(mass: dict[str, Any], delays: list[float], workers: int) -> list[Row]:
    count = mass["timers"]
    once = mass["states"] == {"fired": count} and mass["timer_fired_events"] == count
    once = once and mass["instances_fired"] == count == mass["mails"]
    split = sorted(mass["by_worker"].values())
    rows = [
        Row(
            "6",
            f"{count} timers due at once, {workers} worker processes, PostgreSQL",
            mass["seconds"],
            "s",
            f"≤ {MASS_TARGET_S:.0f} s",
            mass["seconds"] <= MASS_TARGET_S,
            note=f"{count / max(mass['seconds'], 1e-9):.0f} timers/s; split {split}",
        ),
        Row("6", "each fired exactly once (rows, history, outbox)", None, "", "yes", once),
        Row(
            "6",
            f"... and their {count} mails sent (.eml), from the due time",
            mass["mail_seconds"],
            "s",
        ),
    ]
    if delays:
        p99 = percentile(delays, 0.99)
        label = f"lone timer delay after due time, p50 of {len(delays)}"
        rows += [
            Row("6", label, statistics.median(delays), "s"),
            Row(
                "6",
                "lone timer delay, p99",
                p99,
                "s",
                f"≤ {LONE_TARGET_S:.0f} s",
                p99 <= LONE_TARGET_S,
                note=f"max {max(delays):.3f} s",
            ),
        ]
    return rows


def worker() -> None:
    """Run the scheduler in this process until stdin closes or it is terminated."""
    from engine.deadlines import scheduler

    jobs = scheduler.start(wire(Settings.from_env()))
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        jobs.shutdown(wait=False)


def main() -> int:
    """Run the measurement and print its rows."""
    from bench.report import table

    url = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    started = time.perf_counter()
    results, rows = run(
        url,
        int(os.environ.get("BENCH_TIMERS", 10_000)),
        int(os.environ.get("BENCH_LONE", 100)),
        int(os.environ.get("BENCH_WORKERS", 2)),
    )
    print(table(rows))
    load = os.getloadavg()[0]
    print(f"\n{time.perf_counter() - started:.0f} s; load average {load:.2f}; {results['mass']}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["worker"]:
        worker()
    else:
        sys.exit(main())
