"""PostgreSQL LISTEN: hear other processes' wake-up hints (engine.services.step.wakeups)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

import psycopg
from sqlalchemy import make_url

from engine.services.step.wakeups import NOTIFY_CHANNEL, decode
from engine.store.db import normalise_url

log = logging.getLogger(__name__)
Hint = Callable[[str, datetime | None], None]


def conninfo(database_url: str) -> str:
    """Return a libpq connection string for a SQLAlchemy PostgreSQL URL."""
    url = make_url(normalise_url(database_url)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def start(database_url: str, on_hint: Hint, stop: threading.Event) -> threading.Thread:
    """Listen in a daemon thread until `stop` is set; reconnect after errors."""
    thread = threading.Thread(
        target=_listen, args=(conninfo(database_url), on_hint, stop), daemon=True, name="wake"
    )
    thread.start()
    return thread


def _listen(info: str, on_hint: Hint, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            with psycopg.connect(info, autocommit=True) as connection:
                connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
                while not stop.is_set():
                    for note in connection.notifies(timeout=1.0):
                        on_hint(*decode(note.payload))
        except Exception as error:  # the poll still runs; try to listen again shortly
            log.warning("wake-up listener: %s", error)
            stop.wait(5)
