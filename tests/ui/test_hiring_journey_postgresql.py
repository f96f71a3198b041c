"""The hiring journey of test_hiring_journey.py again, on PostgreSQL (a file of its own, so
`--dist loadfile` runs the two databases side by side)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import deploy_processes
from tests.ui.harness import Server, running_server
from tests.ui.test_hiring_journey import *  # noqa: F403  (the journey itself)

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def hiring_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own on a PostgreSQL database of its own, with the demo clock."""
    directory = tmp_path_factory.mktemp("hiring-postgresql")
    with running_server(directory, demo_clock=True, database="postgresql") as server:
        deploy_processes(server.wiring, now=server.wiring.now())
        yield server


def test_the_hiring_journey_runs_on_postgresql(hiring_server: Server) -> None:
    assert hiring_server.wiring.engine.dialect.name == "postgresql"
