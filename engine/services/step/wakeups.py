"""Wake-up hints: a transaction that adds due work tells the schedulers once it commits.

A step that writes a timer or an outbox row calls `hint(session, channel, at)`. After the
commit, the listeners of the session's wiring hear `(channel, at)` (the scheduler reschedules
its job); on PostgreSQL the same hint goes out with NOTIFY inside the transaction, so other
processes' schedulers that LISTEN wake too (only from processes without a scheduler of their
own: one awake scheduler is enough), except "external", which every process hears (a worker's
long poll waits in any of them). A rolled-back transaction wakes nobody. Channels: "timers",
"mail", "external".
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from engine.services.configuration import Configuration, Listener

NOTIFY_CHANNEL = "saksflyt_wake"
_KEY = "saksflyt_wake"
# The session info key of the wiring's listeners: its session factories put them there.
LISTENERS = "saksflyt_listeners"
# Channels every process must hear even when one of its own listeners heard it: any worker's
# long poll, in whichever process it waits, answers a new external task.
EVERY_PROCESS = frozenset({"external"})
log = logging.getLogger(__name__)


def listen(configuration: Configuration, listener: Listener) -> None:
    """Call `listener(channel, at)` after every commit of this wiring that hinted at due work."""
    configuration.listeners.append(listener)


def unlisten(configuration: Configuration, listener: Listener) -> None:
    """Stop calling a listener."""
    if listener in configuration.listeners:
        configuration.listeners.remove(listener)


def _listeners(session: Session) -> list[Listener]:
    listeners: list[Listener] = session.info.get(LISTENERS, [])
    return listeners


def hint(session: Session, channel: str, at: datetime | None) -> None:
    """Note that work on `channel` falls due at `at` (None: now) once this transaction commits."""
    pending: dict[str, datetime | None] = session.info.setdefault(_KEY, {})
    if channel not in pending:
        pending[channel] = at
    else:
        earlier = pending[channel]
        pending[channel] = None if at is None or earlier is None else min(at, earlier)


def encode(channel: str, at: datetime | None) -> str:
    """Return the NOTIFY payload of a hint."""
    return f"{channel} {at.isoformat() if at else ''}".strip()


def decode(payload: str) -> tuple[str, datetime | None]:
    """Read a NOTIFY payload back into (channel, at)."""
    channel, _, moment = payload.partition(" ")
    return channel, datetime.fromisoformat(moment) if moment else None


@event.listens_for(Session, "before_commit")
def _notify_others(session: Session) -> None:
    # A process that runs a scheduler wakes it itself; any scheduler may do the work, so
    # NOTIFY is for processes without one (a web process with the scheduler turned off).
    pending = session.info.get(_KEY)
    if not pending or session.get_bind().dialect.name != "postgresql":
        return
    for channel, at in pending.items():
        if _listeners(session) and channel not in EVERY_PROCESS:
            continue
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": NOTIFY_CHANNEL, "payload": encode(channel, at)},
        )


@event.listens_for(Session, "after_commit")
def _wake_listeners(session: Session) -> None:
    pending = session.info.pop(_KEY, None) or {}
    for channel, at in pending.items():
        for listener in list(_listeners(session)):
            try:
                listener(channel, at)
            except Exception:  # a hint must never fail the caller's commit
                log.exception("wake-up listener failed")


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_KEY, None)
