"""BPMN timers on the engine clock, and what a waiting timer looks like from outside.

SpiffWorkflow's timer definitions call `datetime.now(timezone.utc)` inside their module
(ENGINE-NOTES 5). We rebind that module's `datetime` to a subclass whose `now()` reads
`engine.runtime.clock`, so every timer (date, duration, cycle; boundary, intermediate, start)
follows the injectable clock without copying the library's parsing code. Naive timer dates are
read as Europe/Oslo, not the host's zone. Durations and cycles add their days and months on the
Oslo calendar (`periods.add_period`), so a daily 08:00 cycle stays at 08:00 across the
daylight-saving changes; the library would add fixed seconds in UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)

from engine.runtime import clock, periods
from engine.timezone import OSLO


class _ClockDatetime(datetime):
    """`datetime` whose `now()` is the engine clock."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _ClockDatetime:
        moment = clock.now()
        moment = moment.astimezone(tz) if tz is not None else moment
        return cls.fromtimestamp(moment.timestamp(), moment.tzinfo)


spiff_timer.datetime = _ClockDatetime
spiff_timer.LOCALTZ = OSLO


def _duration_has_fired(self: Any, my_task: Any) -> bool:
    """Fire once the duration, counted on the Oslo calendar from when the wait began, is over."""
    if my_task._get_internal_data("event_value") is None:
        text = my_task.workflow.script_engine.evaluate(my_task, self.expression)
        due = periods.add_period(clock.now(), periods.parse_period(str(text)))
        my_task._set_internal_data(event_value=due.isoformat())
    value = my_task._get_internal_data("event_value")
    if TimerEventDefinition.get_datetime(value) < clock.now():
        my_task._set_internal_data(event_fired=True)
    return bool(my_task._get_internal_data("event_fired", False))


def _cycle_complete(self: Any, my_task: Any) -> bool:
    """Tell whether the next occurrence of a cycle is due, and move to the one after it."""
    value = my_task._get_internal_data("event_value")
    if value is None:
        text = my_task.workflow.script_engine.evaluate(my_task, self.expression)
        value = first_cycle(str(text), clock.now())
    ready = False
    if value["cycles"] != 0:
        if datetime.fromisoformat(value["next"]) < clock.now():
            value = _next_cycle(value)
            ready = True
    else:
        my_task.internal_data.pop("event_value", None)
        my_task.internal_data["event_fired"] = True
    my_task._set_internal_data(event_value=value)
    return ready


def first_cycle(expression: str, now: datetime) -> dict[str, Any]:
    """Parse `R[n]/start/period`, `R[n]/period/end` or `R[n]/period` into the cycle's state."""
    head, *rest = expression.strip().upper().replace("--", "/").split("/")
    if not head.startswith("R") or len(rest) not in (1, 2):
        raise ValueError(f"not an ISO-8601 repeating interval: {expression!r}")
    cycles = int(head[1:]) if head[1:] else -1
    if len(rest) == 1:
        period = periods.parse_period(rest[0])
        start = periods.add_period(now, period)
    elif rest[0].startswith("P"):
        period = periods.parse_period(rest[0])
        start = periods.add_period(_moment(rest[1]), period, -1)
    else:
        start, period = _moment(rest[0]), periods.parse_period(rest[1])
    seconds = (periods.add_period(start, period) - start).total_seconds()
    if seconds <= 0:
        raise ValueError(f"the period of {expression!r} must be longer than zero")
    state = {"start": start.isoformat(), "period": period, "step": 0}
    return {"cycles": cycles, "next": start.isoformat(), "duration": seconds, **state}


def _moment(text: str) -> datetime:
    parsed = TimerEventDefinition.parse_time_or_duration(text)
    if not isinstance(parsed, datetime):
        raise ValueError(f"not an ISO-8601 date-time: {text!r}")
    return parsed


def _next_cycle(value: dict[str, Any]) -> dict[str, Any]:
    """Count one occurrence off; counting from the start keeps month ends and DST exact."""
    value = {**value, "cycles": value["cycles"] - 1}
    if "period" not in value:  # a cycle the library started, before this module was loaded
        after = datetime.fromisoformat(value["next"]) + timedelta(seconds=value["duration"])
        return {**value, "next": after.isoformat()}
    step = value["step"] + 1
    start = datetime.fromisoformat(value["start"])
    after = periods.add_period(start, value["period"], step)
    return {**value, "step": step, "next": after.isoformat()}


DurationTimerEventDefinition.has_fired = _duration_has_fired
CycleTimerEventDefinition.cycle_complete = _cycle_complete


def due_at_of(task: Any, definition: Any = None) -> datetime | None:
    """Return when a waiting timer task falls due, evaluating its expression if needed.

    `definition` is the timer when the task waits for several events (an event-based gateway).
    """
    definition = definition or task.task_spec.event_definition
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


def kind_of(task: Any, definition: Any = None) -> str:
    """Return `date`, `duration` or `cycle` for a timer task (or its timer `definition`)."""
    name = type(definition or task.task_spec.event_definition).__name__
    if name.startswith("Cycle"):
        return "cycle"
    if name.startswith("Duration"):
        return "duration"
    return "date"
