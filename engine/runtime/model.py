"""The runtime's data: a Snapshot (JSON-ready dict) and frozen dataclasses describing a step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Snapshot = dict[str, Any]

RUNNING = "running"
COMPLETED = "completed"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class ReadyTask:
    """A human task the instance waits on, as the task table projects it."""

    id: str
    element_id: str
    name: str
    process_key: str
    lane: str | None
    form_schema: str | None
    form_uischema: str | None
    instructions: str | None
    candidate_users: tuple[str, ...]
    candidate_municipality: str | None
    due_at: datetime | None
    data: dict[str, Any]
    candidate_roles: tuple[str, ...] = ()  # Camunda 7's candidateGroups, for a task in no lane
    # The modeller's assignment rule (assignTo and its companions; assignment_rules.py).
    assignment: dict[str, str] = field(default_factory=dict)
    # The name filled with case data for its participants (`taskTitle`, titles.py); None: `name`.
    title: str | None = None


@dataclass(frozen=True)
class ExternalWork:
    """A service task a worker must do (`camunda:type="external"`), as the external_task table
    projects it."""

    id: str
    element_id: str
    topic: str
    priority: int = 0
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WaitingTimer:
    """A timer the instance waits on."""

    task_id: str
    element_id: str
    kind: str
    due_at: datetime | None


@dataclass(frozen=True)
class WaitingMessage:
    """A message catch the instance waits on, with the correlation values it expects."""

    task_id: str
    element_id: str
    message_name: str
    correlation: dict[str, Any]


@dataclass(frozen=True)
class ThrownMessage:
    """A message the instance sent that no task inside it caught."""

    name: str
    payload: dict[str, Any]
    correlation: dict[str, Any]


@dataclass(frozen=True)
class StepEvent:
    """Something the engine did during a step, for the history."""

    type: str
    task_id: str
    element_id: str
    element_name: str | None
    element_type: str


@dataclass(frozen=True)
class Outcome:
    """What a runtime call produced: the new snapshot and everything projected from it."""

    snapshot: Snapshot
    state: str
    data: dict[str, Any]
    ready_tasks: list[ReadyTask] = field(default_factory=list)
    external: list[ExternalWork] = field(default_factory=list)
    timers: list[WaitingTimer] = field(default_factory=list)
    messages: list[WaitingMessage] = field(default_factory=list)
    thrown: list[ThrownMessage] = field(default_factory=list)
    events: list[StepEvent] = field(default_factory=list)
    end_element: str | None = None
    # Every list of process messages the instance holds, by where it lives: `notifications`
    # of each (sub)process's data and the data objects named `notifications` or `*outbox`.
    mail_lists: dict[str, list[Any]] = field(default_factory=dict)
