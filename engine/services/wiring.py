"""Build the pieces every entry point needs from Settings: configuration, database, clock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.runtime import spiffarena
from engine.services import access, functions, http_connector, process_settings
from engine.services import configuration as configurations
from engine.services.assignment import routine as assignment
from engine.services.configuration import Configuration, Policy
from engine.services.hiring import routine as hiring
from engine.services.step import notifications, wakeups
from engine.settings import Settings
from engine.store.db import make_engine, session_factory
from engine.store.uow import UnitOfWork

Routine = Callable[[Configuration], None]

# The installed routines, each plugged in by its `register(configuration)`: script functions,
# step followers. The core runs without them (tests/services/test_routines.py); a new routine
# adds itself here.
ROUTINES: tuple[Routine, ...] = (assignment.register, hiring.register)


class _ConfiguredUnitOfWork(UnitOfWork):
    """A unit of work during which its wiring's configuration is the current one."""

    def __init__(self, factory: sessionmaker[Session], configuration: Configuration) -> None:
        super().__init__(factory)
        self._configuration = configuration
        self._scopes: list[ExitStack] = []

    def __enter__(self) -> _ConfiguredUnitOfWork:
        scope = ExitStack()
        scope.enter_context(configurations.active(self._configuration))
        try:
            super().__enter__()
        except BaseException:
            scope.close()
            raise
        self._scopes.append(scope)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            super().__exit__(exc_type, exc, tb)
        finally:
            self._scopes.pop().close()


@dataclass
class Wiring:
    """Settings plus its configuration, the database and the engine clock (demo offset)."""

    settings: Settings
    configuration: Configuration
    engine: Engine
    factory: sessionmaker[Session]
    reader: sessionmaker[Session]
    clock_offset: timedelta = field(default=timedelta(0))

    def new_uow(self, *, read_only: bool = False) -> UnitOfWork:
        """Return a fresh unit of work; a read-only one may not write (see `session_factory`).

        While it runs, this wiring's configuration is the current one (`configuration.current`).
        """
        return _ConfiguredUnitOfWork(self.reader if read_only else self.factory, self.configuration)

    def active(self) -> AbstractContextManager[Configuration]:
        """Make this wiring's configuration current for a block (a request, a command)."""
        return configurations.active(self.configuration)

    def now(self) -> datetime:
        """Return the engine time: the wall clock plus the demo offset."""
        return datetime.now(UTC) + self.clock_offset


def configure(settings: Settings, routines: Sequence[Routine] = ROUTINES) -> Configuration:
    """Build a configuration: script functions (SpiffArena's helpers and the http connector
    among them), routines, process settings, mail policy."""
    configuration = Configuration(
        policy=Policy(
            public_url=settings.public_url,
            escalation_grace_working_days=settings.escalation_grace_working_days,
        )
    )
    process_settings.configure(configuration, process_settings.load(settings.process_settings_file))
    functions.register_all(configuration)
    spiffarena.register(configuration.registry, env=settings.env, public_url=settings.public_url)
    http_connector.register(
        configuration.registry,
        http_connector.policy_from(
            settings.http_allowed_hosts,
            settings.http_timeout_seconds,
            settings.http_max_response_bytes,
            settings.http_secrets,
        ),
    )
    access.declare_core_mails(configuration)
    for register in routines:
        register(configuration)
    catalogues = {locale: notifications.catalogue(locale) for locale in notifications.LOCALES}
    every_kind = set(ROUTINES) <= set(routines)  # else other routines' templates are not ours
    access.ensure_mail_templates(configuration, catalogues, every_kind=every_kind)
    return configuration


def wire(settings: Settings, routines: Sequence[Routine] = ROUTINES) -> Wiring:
    """Configure, and connect to the database with sessions that wake this wiring's listeners."""
    configuration = configure(settings, routines)
    engine = make_engine(settings.database_url)
    info = {wakeups.LISTENERS: configuration.listeners}
    return Wiring(
        settings=settings,
        configuration=configuration,
        engine=engine,
        factory=session_factory(engine, info=info),
        reader=session_factory(engine, read_only=True, info=info),
    )
