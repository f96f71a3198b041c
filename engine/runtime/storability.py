"""Nothing a run leaves may fail to be stored: its snapshot, thrown messages, correlations.

Each is held to the rules of `values`; a value breaking them fails the step with ScriptFailed
naming the task of the run that left it and the variable (its path), so the caller stores
nothing and the instance keeps its previous state: a user's request is answered 422, a timer's
step becomes an incident for an admin to retry.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.runtime import serialization, values
from engine.runtime.errors import ScriptFailed
from engine.runtime.model import Outcome, Snapshot


def snapshot(workflow: BpmnWorkflow, completed: list[Any]) -> Snapshot:
    """Return the workflow's snapshot; raise ScriptFailed if a value in it could not be stored.

    `completed` are the tasks this run completed, in order: the first whose data breaks the
    rules is named.
    """
    try:
        dumped = serialization.dump(workflow)
    except RecursionError:
        problem = values.Unstorable((), "nested_too_deep", values.MAX_DEPTH)
    else:
        found = values.first_unstorable(
            dumped,
            max_depth=values.MAX_DEPTH + values.SNAPSHOT_NESTING,
            max_bytes=values.MAX_SNAPSHOT_BYTES,
        )
        if found is None:
            return dumped
        problem = found
    raise _unstorable(problem, completed)


def _unstorable(problem: values.Unstorable, completed: list[Any]) -> ScriptFailed:
    """Name the first task of this run whose data breaks the rules, and the variable."""
    for task in completed:
        found = _first_in_data(task.data)
        if found is not None:
            return _failed(task, found)
    if completed and problem.code in ("too_large", "nested_too_deep"):
        return _failed(completed[-1], problem)
    where = f" at {problem.where}" if problem.path else ""
    return ScriptFailed(f"the instance's state cannot be stored{where}: {problem.reason()}")


def _first_in_data(data: dict[str, Any]) -> values.Unstorable | None:
    """Return the first variable of task data that breaks the rules (the largest if all do)."""
    sizes: dict[str, int] = {}
    for name, value in data.items():
        if callable(value):
            continue
        try:
            converted = serialization.SERIALIZER.registry.convert(value)
        except RecursionError:
            return values.Unstorable((name,), "nested_too_deep", values.MAX_DEPTH)
        limit = values.MAX_SNAPSHOT_BYTES
        found, sizes[name] = values.measure(converted, path=(name,), max_bytes=limit)
        if found is not None:
            return values.Unstorable((name,), found.code, found.limit) if not found.path else found
    if sizes and sum(sizes.values()) > values.MAX_SNAPSHOT_BYTES:
        largest = max(sizes, key=sizes.__getitem__)
        return values.Unstorable((largest,), "too_large", values.MAX_SNAPSHOT_BYTES)
    return None


def _failed(task: Any, problem: values.Unstorable) -> ScriptFailed:
    spec = task.task_spec
    name = spec.bpmn_name or spec.bpmn_id or spec.name
    variable = f" '{problem.where}'" if problem.path else ""
    return ScriptFailed(
        f"the task '{name}' left{variable} with a value that cannot be stored: {problem.reason()}",
        element_id=spec.bpmn_id,
    )


def check_thrown(workflow: BpmnWorkflow) -> None:
    """Refuse a thrown message whose payload could not be stored where it goes."""
    for event in workflow.bpmn_events:
        problem = values.first_unstorable(event.payload)
        if problem is not None:
            name = getattr(event.event_definition, "name", None)
            where = f" '{problem.where}'" if problem.path else ""
            raise ScriptFailed(
                f"the message '{name}' carries{where} a value that cannot be stored: "
                f"{problem.reason()}"
            )


def check_correlations(outcome: Outcome) -> None:
    """Refuse a message wait whose correlation value could not be stored."""
    for wait in outcome.messages:
        plain = {k: v for k, v in wait.correlation.items() if isinstance(v, (str, float, int))}
        problem = values.first_unstorable(plain)
        if problem is not None:
            raise ScriptFailed(
                f"the correlation '{problem.where}' of '{wait.message_name}' cannot be stored: "
                f"{problem.reason()}",
                element_id=wait.element_id,
            )
