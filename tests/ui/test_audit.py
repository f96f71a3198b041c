"""An auditor finds a finished assignment, steps through it to the invoice, and exports it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from playwright.sync_api import Browser, Page, expect

from engine.store.audit import InstanceFilter
from tests.conftest import deploy_processes
from tests.processes.test_scenarios import SCENARIOS, Player
from tests.ui.harness import Server, axe_violations, new_page, running_server, sign_in

pytestmark = pytest.mark.ui

HAPPY_PATH = next(p.values[1] for p in SCENARIOS if p.id == "assignment:happy_path")


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, UUID]]:
    """A server of its own with the assignment processes and their happy path played."""
    with running_server(tmp_path_factory.mktemp("audit")) as server:
        deploy_processes(server.wiring, actor="eier")
        player = Player(server.wiring)
        player.start(HAPPY_PATH["start"])
        for step in HAPPY_PATH["steps"]:
            player.play(step)
        yield server, player.aliases["a"]


@pytest.fixture
def auditor(browser: Browser, played: tuple[Server, UUID]) -> Iterator[Page]:
    server, _ = played
    # axe is injected as an inline script, which the pages' CSP would otherwise refuse.
    page = new_page(browser, server.url, bypass_csp=True)
    sign_in(page, server.url, "revisor")
    yield page
    page.context.close()


def test_an_auditor_steps_through_a_finished_assignment_and_exports_it(
    auditor: Page, played: tuple[Server, UUID], tmp_path: Path
) -> None:
    page = auditor
    server, instance_id = played
    page.get_by_role("link", name="Revisjon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revisjon")
    page.get_by_label("Prosess", exact=True).select_option("assignment")
    page.get_by_label("Saksnummer", exact=True).fill("OPPDRAG-1")
    page.get_by_label("Status", exact=True).select_option("completed")
    page.get_by_role("button", name="Søk", exact=True).click()
    results = page.locator("#audit-results tbody tr")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Oppdrag i kompetansenettverket, versjon 1")
    results.first.get_by_role("link", name="OPPDRAG-1").click()

    expect(page.locator("#chain-status")).to_have_text("✓ Hendelseskjeden er uendret")
    expect(page.locator("#position")).to_have_text(re.compile(r"^Hendelse 1 av \d+$"))
    expect(page.locator("#step-title")).to_have_text("1. Prosessen ble startet")
    expect(page.locator("#step-actor")).to_have_text("tl.baerum")
    expect(page.locator("#step-version")).to_have_text("assignment v1")
    expect(page.locator("#audit-diagram svg[role=img]")).to_be_visible()
    # One token: the first task, describe_need.
    expect(page.locator("#audit-diagram .djs-element.audit-token")).to_have_count(1)

    # Forward, event by event, from the start until the leader's approval of the contract.
    total = int(page.locator("#position").inner_text().split()[-1])
    for seq in range(2, total + 1):
        page.get_by_role("button", name="Neste", exact=True).click()
        expect(page.locator("#step-title")).to_have_text(re.compile(rf"^{seq}\. "))
        if (
            page.locator("#step-actor").inner_text() == "leder.asker"
            and "sign_contract_lending_leader" in page.locator("#step-element").inner_text()
            and page.locator("#step-title").inner_text().endswith("Oppgave fullført")
        ):
            break
    expect(page.locator("#step-element")).to_contain_text("sign_contract_lending_leader")
    expect(page.locator("#delta")).to_contain_text("lending_leader_decision")
    expect(page.locator("#step-version")).to_have_text("assignment v1")
    expect(page.locator("#audit-diagram .djs-element.audit-step")).to_have_count(1)
    expect(page.locator("#audit-diagram .djs-element.audit-done").first).to_be_visible()
    approval = page.locator("#position").inner_text()
    assert axe_violations(page, "#main") == []

    # Back one step and forward again: the same approval.
    page.get_by_role("button", name="Forrige", exact=True).click()
    expect(page.locator("#position")).not_to_have_text(approval)
    page.get_by_role("button", name="Neste", exact=True).click()
    expect(page.locator("#position")).to_have_text(approval)
    expect(page.locator("#step-actor")).to_have_text("leder.asker")

    # On to the invoice: the last event closes the instance with nothing left waiting.
    page.get_by_role("button", name="Siste hendelse", exact=True).click()
    expect(page.locator("#step-title")).to_have_text(re.compile(r"Prosessen ble fullført$"))
    expect(page.locator("#audit-diagram .djs-element.audit-token")).to_have_count(0)
    page.locator("#timeline button").filter(has_text="Send faktura").last.click()
    expect(page.locator("#step-actor")).to_have_text("fin.asker")

    with page.expect_download() as download:
        page.get_by_role("link", name="JSON").click()
    saved = tmp_path / "export.json"
    download.value.save_as(saved)
    record = json.loads(saved.read_text(encoding="utf-8"))
    assert record["verification"]["ok"] is True and record["exported_by"] == "revisor"
    assert record["instance"]["id"] == str(instance_id)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == f"instance-{instance_id}.csv"

    with server.wiring.new_uow() as uow:
        logged = [e for e in uow.history.stream("system") if e.type == "audit_query"]
    # Only auditors' reads are logged (the scoped auditor's test may share this server).
    assert "revisor" in {e.actor for e in logged} <= {"revisor", "revisor.asker"}
    assert any(e.data["path"].endswith("/state") for e in logged)


def test_participants_cannot_open_the_audit_pages(
    browser: Browser, played: tuple[Server, UUID]
) -> None:
    server, instance_id = played
    page = new_page(browser, server.url)
    try:
        sign_in(page, server.url, "emp.asker")
        expect(page.get_by_role("link", name="Revisjon")).to_have_count(0)
        page.goto(f"{server.url}/audit/instances/{instance_id}")
        expect(page.get_by_role("alert")).to_have_text(
            "Revisjonssidene er for revisorer og administratorer."
        )
    finally:
        page.context.close()


def test_a_scoped_auditor_sees_her_municipalitys_instance_masked_and_not_the_others(
    browser: Browser, played: tuple[Server, UUID]
) -> None:
    server, instance_id = played
    with server.wiring.new_uow() as uow:
        ids = [i.id for i in uow.audit.search(InstanceFilter(), limit=100, offset=0)[0]]
        outside = next(i for i in ids if not uow.audit.involves(i, "asker"))
    page = new_page(browser, server.url)
    try:
        sign_in(page, server.url, "revisor.asker")
        # The assignment lent an Asker employee: Asker's auditor finds it, with data hidden.
        page.goto(f"{server.url}/audit/instances/{instance_id}")
        expect(page.locator("#chain-status")).to_have_text("✓ Hendelseskjeden er uendret")
        expect(page.locator("#position")).to_have_text(re.compile(r"^Hendelse 1 av \d+$"))
        expect(page.locator("#delta")).to_contain_text("[skjult]")
        # An instance only other municipalities took part in is not found.
        page.goto(f"{server.url}/audit/instances/{outside}")
        expect(page.get_by_role("alert")).to_be_visible()
        expect(page.locator("#chain-status")).to_have_count(0)
    finally:
        page.context.close()


def test_the_replay_shows_the_data_in_full_and_keeps_the_controls_in_view_while_stepping(
    auditor: Page, played: tuple[Server, UUID]
) -> None:
    page = auditor
    server, instance_id = played
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{server.url}/audit/instances/{instance_id}")
    expect(page.locator("#step-title")).to_have_text("1. Prosessen ble startet")
    # The start data and the data after it: each key with its value, never a DOM object's name.
    submitted = page.locator("#submitted-data")
    expect(submitted).to_be_visible()
    expect(submitted.locator("dt").first).not_to_be_empty()
    expect(page.locator("#data-now-list")).to_be_visible()
    for box in (submitted, page.locator("#data-now-list")):
        assert "[object HTMLElement]" not in box.inner_text()
        assert box.locator("dt").count() == box.locator("dd").count() > 0
    # Stepping on and back with the controls scrolled to the top of the window: the buttons and
    # the diagram stay on screen.
    page.locator("#player-title").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('player-title').scrollIntoView({block: 'start'})")
    height = page.viewport_size["height"] if page.viewport_size else 800
    for name, seq in [("Neste", n) for n in range(2, 9)] + [("Forrige", 7), ("Forrige", 6)]:
        page.get_by_role("button", name=name, exact=True).click()
        expect(page.locator("#step-title")).to_have_text(re.compile(rf"^{seq}\. "))
        for selector in ("#next", "#prev", "#audit-diagram"):
            box = page.locator(selector).bounding_box()
            assert box is not None and 0 <= box["y"] < height, (selector, seq, box)
    # A completed task's submitted data is shown whole, open, with its values.
    page.locator("#timeline button").filter(has_text="Oppgave fullført").first.click()
    expect(page.locator("#submitted-data dd").first).to_be_visible()
    assert "[object HTMLElement]" not in page.locator("#step").inner_text()
