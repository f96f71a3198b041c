"""The engine clock: the time the runtime believes it is, injectable per call.

SpiffWorkflow reads the wall clock inside its timer definitions; ours read `now()` instead, so a
service can pass the time in (`with frozen_at(now): ...`) and tests never sleep.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_now: ContextVar[datetime | None] = ContextVar("saksflyt_now", default=None)


def now() -> datetime:
    """Return the engine's current time as an aware UTC datetime."""
    fixed = _now.get()
    return fixed if fixed is not None else datetime.now(UTC)


def is_frozen() -> bool:
    """Tell whether the engine clock is fixed for the current call."""
    return _now.get() is not None


@contextmanager
def frozen_at(moment: datetime) -> Iterator[datetime]:
    """Run the enclosed engine calls as if it were `moment` (aware)."""
    if moment.tzinfo is None:
        raise ValueError("the engine clock needs an aware datetime")
    token = _now.set(moment.astimezone(UTC))
    try:
        yield moment
    finally:
        _now.reset(token)
