"""The announcement board: open announcements with deadline and "Meld interesse" (AMB-P14)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect

from engine.services.assignment import announcements
from tests.conftest import deploy_processes
from tests.ui.harness import Server, axe_violations, new_page, running_server, sign_in

pytestmark = pytest.mark.ui

NEED = {
    "competence_requirements": ["Autorisert sykepleier"],
    "nature_of_work": "Vakter ved legevakten.",
    "expected_results": "Stabil bemanning i høytiden.",
    "contact_persons": [
        {"name": "Tone Lie", "municipality": "baerum", "email": "tone.lie@baerum.example"}
    ],
}


@pytest.fixture(scope="module")
def board_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """A server of its own with the real processes and one published announcement from Bærum."""
    with running_server(tmp_path_factory.mktemp("board")) as server:
        wiring = server.wiring
        deploy_processes(wiring, now=wiring.now())
        with wiring.new_uow() as uow:
            leader = uow.users.get("tl.baerum")
        created = announcements.create_announcement(
            wiring.new_uow(), actor=leader, now=wiring.now()
        )
        today = wiring.now().date()  # dates relative to the server's clock: any day works
        duration = {
            "planned_start": (today + timedelta(days=36)).isoformat(),
            "planned_end": (today + timedelta(days=61)).isoformat(),
        }
        deadline = (today + timedelta(days=14)).isoformat()
        server.complete_task(
            created["describe_need_task_id"],
            "tl.baerum",
            {**NEED, "duration": duration, "interest_deadline": deadline},
        )
        yield server, created["id"]


def test_an_employee_registers_interest_with_a_motivation(
    browser: Browser, board_server: tuple[Server, str]
) -> None:
    server, assignment = board_server
    page = new_page(browser, server.url, bypass_csp=True)
    try:
        sign_in(page, server.url, "emp.asker")
        page.get_by_role("link", name="Oppdrag").click()
        card = page.get_by_role("article", name=re.compile(assignment))
        expect(card.get_by_role("heading")).to_have_text(f"Bærum kommune \u2013 {assignment}")
        expect(card.locator(".deadline time")).to_have_text(re.compile(r"^\d{1,2}\. \w+ 20\d\d$"))
        expect(card).to_contain_text("Vakter ved legevakten.")
        assert axe_violations(page) == []

        card.get_by_role("button", name="Meld interesse").click()
        motivation = card.get_by_label(re.compile("^Kort begrunnelse"))
        expect(card.locator(".field-error")).to_have_text("Skriv en kort begrunnelse.")
        expect(motivation).to_have_attribute("aria-invalid", "true")
        expect(motivation).to_be_focused()
        motivation.fill("Jeg har jobbet på legevakt i fem år.")
        card.get_by_role("button", name="Meld interesse").click()
        expect(card).to_contain_text("Du har meldt interesse for dette oppdraget.")
        expect(page.locator("#flash")).to_contain_text("Interessen er registrert.")
        page.reload()
        card = page.get_by_role("article", name=re.compile(assignment))
        expect(card).to_contain_text("Du har meldt interesse for dette oppdraget.")
        expect(card.get_by_role("button", name="Meld interesse")).to_have_count(0)
    finally:
        page.context.close()


def test_own_municipality_announcements_have_no_button(
    browser: Browser, board_server: tuple[Server, str]
) -> None:
    server, assignment = board_server
    page = new_page(browser, server.url)
    try:
        sign_in(page, server.url, "tv.baerum")
        page.goto("/announcements")
        card = page.get_by_role("article", name=re.compile(assignment))
        expect(card).to_contain_text("Oppdraget er fra din egen kommune")
        expect(card.get_by_role("button", name="Meld interesse")).to_have_count(0)
    finally:
        page.context.close()
