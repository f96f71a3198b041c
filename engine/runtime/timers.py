"""BPMN timers on the engine clock, and what a waiting timer looks like from outside.

SpiffWorkflow's timer definitions call `datetime.now(timezone.utc)` inside their module
(ENGINE-NOTES 5). We rebind that module's `datetime` to a subclass whose `now()` reads
`engine.runtime.clock`, so every timer (date, duration, cycle; boundary, intermediate, start)
follows the injectable clock without copying the library's parsing code. Naive timer dates are
read as Europe/Oslo, not the host's zone.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)

from engine.runtime import clock


class _ClockDatetime(datetime):
    """`datetime` whose `now()` is the engine clock."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _ClockDatetime:  # type: ignore[override]
        moment = clock.now()
        moment = moment.astimezone(tz) if tz is not None else moment
        return cls.fromtimestamp(moment.timestamp(), moment.tzinfo)


spiff_timer.datetime = _ClockDatetime  # type: ignore[misc]
spiff_timer.LOCALTZ = clock.OSLO  # type: ignore[assignment]


def due_at_of(task: Any) -> datetime | None:
    """Return when a waiting timer task falls due, evaluating its expression if needed."""
    definition = task.task_spec.event_definition
    if not isinstance(definition, TimerEventDefinition):
        return None
    value = task._get_internal_data("event_value")
    if value is None:
        definition.has_fired(task) if not isinstance(
            definition, CycleTimerEventDefinition
        ) else definition.cycle_complete(task)
        value = task._get_internal_data("event_value")
    if isinstance(value, dict):
        value = value.get("next")
    if not isinstance(value, str):
        return None
    try:
        parsed = spiff_timer.TimerEventDefinition.get_datetime(value)
    except ValueError:
        return None
    return datetime.fromtimestamp(parsed.timestamp(), parsed.tzinfo)


def kind_of(task: Any) -> str:
    """Return `date`, `duration` or `cycle` for a timer task."""
    name = type(task.task_spec.event_definition).__name__
    if name.startswith("Cycle"):
        return "cycle"
    if name.startswith("Duration"):
        return "duration"
    return "date"
