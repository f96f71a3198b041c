"""Move a running instance onto a newer version of its process (SpiffWorkflow's diff helpers).

`SpecDiff` aligns the old version's task specs with the new one's by element id;
`migrate_workflow` re-points every task at its new spec and re-predicts what lies ahead of the
waiting tasks. An instance can move when every task it waits at (in the process and in its
running sub-processes and calls) still exists, by element id, with the same kind (SpecDiff
would also pair renamed elements by their position; we do not). Waiting tasks keep their ids,
data and started times (a running timer keeps its due time); completed tasks of elements that
were removed leave the tree, as pruning would have removed them anyway.

Boundary events follow the new version: one the new version adds around a waiting task is armed
(its timer starts counting at the migration, a message wait opens), one it removes is disarmed
with everything predicted after it, and a waiting timer whose time changed is rescheduled (a
duration from when the wait began, a date as written, a cycle from the migration). The caller
stores the outcome like any step, so the timer and message tables follow.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from engine.runtime import clock, periods, serialization, timers
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
        waits = {t.id: _timer_wait(t) for t in workflow.get_tasks(state=TaskState.WAITING)}
        migrate_workflow(top, workflow, new.spec)
        for sp_id, sp in list(workflow.subprocesses.items()):
            diff = subprocesses.get(sp_id)
            if diff is not None:
                migrate_workflow(diff, sp, new.subprocess_specs[sp.spec.name])
                sp.subprocess_specs = new.subprocess_specs
        workflow.subprocess_specs = new.subprocess_specs
        for tree in [workflow, *workflow.subprocesses.values()]:
            _restore(tree, kept)
            _disarm_removed(tree, workflow)
            _drop_unknown(tree, workflow)
            _arm_added(tree)
            _reschedule(tree, waits)
        outcome = project(workflow, serialization.dump(workflow), [])
    return replace(outcome, data={**data, **outcome.data} if data else outcome.data)


def _subprocess_pairs(workflow: Any, diffs: dict[Any, Any]) -> list[tuple[Any, Any]]:
    return [(sp, diffs.get(sp_id)) for sp_id, sp in workflow.subprocesses.items()]


def _judge(live: list[Any], diff: Any, reasons: list[str], notes: list[str]) -> None:
    removed = set(diff.removed)
    for task in live:
        element = _element(task)
        aligned = diff.alignment.get(task)
        gone = task in removed or aligned is None or aligned.name != task.task_spec.name
        if gone and isinstance(task.task_spec, BoundaryEvent):
            notes.append(f"The new version has no '{element}'; its wait is disarmed.")
            continue
        if gone:
            reasons.append(f"It waits at '{element}', which the new version does not have.")
            continue
        changed = task in diff.changed
        if changed and type(task.task_spec) is not type(aligned):
            reasons.append(f"It waits at '{element}', which is of another kind in the new version.")
        elif changed and _timer_changed(task.task_spec, aligned):
            notes.append(f"The time of '{element}' changed in the new version; it is rescheduled.")
        elif changed:
            notes.append(
                f"'{element}' changed in the new version; the waiting task keeps its state."
            )
        for spec in _missing_boundaries(task, aligned):
            notes.append(f"'{spec.bpmn_id or spec.name}' is new around '{element}'; it is armed.")


def _timer_changed(old: Any, new: Any) -> bool:
    """Tell whether a timer event's kind or time expression differs between two specs."""
    before = getattr(old, "event_definition", None)
    after = getattr(new, "event_definition", None)
    if not isinstance(before, TimerEventDefinition):
        return False
    return type(before) is not type(after) or before.expression != getattr(
        after, "expression", None
    )


def _split_of(spec: Any) -> Any:
    """Return the boundary event split in front of a task spec, if it has boundary events."""
    return next((s for s in spec.inputs if isinstance(s, BoundaryEventSplit)), None)


