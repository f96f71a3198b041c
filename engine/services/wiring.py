"""Build the pieces every entry point needs from Settings: database, unit of work, clock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.runtime import spiffarena
from engine.services import functions, http_connector, process_settings
from engine.services.assignment import routine as assignment
from engine.services.hiring import routine as hiring
from engine.services.step import notifications
from engine.settings import Settings
from engine.store.db import make_engine, session_factory
from engine.store.uow import UnitOfWork

Routine = Callable[[], None]

# The installed routines, each plugged in by its `register()`: script functions, step followers.
# The core runs without them (tests/services/test_routines.py); a new routine adds itself here.
ROUTINES: tuple[Routine, ...] = (assignment.register, hiring.register)


@dataclass
class Wiring:
    """Settings plus the database and the engine clock (offset only in demo mode)."""

    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    reader: sessionmaker[Session]
    clock_offset: timedelta = field(default=timedelta(0))

    def new_uow(self, *, read_only: bool = False) -> UnitOfWork:
        """Return a fresh unit of work; a read-only one may not write (see `session_factory`)."""
        return UnitOfWork(self.reader if read_only else self.factory)

    def now(self) -> datetime:
        """Return the engine time: the wall clock plus the demo offset."""
        return datetime.now(UTC) + self.clock_offset


def wire(settings: Settings, routines: Sequence[Routine] = ROUTINES) -> Wiring:
    """Connect to the database, register the functions and routines, set the mail policy."""
    functions.register_all()
    for register in routines:
        register()
    process_settings.configure(process_settings.load(settings.process_settings_file))
    spiffarena.configure(env=settings.env, public_url=settings.public_url)
    http_connector.configure(
        http_connector.policy_from(
            settings.http_allowed_hosts,
            settings.http_timeout_seconds,
            settings.http_max_response_bytes,
            settings.http_secrets,
        )
    )
    notifications.configure(
        notifications.Policy(
            public_url=settings.public_url,
            escalation_grace_working_days=settings.escalation_grace_working_days,
        )
    )
    engine = make_engine(settings.database_url)
    return Wiring(
        settings=settings,
        engine=engine,
        factory=session_factory(engine),
        reader=session_factory(engine, read_only=True),
    )
