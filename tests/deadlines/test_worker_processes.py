"""Real operating-system processes against PostgreSQL: two workers, and one killed with SIGKILL.

The thread-based tests in test_timers.py show the claim logic; these show it holds across
processes: two `saksflyt worker` commands fire 1,000 due timers exactly once between them, and
the claims of a worker killed with SIGKILL are fired by another once they expire, once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.services import timers
from engine.services.wiring import Wiring
from engine.store.models import HistoryEvent, Outbox, Timer
from tests.conftest import ROOT
from tests.deadlines.conftest import clone_instances, start_notice

pytestmark = pytest.mark.slow
POSTGRES_ONLY = pytest.mark.parametrize("settings", ["postgresql"], indirect=True)
SAKSFLYT = Path(sys.executable).with_name("saksflyt")


def _env(wiring: Wiring, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SAKSFLYT_DATABASE_URL": wiring.settings.database_url,
        "SAKSFLYT_ENV": "test",
        "SAKSFLYT_SECRET_KEY": wiring.settings.secret_key,
        "SAKSFLYT_MAIL_DIR": str(tmp_path / "mail"),
        "SAKSFLYT_SMTP_HOST": "",
    }


def _timer_states(wiring: Wiring) -> dict[str, int]:
    with wiring.new_uow() as uow:
        query = select(Timer.state, func.count()).group_by(Timer.state)
        return dict(uow.session.execute(query).tuples().all())


@POSTGRES_ONLY
def test_two_worker_processes_fire_1000_due_timers_exactly_once(
    processes: Wiring, tmp_path: Path
) -> None:
    past = datetime.now(UTC) - timedelta(hours=2)  # due an hour ago on the wall clock
    clone_instances(processes, start_notice(processes, at=past), 999)
    assert _timer_states(processes) == {"waiting": 1000}
    env = _env(processes, tmp_path)
    logs = [tmp_path / f"worker{i}.log" for i in (1, 2)]
    workers = []
    for log in logs:
        with log.open("wb") as out:
            workers.append(
                subprocess.Popen(
                    [str(SAKSFLYT), "worker"], env=env, cwd=ROOT, stdout=out, stderr=out
                )
            )
    try:
        deadline = time.monotonic() + 240
        while _timer_states(processes) != {"fired": 1000} and time.monotonic() < deadline:
            pairs = zip(workers, logs, strict=True)
            died = [log.read_text() for w, log in pairs if w.poll() is not None]
            assert not died, died
            time.sleep(0.5)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    # SIGTERM stops a worker as Ctrl-C does: its scheduler shuts down, the process exits 0.
    assert [w.returncode for w in workers] == [0, 0], [log.read_text() for log in logs]
    assert _timer_states(processes) == {"fired": 1000}
    with processes.new_uow() as uow:
        fired = uow.session.execute(
            select(HistoryEvent.stream, func.count())
            .where(HistoryEvent.type == "timer_fired")
            .group_by(HistoryEvent.stream)
        ).all()
        receipts = uow.session.execute(
            select(Outbox.instance_id, func.count())
            .where(Outbox.is_copy.is_(False))
            .group_by(Outbox.instance_id)
        ).all()
        by_worker = dict(
            uow.session.execute(select(Timer.claimed_by, func.count()).group_by(Timer.claimed_by))
            .tuples()
            .all()
        )
    assert len(fired) == 1000 and {n for _s, n in fired} == {1}
    assert len(receipts) == 1000 and {n for _i, n in receipts} == {1}  # history and outbox agree
    assert sum(by_worker.values()) == 1000
    print(f"\n[postgresql] two worker processes fired 1,000 timers: {by_worker}")


CLAIM_AND_HANG = """
import sys, time
from datetime import UTC, datetime
from engine.services import timers
from engine.services.wiring import wire
from engine.settings import Settings
wiring = wire(Settings.from_env())
ids = timers.claim(wiring.new_uow(), now=datetime.now(UTC), worker="victim", limit=100)
print(len(ids), flush=True)
time.sleep(600)
"""


@POSTGRES_ONLY
def test_claims_of_a_worker_killed_with_sigkill_fire_once_after_they_expire(
    processes: Wiring, tmp_path: Path
) -> None:
    past = datetime.now(UTC) - timedelta(hours=2)
    clone_instances(processes, start_notice(processes, at=past), 9)
    victim = subprocess.Popen(
        [sys.executable, "-c", CLAIM_AND_HANG],
        env={  # the suite's clock (tests/clock) stays on the path
            **_env(processes, tmp_path),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        },
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert victim.stdout is not None
        assert victim.stdout.readline().strip() == "10"  # it holds all ten claims
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=20)
        if victim.stdout is not None:
            victim.stdout.close()
    assert victim.returncode == -signal.SIGKILL
    assert _timer_states(processes) == {"claimed": 10}
    now = datetime.now(UTC)
    assert timers.fire_due_timers(processes.new_uow, now=now, worker="heir") == 0  # still held
    later = now + timedelta(seconds=timers.CLAIM_SECONDS + 1)
    assert timers.fire_due_timers(processes.new_uow, now=later, worker="heir") == 10
    assert timers.fire_due_timers(processes.new_uow, now=later, worker="other") == 0
    assert _timer_states(processes) == {"fired": 10}
    with processes.new_uow() as uow:
        count = select(func.count()).where(HistoryEvent.type == "timer_fired")
        assert uow.session.scalar(count) == 10
        rows = uow.session.scalars(select(Timer)).all()
    assert {(t.claimed_by, t.attempts) for t in rows} == {("heir", 2)}
