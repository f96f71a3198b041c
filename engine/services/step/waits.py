"""What an instance waits on: its timers and message subscriptions, kept in step with each
outcome, and the record of them (with the counts of mailed process messages) that the snapshot
carries under `WAITS`, so the next step compares in memory before it touches the tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from engine.runtime.model import Outcome
from engine.runtime.projection import is_mail_list
from engine.services.step import process_mail, wakeups
from engine.store.models import MessageSubscription, ProcessInstance, Timer
from engine.store.states import TimerState
from engine.store.uow import UnitOfWork
from engine.store.waits import BPMN_TIMER_KINDS

WAITS = "saksflyt_waits"
MAILS = "mails"


class Waited(Protocol):
    """A task an outcome waits on (a ready user task, an external task): its id."""

    @property
    def id(self) -> str: ...


W = TypeVar("W", bound=Waited)


def changes(
    current: Sequence[W], previous: Mapping[str, Any], closed: frozenset[str]
) -> tuple[list[str], list[W]]:
    """Return the ids of the tasks no longer waited on, less those the caller `closed`, and the
    tasks newly waited on: what a table of open tasks must end and add."""
    ids = {w.id for w in current}
    gone = [task_id for task_id in previous if task_id not in ids and task_id not in closed]
    return gone, [w for w in current if w.id not in previous]


def mailed(
    instance: ProcessInstance, previous: dict[str, Any], before: dict[str, Any]
) -> dict[str, int]:
    """Return the counts of process messages earlier steps mailed (see `process_messages`)."""
    if MAILS in previous:
        return dict(previous[MAILS])
    if not instance.snapshot:  # a new instance has mailed nothing
        return {}
    # A snapshot saved before the counts were kept: what its data listed was mailed.
    objects = before.get("data_objects") or {}
    lists = {k: v for k, v in [*before.items(), *objects.items()] if is_mail_list(k)}
    return {k: n for k, (n, _) in process_mail.current_counts(lists).items()}


def waits_of(outcome: Outcome) -> dict[str, Any]:
    """Return what the instance now waits on, kept in the snapshot for the next step."""
    return {
        "tasks": {t.id: [t.element_id, t.name] for t in outcome.ready_tasks},
        "external": {t.id: t.topic for t in outcome.external},
        "timers": {t.task_id: t.due_at.isoformat() if t.due_at else None for t in outcome.timers},
        "messages": [
            [m.task_id, m.message_name, _jsonable(m.correlation)] for m in outcome.messages
        ],
    }


def previous(uow: UnitOfWork, instance: ProcessInstance) -> dict[str, Any]:
    snapshot = instance.snapshot or {}
    if WAITS in snapshot:
        return dict(snapshot[WAITS])
    if not snapshot:  # a new instance waits on nothing yet
        return {"tasks": {}, "timers": {}, "messages": []}
    # A snapshot saved before waits were kept in it: ask the tables, and sync everything.
    tasks = uow.tasks.open_for_instance(instance.id)
    return {
        "tasks": {str(t.id): [t.element_id, t.name] for t in tasks},
        "timers": None,
        "messages": None,
    }


def sync_timers(
    uow: UnitOfWork, instance: ProcessInstance, outcome: Outcome, now: datetime
) -> None:
    waiting = {t.task_id: t for t in uow.waits.live_timers(instance.id, BPMN_TIMER_KINDS)}
    current = {t.task_id: t for t in outcome.timers}
    for task_id, row in waiting.items():
        if task_id not in current:
            row.state, row.claimed_by, row.claimed_until = TimerState.CANCELLED, None, None
        elif current[task_id].due_at != row.due_at:
            row.due_at = current[task_id].due_at
            wakeups.hint(uow.session, "timers", row.due_at)
    for task_id, timer in current.items():
        if task_id not in waiting:
            wakeups.hint(uow.session, "timers", timer.due_at)
            uow.waits.add(
                Timer(
                    instance_id=instance.id,
                    task_id=task_id,
                    element_id=timer.element_id,
                    kind=timer.kind,
                    due_at=timer.due_at,
                    state=TimerState.WAITING,
                    created_at=now,
                )
            )


def sync_subscriptions(uow: UnitOfWork, instance: ProcessInstance, outcome: Outcome) -> None:
    uow.waits.clear_instance(instance.id)
    for wait in outcome.messages:
        uow.waits.add(
            MessageSubscription(
                instance_id=instance.id,
                task_id=wait.task_id,
                element_id=wait.element_id,
                message_name=wait.message_name,
                correlation=_jsonable(wait.correlation),
            )
        )


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: v if isinstance(v, (str, int, float, bool, type(None))) else str(v)
        for k, v in values.items()
    }
