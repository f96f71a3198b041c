"""Move a running instance onto a newer version of its process (SpiffWorkflow's diff helpers).

`SpecDiff` aligns the old version's task specs with the new one's by element id;
`migrate_workflow` re-points every task at its new spec and re-predicts what lies ahead of the
waiting tasks. An instance can move when every task it waits at (in the process and in its
running sub-processes and calls) still exists, by element id, with the same kind (SpecDiff
would also pair renamed elements by their position; we do not). Waiting tasks keep their ids,
data and started times (a running timer keeps its due time); completed tasks of elements that
were removed leave the tree, as pruning would have removed them anyway.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from engine.runtime import clock, serialization
from engine.runtime.model import Outcome, Snapshot
from engine.runtime.projection import current_data, project

LIVE = TaskState.WAITING | TaskState.READY | TaskState.STARTED | TaskState.ERROR
_INTERNAL = ("BoundaryEventSplit", "BoundaryEventJoin", "EndJoin", "Start", "End", "Root")


@dataclass(frozen=True)
class MigrationCheck:
    """Whether an instance can move, why not, and what changes under its waiting tasks."""

    can_migrate: bool
    waiting: tuple[str, ...]
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def check(old: Any, new: Any, snapshot: Snapshot) -> MigrationCheck:
    """Tell whether the instance in `snapshot` (on specs `old`) can move to specs `new`."""
    workflow = serialization.load(snapshot, old.spec, old.subprocess_specs)
    top, subprocesses = diff_workflow(
        serialization.SERIALIZER.registry, workflow, new.spec, new.subprocess_specs
    )
    reasons: list[str] = []
    notes: list[str] = []
    waiting: list[str] = []
    for tree, diff in [(workflow, top), *_subprocess_pairs(workflow, subprocesses)]:
        live = [t for t in tree.get_tasks(state=LIVE, skip_subprocesses=True) if _visible(t)]
        waiting += [_element(t) for t in live]
        if diff is None:
            if live:
                reasons.append(
                    f"It is inside '{tree.spec.name}', which the new version does not have."
                )
            continue
        _judge(live, diff, reasons, notes)
    return MigrationCheck(not reasons, tuple(dict.fromkeys(waiting)), tuple(reasons), tuple(notes))


def migrate(old: Any, new: Any, snapshot: Snapshot, *, now: datetime) -> Outcome:
    """Return the instance moved onto specs `new` (check() must have allowed it)."""
    with clock.frozen_at(now):
        workflow = serialization.load(snapshot, old.spec, old.subprocess_specs)
        data = current_data(workflow)
        top, subprocesses = diff_workflow(
            serialization.SERIALIZER.registry, workflow, new.spec, new.subprocess_specs
        )
        kept = {
            task.id: (copy.deepcopy(task.internal_data), copy.deepcopy(task.data))
            for task in workflow.get_tasks(state=LIVE)
        }
        migrate_workflow(top, workflow, new.spec)
        for sp_id, sp in list(workflow.subprocesses.items()):
            diff = subprocesses.get(sp_id)
            if diff is not None:
                migrate_workflow(diff, sp, new.subprocess_specs[sp.spec.name])
                sp.subprocess_specs = new.subprocess_specs
        workflow.subprocess_specs = new.subprocess_specs
        for tree in [workflow, *workflow.subprocesses.values()]:
            _restore(tree, kept)
            _drop_unknown(tree, workflow)
        outcome = project(workflow, serialization.dump(workflow), [])
    return replace(outcome, data={**data, **outcome.data} if data else outcome.data)


def _subprocess_pairs(workflow: Any, diffs: dict[Any, Any]) -> list[tuple[Any, Any]]:
    return [(sp, diffs.get(sp_id)) for sp_id, sp in workflow.subprocesses.items()]


def _judge(live: list[Any], diff: Any, reasons: list[str], notes: list[str]) -> None:
    removed = set(diff.removed)
    for task in live:
        element = _element(task)
        aligned = diff.alignment.get(task)
        if task in removed or aligned is None or aligned.name != task.task_spec.name:
            reasons.append(f"It waits at '{element}', which the new version does not have.")
            continue
        changed = task in diff.changed
        if changed and type(task.task_spec) is not type(aligned):
            reasons.append(f"It waits at '{element}', which is of another kind in the new version.")
        elif changed:
            notes.append(
                f"'{element}' changed in the new version; the waiting task keeps its state."
            )


def _visible(task: Any) -> bool:
    """Tell whether a task stands for a modeller's element (not SpiffWorkflow's helpers)."""
    name = str(task.task_spec.name)
    return not any(name.endswith(suffix) for suffix in _INTERNAL)


def _element(task: Any) -> str:
    return str(task.task_spec.bpmn_id or task.task_spec.name)


def _restore(tree: Any, kept: dict[Any, tuple[dict[str, Any], dict[str, Any]]]) -> None:
    """Give waiting tasks back their started times and data, which a reset cleared."""
    for task in tree.tasks.values():
        if task.id in kept and task.has_state(LIVE):
            internal, data = kept[task.id]
            task.internal_data = {**task.internal_data, **internal}
            task.data = data


def _drop_unknown(tree: Any, top: Any) -> None:
    """Splice out finished tasks whose element the new spec lacks (history keeps them)."""
    specs = tree.spec.task_specs
    for task in list(tree.tasks.values()):
        if task.task_spec.name in specs and specs[task.task_spec.name] is task.task_spec:
            continue
        parent = task.parent
        if parent is None:
            continue
        position = parent._children.index(task.id)
        parent._children[position : position + 1] = list(task._children)
        for child in task.children:
            child._parent = parent.id
        task._children = []
        top.event_manager.remove_task(task)
        del tree.tasks[task.id]
        if tree.last_task is task:
            tree.last_task = parent
