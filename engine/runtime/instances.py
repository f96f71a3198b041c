"""Advance instances: start, complete a task, deliver a message, fire timers, cancel.

Each call takes the cached specs, a snapshot and the time, runs the engine until it waits
again (under a step budget), prunes completed history from the tree and returns an Outcome.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.runtime import clock, events, failures, projection, pruning, serialization, storability
from engine.runtime.errors import (
    EngineError,
    ErrorNotCaught,
    MessageNotCaught,
    StepBudgetExceeded,
    TaskNotReady,
)
from engine.runtime.model import Outcome, Snapshot, StepEvent
from engine.runtime.projection import project
from engine.runtime.scripting import SCRIPT_ENGINE
from engine.runtime.specs import BuiltProcess

DEFAULT_STEP_BUDGET = 10_000
# Deeply nested call activities make each step slower (ENGINE-NOTES 11), so the step count
# alone can take minutes to trip; a wall-time limit per engine run stops them promptly.
TIME_BUDGET_SECONDS = 10.0
MAX_CALL_DEPTH = 25


def start(
    built: BuiltProcess,
    data: Mapping[str, Any],
    *,
    now: datetime,
    step_budget: int = DEFAULT_STEP_BUDGET,
    message: tuple[str, Mapping[str, Any]] | None = None,
) -> Outcome:
    """Create an instance of a built process with start data and run it until it waits.

    With `message` (name, payload) the instance starts at that message start event: the
    engine runs to the event, which catches the message, and on until it waits again.
    """
    with _engine(now):
        workflow = BpmnWorkflow(built.spec, built.subprocess_specs, script_engine=SCRIPT_ENGINE)
        start_task = workflow.task_tree
        start_task.data.update(dict(data))
        for child in start_task.children:
            child.data.update(dict(data))
        if message is None:
            return _advance(workflow, step_budget, lambda: None)
        with _translated_errors():
            workflow.do_engine_steps()
        name, payload = message
        event = _event_for(workflow, name, payload)
        return _advance(workflow, step_budget, lambda: workflow.catch(event))


def message_start_names(built: BuiltProcess) -> frozenset[str]:
    """Return the names of the messages that start the process (its message start events)."""
    names: set[str] = set()
    for spec in built.spec.task_specs.values():
        if type(spec).__name__.endswith("StartEvent"):
            found = events.triggers(spec)
            names.update(str(d.name) for d, _ in found if events.is_message(d))
    return frozenset(names)


def complete_task(
    built: BuiltProcess,
    snapshot: Snapshot,
    task_id: UUID,
    data: Mapping[str, Any],
    *,
    now: datetime,
    step_budget: int = DEFAULT_STEP_BUDGET,
) -> Outcome:
    """Complete a ready user task with submitted data and run until the engine waits again."""
    with _engine(now):
        workflow = serialization.load(snapshot, built.spec, built.subprocess_specs)
        task = workflow.get_task_from_id(task_id) if _has_task(workflow, task_id) else None
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady(task_id)

        def run() -> None:
            task.data.update(dict(data))
            task.run()

        return _advance(workflow, step_budget, run, first=task)


def throw_error(
    built: Any,
    snapshot: Snapshot,
    task_id: UUID,
    code: str,
    data: Mapping[str, Any],
    *,
    now: datetime,
    step_budget: int = DEFAULT_STEP_BUDGET,
) -> Outcome:
    """Let a ready task end with a BPMN error: the error boundary event that catches `code`
    takes over (the task is cancelled), with `data` merged into the instance's data.

    ErrorNotCaught if no error boundary event on the task catches the code.
    """
    with _engine(now):
        workflow = serialization.load(snapshot, built.spec, built.subprocess_specs)
        task = workflow.get_task_from_id(task_id) if _has_task(workflow, task_id) else None
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady(task_id)
        catcher = _error_catcher(task, code)
        if catcher is None:
            raise ErrorNotCaught(code, task.task_spec.bpmn_id)

        def run() -> None:
            definition = catcher.task_spec.event_definition
            event = BpmnEvent(definition, payload=dict(data), target=task.workflow)
            catcher.data.update(dict(data))
            catcher.task_spec.catch(catcher, event)
            catcher.task_spec._update(catcher)

        return _advance(workflow, step_budget, run)


def _error_catcher(task: Any, code: str) -> Any:
    """Return the waiting error boundary event of a task that catches `code`, if any."""
    siblings = task.parent.children if task.parent is not None else []
    for other in siblings:
        definition = getattr(other.task_spec, "event_definition", None)
        if other is task or not isinstance(definition, ErrorEventDefinition):
            continue
        if other.state == TaskState.WAITING and definition.code in (None, "", code):
            return other
    return None


def deliver_message(
    built: BuiltProcess,
    snapshot: Snapshot,
    name: str,
    payload: Mapping[str, Any],
    *,
    now: datetime,
    step_budget: int = DEFAULT_STEP_BUDGET,
) -> Outcome:
    """Deliver a named message with its payload to the instance and run on."""
    with _engine(now):
        workflow = serialization.load(snapshot, built.spec, built.subprocess_specs)
        event = _event_for(workflow, name, payload)
        return _advance(workflow, step_budget, lambda: workflow.catch(event))


def _event_for(workflow: BpmnWorkflow, name: str, payload: Mapping[str, Any]) -> BpmnEvent:
    found = _message_catcher(workflow, name)
    if found is None:
        raise MessageNotCaught(name)
    definition, element_id = found
    try:
        correlations = definition.calculate_correlations(
            SCRIPT_ENGINE, definition.correlation_properties, dict(payload)
        )
    except Exception as error:  # a retrieval expression names what the payload lacks
        raise failures.correlation_failed(name, element_id, error) from error
    return BpmnEvent(definition, payload=dict(payload), correlations=correlations)


def fire_timers(
    built: BuiltProcess,
    snapshot: Snapshot,
    *,
    now: datetime,
    step_budget: int = DEFAULT_STEP_BUDGET,
) -> Outcome:
    """Let every timer that is due at or before `now` fire, and run on."""
    # SpiffWorkflow fires only when due < now; the timer table means due <= now.
    with _engine(now + timedelta(microseconds=1)), _running_services():
        workflow = serialization.load(snapshot, built.spec, built.subprocess_specs)
        return _advance(workflow, step_budget, workflow.refresh_timers)


def cancel(built: BuiltProcess, snapshot: Snapshot, *, now: datetime) -> Outcome:
    """Cancel the instance: every open task and timer ends."""
    with _engine(now):
        workflow = serialization.load(snapshot, built.spec, built.subprocess_specs)
        workflow.cancel()
        return project(workflow, serialization.dump(workflow), [], cancelled=True)


def restore(built: BuiltProcess, snapshot: Snapshot) -> BpmnWorkflow:
    """Return the live workflow of a snapshot (for read-only inspection)."""
    return serialization.load(snapshot, built.spec, built.subprocess_specs)


def task_data(built: BuiltProcess, snapshot: Snapshot, task_id: UUID) -> dict[str, Any] | None:
    """Return the data a waiting task holds (its own scope: a called process's or a
    multi-instance child's data, not the top process's), or None if the task is gone."""
    workflow = serialization.load(snapshot, built.spec, built.subprocess_specs)
    if not _has_task(workflow, task_id):
        return None
    data = workflow.get_task_from_id(task_id).data
    return {k: v for k, v in data.items() if not callable(v)}


def task_data_and_paths(
    built: BuiltProcess, snapshot: Snapshot, task_id: UUID
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Return a waiting task's own data (as `task_data`) and what every path of the top process
    holds (the data of all its tasks, later ones last): a step's changes are its path's own."""
    workflow = serialization.load(snapshot, built.spec, built.subprocess_specs)
    own = None
    if _has_task(workflow, task_id):
        own = {k: v for k, v in workflow.get_task_from_id(task_id).data.items() if not callable(v)}
    paths: dict[str, Any] = {}
    for task in sorted(workflow.get_tasks(), key=lambda t: t.last_state_change):
        paths.update({k: v for k, v in task.data.items() if not callable(v)})
    return own, paths


