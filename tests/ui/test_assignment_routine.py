"""The assignment routine end to end through the pages only, on SQLite (issue 17)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from engine.store.states import InstanceState
from tests.conftest import deploy_processes
from tests.ui import assignment_routine
from tests.ui.harness import Server, running_server

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def routine_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own with the real processes and the demo clock on."""
    with running_server(tmp_path_factory.mktemp("routine"), demo_clock=True) as server:
        deploy_processes(server.wiring, now=server.wiring.now())
        yield server


def test_the_assignment_routine_is_played_through_the_pages(
    browser: Browser, routine_server: Server
) -> None:
    case_number = assignment_routine.play(browser, routine_server)
    with routine_server.wiring.new_uow() as uow:
        [case] = [
            i
            for i in uow.instances.list(key="assignment", limit=10)[0]
            if i.business_key == case_number
        ]
    assert case.state == InstanceState.COMPLETED
    assert case.data["status"] == "closed"
