"""axe-core finds no serious or critical problems on the login, inbox, task and start pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.ui.harness import Server, axe_violations, new_page, sign_in

pytestmark = pytest.mark.ui


def test_pages_have_no_serious_accessibility_violations(browser: Browser, server: Server) -> None:
    instance_id = server.start_instance("tl.baerum", "UI-AXE-1")
    task_id = server.open_task_id(instance_id)
    # axe is injected as an inline script, which the pages' CSP would otherwise refuse.
    page = new_page(browser, server.url, bypass_csp=True)
    found = {}
    try:
        page.goto("/login")
        found["login"] = axe_violations(page)
        sign_in(page, server.url, "tl.baerum")
        page.goto("/?tab=group")
        expect(page.locator("#list table")).to_be_visible()
        found["inbox"] = axe_violations(page)
        page.goto(f"/tasks/{task_id}")
        expect(page.get_by_role("img", name="Prosessdiagram")).to_be_visible()
        expect(page.locator(".history li").first).to_be_visible()
        found["task"] = axe_violations(page)
        page.get_by_role("button", name="Fullfør oppgaven").click()
        expect(page.locator("#error-summary")).to_be_visible()
        found["task with errors"] = axe_violations(page)
        page.goto("/start")
        expect(page.locator("article").first).to_be_visible()
        found["start"] = axe_violations(page)
    finally:
        page.context.close()
    assert {name: v for name, v in found.items() if v} == {}
