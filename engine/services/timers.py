"""Fire due timers: claim the row, lock the instance, run the engine, save, once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import update

from engine.runtime import instances as runtime
from engine.runtime.errors import EngineError
from engine.services import definitions, history, steps
from engine.services.instances import element_name, route_messages
from engine.store.models import Timer
from engine.store.uow import UnitOfWork

CLAIM_SECONDS = 60
SYSTEM_ACTOR = "system:timer"


def fire_due_timers(
    new_uow: Callable[[], UnitOfWork], *, now: datetime, worker: str, limit: int = 100
) -> int:
    """Fire every waiting timer due at `now`; return how many fired."""
    with new_uow() as uow:
        due = [t.id for t in uow.waits.due_timers(now, limit)]
    fired = 0
    for timer_id in due:
        if _claim(new_uow(), timer_id, worker, now) and _fire(new_uow(), timer_id, now):
            fired += 1
    return fired


def _claim(uow: UnitOfWork, timer_id: UUID, worker: str, now: datetime) -> bool:
    """Compare-and-set the timer from waiting to claimed; False if someone else has it."""
    with uow:
        result = uow.session.execute(
            update(Timer)
            .where(Timer.id == timer_id, Timer.state == "waiting")
            .values(
                state="claimed",
                claimed_by=worker,
                claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
            )
        )
        uow.commit()
    return bool(getattr(result, "rowcount", 0))


def _fire(uow: UnitOfWork, timer_id: UUID, now: datetime) -> bool:
    with uow:
        timer = uow.session.get(Timer, timer_id)
        assert timer is not None
        instance = uow.instances.get(timer.instance_id, lock=True)
        uow.session.refresh(timer)
        if timer.state != "claimed" or instance.state != "running":
            timer.state = "cancelled" if instance.state != "running" else timer.state
            uow.commit()
            return False
        built = definitions.built(uow, uow.definitions.get(instance.definition_id))
        try:
            outcome = runtime.fire_timers(built, instance.snapshot, now=now)
        except EngineError as error:
            timer.state, timer.last_error = "failed", str(error)
            timer.attempts += 1
            steps.record(
                uow,
                instance,
                "incident",
                SYSTEM_ACTOR,
                now,
                element_id=timer.element_id,
                data={"error": str(error)},
            )
            uow.commit()
            return False
        timer.state, timer.fired_at = "fired", now
        steps.record(
            uow,
            instance,
            "timer_fired",
            SYSTEM_ACTOR,
            now,
            element_id=timer.element_id,
            element_name=element_name(outcome, timer.element_id),
            delta=history.data_delta(instance.data or {}, outcome.data) or None,
            data={"due_at": timer.due_at.isoformat() if timer.due_at else None},
        )
        steps.apply(uow, instance, built, outcome, actor=SYSTEM_ACTOR, now=now)
        route_messages(uow, outcome.thrown, actor=SYSTEM_ACTOR, now=now, hops=0)
        uow.commit()
    return True
