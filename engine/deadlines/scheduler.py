"""APScheduler in every app process (in-memory job store): fire timers and send mail when due.

Two pumps (see pump.py): `timers` claims and fires due timer rows, `mail` delivers the outbox.
Each sleeps until its next due time, wakes early on hints from commits in this process and, on
PostgreSQL, on NOTIFY from other processes, and polls every `scheduler_poll_seconds` anyway.
Any number of processes may run this: the claims in the timer and outbox tables keep each
timer firing and each mail sending once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN, SchedulerEvent
from apscheduler.schedulers.background import BackgroundScheduler

from engine.deadlines import listener, mail
from engine.deadlines.pump import Pump
from engine.services import demo_clock, outbox, timers
from engine.services.audit import chain as audit
from engine.services.audit import retention
from engine.services.step import wakeups
from engine.services.wiring import Wiring

log = logging.getLogger(__name__)
BATCH = 50
# Mails may wait a moment: a burst of steps then becomes one delivery run, not one run each.
MAIL_SETTLE = timedelta(seconds=1)


def worker_name() -> str:
    """Return a name for this process's claims."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Scheduler(BackgroundScheduler):  # type: ignore[misc]
    """APScheduler whose shutdown first tells the pumps to stop after the batch at hand, so
    that Ctrl-C or SIGTERM ends a busy worker within a batch, not after the whole backlog."""

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self.stopping = threading.Event()

    def shutdown(self, wait: bool = True) -> None:
        """Stop the pumps after their current batch, then the scheduler."""
        self.stopping.set()
        super().shutdown(wait=wait)


def fire_timers(
    wiring: Wiring, worker: str | None = None, stopping: threading.Event | None = None
) -> datetime | None:
    """Fire what is due now, batch by batch; return when the next timer falls due."""
    if demo_clock.is_allowed(wiring.settings):
        wiring.clock_offset = demo_clock.offset(wiring.new_uow())
    name = worker or worker_name()
    while not (stopping and stopping.is_set()):
        fired, _ = timers.fire_batch(wiring.new_uow, now=wiring.now(), worker=name, limit=BATCH)
        if fired < BATCH:
            break
    return timers.next_due(wiring.new_uow)


def send_mail(
    wiring: Wiring,
    send: mail.Send,
    worker: str | None = None,
    stopping: threading.Event | None = None,
) -> datetime | None:
    """Send the mails that are due; return when the outbox next has work."""
    outbox.deliver_due(
        wiring.new_uow,
        send,
        sender=wiring.settings.smtp_from,
        now=wiring.now(),
        worker=worker or worker_name(),
        stopping=stopping.is_set if stopping else lambda: False,
    )
    return outbox.next_attempt(wiring.new_uow)


def daily_audit(wiring: Wiring) -> None:
    """Anchor every stream's head in the global chain, then anonymise what retention allows."""
    try:
        audit.anchor(wiring.new_uow(), wiring.now())
        retention.anonymise_expired(
            wiring.new_uow, now=wiring.now(), default_days=wiring.settings.retention_days
        )
    except Exception:
        log.exception("daily audit job failed")


def start(wiring: Wiring) -> Scheduler:
    """Start the scheduler and its wake-ups; the caller keeps it and shuts it down."""
    scheduler = Scheduler(timezone="UTC")
    stopping = scheduler.stopping
    poll = timedelta(seconds=wiring.settings.scheduler_poll_seconds)
    send = mail.transport(wiring.settings)

    def offset() -> timedelta:
        return wiring.clock_offset

    pumps = {
        "timers": Pump(
            "timers",
            lambda: fire_timers(wiring, stopping=stopping),
            scheduler,
            poll,
            offset,
            stopping=stopping,
        ),
        "mail": Pump(
            "mail",
            lambda: send_mail(wiring, send, stopping=stopping),
            scheduler,
            poll,
            offset,
            MAIL_SETTLE,
            stopping=stopping,
        ),
    }

    def hint(channel: str, at: datetime | None) -> None:
        if channel in pumps:
            pumps[channel].wake(at)

    stop = threading.Event()
    wakeups.listen(wiring.configuration, hint)
    if wiring.engine.dialect.name == "postgresql":
        listener.start(wiring.settings.database_url, hint, stop)

    def stopped(_event: SchedulerEvent) -> None:
        wakeups.unlisten(wiring.configuration, hint)
        stop.set()

    scheduler.add_listener(stopped, EVENT_SCHEDULER_SHUTDOWN)
    scheduler.add_job(
        daily_audit,
        "cron",
        hour=0,
        minute=5,
        args=[wiring],
        id="audit_anchor",
        coalesce=True,
        max_instances=1,
    )
    scheduler.start()
    for pump in pumps.values():
        pump.start()
    log.info("scheduler started as %s", worker_name())
    return scheduler