def _missing_boundaries(task: Any, spec: Any) -> list[Any]:
    """Return the boundary event specs around `spec` that the waiting task has no task for."""
    if isinstance(spec, BoundaryEvent) or (split := _split_of(spec)) is None:
        return []
    parent = task.parent
    present = {c.task_spec.name for c in parent.children} if parent is not None else set()
    if parent is None or parent.task_spec.name != split.name:
        present = set()
    return [s for s in split.outputs if isinstance(s, BoundaryEvent) and s.name not in present]


def _timer_wait(task: Any) -> tuple[Any, datetime | None] | None:
    """Return a waiting timer's old definition and, for a duration, when its wait began."""
    definition = getattr(task.task_spec, "event_definition", None)
    if not isinstance(definition, TimerEventDefinition):
        return None
    began = None
    if isinstance(definition, DurationTimerEventDefinition):
        try:
            text = task.workflow.script_engine.evaluate(task, definition.expression)
            due = timers.due_at_of(task)
            if due is not None:
                began = periods.add_period(due, periods.parse_period(str(text)), -1)
        except Exception:  # an unreadable old time: reschedule from the migration instead
            began = None
    return definition, began


def _disarm_removed(tree: Any, top: Any) -> None:
    """Drop live boundary events the new version lacks, with what was predicted after them."""
    specs = tree.spec.task_specs
    for task in list(tree.tasks.values()):
        if task.id not in tree.tasks or not isinstance(task.task_spec, BoundaryEvent):
            continue
        if specs.get(task.task_spec.name) is task.task_spec or not task.has_state(LIVE):
            continue
        branch = list(task)
        task.parent._children.remove(task.id)
        for gone in branch:
            top.event_manager.remove_task(gone)
            tree.tasks.pop(gone.id, None)


def _arm_added(tree: Any) -> None:
    """Give each waiting task the boundary events its new spec has and its branch lacks."""
    for task in list(tree.get_tasks(state=LIVE, skip_subprocesses=True)):
        missing = _missing_boundaries(task, task.task_spec)
        if not missing:
            continue
        split = _split_of(task.task_spec)
        if task.parent.task_spec is not split:
            _insert_parent(tree, task, split)
        for spec in missing:
            event = task.parent._add_child(spec, TaskState.MAYBE)
            event.data = copy.deepcopy(task.parent.data)
            spec._predict(event)
            event._set_state(TaskState.WAITING)
            spec._update(event)


def _insert_parent(tree: Any, task: Any, spec: Any) -> None:
    """Put a completed task of `spec` between a task and its parent."""
    parent = task.parent
    position = parent._children.index(task.id)
    inserted = type(task)(tree, spec, state=TaskState.COMPLETED)
    inserted._parent = parent.id
    inserted.data = copy.deepcopy(parent.data)
    parent._children[position] = inserted.id
    inserted._children = [task.id]
    task._parent = inserted.id
    # The serializer restores a task's data from its parent's, so parents must come first.
    order = [t for t in tree.tasks.values() if t is not inserted]
    order.insert(order.index(task), inserted)
    tree.tasks.clear()
    tree.tasks.update((t.id, t) for t in order)


def _reschedule(tree: Any, waits: dict[Any, tuple[Any, datetime | None] | None]) -> None:
    """Set a new due time on waiting timers whose time changed in the new version."""
    for task in tree.get_tasks(state=TaskState.WAITING, skip_subprocesses=True):
        wait = waits.get(task.id)
        if wait is None or not _timer_changed(_Spec(wait[0]), task.task_spec):
            continue
        began = wait[1]
        task.internal_data.pop("event_value", None)
        task.internal_data.pop("event_fired", None)
        new = task.task_spec.event_definition
        if began is not None and isinstance(new, DurationTimerEventDefinition):
            text = task.workflow.script_engine.evaluate(task, new.expression)
            due = periods.add_period(began, periods.parse_period(str(text)))
            task._set_internal_data(event_value=due.isoformat())
        timers.due_at_of(task)


@dataclass(frozen=True)
class _Spec:
    """Stands in for an old task spec when only its event definition is kept."""

    event_definition: Any


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
