"""Save what one engine step produced: instance, history, tasks, timers, subscriptions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from engine.runtime.errors import ScriptFailed
from engine.runtime.model import COMPLETED, RUNNING, Outcome, ReadyTask
from engine.services.step import (
    candidates,
    external,
    followers,
    history,
    notifications,
    process_mail,
    task_deadlines,
    waits,
)
from engine.store.models import (
    HumanTask,
    ProcessInstance,
    TaskCandidate,
)
from engine.store.states import InstanceState, TaskState
from engine.store.uow import UnitOfWork


class Built(Protocol):
    """What a step needs of a definition version (`definitions.Built` has it): lane roles."""

    @property
    def lane_roles(self) -> Mapping[str, str]: ...


# Spec names SpiffWorkflow adds around every process; they are not the modeller's elements.
_INTERNAL_SPECS = {"Start", "End", "Root", "BpmnStartTask", "SimpleBpmnTask", "_EndJoin"}


def record(
    uow: UnitOfWork,
    instance: ProcessInstance,
    event_type: str,
    actor: str,
    at: datetime,
    **fields: Any,
) -> None:
    """Append an event to the instance's chain and move its head."""
    event = history.append(
        uow,
        stream=str(instance.id),
        instance_id=instance.id,
        type=event_type,
        actor=actor,
        at=at,
        head=(instance.history_seq, instance.history_head or history.GENESIS),
        definition_key=instance.key,
        definition_version=instance.version,
        **fields,
    )
    instance.history_seq, instance.history_head = event.seq, event.hash
    _follow(uow, instance, event_type, actor, at, fields)


def _follow(
    uow: UnitOfWork,
    instance: ProcessInstance,
    event_type: str,
    actor: str,
    at: datetime,
    fields: dict[str, Any],
) -> None:
    """Do what an event implies, in its transaction: end a closed task's reminders, tell people."""
    task_id = fields.get("task_id")
    if event_type in ("task_completed", "task_cancelled") and task_id:
        task_deadlines.cancel(uow, str(task_id))
    elif event_type == "task_delegated" and task_id:
        to = str((fields.get("data") or {}).get("to"))
        notifications.task_assigned(uow, instance, str(task_id), to, actor, at)


def apply(
    uow: UnitOfWork,
    instance: ProcessInstance,
    built: Built,
    outcome: Outcome,
    *,
    actor: str,
    now: datetime,
    skip_first: bool = False,
    closed: frozenset[str] = frozenset(),
) -> None:
    """Store an outcome: snapshot, data, history of the step, and every projection.

    `closed` names tasks the caller already closed (the one just completed).
    """
    before = instance.process_data
    previous = waits.previous(uow, instance)
    waiting = {**waits.waits_of(outcome), waits.MAILS: waits.mailed(instance, previous, before)}
    instance.snapshot = {**outcome.snapshot, waits.WAITS: waiting}
    instance.data = outcome.data
    instance.state = InstanceState(outcome.state)
    instance.updated_at = now
    for event in outcome.events[1 if skip_first else 0 :]:
        if event.element_type in _INTERNAL_SPECS or event.element_id in _INTERNAL_SPECS:
            continue
        record(
            uow,
            instance,
            "element_completed",
            actor,
            now,
            element_id=event.element_id,
            element_name=event.element_name,
            task_id=event.task_id,
            data={"type": event.element_type},
        )
    _sync_tasks(uow, instance, built, outcome.ready_tasks, previous["tasks"], closed, actor, now)
    if previous.get("external", {}) != waiting["external"]:
        external.sync(uow, instance, outcome.external, previous.get("external", {}), closed, now)
    # What an instance waits on rarely changes; compare in memory before touching the tables.
    if previous["timers"] != waiting["timers"]:
        waits.sync_timers(uow, instance, outcome, now)
    if previous["messages"] != waiting["messages"]:
        waits.sync_subscriptions(uow, instance, outcome)
    followers.follow(uow, instance, now)  # what routines keep in step with the data
    delta = history.data_delta(before, outcome.data)
    if outcome.state != RUNNING and instance.ended_at is None:
        instance.ended_at = now
        kind = "instance_completed" if outcome.state == COMPLETED else "instance_cancelled"
        end, name = _end_event(outcome)
        record(
            uow, instance, kind, actor, now, element_id=end, element_name=name, delta=delta or None
        )
    sent = waiting[waits.MAILS]
    mailed = process_mail.process_messages(uow, instance, sent, outcome.mail_lists, now)
    if mailed != sent:
        instance.snapshot = {**instance.snapshot, waits.WAITS: {**waiting, waits.MAILS: mailed}}


