"""The assignment routine's journey again, on PostgreSQL (a file of its own, see
test_journeys_postgresql.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import deploy_processes
from tests.ui.harness import Server, running_server
from tests.ui.test_assignment_routine import *  # noqa: F403  (the journey itself)

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def routine_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own on a PostgreSQL database of its own, with the demo clock on."""
    directory = tmp_path_factory.mktemp("routine-postgresql")
    with running_server(directory, demo_clock=True, database="postgresql") as server:
        deploy_processes(server.wiring, now=server.wiring.now())
        yield server


def test_this_journey_runs_on_postgresql(routine_server: Server) -> None:
    assert routine_server.wiring.engine.dialect.name == "postgresql"
