"""What a walkthrough of every menu page as each kind of demo user found, fixed and kept fixed.

The header stays one row at 1280 px with the administration, process owner and auditor tools in
one menu that works by keyboard; the menu's "Saker" and the tabs "Mine saker" / "Saker for min
rolle" have different names; tables keep their labels at phone width; the users page names roles
and municipalities; board cards do not cut their labels; empty pages say what to do next; the
start page shows no process keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from engine.services import instances, tasks
from engine.services.assignment import announcements
from engine.timezone import OSLO
from tests.conftest import deploy_processes
from tests.ui.harness import Server, axe_violations, new_page, running_server, sign_in
from tests.ui.test_role_overview import _scenario_step
from web.i18n import format_date

pytestmark = pytest.mark.ui
DESK = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ADMIN_TOOLS = ("Prosessbibliotek", "Revisjon", "E-post", "Demoklokke", "Brukere")


@pytest.fixture(scope="module")
def review_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo's processes, a Løten vacancy started by HR and an announced Bærum assignment."""
    with running_server(tmp_path_factory.mktemp("review"), demo_clock=True) as server:
        deploy_processes(server.wiring, now=server.wiring.now())
        with server.wiring.new_uow() as uow:
            hr, leader = uow.users.get("hr.loten"), uow.users.get("tl.baerum")
        instances.start_instance(
            server.wiring.new_uow(),
            "hiring",
            {"unit_head": "vl.loten"},
            actor=hr,
            now=server.wiring.now(),
            business_key="2026/0412",
        )
        need = _scenario_step("assignment", "describe_need")
        today = server.wiring.now().astimezone(OSLO).date()
        need["interest_deadline"] = (today + timedelta(days=10)).isoformat()
        need["duration"] = {
            **need["duration"],
            "planned_start": (today + timedelta(days=20)).isoformat(),
            "planned_end": (today + timedelta(days=48)).isoformat(),
        }
        announced = announcements.create_announcement(
            server.wiring.new_uow(), actor=leader, now=server.wiring.now()
        )
        task_id = server.open_task_id(announced["instance_id"])
        tasks.complete_task(
            server.wiring.new_uow(), task_id, need, actor=leader, now=server.wiring.now()
        )
        yield server


def _page(browser: Browser, server: Server, username: str, **options: object) -> Page:
    page = new_page(browser, server.url, **options)
    sign_in(page, server.url, username)
    return page


def _labels(cells: Locator) -> list[str]:
    """What each cell shows before its value at phone width (its column's name)."""
    return cells.evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
        ".map(c => c === 'none' ? '' : c.replace(/^\"|\"$/g, ''))"
    )


def _one_row(page: Page) -> bool:
    """Whether the brand, every menu entry and "Logg ut" stand on one line."""
    middles = page.locator(
        ".brand, .site-nav > a, .site-nav > details > summary, .logout"
    ).evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; })"
    )
    return max(middles) - min(middles) < 8


@pytest.mark.parametrize(
    "username",
    [
        "emp.asker",
        "leder.asker",
        "tl.baerum",
        "tv.baerum",
        "fin.asker",
        "hr.loten",
        "adm.nettverk",
        "eier",
        "revisor",
        "revisor.asker",
        "admin",
    ],
)
def test_every_demo_users_bar_is_one_row_at_1280(
    browser: Browser, review_server: Server, username: str
) -> None:
    for lang in ("nb", "en"):
        page = new_page(browser, review_server.url, viewport=DESK)
        try:
            sign_in(page, review_server.url, username, lang=lang)
            assert _one_row(page), (username, lang)
        finally:
            page.context.close()


def test_the_admin_menu_keeps_the_bar_on_one_row_and_works_by_keyboard(
    browser: Browser, review_server: Server
) -> None:
    page = _page(browser, review_server, "admin", viewport=DESK, bypass_csp=True)
    try:
        nav = page.get_by_role("navigation", name="Hovedmeny")
        menu = nav.locator("summary", has_text="Administrasjon")
        for name in ADMIN_TOOLS:
            expect(nav.get_by_role("link", name=name)).to_be_hidden()

        menu.focus()
        page.keyboard.press("Enter")
        for name in ADMIN_TOOLS:
            expect(nav.get_by_role("link", name=name)).to_be_visible()
        assert axe_violations(page, ".site-header") == []
        page.keyboard.press("Tab")
        expect(nav.get_by_role("link", name="Prosessbibliotek")).to_be_focused()
        page.keyboard.press("Escape")
        expect(nav.get_by_role("link", name="Prosessbibliotek")).to_be_hidden()
        expect(menu).to_be_focused()

        menu.click()
        nav.get_by_role("link", name="Brukere").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Brukere")
        expect(menu).to_contain_text("du er her")
        menu.click()
        expect(nav.get_by_role("link", name="Brukere")).to_have_attribute("aria-current", "page")
        page.mouse.click(1200, 700)  # a click outside closes the menu
        expect(nav.get_by_role("link", name="Brukere")).to_be_hidden()
    finally:
        page.context.close()

    auditor = _page(browser, review_server, "revisor", viewport=DESK)
    try:  # two tools fit the bar: plain links, no menu
        nav = auditor.get_by_role("navigation", name="Hovedmeny")
        expect(nav.get_by_role("link", name="Prosessbibliotek")).to_be_visible()
        expect(nav.get_by_role("link", name="Revisjon")).to_be_visible()
        expect(nav.locator("summary")).to_have_count(0)
    finally:
        auditor.context.close()


