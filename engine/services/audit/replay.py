"""Rebuild an instance's state as it was right after any history event, by replaying its log.

The log is fed to the pure runtime: the start data at the recorded time, then every task
completion, message and timer firing at its recorded time. SpiffWorkflow gives replayed tasks
new ids, so each recorded `task_ready` is matched to the replayed ready task with the same
element id, in order, and later completions use that match.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from engine.runtime import instances as runtime
from engine.runtime import registry, spiffarena
from engine.runtime.model import RUNNING, Outcome
from engine.services import definitions
from engine.services.definitions import Built
from engine.services.step import history
from engine.store.errors import Conflict, NotFound
from engine.store.models import HistoryEvent
from engine.store.uow import UnitOfWork

CACHE_SIZE = 16
SUSPENDED = "suspended"  # the stored state of a case on hold (no engine state: it only waits)
_cache: OrderedDict[tuple[str, str], list[dict[str, Any]]] = OrderedDict()


@dataclass
class _Replay:
    """The running replay: the engine's last outcome and what the log said about tasks."""

    built: Built
    outcome: Outcome | None = None
    task_ids: dict[str, str] = field(default_factory=dict)  # recorded id -> replayed id
    open_tasks: dict[str, dict[str, Any]] = field(default_factory=dict)  # by recorded id
    path: list[str] = field(default_factory=list)
    suspended: bool = False  # between `instance_suspended` and `instance_resumed`


def state_at(uow: UnitOfWork, instance_id: UUID, seq: int) -> dict[str, Any]:
    """Return the instance's state right after event `seq`."""
    states = states_of(uow, instance_id)
    if not 1 <= seq <= len(states):
        raise NotFound("history event", f"{instance_id} #{seq}")
    return states[seq - 1]


def states_of(uow: UnitOfWork, instance_id: UUID) -> list[dict[str, Any]]:
    """Return the state after every event of an instance (cached by the instance's head)."""
    with uow:
        instance = uow.instances.get(instance_id)
        key = (str(instance_id), instance.history_head)
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        events = list(uow.history.of_instance(instance_id))
        if any(e.content_digest is not None for e in events):
            raise Conflict("instance_anonymised", "the instance's data has been anonymised")
        states = list(_replay(uow, events))
    _cache[key] = states
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return states


def _replay(uow: UnitOfWork, events: list[HistoryEvent]) -> Iterator[dict[str, Any]]:
    if not events or events[0].type != "instance_started":
        raise Conflict("replay_impossible", "the history does not begin with the start")
    replay = _Replay(built=_built(uow, events[0]))
    for event in events:
        with spiffarena.acting(event.actor):  # scripts see who acted, as when it happened
            _step(uow, replay, event)
        yield _state(replay, event)


def _built(uow: UnitOfWork, event: HistoryEvent) -> Built:
    if event.definition_key is None or event.definition_version is None:
        raise Conflict("replay_impossible", f"event {event.seq} names no definition version")
    definition = uow.definitions.version(event.definition_key, event.definition_version)
    return definitions.built(uow, definition)


def _step(uow: UnitOfWork, replay: _Replay, event: HistoryEvent) -> None:
    """Apply one recorded event to the replay."""
    data = event.data or {}
    kind = event.type
    if kind == "instance_started":
        replay.outcome = runtime.start(replay.built, data, now=event.at)
        return
    outcome = replay.outcome
    assert outcome is not None
    if kind == "task_completed":
        replayed = replay.task_ids[str(event.task_id)]
        replay.outcome = runtime.complete_task(
            replay.built, outcome.snapshot, UUID(replayed), data, now=event.at
        )
        replay.open_tasks.pop(str(event.task_id), None)
        replay.path.append(str(event.element_id))
    elif kind == "message_received":
        replay.outcome = runtime.deliver_message(
            replay.built, outcome.snapshot, data["name"], data.get("payload", {}), now=event.at
        )
    elif kind == "timer_fired":
        # A call to another system is answered from what the step recorded, never made again.
        recorded = {k: v.get("after") for k, v in (event.delta or {}).items()}
        with registry.replaying(recorded):
            replay.outcome = runtime.fire_timers(replay.built, outcome.snapshot, now=event.at)
    elif kind == "instance_migrated":
        from engine.runtime import migration  # the version move; only instances that moved

        new = _built(uow, event)
        replay.outcome = migration.migrate(replay.built, new, outcome.snapshot, now=event.at)
        replay.built = new
    elif kind in ("instance_suspended", "instance_resumed"):
        replay.suspended = kind == "instance_suspended"
    elif kind == "instance_cancelled" and outcome.state == RUNNING:
        replay.outcome = runtime.cancel(replay.built, outcome.snapshot, now=event.at)
    else:
        _note(replay, event)


