"""Cases on hold, seen from the library and the case page.

The library counts a version's cases on hold apart from its running ones ("1 kjører, 1 på
vent"): a case on hold is neither running nor ended. On the case page, the task of a case on
hold opens as it does from the inbox: its page is read-only and says "På vent".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.ui.harness import PROCESS, Server, new_page, running_server, sign_in

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def held_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own: the library's counts are of this module's cases only."""
    with running_server(tmp_path_factory.mktemp("held")) as server:
        yield server


def _put_on_hold(browser: Browser, server: Server, instance_id: object) -> None:
    admin = new_page(browser, server.url)
    try:
        sign_in(admin, server.url, "admin")
        admin.goto(f"/cases/{instance_id}")
        admin.get_by_label(re.compile("^Grunn til at saken settes på vent")).fill(
            "Venter på budsjettvedtak."
        )
        admin.get_by_role("button", name="Sett på vent").click()
        expect(admin.locator("#flash")).to_have_text("Saken er satt på vent.")
    finally:
        admin.context.close()


def _library_count(page: Page) -> str:
    page.goto("/library")
    section = page.locator(f".library-process[data-key={PROCESS}]")
    return section.locator("tbody tr").first.locator(".running").inner_text()


def test_the_library_counts_running_and_held_cases_apart(
    browser: Browser, held_server: Server
) -> None:
    held_server.start_instance("tl.baerum", "UI-HELD-LIB-1")
    on_hold = held_server.start_instance("tl.baerum", "UI-HELD-LIB-2")
    page = new_page(browser, held_server.url)
    try:
        sign_in(page, held_server.url, "admin")
        assert _library_count(page) == "2"
        _put_on_hold(browser, held_server, on_hold)
        assert _library_count(page) == "1 kjører, 1 på vent"
        page.goto("/library?lang=en")
        row = page.locator(f".library-process[data-key={PROCESS}] tbody tr").first
        expect(row.locator(".running")).to_have_text("1 running, 1 on hold")
    finally:
        page.context.close()


def test_the_task_of_a_held_case_opens_from_the_case_page_read_only(
    browser: Browser, held_server: Server
) -> None:
    instance_id = held_server.start_instance("tl.baerum", "UI-HELD-CASE-1")
    _put_on_hold(browser, held_server, instance_id)
    page = new_page(browser, held_server.url)
    try:
        sign_in(page, held_server.url, "tl.baerum")
        page.goto(f"/cases/{instance_id}")
        task = page.locator(".case-tasks li").filter(has_text="Vurder søknaden")
        expect(task.locator(".badge--hold")).to_have_text("På vent")
        task.get_by_role("link", name="Vurder søknaden").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Vurder søknaden")
        expect(page.locator("#on-hold")).to_contain_text("Saken er satt på vent.")
        expect(page.locator("#on-hold")).to_contain_text("Venter på budsjettvedtak.")
        expect(page.get_by_role("button", name="Fullfør oppgaven")).to_have_count(0)

        # An auditor reads the case, but the task is not theirs to work: no link to it.
        other = new_page(browser, held_server.url)
        try:
            sign_in(other, held_server.url, "revisor")
            other.goto(f"/cases/{instance_id}")
            held = other.locator(".case-tasks li").filter(has_text="Vurder søknaden")
            expect(held.locator(".badge--hold")).to_have_text("På vent")
            expect(held.get_by_role("link")).to_have_count(0)
        finally:
            other.context.close()
    finally:
        page.context.close()
