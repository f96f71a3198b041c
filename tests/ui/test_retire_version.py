"""A process owner retires a junk import that has run: it leaves the start page, its case goes
on, and the retirement (who, when, why) shows in the library until it is undone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from engine.services import definitions, instances
from tests.ui.harness import Server, new_page, running_server, sign_in

pytestmark = pytest.mark.ui

JUNK = Path(__file__).parents[1] / "services" / "fixtures_lifecycle" / "two_paths.bpmn"


@pytest.fixture(scope="module")
def junk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("retire")) as server:
        wiring = server.wiring
        files = {"two_paths.bpmn": JUNK.read_bytes()}
        definitions.deploy(wiring.new_uow(), files, actor="eier", now=wiring.now())
        with wiring.new_uow() as uow:
            admin = uow.users.get("admin")
        instances.start_instance(wiring.new_uow(), "two_paths", {}, actor=admin, now=wiring.now())
        yield server


def _start_page_shows(page: Page, name: str, count: int) -> None:
    page.get_by_role("link", name="Start en prosess").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")  # the list is filled from the API
    expect(page.get_by_role("heading", name=name, level=2)).to_have_count(count)


def test_a_process_owner_retires_a_junk_import_that_ran_and_undoes_it(
    browser: Browser, junk_server: Server
) -> None:
    page = new_page(browser, junk_server.url)
    try:
        sign_in(page, junk_server.url, "eier")
        _start_page_shows(page, "To veier", 1)
        page.get_by_role("link", name="Prosessbibliotek").click()
        junk = page.locator(".library-process").filter(
            has=page.get_by_role("heading", name=re.compile("To veier"))
        )
        expect(junk.locator(".remove-version")).to_have_count(0)  # it ran: only retiring
        junk.get_by_text("Ta ut av bruk", exact=True).click()
        expect(junk.locator(".retire-version .note")).to_contain_text("Versjon 1 er gjeldende.")
        junk.get_by_role("button", name="Ta versjon 1 ut av bruk").click()
        expect(junk.locator(".retire-version .field-error")).to_have_text(
            "Skriv hvorfor versjonen tas ut av bruk."
        )
        junk.get_by_label("Hvorfor tas versjonen ut av bruk?").fill("Feilimport med fem bassenger")
        junk.get_by_role("button", name="Ta versjon 1 ut av bruk").click()
        expect(page.locator("#flash")).to_have_text(
            "To veier versjon 1 er tatt ut av bruk. Nye saker kan ikke startes på den; "
            "saker som er i gang, fortsetter."
        )
        row = junk.locator("tbody tr").first
        expect(row).to_contain_text("Tatt ut av bruk")
        expect(row).to_contain_text("av eier")
        expect(row).to_contain_text("Feilimport med fem bassenger")
        expect(row.locator(".running")).to_have_text("1")  # the case on it goes on
        expect(junk.locator(".not-startable")).to_contain_text("Prosessen kan ikke startes")
        _start_page_shows(page, "To veier", 0)

        page.get_by_role("link", name="Prosessbibliotek").click()
        junk.get_by_text("Ta i bruk igjen", exact=True).click()
        junk.get_by_label("Hvorfor tas versjonen i bruk igjen?").fill("Brukes likevel")
        junk.get_by_role("button", name="Ta versjon 1 i bruk igjen").click()
        expect(page.locator("#flash")).to_have_text("To veier versjon 1 er tatt i bruk igjen.")
        expect(junk.locator(".not-startable")).to_have_count(0)
        _start_page_shows(page, "To veier", 1)
    finally:
        page.context.close()
