"""Move running instances of older versions onto a newer version of their process.

`dry_run` says per instance whether it can move and why not; `migrate` moves the chosen ones
that can, re-pointing them at the new definition, rebuilding their snapshot on its specs and
appending an `instance_migrated` event (with the actor) to each instance's history. One commit.
The event also names the waits the move changed: boundary events armed or disarmed and timers
rescheduled; the timer and message tables follow in the same transaction (`steps.apply`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from engine.runtime import migration as runtime
from engine.runtime.model import Outcome
from engine.services import definitions
from engine.services.errors import BadRequest
from engine.services.step import steps, waits
from engine.store.errors import NotFound
from engine.store.models import ProcessDefinition, ProcessInstance
from engine.store.states import InstanceState
from engine.store.uow import UnitOfWork
from engine.store.waits import BPMN_TIMER_KINDS

PAGE = 500


def dry_run(
    uow: UnitOfWork, key: str, to_version: int, instance_ids: Sequence[UUID] | None = None
) -> list[dict[str, Any]]:
    """Return, per running instance of another version (or each chosen one), its plan."""
    with uow:
        target = _target(uow, key, to_version)
        new = definitions.built(uow, target)
        return [_plan(uow, i, target, new)[0] for i in _instances(uow, key, instance_ids)]


def migrate(
    uow: UnitOfWork,
    key: str,
    to_version: int,
    instance_ids: Sequence[UUID] | None,
    *,
    actor: str,
    now: datetime,
) -> list[dict[str, Any]]:
    """Move the chosen instances that can move; return each one's plan and whether it moved."""
    if not instance_ids:
        raise BadRequest("choose the instances to migrate (instance_ids)")
    results = []
    with uow:
        target = _target(uow, key, to_version)
        new = definitions.built(uow, target)
        for instance in _instances(uow, key, instance_ids, lock=True):
            plan, old = _plan(uow, instance, target, new)
            if plan["can_migrate"] and old is not None:
                _move(uow, instance, target, old, new, actor=actor, now=now)
            results.append({**plan, "migrated": plan["can_migrate"]})
        uow.commit()
    return results


def _target(uow: UnitOfWork, key: str, version: int) -> ProcessDefinition:
    target = uow.definitions.version(key, version)
    if not target.runnable:
        raise BadRequest(f"version {version} of '{key}' cannot run, so nothing can move to it")
    return target


def _instances(
    uow: UnitOfWork, key: str, chosen: Sequence[UUID] | None, *, lock: bool = False
) -> list[ProcessInstance]:
    if chosen:
        found = [uow.instances.get(i, lock=lock) for i in dict.fromkeys(chosen)]
        for instance in found:
            if instance.key != key:
                raise NotFound("process instance of " + key, instance.id)
        return found
    running: list[ProcessInstance] = []
    while True:
        page, total = uow.instances.list(
            key=key, state=InstanceState.RUNNING, limit=PAGE, offset=len(running)
        )
        running += page
        if not page or len(running) >= total:
            return sorted(running, key=lambda i: (i.version, i.created_at))


def _plan(
    uow: UnitOfWork, instance: ProcessInstance, target: ProcessDefinition, new: Any
) -> tuple[dict[str, Any], Any]:
    """Return what would happen to one instance, and its current specs if it can move."""
    plan: dict[str, Any] = {
        "instance_id": instance.id,
        "business_key": instance.business_key,
        "version": instance.version,
        "state": instance.state,
        "waiting": [],
        "notes": [],
    }
    reason = None
    if instance.state != InstanceState.RUNNING:
        reason = f"It is {instance.state}, not running."
    elif instance.version == target.version:
        reason = f"It is already on version {target.version}."
    if reason:
        return {**plan, "can_migrate": False, "reasons": [reason]}, None
    old = definitions.built(uow, uow.definitions.get(instance.definition_id))
    found = runtime.check(old, new, instance.snapshot)
    plan.update(
        can_migrate=found.can_migrate,
        waiting=list(found.waiting),
        reasons=list(found.reasons),
        notes=list(found.notes),
    )
    return plan, old if found.can_migrate else None


def _move(
    uow: UnitOfWork,
    instance: ProcessInstance,
    target: ProcessDefinition,
    old: Any,
    new: Any,
    *,
    actor: str,
    now: datetime,
) -> None:
    outcome = runtime.migrate(old, new, instance.snapshot, now=now)
    before = instance.version
    changes = _wait_changes(uow, instance, outcome)
    instance.definition_id, instance.version = target.id, target.version
    steps.record(
        uow,
        instance,
        "instance_migrated",
        actor,
        now,
        data={"from_version": before, "to_version": target.version, **changes},
    )
    steps.apply(uow, instance, new, outcome, actor=actor, now=now)


def _wait_changes(
    uow: UnitOfWork, instance: ProcessInstance, outcome: Outcome
) -> dict[str, list[dict[str, Any]]]:
    """Name the timers and message waits a move arms, disarms or reschedules."""
    recorded = (instance.snapshot or {}).get(waits.WAITS) or {}
    timers: dict[str, str | None] = recorded.get("timers") or {}
    messages = {task_id: name for task_id, name, _ in recorded.get("messages") or []}
    rows = {t.task_id: t.element_id for t in uow.waits.live_timers(instance.id, BPMN_TIMER_KINDS)}
    armed: list[dict[str, Any]] = []
    rescheduled: list[dict[str, Any]] = []
    for timer in outcome.timers:
        due = timer.due_at.isoformat() if timer.due_at else None
        entry = {"element_id": timer.element_id, "timer": timer.kind, "due_at": due}
        if timer.task_id not in timers:
            armed.append(entry)
        elif timers[timer.task_id] != due:
            rescheduled.append({**entry, "was_due_at": timers[timer.task_id]})
    now_timers = {t.task_id for t in outcome.timers}
    now_messages = {m.task_id for m in outcome.messages}
    armed += [
        {"element_id": m.element_id, "message": m.message_name}
        for m in outcome.messages
        if m.task_id not in messages
    ]
    disarmed = [
        {"element_id": rows.get(task_id)} for task_id in timers if task_id not in now_timers
    ] + [{"message": name} for task_id, name in messages.items() if task_id not in now_messages]
    found = {"armed": armed, "disarmed": disarmed, "rescheduled": rescheduled}
    return {k: v for k, v in found.items() if v}