def all_paths_data(built: BuiltProcess, snapshot: Snapshot) -> dict[str, Any]:
    """Return the data of every path that is still alive (the tasks that wait or are ready,
    each holding its branch's data) under the data of the step that moved last: what the case
    knows now, not only what the branch that moved last knows."""
    workflow = serialization.load(snapshot, built.spec, built.subprocess_specs)
    live = TaskState.READY | TaskState.WAITING | TaskState.STARTED
    data: dict[str, Any] = {}
    for task in sorted(workflow.get_tasks(state=live), key=lambda t: t.last_state_change):
        holder = task
        while not holder.data and holder.parent is not None:  # a waiting join: its branch's
            holder = holder.parent  # data is on the step before it
        data.update({k: v for k, v in holder.data.items() if not callable(v)})
    return {**data, **projection.current_data(workflow)}


def _has_task(workflow: BpmnWorkflow, task_id: UUID) -> bool:
    if task_id in workflow.tasks:
        return True
    return any(task_id in sp.tasks for sp in workflow.subprocesses.values())


def _message_catcher(workflow: BpmnWorkflow, name: str) -> tuple[Any, str] | None:
    """Return the definition of a message `name` a waiting task catches, and its element."""
    for task in list(workflow.event_manager.tasks.values()):
        for definition, spec in events.pending(task):
            if events.is_message(definition) and definition.name == name:
                return definition, str(spec.bpmn_id)
    return None


