"""What instances wait for: timers (claimed by the poller) and message subscriptions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, delete, func, or_, select, update

from engine.store.models import MessageSubscription, ProcessInstance, Timer
from engine.store.repositories import Repository, require
from engine.store.states import InstanceState, TimerState

# Timer kinds the engine projects; task reminders (reminder, overdue, escalation) are ours.
# A BPMN timer's kind, or `service`: a service task that runs in a step of its own.
BPMN_TIMER_KINDS = ("date", "duration", "cycle", "service")
_LIVE = (TimerState.WAITING, TimerState.CLAIMED)
_LIVE_TIMERS = "saksflyt_live_timers"  # Session.info key of timers preloaded under a lock

# Instances on hold: their timers are neither claimed nor counted as due.
_SUSPENDED = select(ProcessInstance.id).where(ProcessInstance.state == InstanceState.SUSPENDED)


class Waits(Repository):
    """Timers and message subscriptions: what instances wait for, indexed."""

    def timers_of(self, instance_id: UUID) -> Sequence[Timer]:
        """Return the waiting BPMN timers of an instance (not task reminders)."""
        return self.session.scalars(
            select(Timer).where(
                Timer.instance_id == instance_id,
                Timer.state == TimerState.WAITING,
                Timer.kind.in_(BPMN_TIMER_KINDS),
            )
        ).all()

    def preload_live_timers(self, instance_ids: Sequence[UUID]) -> dict[UUID, list[Timer]]:
        """Load the live timers of many instances at once; live_timers() then reads these."""
        rows = self.session.scalars(
            select(Timer).where(Timer.instance_id.in_(instance_ids), Timer.state.in_(_LIVE))
        ).all()
        loaded: dict[UUID, list[Timer]] = {i: [] for i in instance_ids}
        for row in rows:
            loaded[row.instance_id].append(row)
        self.session.info.setdefault(_LIVE_TIMERS, {}).update(loaded)
        return loaded

    def add(self, obj: Any) -> None:
        """Add a row; a timer of a preloaded instance joins its preloaded list."""
        self.session.add(obj)
        preloaded = self.session.info.get(_LIVE_TIMERS, {})
        if isinstance(obj, Timer) and obj.instance_id in preloaded:
            preloaded[obj.instance_id].append(obj)

    def live_timers(self, instance_id: UUID, kinds: Sequence[str]) -> Sequence[Timer]:
        """Return an instance's timers of these kinds that have not fired or ended yet."""
        preloaded = self.session.info.get(_LIVE_TIMERS, {}).get(instance_id)
        if preloaded is not None:  # loaded under the instance lock, kept current in memory
            return [t for t in preloaded if t.state in _LIVE and t.kind in kinds]
        return self.session.scalars(
            select(Timer).where(
                Timer.instance_id == instance_id,
                Timer.state.in_((TimerState.WAITING, TimerState.CLAIMED)),
                Timer.kind.in_(kinds),
            )
        ).all()

    def timer(self, timer_id: UUID) -> Timer:
        """Return a timer row or raise NotFound."""
        found = self.session.get(Timer, timer_id, populate_existing=True)
        return require(found, "timer", timer_id)

    def due_timers(self, now: datetime, limit: int = 100) -> Sequence[Timer]:
        """Return waiting timers due at `now`, oldest first."""
        return self.session.scalars(
            select(Timer)
            .where(Timer.state == TimerState.WAITING, Timer.due_at <= now)
            .order_by(Timer.due_at)
            .limit(limit)
        ).all()

    def claim_timers(
        self, now: datetime, worker: str, until: datetime, limit: int
    ) -> Sequence[UUID]:
        """Claim due timers and expired claims for `worker`; return the ids it now holds.

        PostgreSQL skips rows another transaction is claiming (FOR UPDATE SKIP LOCKED); on
        SQLite the write transaction is exclusive. The UPDATE repeats the condition, so it is
        also a compare-and-set.
        """
        claimable = and_(
            or_(
                and_(Timer.state == TimerState.WAITING, Timer.due_at <= now),
                and_(Timer.state == TimerState.CLAIMED, Timer.claimed_until < now),
            ),
            Timer.instance_id.not_in(_SUSPENDED),  # they fire once the instance resumes
        )
        pick = select(Timer.id).where(claimable).order_by(Timer.due_at).limit(limit)
        ids = list(self.session.scalars(pick.with_for_update(skip_locked=True)))
        if not ids:
            return []
        claimed = self.session.scalars(
            update(Timer)
            .where(Timer.id.in_(ids), claimable)
            .values(
                state=TimerState.CLAIMED,
                claimed_by=worker,
                claimed_until=until,
                attempts=Timer.attempts + 1,
            )
            .returning(Timer.id),
            execution_options={"synchronize_session": False},
        )
        return list(claimed)

    def next_due(self) -> datetime | None:
        """Return when the next waiting timer falls due or the next claim expires."""
        due = self.session.scalar(
            select(func.min(Timer.due_at)).where(
                Timer.state == TimerState.WAITING, Timer.instance_id.not_in(_SUSPENDED)
            )
        )
        expiry = self.session.scalar(
            select(func.min(Timer.claimed_until)).where(Timer.state == TimerState.CLAIMED)
        )
        return min((t for t in (due, expiry) if t is not None), default=None)

    def cancel_task_timers(self, kinds: Sequence[str], task_ids: Sequence[str]) -> None:
        """Cancel the pending timers of these kinds that belong to these human tasks."""
        self.session.execute(
            update(Timer)
            .where(
                Timer.task_id.in_(task_ids),
                Timer.kind.in_(kinds),
                Timer.state.in_((TimerState.WAITING, TimerState.CLAIMED)),
            )
            .values(state=TimerState.CANCELLED, claimed_by=None, claimed_until=None),
            execution_options={"synchronize_session": "fetch"},
        )

    def timers_page(
        self, state: str | None, limit: int, offset: int
    ) -> tuple[Sequence[Timer], int]:
        """Return timers (admins), soonest due first, and the total."""
        query = select(Timer)
        if state:
            query = query.where(Timer.state == state)
        order = Timer.due_at.desc() if state == TimerState.FIRED else Timer.due_at
        return self._page(query, limit, offset, order)

    def timer_counts(self) -> dict[str, int]:
        """Return how many timers are in each state."""
        rows = self.session.execute(select(Timer.state, func.count()).group_by(Timer.state))
        return {state: count for state, count in rows}

    def subscriptions(self, message_name: str) -> Sequence[MessageSubscription]:
        """Return the instances waiting for a message name."""
        return self.session.scalars(
            select(MessageSubscription)
            .where(MessageSubscription.message_name == message_name)
            .order_by(MessageSubscription.id)
        ).all()

    def clear_instance(self, instance_id: UUID) -> None:
        """Remove an instance's message subscriptions (they are rewritten after every step)."""
        self.session.execute(
            delete(MessageSubscription).where(MessageSubscription.instance_id == instance_id)
        )
