"""APScheduler in every app process (in-memory job store): fire due timers each second."""

from __future__ import annotations

import logging
import os
import socket

from apscheduler.schedulers.background import BackgroundScheduler

from engine.services import timers
from engine.services.wiring import Wiring

log = logging.getLogger(__name__)


def worker_name() -> str:
    """Return a name for this process's claims."""
    return f"{socket.gethostname()}:{os.getpid()}"


def tick(wiring: Wiring) -> int:
    """Fire what is due now; never let an error kill the scheduler."""
    try:
        return timers.fire_due_timers(wiring.new_uow, now=wiring.now(), worker=worker_name())
    except Exception:
        log.exception("timer tick failed")
        return 0


def start(wiring: Wiring) -> BackgroundScheduler:
    """Start the scheduler; the caller keeps it and shuts it down."""
    scheduler = BackgroundScheduler(timezone="Europe/Oslo")
    scheduler.add_job(
        tick, "interval", seconds=1, args=[wiring], id="timers", max_instances=1, coalesce=True
    )
    scheduler.start()
    return scheduler