def _advance(
    workflow: BpmnWorkflow,
    step_budget: int,
    action: Callable[[], Any],
    first: Any = None,
) -> Outcome:
    events: list[StepEvent] = []
    completed: list[Any] = []  # the tasks themselves, to name one whose data cannot be stored
    if first is not None:
        events.append(_event("task_completed", first))
        completed.append(first)
    steps = 0
    deadline = time.monotonic() + TIME_BUDGET_SECONDS

    def count(task: Any) -> None:
        nonlocal steps
        steps += 1
        too_deep = getattr(task.workflow, "depth", 0) > MAX_CALL_DEPTH
        if steps > step_budget or too_deep or time.monotonic() > deadline:
            raise StepBudgetExceeded(step_budget, task.task_spec.bpmn_id)
        if not _services_now.get() and projection.runs_in_own_step(task):
            raise _Deferred()  # it stays ready; the timer table runs it next (`project`)

    def record(task: Any) -> None:
        events.append(_event("task_completed", task))
        completed.append(task)

    with _translated_errors():
        action()
        with suppress(_Deferred):
            workflow.do_engine_steps(will_complete_task=count, did_complete_task=record)
    pruning.prune(workflow)
    storability.check_thrown(workflow)
    outcome = project(workflow, storability.snapshot(workflow, completed), events)
    storability.check_correlations(outcome)
    return outcome


def _event(kind: str, task: Any) -> StepEvent:
    spec = task.task_spec
    return StepEvent(
        type=kind,
        task_id=str(task.id),
        element_id=spec.bpmn_id or spec.name,
        element_name=spec.bpmn_name,
        element_type=type(spec).__name__,
    )


class _Deferred(Exception):
    """A service task that runs in a step of its own was reached: stop here."""


_services_now: ContextVar[bool] = ContextVar("saksflyt_services_now", default=False)


@contextmanager
def _running_services() -> Iterator[None]:
    """Run service tasks that wait for a step of their own (the timer table's step)."""
    token = _services_now.set(True)
    try:
        yield
    finally:
        _services_now.reset(token)


@contextmanager
def _engine(now: datetime) -> Iterator[None]:
    with clock.frozen_at(now):
        yield


@contextmanager
def _translated_errors() -> Iterator[None]:
    try:
        yield
    except EngineError:
        raise
    except (WorkflowException, SpiffWorkflowException) as error:
        raise failures.script_failed(error) from error
    except RecursionError as error:
        raise StepBudgetExceeded(0, None) from error
    except Exception as error:  # a library failure inside a step: name the element, never 500
        raise failures.step_failed(error) from error
