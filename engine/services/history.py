"""Append history events, each chained to the previous event of its stream by hash."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from engine.store.models import HistoryEvent
from engine.store.uow import UnitOfWork

SYSTEM_STREAM = "system"
GENESIS = "0" * 64


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """Return the chained hash of an event's fields."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def hashed_fields(event: HistoryEvent) -> dict[str, Any]:
    """Return the fields of an event that its hash covers."""
    return {
        "stream": event.stream,
        "seq": event.seq,
        "instance_id": str(event.instance_id) if event.instance_id else None,
        "type": event.type,
        "actor": event.actor,
        "at": event.at.astimezone(UTC).isoformat(),
        "element_id": event.element_id,
        "element_name": event.element_name,
        "task_id": event.task_id,
        "definition_key": event.definition_key,
        "definition_version": event.definition_version,
        "data": event.data,
        "delta": event.delta,
    }


def append(
    uow: UnitOfWork,
    *,
    stream: str,
    type: str,
    actor: str,
    at: datetime,
    head: tuple[int, str] | None = None,
    instance_id: UUID | None = None,
    **fields: Any,
) -> HistoryEvent:
    """Append an event; `head` is (last seq, last hash) when the caller tracks it."""
    if head is None:
        last = uow.history.head(stream)
        head = (last.seq, last.hash) if last else (0, GENESIS)
    event = HistoryEvent(
        stream=stream,
        seq=head[0] + 1,
        instance_id=instance_id,
        type=type,
        actor=actor,
        at=at.astimezone(UTC),
        prev_hash=head[1],
        **fields,
    )
    event.hash = event_hash(event.prev_hash, hashed_fields(event))
    uow.history.add(event)
    return event


def data_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Return the top-level keys that changed: {key: {"before": x, "after": y}}."""
    keys = set(before) | set(after)
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(keys)
        if before.get(key) != after.get(key)
    }


def verify(events: list[HistoryEvent]) -> int | None:
    """Return the seq of the first event whose chain link is broken, or None."""
    previous, expected_seq = GENESIS, 1
    for event in events:
        if event.seq != expected_seq or event.prev_hash != previous:
            return event.seq
        if event_hash(previous, hashed_fields(event)) != event.hash:
            return event.seq
        previous, expected_seq = event.hash, expected_seq + 1
    return None