def _note(replay: _Replay, event: HistoryEvent) -> None:
    """Follow the events that do not move the engine: tasks opening, claims, the path."""
    task_id = str(event.task_id)
    if event.type == "element_completed" and event.element_id:
        replay.path.append(event.element_id)
    elif event.type == "task_ready":
        replay.task_ids[task_id] = _match(replay, event)
        replay.open_tasks[task_id] = {
            "task_id": task_id,
            "element_id": event.element_id,
            "name": event.element_name,
            "assignee": None,
            "created_at": event.at,
        }
    elif event.type == "task_cancelled":
        replay.open_tasks.pop(task_id, None)
    elif task_id in replay.open_tasks and event.type in ("task_claimed", "task_unclaimed"):
        replay.open_tasks[task_id]["assignee"] = (
            event.actor if event.type == "task_claimed" else None
        )
    elif task_id in replay.open_tasks and event.type == "task_delegated":
        replay.open_tasks[task_id]["assignee"] = (event.data or {}).get("to")


def _match(replay: _Replay, event: HistoryEvent) -> str:
    """Return the replayed ready task a recorded `task_ready` stands for."""
    taken = set(replay.task_ids.values())
    assert replay.outcome is not None
    for task in replay.outcome.ready_tasks:
        if task.element_id == event.element_id and task.id not in taken:
            return task.id
    raise Conflict(
        "replay_diverged",
        f"event {event.seq}: the replay has no ready task {event.element_id} to match",
    )


def _state(replay: _Replay, event: HistoryEvent) -> dict[str, Any]:
    outcome = replay.outcome
    assert outcome is not None
    timers = [{"element_id": t.element_id, "due_at": t.due_at} for t in outcome.timers]
    messages = [{"element_id": m.element_id, "message": m.message_name} for m in outcome.messages]
    ready = [t.element_id for t in outcome.ready_tasks]
    return {
        "seq": event.seq,
        "at": event.at,
        "event": _event_view(event),
        "state": SUSPENDED if replay.suspended and outcome.state == RUNNING else outcome.state,
        "definition_key": event.definition_key,
        "definition_version": event.definition_version,
        # Every live path's data, so a field set on one branch is not missing after another
        # branch's step.
        "data": _jsonable(runtime.all_paths_data(replay.built, outcome.snapshot)),
        "open_tasks": list(dict(t) for t in replay.open_tasks.values()),
        "timers": timers,
        "messages": messages,
        "tokens": list(
            dict.fromkeys(
                [*ready, *(t["element_id"] for t in timers), *(m["element_id"] for m in messages)]
            )
        ),
        "path": list(dict.fromkeys(replay.path)),
    }


def _event_view(event: HistoryEvent) -> dict[str, Any]:
    fields = history.hashed_fields(event)
    fields.pop("content")
    return {**fields, "data": event.data, "delta": event.delta, "hash": event.hash}


def _jsonable(data: Any) -> Any:
    """Return data as it would be stored (JSON round trip)."""
    return json.loads(json.dumps(data, default=str))


def matches_live(uow: UnitOfWork, instance_id: UUID) -> list[str]:
    """Return how replaying the whole log differs from the stored instance (empty: it agrees)."""
    last = states_of(uow, instance_id)[-1]
    with uow:
        instance = uow.instances.get(instance_id)
        live_tasks = sorted(t.element_id for t in uow.tasks.open_for_instance(instance_id))
        built = definitions.built_for(uow, instance.definition_id)
        stored = _jsonable(runtime.all_paths_data(built, instance.snapshot))
    problems = []
    if last["state"] != instance.state:
        problems.append(f"state: replayed {last['state']}, stored {instance.state}")
    if last["data"] != stored:
        keys = set(last["data"]) | set(stored)
        differ = sorted(k for k in keys if last["data"].get(k) != stored.get(k))
        problems.append(f"data differs in {differ}")
    replayed_tasks = sorted(t["element_id"] for t in last["open_tasks"])
    if replayed_tasks != live_tasks:
        problems.append(f"open tasks: replayed {replayed_tasks}, stored {live_tasks}")
    return problems
