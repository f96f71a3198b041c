"""The raw baseline: SpiffWorkflow alone, no saksflyt code, on the ten-task routine.

The spec is parsed once. Instances are serialized without the spec (a small converter, the same
idea as engine/runtime/serialization.py but written here so the baseline owes nothing to the
code it is compared with) and written to a plain sqlite3 table `(id, json)` in WAL mode, one
commit per step. Three variants:

- memory: complete every user task, no serialization at all;
- save: the workflow stays in memory, its JSON is written and committed after every step
  (the brief's baseline, and the denominator of the ratios);
- load+save: every step reads the row, deserializes onto the cached spec, completes the task,
  serializes and commits, as a stateless server must (a second reference).

Only completion steps are timed (find the ready task, complete it, run engine steps, persist);
starting instances is not, as in the HTTP measurement.
"""

from __future__ import annotations

import json
import sqlite3
import time
import warnings
from pathlib import Path
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

FIXTURES = Path(__file__).parent / "fixtures"
FORM_DATA = {"note": "Sjekket vedlegg", "hours": 1.5, "checked": True}


class _SpeclessConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Leave the spec out of the dict; take it from the caller when restoring."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct  # type: ignore[no-any-return]

    def from_dict(self, dct: dict[str, Any], spec: Any = None, subprocess_specs: Any = None) -> Any:
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dict(dct["subprocesses"]), workflow)
        workflow.bpmn_events = self.registry.restore(dct.get("bpmn_events", []))
        return workflow


def _serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpeclessConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


def parse_spec() -> tuple[Any, dict[str, Any]]:
    """Parse the ten-task routine once; return its spec and subprocess specs."""
    parser = SpiffBpmnParser()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parser.add_bpmn_file(str(FIXTURES / "ten_tasks.bpmn"))
    return parser.get_spec("ten_tasks"), parser.get_subprocess_specs("ten_tasks")


def _ready_user_task(workflow: BpmnWorkflow) -> Any:
    for task in workflow.get_tasks(state=TaskState.READY):
        if task.task_spec.manual:
            return task
    return None


def _complete(task: Any) -> None:
    task.data.update(FORM_DATA)
    task.run()


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE IF NOT EXISTS instance (id TEXT PRIMARY KEY, json TEXT NOT NULL)")
    return db


def _write(db: sqlite3.Connection, key: str, snapshot: dict[str, Any], *, new: bool) -> int:
    sql = (
        "INSERT INTO instance (id, json) VALUES (?, ?)"
        if new
        else "UPDATE instance SET json = ? WHERE id = ?"
    )
    text = json.dumps(snapshot)
    db.execute("BEGIN IMMEDIATE")
    db.execute(sql, (key, text) if new else (text, key))
    db.execute("COMMIT")
    return len(text)


def run_memory(spec: Any, subprocess_specs: Any, tasks: int) -> dict[str, Any]:
    """Complete `tasks` user tasks in memory; return tasks/s."""
    done, elapsed, cpu = 0, 0.0, 0.0
    while done < tasks:
        workflow = BpmnWorkflow(spec, subprocess_specs)
        workflow.do_engine_steps()
        while done < tasks:
            started, cpu_started = time.perf_counter(), time.process_time()
            task = _ready_user_task(workflow)
            if task is None:
                break
            _complete(task)
            workflow.do_engine_steps()
            elapsed += time.perf_counter() - started
            cpu += time.process_time() - cpu_started
            done += 1
    return _figures(done, elapsed, cpu)


def run_save(spec: Any, subprocess_specs: Any, tasks: int, db_path: Path) -> dict[str, Any]:
    """Keep each workflow in memory and write its spec-free JSON after every step."""
    serializer, db = _serializer(), _connect(db_path)
    done, elapsed, cpu, size, instance = 0, 0.0, 0.0, 0, 0
    while done < tasks:
        instance += 1
        key = f"save-{instance}"
        workflow = BpmnWorkflow(spec, subprocess_specs)
        workflow.do_engine_steps()
        _write(db, key, serializer.to_dict(workflow), new=True)
        while done < tasks:
            started, cpu_started = time.perf_counter(), time.process_time()
            task = _ready_user_task(workflow)
            if task is None:
                break
            _complete(task)
            workflow.do_engine_steps()
            written = _write(db, key, serializer.to_dict(workflow), new=False)
            elapsed += time.perf_counter() - started
            cpu += time.process_time() - cpu_started
            done += 1
            size = max(size, written)
    db.close()
    return {**_figures(done, elapsed, cpu), "json_bytes": size}


def run_load_save(spec: Any, subprocess_specs: Any, tasks: int, db_path: Path) -> dict[str, Any]:
    """Per step: read the row, restore onto the cached spec, complete, write back."""
    serializer, db = _serializer(), _connect(db_path)
    done, elapsed, cpu, instance = 0, 0.0, 0.0, 0
    while done < tasks:
        instance += 1
        key = f"load-{instance}"
        workflow = BpmnWorkflow(spec, subprocess_specs)
        workflow.do_engine_steps()
        _write(db, key, serializer.to_dict(workflow), new=True)
        while done < tasks:
            started, cpu_started = time.perf_counter(), time.process_time()
            (text,) = db.execute("SELECT json FROM instance WHERE id = ?", (key,)).fetchone()
            workflow = serializer.from_dict(
                json.loads(text), spec=spec, subprocess_specs=subprocess_specs
            )
            task = _ready_user_task(workflow)
            if task is None:
                break
            _complete(task)
            workflow.do_engine_steps()
            _write(db, key, serializer.to_dict(workflow), new=False)
            elapsed += time.perf_counter() - started
            cpu += time.process_time() - cpu_started
            done += 1
    db.close()
    return _figures(done, elapsed, cpu)


def _figures(done: int, elapsed: float, cpu: float) -> dict[str, Any]:
    return {
        "tasks": done,
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "tasks_per_s": done / elapsed,
        "cpu_tasks_per_s": done / cpu if cpu else 0.0,
    }


def warm_up(spec: Any, subprocess_specs: Any) -> None:
    """Run a few steps first: imports, first-call caches."""
    run_memory(spec, subprocess_specs, 20)


def merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Add up the figures of several rounds of one variant."""
    done = sum(p["tasks"] for p in parts)
    merged = _figures(done, sum(p["seconds"] for p in parts), sum(p["cpu_seconds"] for p in parts))
    if any("json_bytes" in p for p in parts):
        merged["json_bytes"] = max(p.get("json_bytes", 0) for p in parts)
    return merged
