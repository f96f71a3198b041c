"""Fire due timers once: claim rows, lock the instance, fire, save; incidents instead of loops.

A due row (or one whose claim expired: its process died) is claimed in a short transaction
(`Waits.claim_timers`: FOR UPDATE SKIP LOCKED on PostgreSQL, compare-and-set everywhere). Firing
locks the instance, re-reads the row and goes on only if this worker still holds the claim, so
each row fires at most once. BPMN timers run the engine; task reminders (`task_deadlines`) write
mails. A script failure fails the row at once; other errors keep the claim until a back-off
expires and give up after MAX_ATTEMPTS. A failed row is an incident (history event) that an
admin can retry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from engine.runtime import instances as runtime
from engine.runtime.errors import EngineError
from engine.runtime.model import Outcome
from engine.services import definitions
from engine.services.instances import element_name, route_messages
from engine.services.step import history, steps, task_deadlines, wakeups
from engine.store.errors import Conflict, NotFound
from engine.store.models import ProcessInstance, Timer
from engine.store.states import InstanceState, OutboxState, TimerState
from engine.store.uow import UnitOfWork
from engine.store.waits import BPMN_TIMER_KINDS

CLAIM_SECONDS = 60
MAX_ATTEMPTS = 3
SYSTEM_ACTOR = "system:timer"
# SpiffWorkflow fires a timer only when its time is strictly before the engine's now.
_TICK = timedelta(microseconds=1)
log = logging.getLogger(__name__)


def fire_due_timers(
    new_uow: Callable[[], UnitOfWork], *, now: datetime, worker: str, limit: int = 100
) -> int:
    """Fire every timer due at `now`, in claimed batches of `limit`; return how many fired."""
    fired = 0
    while True:
        claimed, done = fire_batch(new_uow, now=now, worker=worker, limit=limit)
        fired += done
        if claimed < limit:
            return fired


def fire_batch(
    new_uow: Callable[[], UnitOfWork], *, now: datetime, worker: str, limit: int = 100
) -> tuple[int, int]:
    """Claim up to `limit` due timers and fire them; return (claimed, fired).

    The batch fires in one transaction (one lock query, one commit); if any timer in it fails,
    that transaction is rolled back and the batch fires one timer per transaction instead, so
    the failure is recorded against its own timer only.
    """
    ids = claim(new_uow(), now=now, worker=worker, limit=limit)
    if not ids:
        return 0, 0
    try:
        return len(ids), _fire_together(new_uow(), ids, now, worker)
    except Exception as error:
        log.info("a batch of %d timers failed (%s); firing them one by one", len(ids), error)
    return len(ids), sum(_fire_claimed(new_uow, t, now=now, worker=worker) for t in ids)


def claim(uow: UnitOfWork, *, now: datetime, worker: str, limit: int) -> list[UUID]:
    """Claim due timers and expired claims for `worker`; return their ids."""
    with uow:
        until = now + timedelta(seconds=CLAIM_SECONDS)
        ids = list(uow.waits.claim_timers(now, worker, until, limit))
        uow.commit()
    return ids


def _fire_claimed(
    new_uow: Callable[[], UnitOfWork], timer_id: UUID, *, now: datetime, worker: str
) -> bool:
    """Fire one timer this worker claimed; record any failure; True if it fired."""
    try:
        return _fire_together(new_uow(), [timer_id], now, worker) == 1
    except EngineError as error:
        _fail(new_uow(), timer_id, now, worker, str(error), final=True)
    except Exception as error:  # database or programming errors: retry after a back-off
        log.exception("timer %s failed", timer_id)
        _fail(new_uow(), timer_id, now, worker, f"{type(error).__name__}: {error}", final=False)
    return False


def _fire_together(uow: UnitOfWork, ids: list[UUID], now: datetime, worker: str) -> int:
    """Lock the timers' instances (in id order), fire each timer, commit once."""
    with uow:
        instances = {i.id: i for i in uow.instances.lock_by_timers(ids)}
        # Read under the instance locks: whoever fired a row before us has committed by now.
        live = uow.waits.preload_live_timers(list(instances))
        rows = {t.id: t for group in live.values() for t in group}
        fired = sum(
            _fire_locked(uow, instances[rows[i].instance_id], rows[i], now, worker)
            for i in ids
            if i in rows
        )
        uow.commit()
    return fired


