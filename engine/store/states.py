"""The states of tasks, external tasks, instances, timers and outbox mails.

StrEnums: each member is the plain string its `state` column holds (VARCHAR(20)), so templates,
JSON and filters compare them to strings as before. Members are listed in the order the API
documents them.
"""

from __future__ import annotations

from enum import StrEnum


class TaskState(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class InstanceState(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    SUSPENDED = "suspended"  # on hold: its timers wait, its tasks cannot be completed
    ERROR = "error"  # accepted by the filters; no engine step sets it


class TimerState(StrEnum):
    WAITING = "waiting"
    CLAIMED = "claimed"  # a poller holds it until `claimed_until`
    FIRED = "fired"
    FAILED = "failed"  # given up after its attempts; an admin may retry it
    CANCELLED = "cancelled"


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # a sender holds it until `claimed_until`
    SENT = "sent"
    FAILED = "failed"  # given up; an admin may retry it


class ExternalTaskState(StrEnum):
    OPEN = "open"  # lockable when `locked_until` has passed (or is empty)
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"  # no retries left: an incident an admin may retry
