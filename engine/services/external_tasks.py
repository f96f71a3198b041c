"""External tasks: workers fetch and lock them by topic, then complete, fail or throw an error.

Exactly once: a fetch locks rows for one worker (`locked_until`); every later command locks the
row with its instance and refuses a worker that does not hold it, so a completion after the
lock expired and another worker took the task is refused. A crashed worker's lock expires and
the task is fetched again. A failure without retries left is an incident an admin can retry.
Nothing here loads a workflow to find tasks: the external_task table is the index.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from engine.runtime import instances as runtime
from engine.runtime.model import Outcome, Snapshot
from engine.services import access, definitions
from engine.services.instances import route_messages
from engine.services.step import external, history, steps, wakeups
from engine.store.errors import Conflict, NotFound
from engine.store.models import ExternalTask, ProcessInstance, User
from engine.store.states import ExternalTaskState, InstanceState
from engine.store.uow import UnitOfWork

FILTER_BATCH = 200  # rows read per topic when process variables filter them


@dataclass(frozen=True)
class Topic:
    """One topic of a fetch: its name, lock duration and filters (None: not given)."""

    name: str
    lock_duration_ms: int
    variables: tuple[str, ...] | None = None
    business_key: str | None = None
    process_variables: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Locked:
    """A task locked for a worker, with the variables the worker asked for."""

    task: ExternalTask
    variables: dict[str, Any] = field(default_factory=dict)


def fetch_and_lock(
    uow: UnitOfWork,
    worker_id: str,
    max_tasks: int,
    topics: Sequence[Topic],
    *,
    actor: User,
    now: datetime,
    by_priority: bool = False,
) -> list[Locked]:
    """Lock up to `max_tasks` lockable tasks of the topics for the worker (one attempt)."""
    access.ensure_may_work_external_tasks(actor)
    locked: list[Locked] = []
    with uow:
        for topic in topics:
            wanted = max_tasks - len(locked)
            if wanted <= 0:
                break
            filtered = bool(topic.process_variables)
            rows = uow.external_tasks.lockable(
                [topic.name],
                now,
                limit=FILTER_BATCH if filtered else wanted,
                business_key=topic.business_key,
                by_priority=by_priority,
            )
            for row, data in rows:
                if not _matches(data, topic.process_variables) or len(locked) >= max_tasks:
                    continue
                row.worker_id = worker_id
                row.locked_until = now + timedelta(milliseconds=topic.lock_duration_ms)
                locked.append(Locked(row, _chosen(data, topic.variables)))
        uow.commit()
    return locked


def next_lockable(uow: UnitOfWork, topics: Sequence[str], now: datetime) -> datetime | None:
    """Return when a held task of these topics next becomes lockable (its lock or retry wait)."""
    with uow:
        return uow.external_tasks.next_lockable(topics, now)


def get(uow: UnitOfWork, task_id: UUID, *, actor: User) -> ExternalTask:
    """Return an external task (NotFound for an unknown id)."""
    access.ensure_may_work_external_tasks(actor)
    with uow:
        return uow.external_tasks.get(task_id)


def complete(
    uow: UnitOfWork,
    task_id: UUID,
    worker_id: str,
    variables: Mapping[str, Any],
    *,
    actor: User,
    now: datetime,
) -> ExternalTask:
    """Complete a task the worker holds with its variables, and run the instance on."""

    def run(built: definitions.Built, snapshot: Snapshot) -> Outcome:
        return runtime.complete_task(built, snapshot, task_id, variables, now=now)

    return _end(
        uow,
        task_id,
        worker_id,
        run,
        ExternalTaskState.COMPLETED,
        "external_task_completed",
        dict(variables),
        actor=actor,
        now=now,
    )


def bpmn_error(
    uow: UnitOfWork,
    task_id: UUID,
    worker_id: str,
    code: str,
    message: str | None,
    variables: Mapping[str, Any],
    *,
    actor: User,
    now: datetime,
) -> ExternalTask:
    """End a held task with a BPMN error, caught by the task's error boundary event."""

    def run(built: definitions.Built, snapshot: Snapshot) -> Outcome:
        return runtime.throw_error(built, snapshot, task_id, code, variables, now=now)

    return _end(
        uow,
        task_id,
        worker_id,
        run,
        ExternalTaskState.CANCELLED,
        "external_task_error",
        {"error_code": code, "error_message": message, "variables": dict(variables)},
        actor=actor,
        now=now,
        error_message=f"{code}: {message}" if message else code,
    )


def failure(
    uow: UnitOfWork,
    task_id: UUID,
    worker_id: str,
    *,
    message: str | None,
    details: str | None,
    retries: int,
    retry_timeout_ms: int,
    actor: User,
    now: datetime,
) -> ExternalTask:
    """Record a worker's failure: lockable again after the timeout, or an incident at 0."""
    access.ensure_may_work_external_tasks(actor)
    with uow:
        instance, task = _held(uow, task_id, worker_id)
        task.retries, task.error_message, task.error_details = retries, message, details
        task.worker_id = None
        data = {"error": message, "retries": retries, "external_task_id": str(task.id)}
        if retries <= 0:
            task.state, task.locked_until = ExternalTaskState.FAILED, None
            _record(uow, instance, task, "incident", actor, now, data)
            _log_system(uow, "incident", actor.username, now, instance, task)
        else:
            task.locked_until = now + timedelta(milliseconds=max(retry_timeout_ms, 0))
            _record(uow, instance, task, "external_task_failed", actor, now, data)
            wakeups.hint(uow.session, external.CHANNEL, task.locked_until)
        uow.commit()
    return task


