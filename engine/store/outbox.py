"""The outbox queue: e-mails claimed, sent at most once, given up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, func, select, update

from engine.store.models import Outbox
from engine.store.repositories import Repository, require
from engine.store.states import OutboxState


class OutboxQueue(Repository):
    """E-mails waiting to be sent, being sent, sent or given up."""

    def get(self, mail_id: UUID) -> Outbox:
        """Return an outbox row or raise NotFound."""
        found = self.session.get(Outbox, mail_id, populate_existing=True)
        return require(found, "mail", mail_id)

    def claim(self, now: datetime, worker: str, until: datetime, limit: int) -> Sequence[Outbox]:
        """Claim pending mails whose attempt is due; return the rows `worker` now holds."""
        ready = and_(Outbox.state == OutboxState.PENDING, Outbox.next_attempt_at <= now)
        pick = select(Outbox.id).where(ready).order_by(Outbox.next_attempt_at).limit(limit)
        ids = list(self.session.scalars(pick.with_for_update(skip_locked=True)))
        if not ids:
            return []
        return self.session.scalars(
            update(Outbox)
            .where(Outbox.id.in_(ids), ready)
            .values(state=OutboxState.SENDING, claimed_by=worker, claimed_until=until)
            .returning(Outbox),
            execution_options={"synchronize_session": False},
        ).all()

    def give_up_interrupted(self, now: datetime, error: str) -> int:
        """Fail mails whose sender vanished mid-send: resending could deliver them twice."""
        result = self.session.execute(
            update(Outbox)
            .where(Outbox.state == OutboxState.SENDING, Outbox.claimed_until < now)
            .values(state=OutboxState.FAILED, last_error=error),
            execution_options={"synchronize_session": False},
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def finish(self, mail_id: UUID, worker: str, **values: Any) -> bool:
        """Record the outcome of `worker`'s send; False if the row was never its own."""
        result = self.session.execute(
            update(Outbox)
            .where(Outbox.id == mail_id, Outbox.claimed_by == worker)
            .values(claimed_until=None, **values),
            execution_options={"synchronize_session": False},
        )
        return bool(getattr(result, "rowcount", 0))

    def mark_sent(self, mail_ids: Sequence[UUID], worker: str, at: datetime) -> None:
        """Record that `worker` sent these mails."""
        if mail_ids:
            self.session.execute(
                update(Outbox)
                .where(Outbox.id.in_(mail_ids), Outbox.claimed_by == worker)
                .values(
                    state=OutboxState.SENT,
                    sent_at=at,
                    attempts=Outbox.attempts + 1,
                    claimed_until=None,
                ),
                execution_options={"synchronize_session": False},
            )

    def next_attempt(self) -> datetime | None:
        """Return when the next pending mail may be sent or the next send claim expires."""
        due = self.session.scalar(
            select(func.min(Outbox.next_attempt_at)).where(Outbox.state == OutboxState.PENDING)
        )
        expiry = self.session.scalar(
            select(func.min(Outbox.claimed_until)).where(Outbox.state == OutboxState.SENDING)
        )
        return min((t for t in (due, expiry) if t is not None), default=None)

    def page(self, state: str | None, limit: int, offset: int) -> tuple[Sequence[Outbox], int]:
        """Return outbox rows, newest first, and the total."""
        query = select(Outbox)
        if state:
            query = query.where(Outbox.state == state)
        return self._page(query, limit, offset, Outbox.created_at.desc(), Outbox.id)