def _end_event(outcome: Outcome) -> tuple[str | None, str | None]:
    """Return the id and name of the modeller's end event the instance finished at."""
    ends = [
        e
        for e in outcome.events
        if "EndEvent" in (e.element_type or "") and e.element_id not in _INTERNAL_SPECS
    ]
    if ends:
        return ends[-1].element_id, ends[-1].element_name
    return outcome.end_element, None


def _sync_tasks(
    uow: UnitOfWork,
    instance: ProcessInstance,
    built: Built,
    ready: list[ReadyTask],
    previous: dict[str, list[str]],
    closed: frozenset[str],
    actor: str,
    now: datetime,
) -> None:
    gone, added = waits.changes(ready, previous, closed)
    uow.tasks.close([UUID(task_id) for task_id in gone], TaskState.CANCELLED, now)
    for task_id in gone:
        element_id, name = previous[task_id]
        record(
            uow,
            instance,
            "task_cancelled",
            actor,
            now,
            element_id=element_id,
            element_name=name,
            task_id=task_id,
        )
    for item in added:
        _open_task(uow, instance, built, item, actor, now)


def _open_task(
    uow: UnitOfWork,
    instance: ProcessInstance,
    built: Built,
    item: ReadyTask,
    actor: str,
    now: datetime,
) -> None:
    chosen = candidates.resolve(uow, instance, item, built.lane_roles.get(item.lane or ""))
    users = chosen.users
    _check_candidates(item, users, chosen.municipality_id)
    task = HumanTask(
        id=UUID(item.id),
        instance_id=instance.id,
        process_key=instance.key,
        business_key=instance.business_key,
        element_id=item.element_id,
        name=item.name,
        title=item.title,
        lane=item.lane,
        candidate_roles=chosen.roles,
        candidate_users=users,
        municipality_id=chosen.municipality_id,
        state=TaskState.OPEN,
        form_schema=item.form_schema,
        form_uischema=item.form_uischema,
        instructions=item.instructions,
        created_at=now,
        due_at=item.due_at,
    )
    uow.tasks.add(task)
    uow.tasks.offer(task)  # after the task: its candidates refer to it
    record(
        uow,
        instance,
        "task_ready",
        actor,
        now,
        element_id=item.element_id,
        element_name=item.name,
        task_id=item.id,
        data={
            "candidate_roles": task.candidate_roles,
            "candidate_users": users,
            "municipality_id": chosen.municipality_id,
            "due_at": item.due_at.isoformat() if item.due_at else None,
        },
    )
    task_deadlines.schedule(uow, instance, task, now)
    notifications.task_ready(uow, instance, task, actor, now)


# What the task's columns hold: longer values name no municipality or user (and PostgreSQL
# would refuse the row, where SQLite keeps it).
_COLUMNS = {
    "candidateMunicipality": (HumanTask.__table__.c.municipality_id, "municipality id"),
    "candidateUsers": (TaskCandidate.__table__.c.value, "username"),
}


def _check_candidates(item: ReadyTask, users: list[str], municipality: str | None) -> None:
    """Refuse a task whose candidate municipality or users no column can hold."""
    given = [("candidateMunicipality", municipality)]
    given += [("candidateUsers", user) for user in users]
    for name, value in given:
        column, what = _COLUMNS[name]
        limit = int(getattr(column.type, "length", 0) or 0)
        if value is not None and limit and len(value) > limit:
            raise ScriptFailed(
                f"{name} of the task '{item.name}' gives {len(value)} characters "
                f"({value[:20]!r}…); a {what} has at most {limit}",
                element_id=item.element_id,
            )