def _fire_locked(
    uow: UnitOfWork, instance: ProcessInstance, timer: Timer, now: datetime, worker: str
) -> bool:
    if timer.state != TimerState.CLAIMED or timer.claimed_by != worker:
        return False  # fired with another of the instance's timers, or someone else's now
    if timer.attempts > MAX_ATTEMPTS:
        raise EngineError(f"gave up after {timer.attempts - 1} interrupted attempts")
    if instance.state == InstanceState.SUSPENDED:  # suspended since the claim: wait for resume
        timer.state, timer.claimed_by, timer.claimed_until = TimerState.WAITING, None, None
        return False
    if instance.state != InstanceState.RUNNING:
        timer.state = TimerState.CANCELLED
        return False
    if timer.kind in task_deadlines.KINDS:
        return _remind(uow, instance, timer, now)
    return _run_engine(uow, instance, timer, now)


def _remind(uow: UnitOfWork, instance: ProcessInstance, timer: Timer, now: datetime) -> bool:
    event = task_deadlines.fire(uow, instance, timer, now)
    if event is None:
        timer.state = TimerState.CANCELLED
        return False
    _mark_fired(timer, now)
    kind, data = event
    steps.record(
        uow,
        instance,
        kind,
        SYSTEM_ACTOR,
        now,
        element_id=timer.element_id,
        task_id=timer.task_id,
        data=data,
    )
    return True


def _run_engine(uow: UnitOfWork, instance: ProcessInstance, timer: Timer, now: datetime) -> bool:
    """Run the engine at the later of now and just past the due time; settle every due row."""
    engine_now = max(now, (timer.due_at or now) + _TICK)
    live = uow.waits.live_timers(instance.id, BPMN_TIMER_KINDS)
    due = [t for t in live if _is_due(t, engine_now)]
    built = definitions.built_for(uow, instance.definition_id)
    outcome = runtime.fire_timers(built, instance.snapshot, now=engine_now)
    fired = [t for t in due if _did_fire(t, outcome)]
    delta = _path_delta(built, instance, timer, outcome) or None
    for row in fired:
        _mark_fired(row, now)
        steps.record(
            uow,
            instance,
            "timer_fired",
            SYSTEM_ACTOR,
            now,
            element_id=row.element_id,
            element_name=element_name(outcome, row.element_id),
            delta=delta if row is timer else None,
            data={"due_at": row.due_at.isoformat() if row.due_at else None},
        )
    if timer not in fired:  # retried after a back-off, then an incident: never a silent loop
        raise RuntimeError(f"the engine did not fire {timer.element_id} at {engine_now}")
    steps.apply(uow, instance, built, outcome, actor=SYSTEM_ACTOR, now=now)
    route_messages(uow, outcome.thrown, actor=SYSTEM_ACTOR, now=now, hops=0)
    return True


def _path_delta(
    built: definitions.Built, instance: ProcessInstance, timer: Timer, outcome: Outcome
) -> dict[str, Any]:
    """Return what the timer's own path changed (a field another branch set is not removed)."""
    known = dict(instance.process_data)
    try:
        own, paths = runtime.task_data_and_paths(built, instance.snapshot, UUID(timer.task_id))
    except (TypeError, ValueError):  # no engine task id on the row: the instance's data
        own, paths = None, {}
    known = {**paths, **known}
    return history.path_delta(known if own is None else own, outcome.data, known)


def _is_due(timer: Timer, now: datetime) -> bool:
    return timer.due_at is not None and timer.due_at < now


def _did_fire(timer: Timer, outcome: Outcome) -> bool:
    """A row fired if the engine no longer waits on it, or waits for a later occurrence."""
    current = {t.task_id: t.due_at for t in outcome.timers}
    if timer.task_id not in current:
        return True
    later = current[timer.task_id]
    return later is not None and timer.due_at is not None and later > timer.due_at


