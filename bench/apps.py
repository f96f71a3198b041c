"""A benchmark app on a given database: schema created, demo loaded, fixtures deployed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from engine.services import definitions, organisation
from engine.services.wiring import Wiring
from engine.settings import Settings
from engine.store.db import normalise_url
from engine.store.models import Base
from saksflyt.app import create_app

FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "demo"
SECRET_KEY = "bench-secret-key-that-is-long-enough-0000"
TEN_TASKS = ("ten_tasks.bpmn", "ten_tasks.step.schema.json")
LOOP = ("loop.bpmn", "loop.start.schema.json")


@dataclass
class BenchApp:
    """The Flask app, its wiring and a test client."""

    app: Flask
    wiring: Wiring
    client: FlaskClient

    def token(self, username: str) -> dict[str, str]:
        """Sign in through the API; return the Authorization header."""
        response = self.client.post(
            "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def new_app(database_url: str, *fixture_sets: tuple[str, ...]) -> BenchApp:
    """Create the app on an empty database, load the demo organisation, deploy fixtures."""
    settings = Settings(
        database_url=database_url, scheduler_enabled=False, env="test", secret_key=SECRET_KEY
    )
    app = create_app(settings)
    wiring: Wiring = app.extensions["saksflyt"]
    Base.metadata.create_all(wiring.engine)
    organisation.load_demo(wiring.new_uow(), Settings().demo_file, PASSWORD)
    names = [name for fixture_set in fixture_sets for name in fixture_set]
    if names:
        files = {name: (FIXTURES / name).read_bytes() for name in names}
        definitions.deploy(wiring.new_uow(), files, actor="bench", now=datetime.now(UTC))
    return BenchApp(app, wiring, app.test_client())


def sqlite_url(workdir: Path, name: str) -> str:
    """Return the URL of a fresh SQLite file in the work directory."""
    return f"sqlite:///{workdir / name}"


@contextmanager
def postgres_schema(url: str, schema: str) -> Iterator[str]:
    """Create a schema, yield a URL whose connections use it, drop it (and its rows) after."""
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def dispose(bench_app: BenchApp) -> None:
    """Close the app's connections."""
    bench_app.wiring.engine.dispose()


def json_of(response: Any) -> Any:
    """Return a response's JSON, or fail loudly with its body."""
    assert response.status_code < 300, f"{response.status_code}: {response.get_data(as_text=True)}"
    return response.get_json()
