"""External tasks: find what a topic can lock, lock rows for one worker, read one or a page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, or_, select

from engine.store.models import ExternalTask, ProcessInstance
from engine.store.repositories import Repository, require
from engine.store.states import ExternalTaskState, InstanceState


class ExternalTasks(Repository):
    """The external_task rows; nothing here loads a workflow."""

    def add(self, task: ExternalTask) -> None:
        """Add a new external task."""
        self.session.add(task)

    def get(self, task_id: UUID) -> ExternalTask:
        """Return an external task; NotFound for an unknown id."""
        return require(self.session.get(ExternalTask, task_id), "external task", task_id)

    def lock_with_instance(self, task_id: UUID) -> tuple[ProcessInstance, ExternalTask]:
        """Return and lock an external task with its instance (PostgreSQL FOR UPDATE OF both)."""
        query = (
            select(ProcessInstance, ExternalTask)
            .join(ExternalTask, ExternalTask.instance_id == ProcessInstance.id)
            .where(ExternalTask.id == task_id)
            .with_for_update(of=(ProcessInstance, ExternalTask))
        )
        found = self.session.execute(query).one_or_none()
        instance, task = require(found, "external task", task_id)
        return instance, task

    def lockable(
        self,
        topics: Sequence[str],
        now: datetime,
        *,
        limit: int,
        business_key: str | None = None,
        by_priority: bool = False,
    ) -> Sequence[tuple[ExternalTask, dict[str, Any]]]:
        """Return and lock open rows of these topics nobody holds, with their instance data.

        PostgreSQL skips rows another transaction is locking (FOR UPDATE SKIP LOCKED), so two
        workers fetching at once get different tasks; SQLite writers run one at a time.
        """
        query = (
            select(ExternalTask, ProcessInstance.data)
            .join(ProcessInstance, ProcessInstance.id == ExternalTask.instance_id)
            .where(
                ExternalTask.topic.in_(topics),
                ExternalTask.state == ExternalTaskState.OPEN,
                ProcessInstance.state != InstanceState.SUSPENDED,  # on hold: nothing to fetch
                or_(ExternalTask.locked_until.is_(None), ExternalTask.locked_until <= now),
            )
        )
        if business_key is not None:
            query = query.where(ExternalTask.business_key == business_key)
        if by_priority:
            query = query.order_by(ExternalTask.priority.desc())
        query = query.order_by(ExternalTask.created_at, ExternalTask.id).limit(limit)
        query = query.with_for_update(of=ExternalTask, skip_locked=True)
        rows = self.session.execute(query).all()
        return [(row[0], {**(row[1] or {}), **row[0].variables}) for row in rows]

    def next_lockable(self, topics: Sequence[str], now: datetime) -> datetime | None:
        """Return when the earliest held row of these topics becomes lockable, if any."""
        query = select(func.min(ExternalTask.locked_until)).where(
            ExternalTask.topic.in_(topics),
            ExternalTask.state == ExternalTaskState.OPEN,
            ExternalTask.locked_until > now,
        )
        return self.session.scalar(query)

    def open_for_instance(self, instance_id: UUID) -> Sequence[ExternalTask]:
        """Return the open external tasks of an instance."""
        return self.session.scalars(
            select(ExternalTask).where(
                ExternalTask.instance_id == instance_id,
                ExternalTask.state.in_((ExternalTaskState.OPEN, ExternalTaskState.FAILED)),
            )
        ).all()

    def failed(self, limit: int) -> Sequence[ExternalTask]:
        """Return external tasks without retries left (incidents), newest first."""
        query = select(ExternalTask).where(ExternalTask.state == ExternalTaskState.FAILED)
        return self.session.scalars(
            query.order_by(ExternalTask.created_at.desc()).limit(limit)
        ).all()
