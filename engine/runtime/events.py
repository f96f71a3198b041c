"""What a waiting task waits for: its event definitions, each with the element that catches it.

Most catching events have one definition. An event-based gateway holds its branches' events in
one `MultipleEventDefinition` (SpiffWorkflow moves them from the branches onto the gateway, in the
order of its outgoing flows), and a multiple or parallel-multiple event holds several of its
own. Projection, message delivery and message starts read them all through `triggers`, so a
gateway's timer and message branches are registered like any other wait.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway


def triggers(task_spec: Any) -> list[tuple[Any, Any]]:
    """Return (event definition, catching element spec) for every event `task_spec` waits for."""
    definition = getattr(task_spec, "event_definition", None)
    if definition is None:
        return []
    if not isinstance(definition, MultipleEventDefinition):
        return [(definition, task_spec)]
    if isinstance(task_spec, EventBasedGateway):
        return list(zip(definition.event_definitions, task_spec.outputs, strict=False))
    return [(inner, task_spec) for inner in definition.event_definitions]


def pending(task: Any) -> list[tuple[Any, Any]]:
    """Return the triggers of a waiting task that have not been caught yet."""
    seen = [event.event_definition for event in task.internal_data.get("seen_events", [])]
    return [(d, spec) for d, spec in triggers(task.task_spec) if d not in seen]


def is_message(definition: Any) -> bool:
    """Tell whether an event definition is a (correlated) message."""
    return hasattr(definition, "correlation_properties") and bool(getattr(definition, "name", ""))
