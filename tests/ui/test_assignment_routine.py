"""The assignment routine end to end through the pages only, on SQLite (issue 17)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

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


def test_the_starter_cancels_a_case_with_a_reason_on_its_page(
    browser: Browser, routine_server: Server
) -> None:
    with assignment_routine.signed_in(browser, routine_server, "tl.baerum") as page:
        page.get_by_role("link", name="Oppdrag", exact=True).click()
        page.get_by_role("button", name="Nytt oppdrag").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Beskriv kompetansebehovet (Ledige oppdrag)"
        )
        page.locator("#case-link").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("OPPDRAG-")
        page.get_by_role("button", name="Avlys saken").click()
        expect(page.locator("#cancel-reason-error")).to_have_text("Skriv hvorfor saken avlyses.")
        page.get_by_label(re.compile("^Grunn til avlysningen")).fill("Behovet er løst internt.")
        page.get_by_role("button", name="Avlys saken").click()
        expect(page.locator("#flash")).to_have_text("Saken er avlyst.")
        expect(page.locator(".details")).to_contain_text("Avlyst")
        expect(page.locator(".details")).to_contain_text("Behovet er løst internt.")
        expect(page.locator(".history")).to_contain_text("Saken ble avlyst")
        expect(page.get_by_role("button", name="Avlys saken")).to_have_count(0)
