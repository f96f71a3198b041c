"""Write docs/screenshots/ (inbox, task page, phone inbox) from a seeded server in real Chromium.

Run with `make screenshots` (python -m tests.ui.screenshots).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from engine.settings import ROOT
from tests.conftest import deploy_processes
from tests.ui import assignment_routine
from tests.ui.harness import Server, days_ago, launch, new_page, running_server, sign_in

OUT = ROOT / "docs" / "screenshots"
ROUTINE_OUT = OUT / "assignment"
SERVICE_LEADER = "tl.baerum"


def seed(server: Server) -> str:
    """Start a few cases of the test process; return the id of the task to show."""
    for key, age in (("SAK-2026-014", 20), ("SAK-2026-021", 2), ("SAK-2026-023", 0)):
        server.start_instance(SERVICE_LEADER, key, now=days_ago(server.wiring, age))
    shown = server.start_instance(SERVICE_LEADER, "SAK-2026-027")
    return str(server.open_task_id(shown))


def fill_some(page: Page) -> None:
    """Fill part of the form so the screenshot shows real content."""
    page.get_by_label("Tittel på tiltaket").fill("Kurs i klarspråk for saksbehandlere")
    page.get_by_label("Begrunnelse").fill("Brev fra kommunen skal være enkle å forstå.")
    page.get_by_label("Antall timer").fill("12")
    page.get_by_label("Budsjett (kr)").fill("12 345,50")
    page.get_by_label("Prioritet").select_option(label="Høy")


def main() -> int:
    """Seed, browse and write the PNG files."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as directory, running_server(Path(directory)) as server:
        task_id = seed(server)
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = new_page(browser, server.url, viewport={"width": 1280, "height": 720})
            sign_in(page, server.url, SERVICE_LEADER)
            page.goto("/?tab=group")
            expect(page.locator("#list tbody tr")).to_have_count(4)
            page.screenshot(path=OUT / "inbox.png")

            phone = new_page(
                browser,
                server.url,
                viewport={"width": 390, "height": 844},
                is_mobile=True,
                has_touch=True,
                device_scale_factor=1,
            )
            sign_in(phone, server.url, SERVICE_LEADER)
            phone.goto("/?tab=group")
            expect(phone.locator("#list tbody tr")).to_have_count(4)
            phone.screenshot(path=OUT / "inbox-phone.png")
            page.goto(f"/tasks/{task_id}")
            page.get_by_role("button", name="Ta oppgaven").click()
            expect(page.locator(".history li")).to_have_count(3)
            expect(page.get_by_role("img", name="Prosessdiagram")).to_be_visible()
            fill_some(page)
            page.get_by_role("button", name="Fullfør oppgaven").click()
            expect(page.locator("#error-summary")).to_be_visible()
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=OUT / "task.png", full_page=True)

            browser.close()
    for name in ("inbox.png", "task.png", "inbox-phone.png"):
        print(f"wrote {OUT / name}")
    routine_screenshots()
    return 0


def routine_screenshots() -> None:
    """Play the assignment routine on the pages and keep its pages, numbered in order."""
    ROUTINE_OUT.mkdir(parents=True, exist_ok=True)
    for old in ROUTINE_OUT.glob("*.png"):
        old.unlink()
    taken: list[str] = []

    def shoot(page: Page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        path = ROUTINE_OUT / f"{len(taken) + 1:02d}-{name}.png"
        page.screenshot(path=path, full_page=True)
        taken.append(str(path))

    with (
        tempfile.TemporaryDirectory() as directory,
        running_server(Path(directory), demo_clock=True) as server,
    ):
        deploy_processes(server.wiring, now=server.wiring.now())
        with sync_playwright() as playwright:
            browser = launch(playwright)
            assignment_routine.play(browser, server, shoot)
            browser.close()
    for path in taken:
        print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