def _mark_fired(timer: Timer, now: datetime) -> None:
    timer.state, timer.fired_at, timer.claimed_until = TimerState.FIRED, now, None


def _fail(
    uow: UnitOfWork, timer_id: UUID, now: datetime, worker: str, error: str, *, final: bool
) -> None:
    """Fail the row for good (an incident), or keep the claim until a back-off passes."""
    with uow:
        instance, timer = _lock_timer(uow, timer_id)
        if timer.state != TimerState.CLAIMED or timer.claimed_by != worker:
            return
        timer.last_error = error[:2000]
        if final or timer.attempts >= MAX_ATTEMPTS:
            timer.state, timer.claimed_until = TimerState.FAILED, None
            steps.record(
                uow,
                instance,
                "incident",
                SYSTEM_ACTOR,
                now,
                element_id=timer.element_id,
                task_id=timer.task_id,
                data={"timer_id": str(timer.id), "error": timer.last_error},
            )
            _log_incident(uow, "incident", SYSTEM_ACTOR, now, instance, timer)
        else:
            timer.claimed_until = now + timedelta(seconds=CLAIM_SECONDS * 2**timer.attempts)
        uow.commit()


def next_due(new_uow: Callable[[], UnitOfWork]) -> datetime | None:
    """Return when the timer table next has something to do."""
    with new_uow() as uow:
        return uow.waits.next_due()


def retry(uow: UnitOfWork, timer_id: UUID, *, actor: str, now: datetime) -> Timer:
    """Let a failed timer fire again (admin action), recorded in the instance's history."""
    with uow:
        instance, timer = _lock_timer(uow, timer_id)
        if timer.state != TimerState.FAILED:
            raise Conflict("timer_not_failed", f"the timer is {timer.state}, not failed")
        timer.state, timer.attempts, timer.claimed_by = TimerState.WAITING, 0, None
        steps.record(
            uow,
            instance,
            "incident_retried",
            actor,
            now,
            element_id=timer.element_id,
            task_id=timer.task_id,
            data={"timer_id": str(timer.id), "error": timer.last_error},
        )
        _log_incident(uow, "incident_retried", actor, now, instance, timer)
        wakeups.hint(uow.session, "timers", None)
        uow.commit()
    return timer


def _lock_timer(uow: UnitOfWork, timer_id: UUID) -> tuple[ProcessInstance, Timer]:
    """Lock a timer's instance and return it with the row; raise NotFound for an unknown id."""
    found = uow.instances.lock_by_timers([timer_id])
    if not found:
        raise NotFound("timer", timer_id)
    return found[0], uow.waits.timer(timer_id)


def _log_incident(
    uow: UnitOfWork, kind: str, actor: str, now: datetime, instance: ProcessInstance, timer: Timer
) -> None:
    """Also note an incident (or its retry) in the system stream: admins' view of failures."""
    history.append(
        uow,
        stream=history.SYSTEM_STREAM,
        type=kind,
        actor=actor,
        at=now,
        element_id=timer.element_id,
        task_id=timer.task_id,
        definition_key=instance.key,
        definition_version=instance.version,
        data={
            "instance_id": str(instance.id),
            "timer_id": str(timer.id),
            "error": timer.last_error,
        },
    )


def list_timers(uow: UnitOfWork, state: str | None, limit: int, offset: int) -> dict[str, Any]:
    """Return a page of timer rows with the count per state (admins)."""
    with uow:
        rows, total = uow.waits.timers_page(state, limit, offset)
        counts = uow.waits.timer_counts()
    return {"items": rows, "total": total, "counts": counts, "limit": limit, "offset": offset}


def incidents(uow: UnitOfWork, limit: int = 200) -> dict[str, Any]:
    """Return failed timers and failed mails, each with its error (admins)."""
    with uow:
        failed, _ = uow.waits.timers_page(TimerState.FAILED, limit, 0)
        mails, _ = uow.outbox.page(OutboxState.FAILED, limit, 0)
    return {"timers": failed, "mails": mails}
