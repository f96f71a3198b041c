"""Queries for auditors: stream heads, anchors, the whole log in order, instance search."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, Select, exists, func, or_, select, text, update

from engine.store.instances import in_municipality
from engine.store.models import (
    AuditAnchor,
    HistoryEvent,
    HumanTask,
    ProcessInstance,
)
from engine.store.repositories import Repository


@dataclass(frozen=True)
class InstanceFilter:
    """What an auditor searches instances by; None means any."""

    key: str | None = None
    version: int | None = None
    business_key: str | None = None
    municipality: str | None = None
    person: str | None = None
    state: str | None = None
    started_from: datetime | None = None
    started_to: datetime | None = None
    # The auditor's own scope: only instances that involve this municipality.
    scope: str | None = None


class Audit(Repository):
    def lock_stream(self, stream: str) -> None:
        """Hold the stream's append lock until commit (PostgreSQL; SQLite writers queue anyway)."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:stream))"), {"stream": stream}
            )

    def heads(self) -> dict[str, tuple[int, str]]:
        """Return the last (seq, hash) of every history stream."""
        last = (
            select(HistoryEvent.stream, func.max(HistoryEvent.seq).label("seq"))
            .group_by(HistoryEvent.stream)
            .subquery()
        )
        rows = self.session.execute(
            select(HistoryEvent.stream, HistoryEvent.seq, HistoryEvent.hash).join(
                last, (HistoryEvent.stream == last.c.stream) & (HistoryEvent.seq == last.c.seq)
            )
        )
        return {stream: (seq, digest) for stream, seq, digest in rows}

    def instance_heads(self, instance_id: UUID | None = None) -> dict[str, tuple[int, str]]:
        """Return each instance's recorded history head (seq, hash), keyed by its stream."""
        query = select(
            ProcessInstance.id, ProcessInstance.history_seq, ProcessInstance.history_head
        )
        if instance_id is not None:
            query = query.where(ProcessInstance.id == instance_id)
        return {str(i): (seq, head) for i, seq, head in self.session.execute(query)}

    def events(self, stream: str | None = None, batch: int = 5000) -> Iterator[HistoryEvent]:
        """Yield every event (or one stream's) ordered by stream and seq, in batches."""
        query = select(HistoryEvent).order_by(HistoryEvent.stream, HistoryEvent.seq)
        if stream is not None:
            query = query.where(HistoryEvent.stream == stream)
        yield from self.session.scalars(query.execution_options(yield_per=batch))

    def anchors(self) -> Sequence[AuditAnchor]:
        """Return every anchor in order."""
        return self.session.scalars(select(AuditAnchor).order_by(AuditAnchor.seq)).all()

    def clear_drafts(self, instance_id: UUID) -> None:
        """Forget unfinished form data kept on an instance's tasks."""
        self.session.execute(
            update(HumanTask).where(HumanTask.instance_id == instance_id).values(draft=None)
        )

    def ended_before(self, moment: datetime) -> Sequence[ProcessInstance]:
        """Return instances that ended before `moment` (retention candidates), oldest first."""
        return self.session.scalars(
            select(ProcessInstance)
            .where(ProcessInstance.ended_at.is_not(None), ProcessInstance.ended_at < moment)
            .order_by(ProcessInstance.ended_at)
        ).all()

    def is_anonymised(self, instance_id: UUID) -> bool:
        """Tell whether an instance's history has been anonymised."""
        return bool(
            self.session.scalar(
                select(
                    exists().where(
                        HistoryEvent.stream == str(instance_id),
                        HistoryEvent.type == "instance_anonymised",
                    )
                )
            )
        )

    def search(
        self, where: InstanceFilter, *, limit: int, offset: int
    ) -> tuple[Sequence[ProcessInstance], int]:
        """Return a page of instances matching the filter, newest first, and the total."""
        conditions = [
            column == value
            for column, value in (
                (ProcessInstance.key, where.key),
                (ProcessInstance.version, where.version),
                (ProcessInstance.state, where.state),
            )
            if value is not None
        ]
        if where.business_key:
            conditions.append(ProcessInstance.business_key.ilike(f"%{where.business_key}%"))
        if where.started_from is not None:
            conditions.append(ProcessInstance.created_at >= where.started_from)
        if where.started_to is not None:
            conditions.append(ProcessInstance.created_at <= where.started_to)
        if where.person:
            conditions.append(_involves(where.person))
        if where.municipality:
            conditions.append(in_municipality(where.municipality))
        if where.scope:
            conditions.append(in_municipality(where.scope))
        query = select(ProcessInstance).where(*conditions)
        newest_first = (ProcessInstance.created_at.desc(), ProcessInstance.id)
        return self._page(query, limit, offset, *newest_first)

    @staticmethod
    def tasks_within(
        query: Select[tuple[HumanTask]], municipality_id: str
    ) -> Select[tuple[HumanTask]]:
        """Keep the tasks of instances that involve the municipality (an auditor's scope)."""
        inside = select(ProcessInstance.id).where(in_municipality(municipality_id))
        return query.where(HumanTask.instance_id.in_(inside))

    def involves(self, instance_id: UUID, municipality_id: str) -> bool:
        """Tell whether the instance involves the municipality (`in_municipality`)."""
        query = select(ProcessInstance.id).where(
            ProcessInstance.id == instance_id, in_municipality(municipality_id)
        )
        return self.session.scalar(query) is not None


def _involves(username: str) -> ColumnElement[bool]:
    """Started the instance, or acted in it (completed, claimed, was assigned a task...)."""
    acted = exists().where(
        HistoryEvent.instance_id == ProcessInstance.id, HistoryEvent.actor == username
    )
    assigned = exists().where(
        HumanTask.instance_id == ProcessInstance.id,
        or_(HumanTask.assignee == username, HumanTask.completed_by == username),
    )
    return or_(ProcessInstance.started_by == username, acted, assigned)
