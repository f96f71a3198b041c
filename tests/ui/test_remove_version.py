"""A process owner removes a junk import that never ran: gone from library and start page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from engine.services import definitions
from tests.ui.harness import Server, new_page, running_server, sign_in

pytestmark = pytest.mark.ui

JUNK = Path(__file__).parents[1] / "services" / "fixtures_lifecycle" / "two_paths.bpmn"


@pytest.fixture(scope="module")
def junk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("remove")) as server:
        files = {"two_paths.bpmn": JUNK.read_bytes()}
        definitions.deploy(server.wiring.new_uow(), files, actor="eier", now=server.wiring.now())
        server.start_instance("tl.baerum", "UI-RAN-1")  # the test process has run
        yield server


def test_a_process_owner_removes_a_junk_import_from_the_library_and_the_start_page(
    browser: Browser, junk_server: Server
) -> None:
    page = new_page(browser, junk_server.url)
    try:
        sign_in(page, junk_server.url, "eier")
        page.get_by_role("link", name="Start en prosess").click()
        expect(page.get_by_role("heading", name="To veier", level=2)).to_be_visible()
        page.get_by_role("link", name="Prosessbibliotek").click()
        junk = page.locator(".library-process").filter(
            has=page.get_by_role("heading", name=re.compile("To veier"))
        )
        expect(junk).to_have_count(1)
        junk.get_by_text("Fjern", exact=True).click()
        junk.get_by_role("button", name="Fjern versjon 1").click()
        expect(junk.locator(".remove-version .field-error")).to_have_text(
            "Skriv hvorfor versjonen fjernes."
        )
        junk.get_by_label("Hvorfor fjernes versjonen?").fill("Feilimport fra Bizagi")
        junk.get_by_role("button", name="Fjern versjon 1").click()
        expect(page.locator("#flash")).to_have_text("To veier versjon 1 er fjernet.")
        expect(page.locator(".library-process").filter(has_text="To veier")).to_have_count(0)
        # A process that ran cannot be removed: no such action on it.
        ran = page.locator(".library-process").filter(has_text="Søknad om kompetansemidler")
        expect(ran).to_have_count(1)
        expect(ran.locator(".remove-version")).to_have_count(0)
        page.get_by_role("link", name="Start en prosess").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")  # the list is filled from the API
        expect(page.get_by_role("heading", name="To veier", level=2)).to_have_count(0)
    finally:
        page.context.close()
