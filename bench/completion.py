"""Completion through HTTP: POST /api/v1/tasks/{id}/complete on the ten-task routine, SQLite file.

Each request goes the whole way: bearer token, user lookup, marshmallow, form validation,
load → engine → save, history chain, task and timer projections, the task detail response.
Only the complete requests are timed; starting instances and finding the next task id
(GET /api/v1/process-instances/{id}) are not. The same samples give throughput and latency.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from pathlib import Path
from typing import Any

from bench import apps
from bench.raw import FORM_DATA

STARTER = "emp.asker"


def _start(bench: apps.BenchApp, headers: dict[str, str]) -> tuple[str, str | None]:
    view = apps.json_of(
        bench.client.post(
            "/api/v1/process-definitions/ten_tasks/start", json={"data": {}}, headers=headers
        )
    )
    return view["id"], _first_open(view)


def _next_task(bench: apps.BenchApp, headers: dict[str, str], instance_id: str) -> str | None:
    view = apps.json_of(
        bench.client.get(f"/api/v1/process-instances/{instance_id}", headers=headers)
    )
    return _first_open(view)


def _first_open(view: dict[str, Any]) -> str | None:
    tasks = view["open_tasks"]
    return str(tasks[0]["id"]) if tasks else None


def complete_many(bench: apps.BenchApp, tasks: int) -> list[tuple[float, float]]:
    """Complete `tasks` user tasks over fresh instances; return each request's (wall, cpu) s."""
    headers = bench.token(STARTER)
    samples: list[tuple[float, float]] = []
    body = {"data": FORM_DATA}
    while len(samples) < tasks:
        instance_id, task_id = _start(bench, headers)
        while task_id is not None and len(samples) < tasks:
            wall, cpu = time.perf_counter(), time.process_time()
            response = bench.client.post(
                f"/api/v1/tasks/{task_id}/complete", json=body, headers=headers
            )
            samples.append((time.perf_counter() - wall, time.process_time() - cpu))
            apps.json_of(response)
            task_id = _next_task(bench, headers, instance_id)
    return samples


def prepare(workdir: Path) -> apps.BenchApp:
    """Create the app on a fresh SQLite file and warm it up (spec cache, validators, queries)."""
    bench = apps.new_app(apps.sqlite_url(workdir, "http.sqlite3"), apps.TEN_TASKS)
    complete_many(bench, 20)
    return bench


def profile(bench: apps.BenchApp, path: Path, tasks: int = 200) -> None:
    """Write a cProfile of `tasks` more completions to `path`."""
    profiler = cProfile.Profile()
    profiler.runcall(complete_many, bench, tasks)
    profiler.dump_stats(path)


def profile_summary(path: Path, lines: int = 25) -> str:
    """Return the top of a saved profile, by cumulative time."""
    out = io.StringIO()
    pstats.Stats(str(path), stream=out).sort_stats("cumulative").print_stats(lines)
    return out.getvalue()
