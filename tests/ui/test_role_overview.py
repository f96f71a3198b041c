"""The role overview ("Saker for min rolle") beside "Mine saker", through the pages: HR of
Løten and Bærum's service leader find the cases their role covers, filter them and open one;
Lier's service leader (same role, another municipality) finds none, and a participant without
such a role sees no tab (issue 17 §1)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from engine.services import cases, instances, tasks
from engine.services.assignment import announcements
from engine.timezone import OSLO
from tests.conftest import ROOT, deploy_processes
from tests.ui.harness import Server, axe_violations, new_page, running_server, sign_in

pytestmark = pytest.mark.ui


def _scenario_step(process: str, element: str) -> dict[str, Any]:
    path = ROOT / "processes" / process / "scenarios.json"
    steps = json.loads(path.read_text(encoding="utf-8"))["scenarios"][0]["steps"]
    return dict(next(s for s in steps if s.get("complete") == element)["data"])


def _start(server: Server, process: str, username: str, key: str, data: dict[str, Any]) -> Any:
    with server.wiring.new_uow() as uow:
        actor = uow.users.get(username)
    return instances.start_instance(
        server.wiring.new_uow(),
        process,
        data,
        actor=actor,
        now=server.wiring.now(),
        business_key=key,
    ).id


def _complete(server: Server, instance_id: Any, username: str, data: dict[str, Any]) -> None:
    with server.wiring.new_uow() as uow:
        actor = uow.users.get(username)
    task_id = server.open_task_id(instance_id)
    tasks.complete_task(
        server.wiring.new_uow(), task_id, data, actor=actor, now=server.wiring.now()
    )


@pytest.fixture(scope="module")
def overview_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Two Løten vacancies (one assessed, one cancelled) and a published Bærum assignment."""
    with running_server(tmp_path_factory.mktemp("overview")) as server:
        deploy_processes(server.wiring, now=server.wiring.now())
        assessed = _start(server, "hiring", "vl.loten", "LOTEN-UI-1", {"unit_head": "vl.loten"})
        _complete(server, assessed, "vl.loten", _scenario_step("hiring", "assess_vacancy"))
        cancelled = _start(server, "hiring", "vl.loten", "LOTEN-UI-2", {"unit_head": "vl.loten"})
        with server.wiring.new_uow() as uow:
            starter = uow.users.get("vl.loten")
        cases.cancel_case(
            server.wiring.new_uow(),
            cancelled,
            "Stillingen inndras.",
            actor=starter,
            now=server.wiring.now(),
        )
        need = _scenario_step("assignment", "describe_need")
        today = server.wiring.now().astimezone(OSLO).date()
        need["interest_deadline"] = (today + timedelta(days=10)).isoformat()
        need["duration"] = {
            **need["duration"],
            "planned_start": (today + timedelta(days=20)).isoformat(),
            "planned_end": (today + timedelta(days=48)).isoformat(),
        }
        with server.wiring.new_uow() as uow:
            leader = uow.users.get("tl.baerum")
        announced = announcements.create_announcement(
            server.wiring.new_uow(), actor=leader, now=server.wiring.now()
        )
        assignment = announced["instance_id"]
        _complete(server, assignment, "tl.baerum", need)
        yield server


def _role_tab(page: Page) -> None:
    page.get_by_role("link", name="Saker", exact=True).click()
    page.get_by_role("link", name="Saker for min rolle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saker for min rolle")


def test_hr_finds_the_municipalitys_vacancies_filters_and_opens_one(
    browser: Browser, overview_server: Server, tmp_path: Path
) -> None:
    page = new_page(browser, overview_server.url, bypass_csp=True)  # axe is injected
    try:
        sign_in(page, overview_server.url, "hr.loten")
        _role_tab(page)
        rows = page.locator("#cases tbody tr")
        expect(rows).to_have_count(2)
        assessed = rows.filter(has_text="LOTEN-UI-1")
        expect(assessed.get_by_role("link", name="Sykepleier")).to_be_visible()
        expect(assessed).to_contain_text("Ansettelse")
        expect(assessed).to_contain_text("Venter på: Drøft vurderingen med tillitsvalgte")
        expect(rows.filter(has_text="LOTEN-UI-2")).to_contain_text("Avlyst")
        expect(page.get_by_text("2 saker")).to_be_visible()
        assert axe_violations(page) == []
        # a test run never writes docs/screenshots (a clean checkout stays clean); look here
        page.screenshot(path=str(tmp_path / "cases-role-overview.png"), full_page=True)

        page.get_by_label("Tilstand").select_option(label="Avlyst")
        page.get_by_role("button", name="Vis").click()
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("LOTEN-UI-2")
        page.get_by_label("Tilstand").select_option(label="Pågår")
        page.get_by_role("button", name="Vis").click()
        expect(rows).to_have_count(1)
        rows.first.get_by_role("link", name="Sykepleier").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("LOTEN-UI-1")
    finally:
        page.context.close()


def test_a_service_leader_sees_the_next_deadline_and_another_municipalitys_sees_nothing(
    browser: Browser, overview_server: Server
) -> None:
    page = new_page(browser, overview_server.url)
    try:
        sign_in(page, overview_server.url, "tl.baerum")
        _role_tab(page)
        row = page.locator("#cases tbody tr").filter(has_text="Vakter ved legevakten")
        expect(row).to_have_count(1)
        deadline = overview_server.wiring.now().astimezone(OSLO).date() + timedelta(days=10)
        months = [
            "januar",
            "februar",
            "mars",
            "april",
            "mai",
            "juni",
            "juli",
            "august",
            "september",
            "oktober",
            "november",
            "desember",
        ]
        shown = f"{deadline.day}. {months[deadline.month - 1]} {deadline.year}"
        expect(row.locator("time")).to_have_text(shown)
        expect(page.locator("#cases")).not_to_contain_text("LOTEN-UI")
        page.get_by_label("Prosess", exact=True).select_option(label="Ansettelse (Løten kap. 4)")
        page.get_by_role("button", name="Vis").click()
        expect(page.get_by_text("Ingen saker for rollen din passer filteret.")).to_be_visible()

    finally:
        page.context.close()
    lier = new_page(browser, overview_server.url)
    try:
        sign_in(lier, overview_server.url, "tl.lier")  # the same role in Lier
        _role_tab(lier)
        expect(lier.get_by_text("Ingen saker for rollen din passer filteret.")).to_be_visible()
    finally:
        lier.context.close()


def test_a_person_without_an_overview_role_sees_only_mine_saker(
    browser: Browser, overview_server: Server
) -> None:
    page = new_page(browser, overview_server.url)
    try:
        sign_in(page, overview_server.url, "tv.loten")
        page.get_by_role("link", name="Saker", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Mine saker")
        expect(page.get_by_role("link", name="Saker for min rolle")).to_have_count(0)
        page.goto("/cases?view=role")  # asked by address: still only their own cases
        expect(page.get_by_role("heading", level=1)).to_have_text("Mine saker")
        expect(page.get_by_role("link", name=re.compile("Saker for min rolle"))).to_have_count(0)
    finally:
        page.context.close()
