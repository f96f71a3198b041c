"""Process instances: find, lock (alone, with a task, by timers), list."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import NamedTuple
from uuid import UUID

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import defer

from engine.store.models import (
    HistoryEvent,
    HumanTask,
    Municipality,
    ProcessDefinition,
    ProcessInstance,
    Timer,
    User,
)
from engine.store.repositories import Repository, require
from engine.store.states import InstanceState
from engine.store.tasks import with_names


class LockedTask(NamedTuple):
    """A human task and its instance, both locked, with the names a task view shows."""

    instance: ProcessInstance
    task: HumanTask
    municipality_name: str | None
    assignee_name: str | None


class Instances(Repository):
    def get(self, instance_id: UUID, *, lock: bool = False) -> ProcessInstance:
        """Return an instance; with lock, hold its row until commit (PostgreSQL FOR UPDATE)."""
        query = select(ProcessInstance).where(ProcessInstance.id == instance_id)
        if lock:
            query = query.with_for_update()
        return require(self.session.scalar(query), "process instance", instance_id)

    def lock_with_task(self, task_id: UUID) -> LockedTask:
        """Return and lock a human task's instance, with the task and its names, in one statement.

        Both rows are locked (PostgreSQL FOR UPDATE OF both), so a reader that waited for
        the lock gets the task as the previous holder left it, not as it was before the wait.
        NotFound if there is no such task.
        """
        found = self.session.execute(_instance_with_task(), {"task_id": task_id}).one_or_none()
        return LockedTask(*require(found, "task", task_id))

    def has_business_key(self, key: str, business_key: str) -> bool:
        """Tell whether any instance of the process, open or finished, has this business key.

        The process's definition rows are locked first (PostgreSQL FOR UPDATE), so two starts
        with one business key run one after the other and the second sees the first.
        """
        self.session.execute(
            select(ProcessDefinition.id).where(ProcessDefinition.key == key).with_for_update()
        ).all()
        query = select(ProcessInstance.id).where(
            ProcessInstance.key == key, ProcessInstance.business_key == business_key
        )
        return self.session.scalar(query.limit(1)) is not None

    def lock_by_timers(self, timer_ids: Sequence[UUID]) -> Sequence[ProcessInstance]:
        """Return and lock the instances these timer rows belong to, in id order (no deadlocks)."""
        owners = select(Timer.instance_id).where(Timer.id.in_(timer_ids))
        query = select(ProcessInstance).where(ProcessInstance.id.in_(owners))
        return self.session.scalars(query.order_by(ProcessInstance.id).with_for_update()).all()

    def list(
        self,
        *,
        key: str | None = None,
        state: str | None = None,
        business_key: str | None = None,
        started_by: str | None = None,
        scope: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[Sequence[ProcessInstance], int]:
        """Return a page of instances, newest first, and the total count.

        `scope` keeps the instances that involve one municipality (`in_municipality`).
        """
        conditions = [
            column == value
            for column, value in (
                (ProcessInstance.key, key),
                (ProcessInstance.state, state),
                (ProcessInstance.business_key, business_key),
                (ProcessInstance.started_by, started_by),
            )
            if value is not None
        ]
        if scope is not None:
            conditions.append(in_municipality(scope))
        query = select(ProcessInstance).where(*conditions)
        return self._page(query, limit, offset, ProcessInstance.created_at.desc())

    def cases(
        self, username: str, ids: set[UUID], *, limit: int, offset: int
    ) -> tuple[Sequence[ProcessInstance], int]:
        """Return a page of the instances a user started or takes part in (`ids`), newest first."""
        query = select(ProcessInstance).where(
            or_(ProcessInstance.started_by == username, ProcessInstance.id.in_(ids))
        )
        return self._page(query, limit, offset, ProcessInstance.created_at.desc())

    def suspended_among(self, instance_ids: set[UUID]) -> set[UUID]:
        """Return which of these instances are suspended (on hold)."""
        if not instance_ids:
            return set()
        query = select(ProcessInstance.id).where(
            ProcessInstance.id.in_(instance_ids),
            ProcessInstance.state == InstanceState.SUSPENDED,
        )
        return set(self.session.scalars(query).all())

    def of_processes(
        self, keys: Sequence[str], state: InstanceState | None = None
    ) -> Sequence[ProcessInstance]:
        """Return the instances of these processes (in one state, if given), newest first,
        with their data but not their snapshot (the role overviews sift them)."""
        query = select(ProcessInstance).options(defer(ProcessInstance.snapshot))
        query = query.where(ProcessInstance.key.in_(list(keys)))
        if state is not None:
            query = query.where(ProcessInstance.state == state)
        return self.session.scalars(query.order_by(ProcessInstance.created_at.desc())).all()

    def count_running(self, definition_id: UUID) -> int:
        """Return how many instances of a definition are still running."""
        return self.count_in_state(definition_id, InstanceState.RUNNING)

    def count_in_state(self, definition_id: UUID, state: InstanceState) -> int:
        """Return how many instances of a definition are in the state (running, on hold...)."""
        return (
            self.session.scalar(
                select(func.count()).where(
                    ProcessInstance.definition_id == definition_id,
                    ProcessInstance.state == state,
                )
            )
            or 0
        )


def in_municipality(municipality_id: str) -> ColumnElement[bool]:
    """Started by one of its people, had a task offered there, or one of its people acted.

    So an assignment involves both the receiving and the lending municipality.
    """
    people = select(User.username).where(User.municipality_id == municipality_id)
    tasks = exists().where(
        HumanTask.instance_id == ProcessInstance.id, HumanTask.municipality_id == municipality_id
    )
    acted = exists().where(
        HistoryEvent.instance_id == ProcessInstance.id, HistoryEvent.actor.in_(people)
    )
    return or_(ProcessInstance.started_by.in_(people), tasks, acted)


# The statements of a task completion, built once: building a statement and its cache key
# costs more than running it on SQLite (docs/architecture.md, "Where the time ... goes").
@cache
def _instance_with_task() -> Select[tuple[ProcessInstance, HumanTask, str, str]]:
    query = select(ProcessInstance, HumanTask, Municipality.name, User.full_name).join(
        HumanTask, HumanTask.instance_id == ProcessInstance.id
    )
    return with_names(query).with_for_update(of=(ProcessInstance, HumanTask))
