"""Age independence: a completion in an instance with a long past costs what it costs in a new one.

Measured through the service function `engine.services.tasks.complete_task` (no HTTP) on
the loop process (bench/fixtures/loop.bpmn: a form-less user task, a script task and two
gateways per iteration), SQLite file. Only the service call is timed; finding the open task
is not.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import func, select

from bench import apps
from engine.services import instances, tasks
from engine.store.models import HistoryEvent, ProcessInstance, User

ACTOR = "emp.asker"


def _user(bench: apps.BenchApp) -> User:
    with bench.wiring.new_uow() as uow:
        return uow.users.get(ACTOR)


def _start(bench: apps.BenchApp, user: User, limit: int) -> UUID:
    instance = instances.start_instance(
        bench.wiring.new_uow(), "bench_loop", {"limit": limit}, actor=user, now=bench.wiring.now()
    )
    return instance.id


def _open_task(bench: apps.BenchApp, instance_id: UUID) -> UUID:
    with bench.wiring.new_uow() as uow:
        tasks = uow.tasks.open_for_instance(instance_id)
    if not tasks:
        raise RuntimeError(f"instance {instance_id} has no open task: did the loop end early?")
    return tasks[0].id


def complete_steps(
    bench: apps.BenchApp, user: User, instance_id: UUID, steps: int
) -> list[tuple[float, float]]:
    """Complete `steps` tasks of one instance; return (wall, cpu) seconds of each call."""
    samples = []
    for _ in range(steps):
        task_id = _open_task(bench, instance_id)
        wall, cpu = time.perf_counter(), time.process_time()
        tasks.complete_task(bench.wiring.new_uow(), task_id, {}, actor=user, now=bench.wiring.now())
        samples.append((time.perf_counter() - wall, time.process_time() - cpu))
    return samples


def _footprint(bench: apps.BenchApp, instance_id: UUID) -> dict[str, int]:
    with bench.wiring.new_uow() as uow:
        instance = uow.session.get(ProcessInstance, instance_id)
        assert instance is not None
        events = uow.session.scalar(
            select(func.count()).where(HistoryEvent.instance_id == instance_id)
        )
        return {
            "snapshot_bytes": len(json.dumps(instance.snapshot)),
            "snapshot_tasks": len(instance.snapshot.get("tasks", {})),
            "history_events": events or 0,
        }


def run(age: int, sample: int, workdir: Path) -> dict[str, Any]:
    """Compare completions 1..sample of a new instance with age+1..age+sample of an old one.

    The old instance takes its `age` steps first; then the two are sampled in turns.
    """
    bench = apps.new_app(apps.sqlite_url(workdir, "age.sqlite3"), apps.LOOP)
    try:
        user = _user(bench)
        limit = age + sample + 10
        complete_steps(bench, user, _start(bench, user, limit), 10)  # warm-up
        old_id = _start(bench, user, limit)
        growing = complete_steps(bench, user, old_id, age)
        # New and old alternate, a few completions at a time, so a burst of load elsewhere
        # (a shared 2-core machine swings by half) hits both samples alike.
        fresh_id = _start(bench, user, limit)
        fresh: list[tuple[float, float]] = []
        aged: list[tuple[float, float]] = []
        while len(fresh) < sample:
            batch = min(5, sample - len(fresh))
            fresh += complete_steps(bench, user, fresh_id, batch)
            aged += complete_steps(bench, user, old_id, batch)
        return {
            "age": age,
            "sample": sample,
            "fresh": fresh,
            "aged": aged,
            "curve": _curve(growing),
            "fresh_footprint": _footprint(bench, fresh_id),
            "aged_footprint": _footprint(bench, old_id),
        }
    finally:
        apps.dispose(bench)


def _curve(samples: list[tuple[float, float]], blocks: int = 10) -> list[dict[str, float]]:
    """Mean wall milliseconds per block of steps while the instance ages."""
    size = max(1, len(samples) // blocks)
    curve = []
    for start in range(0, len(samples), size):
        block = samples[start : start + size]
        curve.append(
            {
                "from_step": start + 1,
                "mean_ms": 1000 * sum(w for w, _ in block) / len(block),
                "mean_cpu_ms": 1000 * sum(c for _, c in block) / len(block),
            }
        )
    return curve
