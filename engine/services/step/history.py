"""Append history events, each chained to the previous event of its stream by hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
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


def content_digest(data: Any, delta: Any) -> str:
    """Return the digest of an event's data and delta (what its hash covers of them)."""
    canonical = json.dumps(
        {"data": data, "delta": delta}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def hashed_fields(event: HistoryEvent) -> dict[str, Any]:
    """Return the fields of an event that its hash covers.

    Data and delta enter through their digest, so anonymising an event (data removed, the
    digest kept in `content_digest`) leaves its hash, and the chain, intact.
    """
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
        "content": event.content_digest or content_digest(event.data, event.delta),
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
        uow.audit.lock_stream(stream)
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


def path_delta(
    path_before: dict[str, Any], after: dict[str, Any], elsewhere: dict[str, Any]
) -> dict[str, Any]:
    """Return what one path's step changed, per key: the path's own data before against the
    data after, leaving out what another branch had already set (`elsewhere`, the instance's
    data as its last step left it) and a join only brought together."""
    delta = data_delta(path_before, after)
    return {
        key: change
        for key, change in delta.items()
        if key in path_before or key not in elsewhere or elsewhere[key] != change["after"]
    }


def verify(events: Iterable[HistoryEvent]) -> int | None:
    """Return the seq of the first event whose chain link is broken, or None."""
    return check_chain(events).broken_seq


@dataclass
class ChainCheck:
    """The result of walking one stream: its first broken link (if any) and its head."""

    count: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS
    broken_seq: int | None = None
    reason: str | None = None

    def fail(self, seq: int, reason: str) -> None:
        """Keep the first break only."""
        if self.broken_seq is None:
            self.broken_seq, self.reason = seq, reason


ANONYMISED = "instance_anonymised"


def check_chain(
    events: Iterable[HistoryEvent], anchored: tuple[int, str] | None = None
) -> ChainCheck:
    """Walk one stream in seq order; report the first broken link and where the stream ends.

    `anchored` is a (seq, hash) an anchor recorded for the stream: that event must still exist
    unchanged. Anonymised events must be named by a later tombstone of the same stream.
    """
    check = ChainCheck()
    redacted: list[int] = []
    covered: set[int] = set()
    for event in events:
        check.count += 1
        expected = check.last_seq + 1
        if event.seq != expected:
            check.fail(expected, f"event {expected} is missing or out of order")
        elif event.prev_hash != check.last_hash:
            check.fail(event.seq, "the link to the previous event is broken")
        elif event_hash(check.last_hash, hashed_fields(event)) != event.hash:
            check.fail(event.seq, "the event was altered")
        if event.content_digest is not None:
            redacted.append(event.seq)
            if event.data is not None or event.delta is not None:
                check.fail(event.seq, "an anonymised event holds data again")
        if event.type == ANONYMISED and isinstance(event.data, dict):
            covered.update(int(seq) for seq in event.data.get("events", []))
        if anchored is not None and event.seq == anchored[0] and event.hash != anchored[1]:
            check.fail(event.seq, "the event differs from the anchored one")
        check.last_seq, check.last_hash = event.seq, event.hash
    for seq in redacted:
        if seq not in covered:
            check.fail(seq, "data was removed without a tombstone event")
    if anchored is not None and check.last_seq < anchored[0]:
        check.fail(check.last_seq + 1, f"events up to {anchored[0]} were anchored but are gone")
    return check
