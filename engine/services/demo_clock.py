"""The demo clock: in demo mode an admin moves engine time forward; never in production.

The offset is the sum of the `clock_advanced` events in the `system` history stream, so it
survives restarts and every process (web, workers) reads the same value; the scheduler
refreshes its copy on every run.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from engine.runtime import periods
from engine.services.errors import BadRequest, Forbidden
from engine.services.step import history, wakeups
from engine.settings import Settings
from engine.store.models import User
from engine.store.uow import UnitOfWork

EVENT = "clock_advanced"
MAX_ADVANCE = timedelta(days=366)


def is_allowed(settings: Settings) -> bool:
    """Tell whether the clock may move: SAKSFLYT_DEMO_CLOCK=true and not production."""
    return settings.demo_clock and not settings.is_production


def offset(uow: UnitOfWork) -> timedelta:
    """Return how far the demo clock has been moved ahead of the wall clock."""
    with uow:
        last = uow.history.last_of_type(history.SYSTEM_STREAM, EVENT)
    return (
        timedelta(seconds=float((last.data or {}).get("offset_seconds", 0)))
        if last
        else timedelta(0)
    )


def advance(
    uow: UnitOfWork, settings: Settings, text: str, *, actor: User, wall: datetime
) -> timedelta:
    """Move engine time forward by an ISO-8601 duration (`P21D`); return the new offset."""
    if not is_allowed(settings):
        raise Forbidden("the demo clock is off (SAKSFLYT_DEMO_CLOCK) or this is production")
    try:
        period = periods.parse_period(text)
    except ValueError as error:
        raise BadRequest(str(error), {"advance": ["Not an ISO-8601 duration."]}) from error
    current = offset(uow)
    before = wall + current
    after = periods.add_period(before, period)
    if not timedelta(0) < after - before <= MAX_ADVANCE:
        raise BadRequest("advance between one second and a year", {"advance": ["Out of range."]})
    total = current + (after - before)
    with uow:
        history.append(
            uow,
            stream=history.SYSTEM_STREAM,
            type=EVENT,
            actor=actor.username,
            at=wall,
            data={
                "advance": text,
                "offset_seconds": total.total_seconds(),
                "from": before.isoformat(),
                "to": after.isoformat(),
            },
        )
        wakeups.hint(uow.session, "timers", None)
        wakeups.hint(uow.session, "mail", None)
        uow.commit()
    return total
