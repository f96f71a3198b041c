"""Project a live workflow into what the store indexes: human tasks, timers, message waits.

Nothing outside the runtime ever needs to load a workflow to list tasks or find due timers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.runtime import assignment_rules, clock, events, registry, timers, titles
from engine.runtime.errors import ScriptFailed
from engine.runtime.model import (
    CANCELLED,
    COMPLETED,
    RUNNING,
    ExternalWork,
    Outcome,
    ReadyTask,
    Snapshot,
    StepEvent,
    ThrownMessage,
    WaitingMessage,
    WaitingTimer,
)
from engine.runtime.scripting import SCRIPT_ENGINE
from engine.timezone import OSLO


def project(
    workflow: Any, snapshot: Snapshot, events: list[StepEvent], *, cancelled: bool = False
) -> Outcome:
    """Return the Outcome of a workflow that has just stopped running."""
    done = workflow.is_completed()
    state = CANCELLED if cancelled else (COMPLETED if done else RUNNING)
    waiting = [] if done else list(workflow.event_manager.tasks.values())
    ready = [] if done else _ready_manual_tasks(workflow)
    return Outcome(
        snapshot=snapshot,
        state=state,
        data=current_data(workflow),
        ready_tasks=[] if done else [_ready_task(t) for t in ready if not _topic(t)],
        external=[] if done else [_external(t) for t in ready if _topic(t)],
        timers=[timer for t in waiting if (timer := _timer(t)) is not None]
        + ([] if done else _service_waits(workflow)),
        messages=[m for t in waiting for m in _message_waits(t)],
        thrown=[_thrown(e) for e in workflow.get_events() if hasattr(e.event_definition, "name")],
        events=events,
        end_element=_end_element(workflow) if done else None,
        mail_lists=mail_lists(workflow),
    )


MAIL_NAMES = ("notifications", "outbox")


def is_mail_list(name: str) -> bool:
    """Tell whether a data key or data object holds process messages to mail.

    `notifications`, `outbox`, or a name ending in `_notifications` or `_outbox`.
    """
    return name in MAIL_NAMES or name.endswith(tuple("_" + n for n in MAIL_NAMES))


def mail_lists(workflow: Any) -> dict[str, list[Any]]:
    """Return every list of process messages in the workflow and its live subprocesses.

    Lists live in the data of the top process and of each called process or subprocess (so
    a reminder inside a called process is mailed when it is written, not when the called
    process returns), and in data objects (which parallel branches share; their task data
    is not merged until they join). See `is_mail_list` for the names.
    """
    found: dict[str, list[Any]] = {}
    flows = [("top", workflow)] + [(str(k), w) for k, w in workflow.subprocesses.items()]
    for where, flow in flows:
        data = current_data(flow) if flow is workflow else _subprocess_data(flow)
        objects = flow.data.get("data_objects") or {}
        for kind, source in (("data", data), ("object", objects)):
            for name, value in source.items():
                if isinstance(value, list) and is_mail_list(name):
                    found[f"{where}:{kind}:{name}"] = value
    return found


def _subprocess_data(flow: Any) -> dict[str, Any]:
    last = getattr(flow, "last_task", None)
    return dict(last.data) if last is not None else dict(flow.data)


def current_data(workflow: Any) -> dict[str, Any]:
    """Return the instance's data as the latest step left it."""
    data: dict[str, Any] = {}
    last = workflow.last_task
    if last is not None:
        data.update(last.data)
    data.update(workflow.data)
    return {k: v for k, v in data.items() if not callable(v)}


def _ready_manual_tasks(workflow: Any) -> list[Any]:
    return [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]


EXTERNAL_TOPIC = "externalTopic"  # the property a `camunda:type="external"` task becomes


def _properties(task: Any) -> dict[str, str]:
    extensions = getattr(task.task_spec, "extensions", {}) or {}
    return dict(extensions.get("properties", {}) or {})


def _topic(task: Any) -> str | None:
    return _properties(task).get(EXTERNAL_TOPIC)


def _external(task: Any) -> ExternalWork:
    properties = _properties(task)
    priority = properties.get("externalPriority") or "0"
    return ExternalWork(
        id=str(task.id),
        element_id=task.task_spec.bpmn_id,
        topic=properties[EXTERNAL_TOPIC],
        priority=int(priority) if priority.lstrip("-").isdigit() else 0,
        data={k: v for k, v in task.data.items() if not callable(v)},
    )


