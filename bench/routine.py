"""A real routine through HTTP: the assignment happy path (processes/assignment/scenarios.json).

The ten-task fixture of sections 1-3 isolates the engine's own cost. This section answers what
a participant waits for on the real competence-network assignment: its forms, scripts, called
interest processes, messages between them, timers and mails. Each run plays the happy path
with its own assignment id (numbered by the board), the API clock following the scenario's;
only the `POST /api/v1/tasks/{id}/complete` requests are timed.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from bench import apps
from engine.services import definitions, timers

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "processes" / "assignment" / "scenarios.json"
ASSIGNMENT_ID = "OPPDRAG-1"  # the happy path's business key, renamed per run


class _Run:
    """Plays one copy of the scenario over HTTP; keeps the aliases and the timed samples."""

    def __init__(self, bench: apps.BenchApp, headers: dict[str, dict[str, str]]) -> None:
        self.bench, self.headers = bench, headers
        self.aliases: dict[str, UUID] = {}
        self.announced: dict[str, str] = {}  # the scenario's assignment id -> the board's
        self.samples: list[tuple[float, float]] = []

    def auth(self, username: str) -> dict[str, str]:
        if username not in self.headers:
            self.headers[username] = self.bench.token(username)
        return self.headers[username]

    def start(self, spec: dict[str, Any]) -> None:
        """Start as people do: the assignment on the board (which numbers it), an interest by
        registering on the board."""
        headers = self.auth(spec["started_by"])
        data = dict(spec.get("data", {}))
        if spec["process"] == "assignment":
            view = apps.json_of(
                self.bench.client.post("/api/v1/announcements", json={}, headers=headers)
            )
            self.announced[spec["business_key"]] = view["id"]
        else:
            assignment_id = self.announced[data["assignment_id"]]
            view = apps.json_of(
                self.bench.client.post(
                    f"/api/v1/announcements/{assignment_id}/interest",
                    json={"motivation": data["motivation"]},
                    headers=headers,
                )
            )
        self.aliases[spec["as"]] = UUID(view["instance_id"])

    def complete(self, alias: str, element_id: str, username: str, data: dict[str, Any]) -> None:
        with self.bench.wiring.new_uow(read_only=True) as uow:
            tasks = uow.tasks.open_for_instance(self.aliases[alias])
        matching = [t for t in tasks if t.element_id == element_id]
        if not matching:
            open_ids = [t.element_id for t in tasks]
            raise RuntimeError(f"{element_id} is not open in {alias} (open: {open_ids})")
        task = matching[0]
        headers = self.auth(username)
        wall, cpu = time.perf_counter(), time.process_time()
        reply = self.bench.client.post(
            f"/api/v1/tasks/{task.id}/complete", json={"data": data}, headers=headers
        )
        self.samples.append((time.perf_counter() - wall, time.process_time() - cpu))
        apps.json_of(reply)

    def advance(self, moment: str) -> None:
        at = datetime.fromisoformat(moment)
        self.bench.wiring.clock_offset = at - datetime.now(UTC)
        while timers.fire_due_timers(self.bench.wiring.new_uow, now=at, worker="bench"):
            pass

    def play(self, steps: list[dict[str, Any]]) -> None:
        for step in steps:
            if "start" in step:
                self.start(step["start"])
            elif "complete" in step:
                self.complete(step["instance"], step["complete"], step["user"], step["data"])
            elif "complete_each" in step:
                for data in step["data"]:
                    self.complete(step["instance"], step["complete_each"], step["user"], data)
            elif "advance_clock_to" in step:
                self.advance(step["advance_clock_to"])

    def finished(self) -> bool:
        with self.bench.wiring.new_uow(read_only=True) as uow:
            return uow.instances.get(self.aliases["a"]).state == "completed"


def run(workdir: Path, runs: int) -> dict[str, Any]:
    """Play the happy path `runs` times (plus one warm-up); return the timed completions."""
    text = SCENARIOS.read_text(encoding="utf-8")
    bench = apps.new_app(apps.sqlite_url(workdir, "routine.sqlite3"))
    try:
        definitions.deploy_directory(
            bench.wiring.new_uow(),
            ROOT / "processes",
            ROOT / "forms",
            actor="bench",
            now=datetime.fromisoformat("2026-11-01T00:00:00+01:00"),
        )
        headers: dict[str, dict[str, str]] = {}
        samples: list[tuple[float, float]] = []
        snapshot = 0
        for number in range(runs + 1):
            copy = json.loads(text.replace(ASSIGNMENT_ID, f"BENCH-{number}"))
            happy = next(s for s in copy["scenarios"] if s["name"] == "happy_path")
            player = _Run(bench, headers)
            player.advance(happy["steps"][0].get("advance_clock_to", "2026-11-23T09:00:00+01:00"))
            player.start(happy["start"])
            player.play(happy["steps"])
            if not player.finished():
                raise RuntimeError(f"run {number}: the assignment did not reach its end")
            if number:  # the first run warms caches (specs, forms, statements)
                samples += player.samples
            with bench.wiring.new_uow(read_only=True) as uow:
                snapshot = max(
                    snapshot, len(json.dumps(uow.instances.get(player.aliases["a"]).snapshot))
                )
        return {"runs": runs, "tasks": len(samples), "samples": samples, "snapshot_bytes": snapshot}
    finally:
        apps.dispose(bench)
