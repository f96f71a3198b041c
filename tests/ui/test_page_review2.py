"""A second walkthrough of the pages, fixed and kept fixed: the board's menu link only for those
who may use the board, the demo clock's buttons named for what they do, the case page's
facts in words (municipality names, labelled statuses) and what it waits for."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from engine.services import instances
from tests.conftest import deploy_processes
from tests.ui.harness import Server, new_page, open_tool, running_server, sign_in

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def review_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo's processes and a Løten hiring case started by HR."""
    with running_server(tmp_path_factory.mktemp("review2"), demo_clock=True) as server:
        deploy_processes(server.wiring, now=server.wiring.now())
        with server.wiring.new_uow() as uow:
            hr = uow.users.get("hr.loten")
        instances.start_instance(
            server.wiring.new_uow(),
            "hiring",
            {"unit_head": "vl.loten"},
            actor=hr,
            now=server.wiring.now(),
            business_key="2026/0777",
        )
        yield server


def _page(browser: Browser, server: Server, username: str) -> Page:
    page = new_page(browser, server.url)
    sign_in(page, server.url, username)
    return page


@pytest.mark.parametrize("username", ["revisor", "eier", "hr.loten", "fin.asker"])
def test_the_board_is_not_in_the_menu_of_those_who_cannot_use_it(
    browser: Browser, review_server: Server, username: str
) -> None:
    page = _page(browser, review_server, username)
    try:
        nav = page.locator(".site-nav")
        expect(nav.get_by_role("link", name="Saker", exact=True)).to_be_visible()
        expect(nav.get_by_role("link", name="Oppdrag", exact=True)).to_have_count(0)
        response = page.goto("/announcements")
        assert response is not None and response.status == 403
        expect(page.get_by_role("alert")).to_contain_text("Oppdragstavla er for ansatte")
    finally:
        page.context.close()


@pytest.mark.parametrize("username", ["emp.asker", "tl.baerum", "admin"])
def test_the_board_is_in_the_menu_of_employees_and_service_leaders(
    browser: Browser, review_server: Server, username: str
) -> None:
    page = _page(browser, review_server, username)
    try:
        page.locator(".site-nav").get_by_role("link", name="Oppdrag", exact=True).click()
        expect(page.get_by_role("heading", name="Oppdrag i regionen")).to_be_visible()
    finally:
        page.context.close()


def test_the_clock_buttons_say_they_move_the_clock(
    browser: Browser, review_server: Server
) -> None:
    page = _page(browser, review_server, "admin")
    try:
        open_tool(page, "Demoklokke")
        group = page.get_by_role("group", name="Flytt klokka")
        for visible, named in (
            ("+1 dag", "flytt klokka 1 dag fram"),
            ("+1 uke", "flytt klokka 1 uke fram"),
            ("+3 uker", "flytt klokka 3 uker fram"),
        ):
            button = group.get_by_role("button", name=f"{visible}: {named}", exact=True)
            expect(button).to_be_visible()
            # The visible text stays short (and is part of the name, for voice control).
            assert button.evaluate("b => b.innerText.trim()") == visible
    finally:
        page.context.close()
