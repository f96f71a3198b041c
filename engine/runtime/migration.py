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
duration from when the wait began, a date as written; a cycle keeps the repetitions it has
left and counts its next one from its last, see `_cycle_after`). Started tasks (multi-instance,
call activity, sub-process) keep their instances and get the new version's path after them.
The caller stores the outcome like any step, so the timer and message tables follow.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from engine.runtime import clock, periods, serialization, timers
from engine.runtime.model import Outcome, Snapshot
from engine.runtime.projection import current_data, project
from engine.runtime.specs import BuiltProcess

LIVE = TaskState.WAITING | TaskState.READY | TaskState.STARTED | TaskState.ERROR
_PREDICTED = TaskState.FUTURE | TaskState.LIKELY | TaskState.MAYBE
_INTERNAL = ("BoundaryEventSplit", "BoundaryEventJoin", "EndJoin", "Start", "End", "Root")


@dataclass(frozen=True)
class MigrationCheck:
    """Whether an instance can move, why not, and what changes under its waiting tasks."""

    can_migrate: bool
    waiting: tuple[str, ...]
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def check(old: BuiltProcess, new: BuiltProcess, snapshot: Snapshot) -> MigrationCheck:
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
    unique = tuple(dict.fromkeys(notes))
    return MigrationCheck(not reasons, tuple(dict.fromkeys(waiting)), tuple(reasons), unique)


def migrate(old: BuiltProcess, new: BuiltProcess, snapshot: Snapshot, *, now: datetime) -> Outcome:
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
            _repredict_started(tree)
            _reschedule(tree, waits, now)
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


@dataclass(frozen=True)
class _Wait:
    """A waiting timer before the move: its definition, when a duration began, a cycle's state."""

    definition: Any
    began: datetime | None = None
    cycle: dict[str, Any] | None = None


def _timer_wait(task: Any) -> _Wait | None:
    """Return what a waiting timer's reschedule needs to know about its old time."""
    definition = getattr(task.task_spec, "event_definition", None)
    if not isinstance(definition, TimerEventDefinition):
        return None
    value = task._get_internal_data("event_value")
    if isinstance(definition, CycleTimerEventDefinition) and isinstance(value, dict):
        return _Wait(definition, cycle=copy.deepcopy(value))
    began = None
    if isinstance(definition, DurationTimerEventDefinition):
        try:
            text = task.workflow.script_engine.evaluate(task, definition.expression)
            due = timers.due_at_of(task)
            if due is not None:
                began = periods.add_period(due, periods.parse_period(str(text)), -1)
        except Exception:  # an unreadable old time: reschedule from the migration instead
            began = None
    return _Wait(definition, began)


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


def _repredict_started(tree: Any) -> None:
    """Point started tasks (multi-instance, call, sub-process) at their new spec's outputs.

    SpiffWorkflow re-predicts only ready and waiting tasks; a started task would keep the path
    the old version predicted after it (a task that gained a boundary event must lead to its
    boundary join). Its instances and other real children stay as they are.
    """
    for task in list(tree.get_tasks(state=TaskState.STARTED, skip_subprocesses=True)):
        outputs = list(task.task_spec.outputs)
        instance = getattr(task.task_spec, "task_spec", None)  # a multi-instance task's
        for child in list(task.children):
            if child.task_spec in outputs:
                outputs.remove(child.task_spec)
            elif child.has_state(_PREDICTED) and child.task_spec.name != instance:
                tree._remove_task(child.id)
        for spec in outputs:
            child = task._add_child(spec, TaskState.FUTURE)
            spec._predict(child, mask=TaskState.NOT_FINISHED_MASK)


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


def _reschedule(tree: Any, waits: dict[Any, _Wait | None], now: datetime) -> None:
    """Set a new due time on waiting timers whose time changed in the new version."""
    for task in tree.get_tasks(state=TaskState.WAITING, skip_subprocesses=True):
        wait = waits.get(task.id)
        if wait is None or not _timer_changed(_Spec(wait.definition), task.task_spec):
            continue
        task.internal_data.pop("event_value", None)
        task.internal_data.pop("event_fired", None)
        new = task.task_spec.event_definition
        if wait.began is not None and isinstance(new, DurationTimerEventDefinition):
            text = task.workflow.script_engine.evaluate(task, new.expression)
            due = periods.add_period(wait.began, periods.parse_period(str(text)))
            task._set_internal_data(event_value=due.isoformat())
        elif wait.cycle is not None and isinstance(new, CycleTimerEventDefinition):
            text = task.workflow.script_engine.evaluate(task, new.expression)
            task._set_internal_data(event_value=_cycle_after(wait.cycle, str(text), now))
        timers.due_at_of(task)


def _cycle_after(old: dict[str, Any], expression: str, now: datetime) -> dict[str, Any]:
    """Return a changed cycle's state: its remaining repetitions, the next one after the last.

    The repetitions already fired count against the new total (an unbounded cycle stays
    unbounded). A relative cycle (`R3/P2D`) counts its next repetition from the last one (or
    from when the wait began); if that moment has passed, it fires once at the move, and the
    ones after it follow the new period from there, so missed repetitions never fire in a burst.
    A cycle with a written start or end keeps its calendar; repetitions before the move are
    skipped.
    """
    fired = int(old.get("fired", 0)) + int(old.get("step", 0))
    value = timers.first_cycle(expression, now)
    if len(expression.strip().split("/")) == 2 and "period" in old:
        last = periods.add_period(
            datetime.fromisoformat(old["start"]), old["period"], int(old["step"]) - 1
        )
        start = max(periods.add_period(last, value["period"]), now)
        value = {**value, "start": start.isoformat(), "next": start.isoformat()}
    else:
        begin = datetime.fromisoformat(value["start"])
        while datetime.fromisoformat(value["next"]) < now:
            value["step"] += 1
            value["next"] = periods.add_period(begin, value["period"], value["step"]).isoformat()
        fired = max(fired, value["step"])
    if value["cycles"] >= 0:
        value["cycles"] = max(value["cycles"] - fired, 0)
    return {**value, "fired": fired - value["step"]}


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