def test_the_cases_menu_and_its_tabs_have_different_names(
    browser: Browser, review_server: Server
) -> None:
    page = _page(browser, review_server, "tl.baerum", viewport=DESK)
    try:
        page.get_by_role("navigation", name="Hovedmeny").get_by_role(
            "link", name="Saker", exact=True
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Mine saker")
        expect(page.get_by_role("link", name="Mine saker", exact=True)).to_have_count(1)
        expect(page.get_by_role("link", name="Saker for min rolle")).to_have_count(1)
    finally:
        page.context.close()


def test_the_start_page_points_a_service_leader_to_the_board(
    browser: Browser, review_server: Server
) -> None:
    """The assignment starts on the board («Nytt oppdrag»), not on «Start en prosess»."""
    page = _page(browser, review_server, "tl.baerum", viewport=DESK)
    try:
        page.get_by_role("link", name="Start en prosess").click()
        page.locator("#start-announce").get_by_role("link", name="Oppdrag").click()
        expect(page.get_by_role("button", name="Nytt oppdrag")).to_be_visible()
    finally:
        page.context.close()
    hr = _page(browser, review_server, "hr.loten", viewport=DESK)
    try:  # HR announces no assignments: no such hint
        hr.get_by_role("link", name="Start en prosess").click()
        expect(hr.get_by_role("article").first).to_be_visible()
        expect(hr.locator("#start-announce")).to_have_count(0)
    finally:
        hr.context.close()


def test_mine_saker_shows_the_deadline_a_case_waits_for(
    browser: Browser, review_server: Server
) -> None:
    """The announced assignment has no open task, only its interest deadline ahead."""
    today = review_server.wiring.now().astimezone(OSLO).date()
    page = _page(browser, review_server, "tl.baerum", viewport=DESK)
    try:
        page.get_by_role("link", name="Saker", exact=True).click()
        row = page.locator("#cases tbody tr").filter(has_text="Oppdrag i kompetansenettverket")
        expect(row).to_contain_text(format_date(today + timedelta(days=10), "nb"))
        expect(row).to_contain_text("Fristen")
        expect(row).not_to_contain_text("Ingenting venter")
    finally:
        page.context.close()


def test_tables_keep_their_column_names_at_phone_width(
    browser: Browser, review_server: Server
) -> None:
    hr = _page(browser, review_server, "hr.loten", viewport=PHONE, is_mobile=True)
    try:
        hr.goto("/ansettelser")
        row = hr.locator("tbody tr").filter(has_text="2026/0412")
        assert _labels(row.locator("td")) == [
            "Saksnummer: ",
            "Stilling: ",
            "Status: ",
            "Søknadsfrist: ",
            "Søkerne: ",
        ]
    finally:
        hr.context.close()

    admin = _page(browser, review_server, "admin", viewport=PHONE, is_mobile=True)
    try:
        admin.goto("/admin/users")
        row = admin.locator("tbody tr[data-username='tl.baerum']")
        expect(row).to_contain_text("Tjenesteleder")  # the role's name, not service_leader
        expect(row).to_contain_text("Bærum kommune")  # the municipality's name, not baerum
        expect(row).not_to_contain_text("service_leader")
        assert _labels(row.locator("td")) == [
            "Brukernavn: ",
            "Navn: ",
            "Roller: ",
            "Kommune: ",
            "Status: ",
            "",  # the button says what it does
        ]
        admin.goto("/audit")
        admin.get_by_role("button", name="Søk").click()
        row = admin.locator("#audit-results tbody tr").first
        expect(row).to_be_visible()
        labels = _labels(row.locator("td"))
        assert labels[0] == "Prosess og versjon: " and all(label.strip() for label in labels), (
            labels
        )
    finally:
        admin.context.close()


def test_board_cards_show_each_label_whole(browser: Browser, review_server: Server) -> None:
    for viewport in (DESK, PHONE):
        page = _page(browser, review_server, "emp.asker", viewport=viewport)
        try:
            page.get_by_role("link", name="Oppdrag", exact=True).click()
            card = page.locator("#board article").first
            expect(card).to_contain_text("Kompetansekrav (a)")
            cut = card.locator("dt").evaluate_all(
                "dts => dts.filter(dt => dt.scrollWidth > dt.clientWidth + 1)"
                ".map(dt => dt.textContent)"
            )
            assert cut == [], viewport
        finally:
            page.context.close()


def test_empty_pages_say_what_to_do_next_and_the_start_page_shows_no_keys(
    browser: Browser, review_server: Server
) -> None:
    page = _page(browser, review_server, "emp2.asker", viewport=DESK)
    try:
        expect(page.locator("#list .empty")).to_contain_text("«Oppdrag»")
        page.get_by_role("link", name=re.compile("^Startet av meg")).click()
        expect(page.locator("#list .empty")).to_contain_text("«Start en prosess»")
        page.get_by_role("link", name="Saker", exact=True).click()
        expect(page.locator("#cases .empty")).to_contain_text("melder interesse for et oppdrag")
    finally:
        page.context.close()

    hr = _page(browser, review_server, "hr.loten", viewport=DESK)
    try:
        hr.get_by_role("link", name="Start en prosess").click()
        card = hr.get_by_role("article", name="Ansettelse (Løten kap. 4)")
        expect(card).to_contain_text("Versjon 1")
        expect(card).not_to_contain_text("hiring ·")
    finally:
        hr.context.close()

    admin = _page(browser, review_server, "admin", viewport=DESK)
    try:
        admin.goto("/admin/mail")
        expect(admin.locator(".lead, main p").first).to_be_visible()
        expect(admin.locator("main")).not_to_contain_text("SAKSFLYT_SMTP_HOST")
        expect(admin.locator("main")).not_to_contain_text("mail_dir")
    finally:
        admin.context.close()