def extend_lock(
    uow: UnitOfWork,
    task_id: UUID,
    worker_id: str,
    new_duration_ms: int,
    *,
    actor: User,
    now: datetime,
) -> ExternalTask:
    """Let the worker holding a task keep it `new_duration_ms` from now."""
    access.ensure_may_work_external_tasks(actor)
    with uow:
        _, task = _held(uow, task_id, worker_id)
        if task.locked_until is None or task.locked_until <= now:
            raise Conflict("external_task_lock_expired", "the lock of the task has expired")
        task.locked_until = now + timedelta(milliseconds=new_duration_ms)
        uow.commit()
    return task


def unlock(uow: UnitOfWork, task_id: UUID, *, actor: User, now: datetime) -> ExternalTask:
    """Release a task's lock, whoever holds it: it is lockable at once."""
    access.ensure_may_work_external_tasks(actor)
    with uow:
        _, task = uow.external_tasks.lock_with_instance(task_id)
        if task.state == ExternalTaskState.OPEN:
            task.worker_id, task.locked_until = None, None
            wakeups.hint(uow.session, external.CHANNEL, None)
        uow.commit()
    return task


def retry(uow: UnitOfWork, task_id: UUID, *, actor: User, now: datetime) -> ExternalTask:
    """Give a failed external task (an incident) one retry again (admin action)."""
    access.ensure_may_retry_incidents(actor)
    with uow:
        instance, task = uow.external_tasks.lock_with_instance(task_id)
        if task.state != ExternalTaskState.FAILED:
            raise Conflict("external_task_not_failed", f"the external task is {task.state}")
        task.state, task.retries, task.locked_until = ExternalTaskState.OPEN, 1, None
        data = {"error": task.error_message, "external_task_id": str(task.id)}
        _record(uow, instance, task, "incident_retried", actor, now, data)
        _log_system(uow, "incident_retried", actor.username, now, instance, task)
        wakeups.hint(uow.session, external.CHANNEL, None)
        uow.commit()
    return task


def incidents(uow: UnitOfWork, limit: int = 200) -> Sequence[ExternalTask]:
    """Return external tasks without retries left, with their errors (admins)."""
    with uow:
        return uow.external_tasks.failed(limit)


def _held(uow: UnitOfWork, task_id: UUID, worker_id: str) -> tuple[ProcessInstance, ExternalTask]:
    """Lock a task with its instance; refuse it unless it is open and this worker holds it."""
    instance, task = uow.external_tasks.lock_with_instance(task_id)
    if task.state != ExternalTaskState.OPEN:
        raise NotFound("external task", task_id)
    if instance.state == InstanceState.SUSPENDED:
        raise Conflict("instance_suspended", "the case is suspended; its tasks wait until resumed")
    if task.worker_id != worker_id:
        holder = (
            f"is locked by the worker '{task.worker_id}'" if task.worker_id else "is not locked"
        )
        raise Conflict(
            "external_task_not_held", f"the external task {task_id} {holder}, not by '{worker_id}'"
        )
    return instance, task


def _end(
    uow: UnitOfWork,
    task_id: UUID,
    worker_id: str,
    run: Callable[[definitions.Built, Snapshot], Outcome],
    state: ExternalTaskState,
    kind: str,
    data: dict[str, Any],
    *,
    actor: User,
    now: datetime,
    error_message: str | None = None,
) -> ExternalTask:
    """End a task the worker holds in `state`: run the instance on, record `kind`, store it all."""
    access.ensure_may_work_external_tasks(actor)
    with uow:
        instance, task = _held(uow, task_id, worker_id)
        built = definitions.built_for(uow, instance.definition_id)
        outcome = run(built, instance.snapshot)
        task.state, task.ended_at, task.locked_until = state, now, None
        if error_message is not None:
            task.error_message = error_message
        _record(uow, instance, task, kind, actor, now, data)
        closed = frozenset({str(task.id)})
        steps.apply(uow, instance, built, outcome, actor=actor.username, now=now, closed=closed)
        route_messages(uow, outcome.thrown, actor=actor.username, now=now, hops=0)
        uow.commit()
    return task


def _record(
    uow: UnitOfWork,
    instance: ProcessInstance,
    task: ExternalTask,
    kind: str,
    actor: User,
    now: datetime,
    data: dict[str, Any],
) -> None:
    steps.record(
        uow,
        instance,
        kind,
        actor.username,
        now,
        element_id=task.element_id,
        task_id=str(task.id),
        data={"topic": task.topic, "worker_id": task.worker_id, **data},
    )


def _log_system(
    uow: UnitOfWork,
    kind: str,
    actor: str,
    now: datetime,
    instance: ProcessInstance,
    task: ExternalTask,
) -> None:
    """Also note the incident in the system stream: the admins' view of failures."""
    history.append(
        uow,
        stream=history.SYSTEM_STREAM,
        type=kind,
        actor=actor,
        at=now,
        element_id=task.element_id,
        task_id=str(task.id),
        definition_key=instance.key,
        definition_version=instance.version,
        data={
            "instance_id": str(instance.id),
            "external_task_id": str(task.id),
            "error": task.error_message,
        },
    )


def _matches(data: Mapping[str, Any], wanted: Mapping[str, Any] | None) -> bool:
    return not wanted or all(name in data and data[name] == v for name, v in wanted.items())


def _chosen(data: Mapping[str, Any], names: tuple[str, ...] | None) -> dict[str, Any]:
    if names is None:
        return dict(data)
    return {name: data[name] for name in names if name in data}
