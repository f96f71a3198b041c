"""The participant journeys of test_journeys.py again, on PostgreSQL.

A file of its own, so that the two test processes (`--dist loadfile`) run the two databases side
by side: the same test functions, collected here too, with this module's `server`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ui.harness import Server, running_server
from tests.ui.test_journeys import *  # noqa: F403  (the journeys themselves)

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own on a PostgreSQL database of its own."""
    directory = tmp_path_factory.mktemp("journeys-postgresql")
    with running_server(directory, database="postgresql") as running:
        yield running


def test_these_journeys_run_on_postgresql(server: Server) -> None:
    assert server.wiring.engine.dialect.name == "postgresql"