def _ready_task(task: Any) -> ReadyTask:
    spec = task.task_spec
    extensions = getattr(spec, "extensions", {}) or {}
    properties = extensions.get("properties", {}) or {}
    return ReadyTask(
        id=str(task.id),
        element_id=spec.bpmn_id,
        name=spec.bpmn_name or spec.bpmn_id,
        title=titles.render(properties.get(titles.TASK_TITLE), task.data),
        process_key=task.workflow.spec.name,
        lane=spec.lane,
        form_schema=properties.get("formJsonSchemaFilename"),
        form_uischema=properties.get("formUiSchemaFilename"),
        instructions=extensions.get("instructionsForEndUser"),
        candidate_users=_candidate_users(task, properties.get("candidateUsers")),
        candidate_municipality=_evaluate_str(task, properties.get("candidateMunicipality")),
        due_at=_due_at(task, properties),
        data=dict(task.data),
        candidate_roles=tuple((properties.get("candidateRoles") or "").split()),
        assignment={
            name: str(properties[name])
            for name in assignment_rules.PROPERTIES
            if properties.get(name)
        },
    )


def _evaluate(task: Any, expression: str | None) -> Any:
    if not expression:
        return None
    try:
        return SCRIPT_ENGINE.evaluate(task, expression)
    except Exception as error:
        raise ScriptFailed(str(error), element_id=task.task_spec.bpmn_id) from error


def _evaluate_str(task: Any, expression: str | None) -> str | None:
    value = _evaluate(task, expression)
    return None if value in (None, "") else str(value)


def _candidate_users(task: Any, expression: str | None) -> tuple[str, ...]:
    value = _evaluate(task, expression)
    if value in (None, ""):
        return ()
    if isinstance(value, (list, tuple, set)):
        return tuple(str(v) for v in value if v)
    return (str(value),)


def _due_at(task: Any, properties: dict[str, str]) -> datetime | None:
    stored = task._get_internal_data("saksflyt_due")
    if stored is not None:
        return datetime.fromisoformat(stored) if stored else None
    due = _compute_due(task, properties)
    task._set_internal_data(saksflyt_due=due.isoformat() if due else "")
    return due


def _compute_due(task: Any, properties: dict[str, str]) -> datetime | None:
    now = clock.now()
    if days := properties.get("dueInWorkingDays"):
        add = registry.functions().get("add_working_days")
        end_of_day = registry.functions()["end_of_day"]
        if add is None:
            raise ScriptFailed(
                "add_working_days is not registered", element_id=task.task_spec.bpmn_id
            )
        today = now.astimezone(OSLO).date().isoformat()
        return datetime.fromisoformat(end_of_day(add(today, int(_evaluate(task, days)))))
    if duration := properties.get("dueIn"):
        parsed = TimerEventDefinition.parse_iso_duration(str(_evaluate(task, duration)))
        delta: timedelta = TimerEventDefinition.get_timedelta_from_start(parsed, now)
        return now + delta
    return None


SERVICE = "service"  # the timer kind of a service task waiting for a step of its own


def runs_in_own_step(task: Any) -> bool:
    """Tell whether a task is a service task that runs in a step of its own."""
    return registry.runs_in_own_step(getattr(task.task_spec, "operation_name", None))


def _service_waits(workflow: Any) -> list[WaitingTimer]:
    """Return a wait, due now, for each ready service task that runs in a step of its own."""
    return [
        WaitingTimer(
            task_id=str(task.id),
            element_id=task.task_spec.bpmn_id or task.task_spec.name,
            kind=SERVICE,
            due_at=clock.now(),
        )
        for task in workflow.get_tasks(state=TaskState.READY)
        if runs_in_own_step(task)
    ]


def _timer(task: Any) -> WaitingTimer | None:
    """Return the task's timer wait; of several (an event-based gateway), the earliest."""
    found = [
        WaitingTimer(
            task_id=str(task.id),
            element_id=spec.bpmn_id or spec.name,
            kind=timers.kind_of(task, definition),
            due_at=timers.due_at_of(task, definition),
        )
        for definition, spec in events.pending(task)
        if isinstance(definition, TimerEventDefinition)
    ]
    if not found:
        return None
    return min(
        found, key=lambda t: (t.due_at is None, t.due_at or datetime.max.replace(tzinfo=OSLO))
    )


def _message_waits(task: Any) -> list[WaitingMessage]:
    """Return a wait for each message the task still waits for, named by its catching element."""
    waits = []
    for definition, spec in events.pending(task):
        if not events.is_message(definition):
            continue
        correlation: dict[str, Any] = {}
        for prop in definition.correlation_properties:
            try:
                correlation[prop.name] = SCRIPT_ENGINE.environment.evaluate(
                    prop.retrieval_expression, task.data
                )
            except Exception:
                correlation[prop.name] = None
        waits.append(
            WaitingMessage(
                task_id=str(task.id),
                element_id=spec.bpmn_id or spec.name,
                message_name=definition.name,
                correlation=correlation,
            )
        )
    return waits


def _thrown(event: Any) -> ThrownMessage:
    flat: dict[str, Any] = {}
    for values in (event.correlations or {}).values():
        flat.update(values)
    payload = event.payload if isinstance(event.payload, dict) else {"value": event.payload}
    return ThrownMessage(name=event.event_definition.name, payload=payload, correlation=flat)


def _end_element(workflow: Any) -> str | None:
    last = workflow.last_task
    return None if last is None else (last.task_spec.bpmn_id or last.task_spec.name)
