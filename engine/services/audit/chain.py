"""Tamper evidence for auditors: verify every chain against its anchors, anchor the heads daily.

Each stream (one per instance, plus `system`) is a hash chain; `anchor()` seals the head of
every stream into `audit_anchor`, itself a chain, with a Merkle root that can be published
outside the database. `verify()` walks the anchors and every stream and reports the first
broken link of each: altered, deleted or reordered rows, and streams cut short.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from engine.services.step import history
from engine.store.models import AuditAnchor, HistoryEvent
from engine.store.uow import UnitOfWork

ANCHOR_STREAM = "audit_anchor"


@dataclass(frozen=True)
class Break:
    """The first broken link of one stream (or of the anchor chain)."""

    stream: str
    seq: int | None
    reason: str


@dataclass
class Report:
    """What `verify` checked and the first broken link of each stream it found."""

    ok: bool
    instance_id: str | None
    streams: int = 0
    events: int = 0
    anchors: int = 0
    last_anchor_at: datetime | None = None
    breaks: list[Break] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def first_broken(self) -> Break | None:
        """The first break found, or None."""
        return self.breaks[0] if self.breaks else None

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        view = asdict(self)
        view["first_broken"] = asdict(self.first_broken) if self.first_broken else None
        view["last_anchor_at"] = self.last_anchor_at.isoformat() if self.last_anchor_at else None
        return view


def verify(uow: UnitOfWork, instance_id: UUID | None = None) -> Report:
    """Check the anchor chain and every stream (or one instance's); report the first breaks."""
    started = time.perf_counter()
    only = str(instance_id) if instance_id else None
    with uow:
        anchors = list(uow.audit.anchors())
        anchored, breaks = _check_anchors(anchors, check_root=only is None)
        recorded = uow.audit.instance_heads(instance_id)
        report = Report(ok=True, instance_id=only, anchors=len(anchors), breaks=breaks)
        report.last_anchor_at = anchors[-1].at if anchors else None
        seen: set[str] = set()
        events = uow.audit.events(only)
        for stream, group in itertools.groupby(events, key=lambda e: e.stream):
            seen.add(stream)
            check = history.check_chain(group, anchored.get(stream))
            report.streams += 1
            report.events += check.count
            if check.broken_seq is not None:
                report.breaks.append(Break(stream, check.broken_seq, check.reason or ""))
            elif stream in recorded and recorded[stream] != (check.last_seq, check.last_hash):
                report.breaks.append(
                    Break(
                        stream, check.last_seq + 1, _head_reason(recorded, stream, check.last_seq)
                    )
                )
            elif stream not in recorded and stream != history.SYSTEM_STREAM:
                report.breaks.append(Break(stream, None, "the instance row is gone"))
    wanted = {only} if only else set(recorded) | set(anchored)
    for stream in sorted(wanted - seen):
        has_history = recorded.get(stream, (0, ""))[0] > 0 or stream in anchored
        if has_history:
            report.breaks.append(Break(stream, 1, "the stream's events are gone"))
    report.ok = not report.breaks
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _head_reason(recorded: dict[str, tuple[int, str]], stream: str, last_seq: int) -> str:
    seq = recorded[stream][0]
    if seq > last_seq:
        return f"the log ends at event {last_seq} but the instance recorded {seq}"
    return "the instance's recorded head does not match its last event"


def _check_anchors(
    anchors: list[AuditAnchor], *, check_root: bool
) -> tuple[dict[str, tuple[int, str]], list[Break]]:
    """Walk the anchor chain; return the cumulative anchored heads and its first break."""
    heads: dict[str, tuple[int, str]] = {}
    previous, expected = history.GENESIS, 1
    for anchor in anchors:
        if anchor.seq != expected:
            return heads, [Break(ANCHOR_STREAM, expected, "an anchor is missing or out of order")]
        if anchor.prev_hash != previous or _anchor_hash(anchor) != anchor.hash:
            return heads, [Break(ANCHOR_STREAM, anchor.seq, "the anchor was altered")]
        heads.update({s: (int(v[0]), str(v[1])) for s, v in anchor.heads.items()})
        previous, expected = anchor.hash, expected + 1
    if check_root and anchors and _merkle_root(heads) != anchors[-1].root:
        return heads, [Break(ANCHOR_STREAM, anchors[-1].seq, "the anchor's root does not match")]
    return heads, []


def anchor(uow: UnitOfWork, now: datetime) -> AuditAnchor:
    """Seal the head of every history stream into a new anchor (the scheduler runs it daily)."""
    with uow:
        uow.audit.lock_stream(ANCHOR_STREAM)
        anchors = list(uow.audit.anchors())
        sealed: dict[str, tuple[int, str]] = {}
        for row in anchors:
            sealed.update({s: (int(v[0]), str(v[1])) for s, v in row.heads.items()})
        current = uow.audit.heads()
        moved = {s: head for s, head in current.items() if sealed.get(s) != head}
        heads = {**sealed, **moved}
        row = AuditAnchor(
            seq=len(anchors) + 1,
            at=now.astimezone(UTC),
            heads={s: [seq, digest] for s, (seq, digest) in sorted(moved.items())},
            stream_count=len(heads),
            event_count=sum(seq for seq, _ in heads.values()),
            root=_merkle_root(heads),
            prev_hash=anchors[-1].hash if anchors else history.GENESIS,
        )
        row.hash = _anchor_hash(row)
        uow.audit.add(row)
        uow.commit()
    return row


def _anchor_hash(row: AuditAnchor) -> str:
    """Return the chained hash of an anchor."""
    fields = {
        "seq": row.seq,
        "at": row.at.astimezone(UTC).isoformat(),
        "heads": row.heads,
        "stream_count": row.stream_count,
        "event_count": row.event_count,
        "root": row.root,
    }
    return history.event_hash(row.prev_hash, fields)


def _merkle_root(heads: dict[str, tuple[int, str]]) -> str:
    """Return the Merkle root over stream heads, leaves sorted by stream."""
    level = [
        hashlib.sha256(f"{stream}\0{seq}\0{digest}".encode()).digest()
        for stream, (seq, digest) in sorted(heads.items())
    ]
    if not level:
        return history.GENESIS
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [hashlib.sha256(level[i] + level[i + 1]).digest() for i in range(0, len(level), 2)]
    return level[0].hex()


def log_system(
    uow: UnitOfWork, event_type: str, actor: str, now: datetime, data: dict[str, Any]
) -> HistoryEvent:
    """Append one event to the system stream and commit."""
    with uow:
        event = history.append(
            uow,
            stream=history.SYSTEM_STREAM,
            type=event_type,
            actor=actor[:80],
            at=now,
            data=json.loads(json.dumps(data, default=str)),
        )
        uow.commit()
    return event


def log_query(
    uow: UnitOfWork, actor: str, now: datetime, path: str, query: dict[str, Any]
) -> HistoryEvent:
    """Record that an auditor read something (the path and the query string)."""
    return log_system(uow, "audit_query", actor, now, {"path": path, "query": query})


def log_login_failure(
    uow: UnitOfWork, username: str, now: datetime, *, channel: str, address: str | None
) -> HistoryEvent:
    """Record a failed sign-in (never the password)."""
    data = {"username": username[:80], "channel": channel, "address": address}
    return log_system(uow, "login_failed", "anonymous", now, data)
