"""Shared fixtures: one parametrized database (SQLite and PostgreSQL), wiring, demo data; the
suite's clock, a year ahead."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
import time_machine
from sqlalchemy import create_engine, make_url, text

from engine.services import configuration, definitions, organisation
from engine.services.configuration import Configuration
from engine.services.wiring import Wiring, configure, wire
from engine.settings import Settings
from engine.store.db import normalise_url
from engine.store.models import Base, User

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"  # beside the checkout, as in CI; a fresh clone may lack it
BASE_POSTGRES_URL = os.environ.get(
    "SAKSFLYT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
_prepared: set[str] = set()

# The guard against tests that depend on the day they run: every run has the wall clock
# CLOCK_AHEAD ahead (time-machine, ticking). A test that plays literal dates on the wall clock
# instead of pinning the engine clock (`now=`, `wiring.clock_offset`, time-machine) or building
# its dates from the clock it runs under fails on the day it is written, not on the day its
# dates pass. It costs nothing and covers every test, new ones included. Child processes move
# their clock by the same days (tests/clock/sitecustomize.py); Chromium keeps the real one (the
# pages take every date they show from the server). SAKSFLYT_TEST_CLOCK_AHEAD_DAYS=0: the real
# clock, as under `make test-future`, where libfaketime moves the machine's clock instead.
CLOCK_AHEAD = timedelta(days=int(os.environ.get("SAKSFLYT_TEST_CLOCK_AHEAD_DAYS", "365")))
CLOCK_DIRECTORY = Path(__file__).parent / "clock"


def pytest_configure(config: pytest.Config) -> None:
    """Move this process's wall clock CLOCK_AHEAD ahead, and that of every process it starts."""
    os.environ["SAKSFLYT_TEST_CLOCK_AHEAD_DAYS"] = str(CLOCK_AHEAD.days)
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if str(CLOCK_DIRECTORY) not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(CLOCK_DIRECTORY), *filter(None, paths)])
    if CLOCK_AHEAD and not time_machine.escape_hatch.is_travelling():
        time_machine.travel(CLOCK_AHEAD, tick=True).start()  # an xdist worker travels at start-up


def needs_shared(path: Path) -> pytest.MarkDecorator:
    """Mark tests that read `path` under ../shared: skipped, with the reason, where it is missing
    (a fresh clone with nothing beside it). CI always has ../shared, so there it is an error."""
    if not path.exists() and os.environ.get("CI"):
        raise RuntimeError(f"{path} is missing, but CI has ../shared beside the checkout")
    return pytest.mark.skipif(not path.exists(), reason=f"{path} is missing (no ../shared)")


@pytest.fixture(autouse=True)
def configured() -> Iterator[Configuration]:
    """A default wiring's configuration, current for code a test runs outside any wiring's
    units of work (the runtime's scripts, the calculations); each test gets its own."""
    with configuration.active(configure(Settings(env="test"))) as current:
        yield current


def _reset(wiring: Wiring) -> None:
    url = wiring.settings.database_url
    if url not in _prepared:
        Base.metadata.drop_all(wiring.engine)
        Base.metadata.create_all(wiring.engine)
        _prepared.add(url)
        return
    tables = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
    with wiring.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@contextmanager
def private_postgres_database() -> Iterator[str]:
    """Create a PostgreSQL database of our own, yield its URL, drop it afterwards.

    Several runs (developers, CI, helpers) share one server; each gets its own database so
    their TRUNCATEs and schema changes never meet.
    """
    name = f"saksflyt_test_{os.getpid()}_{uuid4().hex[:8]}"
    admin = create_engine(normalise_url(BASE_POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(
            make_url(normalise_url(BASE_POSTGRES_URL))
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def database_url(kind: str, directory: Path, name: str = "test.sqlite3") -> Iterator[str]:
    """Yield the URL of a fresh database of its own: a SQLite file in `directory`, or a
    private PostgreSQL database (`kind="postgresql"`), dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / name}"
    else:
        with private_postgres_database() as url:
            yield url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private PostgreSQL database for this test run, dropped afterwards."""
    with private_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a test database: a fresh SQLite file, or this run's PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    return Settings(
        database_url=url,
        scheduler_enabled=False,
        env="test",
        secret_key="test-secret-key-that-is-long-enough-000",
    )


@pytest.fixture
def wiring(settings: Settings) -> Iterator[Wiring]:
    """Wiring on an empty schema."""
    wired = wire(settings)
    try:
        if settings.database_url.startswith("sqlite"):
            Base.metadata.create_all(wired.engine)
        else:
            _reset(wired)
        yield wired
    finally:
        wired.engine.dispose()


@pytest.fixture
def demo(wiring: Wiring) -> Wiring:
    """Wiring with the demo organisation loaded."""
    organisation.load_demo(wiring.new_uow(), Settings().demo_file, "demo")
    return wiring


DEPLOYED_AT = datetime.fromisoformat("2026-11-01T00:00:00+01:00")


def deploy_processes(wiring: Wiring, *, actor: str = "test", now: datetime = DEPLOYED_AT) -> None:
    """Deploy processes/ and forms/ together, as `saksflyt deploy` does."""
    definitions.deploy_directory(
        wiring.new_uow(), ROOT / "processes", ROOT / "forms", actor=actor, now=now
    )


def fixture_files(*names: str) -> dict[str, bytes]:
    """Read files from tests/fixtures."""
    return {name: (FIXTURES / name).read_bytes() for name in names}


APPROVAL = (
    "approval.bpmn",
    "approval.start.schema.json",
    "approval.submit.schema.json",
    "approval.approve.schema.json",
)


@pytest.fixture
def deployed(demo: Wiring) -> Wiring:
    """Demo wiring with the approval, waiter and recursive test processes deployed."""
    files = fixture_files(*APPROVAL, "waiter.bpmn", "waiter.start.schema.json", "recursive.bpmn")
    definitions.deploy(demo.new_uow(), files, actor="test", now=NOW)
    return demo


def user(wiring: Wiring, username: str) -> User:
    """Load a user by name."""
    with wiring.new_uow() as uow:
        return uow.users.get(username)
