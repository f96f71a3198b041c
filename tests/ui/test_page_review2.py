"""A second walkthrough of the pages, fixed and kept fixed: the board's menu link only for those
who may use the board, the demo clock's buttons named for what they do, the case page's
facts in words (municipality names, labelled statuses) and what it waits for."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from engine.services import instances, tasks
from engine.services.assignment import announcements
from engine.timezone import OSLO
from tests.conftest import deploy_processes
from tests.ui.harness import Server, new_page, open_tool, running_server, sign_in
from tests.ui.test_role_overview import _scenario_step

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def review_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo's processes, a Løten hiring case started by HR and an announced Bærum
    assignment (waiting for its interest deadline, with no open task)."""
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
        with server.wiring.new_uow() as uow:
            leader = uow.users.get("tl.baerum")
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
        with server.wiring.new_uow() as uow:
            employee = uow.users.get("emp.asker")
        announcements.register_interest(
            server.wiring.new_uow(),
            announced["id"],
            "Jeg har erfaring med dette.",
            actor=employee,
            now=server.wiring.now(),
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


@pytest.mark.parametrize("username", ["emp.asker", "tl.baerum", "tv.baerum", "admin"])
def test_the_board_is_in_the_menu_of_employees_and_service_leaders(
    browser: Browser, review_server: Server, username: str
) -> None:
    page = _page(browser, review_server, username)
    try:
        page.locator(".site-nav").get_by_role("link", name="Oppdrag", exact=True).click()
        expect(page.get_by_role("heading", name="Oppdrag i regionen")).to_be_visible()
    finally:
        page.context.close()


def test_the_clock_buttons_say_they_move_the_clock(browser: Browser, review_server: Server) -> None:
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


def _facts(page: Page) -> dict[str, str]:
    """The case page's facts («Sak»): each label with its value."""
    facts = page.get_by_role("region", name="Sak", exact=True)
    expect(facts.locator("dt").first).to_be_visible()
    labels = facts.locator("dl.details > dt").all_inner_texts()
    values = facts.locator("dl.details > dd").all_inner_texts()
    return dict(zip(labels, values, strict=True))


def test_the_case_page_says_it_waits_for_the_deadline(
    browser: Browser, review_server: Server
) -> None:
    page = _page(browser, review_server, "tl.baerum")
    try:
        page.get_by_role("link", name="Saker", exact=True).click()
        row = page.locator("#cases tbody tr").filter(has_text="Oppdrag i kompetansenettverket")
        row.get_by_role("link").first.click()
        facts = _facts(page)
        assert facts["Venter på"] == "Fristen (se «Neste frist»)"
        assert facts["Tilstand"] == "Pågår"
        assert "Status" not in facts
    finally:
        page.context.close()


def test_the_case_page_names_the_municipality_and_labels_the_status(
    browser: Browser, review_server: Server
) -> None:
    page = _page(browser, review_server, "hr.loten")
    try:
        page.get_by_role("link", name="Saker", exact=True).click()
        page.locator("#cases tbody tr").filter(has_text="2026/0777").get_by_role(
            "link"
        ).first.click()
        data = page.get_by_role("region", name="Saksopplysninger")
        expect(data.locator("dt").first).to_be_visible()
        shown = dict(
            zip(
                data.locator("dl.case-fields > dt").all_inner_texts(),
                data.locator("dl.case-fields > dd").all_inner_texts(),
                strict=True,
            )
        )
        assert shown["Kommune"] == "Løten kommune"
        assert shown["Status"] not in ("assessment", "")
        assert shown["Status"][0].isupper(), shown
        assert _facts(page)["Tilstand"] == "Pågår"
    finally:
        page.context.close()


def test_the_inbox_shows_no_dash_label_for_a_task_without_municipality(
    browser: Browser, review_server: Server
) -> None:
    """Leder Asker's approval of an interest is offered to them, not to a municipality."""
    page = new_page(browser, review_server.url, viewport={"width": 390, "height": 844})
    try:
        sign_in(page, review_server.url, "leder.asker")
        row = page.locator("#list tbody tr").first
        expect(row).to_be_visible()
        cells = row.locator("td")
        texts = cells.evaluate_all(
            "cells => cells.map(c => (getComputedStyle(c, '::before').content + c.innerText))"
        )
        assert not any("Kommune" in text for text in texts), texts
        assert texts[1] == "none", texts  # the municipality's cell: no label, no dash
    finally:
        page.context.close()


def test_audit_search_names_processes_and_municipalities(
    browser: Browser, review_server: Server
) -> None:
    page = _page(browser, review_server, "revisor")
    try:
        open_tool(page, "Revisjon")
        results = page.locator("#audit-results tbody")
        hiring = results.locator("tr").filter(has_text="2026/0777")
        expect(hiring).to_contain_text("Ansettelse (Løten kap. 4), versjon 1")
        expect(results).not_to_contain_text(" v1")
        expect(results).not_to_contain_text("assignment_interest")
        municipality = page.get_by_label("Kommune", exact=True)
        municipality.select_option(label="Løten kommune")
        page.get_by_role("button", name="Søk").click()
        expect(hiring).to_be_visible()
        expect(results.locator("tr").filter(has_text="OPPDRAG-")).to_have_count(0)
    finally:
        page.context.close()


def test_the_leave_application_asks_an_employee_for_no_case_number(
    browser: Browser, review_server: Server
) -> None:
    page = _page(browser, review_server, "emp.asker")
    try:
        page.get_by_role("link", name="Start en prosess").click()
        card = page.get_by_role("article", name="Søknad om permisjon")
        expect(card.get_by_role("button", name="Start")).to_be_visible()
        expect(card.get_by_label("Saksnummer (valgfritt)")).to_have_count(0)
        card.get_by_role("button", name="Start").click()
        page.wait_for_url("**/tasks/**")
    finally:
        page.context.close()
    hr = _page(browser, review_server, "hr.loten")
    try:  # HR keeps case numbers: the hiring start still asks for one
        hr.get_by_role("link", name="Start en prosess").click()
        card = hr.get_by_role("article", name="Ansettelse (Løten kap. 4)")
        expect(card.get_by_label("Saksnummer (valgfritt)")).to_be_visible()
    finally:
        hr.context.close()


def test_hr_chooses_the_unit_head_among_the_leaders_of_her_municipality(
    browser: Browser, review_server: Server
) -> None:
    page = _page(browser, review_server, "hr.loten")
    try:
        page.get_by_role("link", name="Start en prosess").click()
        card = page.get_by_role("article", name="Ansettelse (Løten kap. 4)")
        head = card.get_by_label("Virksomhetsleder", exact=True)
        expect(head.locator("option", has_text="Vidar Lien")).to_have_count(1)
        choices = [c.strip() for c in head.locator("option").all_inner_texts() if c.strip()]
        # Løten's leaders, by name and unit; no one from another municipality, no HR.
        assert [c for c in choices if "(" in c] == [
            "Rune Rådmann (Stab og administrasjon)",
            "Vidar Lien (Helse og omsorg)",
        ], choices
        head.select_option(label="Vidar Lien (Helse og omsorg)")
        card.get_by_label("Saksnummer (valgfritt)").fill("2026/0901")
        card.get_by_role("button", name="Start").click()
        page.wait_for_url("**/tasks/**")
    finally:
        page.context.close()
    with review_server.wiring.new_uow() as uow:
        started = [
            i for i in uow.instances.of_processes(["hiring"]) if i.business_key == "2026/0901"
        ]
    assert started and started[0].process_data["unit_head"] == "vl.loten"
