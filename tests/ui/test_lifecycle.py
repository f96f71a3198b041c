"""An admin puts a case on hold on its page; its task refuses in bokmål until the case resumes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.ui.harness import Server, new_page, sign_in

pytestmark = pytest.mark.ui


def _task_page(page: Page, business_key: str) -> None:
    page.get_by_role("link", name=re.compile("^Gruppens")).click()
    row = page.locator("#list tbody tr").filter(has_text=business_key)
    row.get_by_role("link", name="Vurder søknaden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vurder søknaden")


def _fill(page: Page) -> None:
    page.get_by_label("Tiltak").fill("Kurs i klarspråk")
    page.get_by_label("Antall timer").fill("12")
    page.get_by_label("Budsjett (kr)").fill("12 345,50")
    page.get_by_label("Oppstartsdato").fill("2026-05-17")
    page.get_by_label("Prioritet").select_option(label="Høy")
    page.get_by_label("Anbefales", exact=True).check()


def test_a_case_on_hold_refuses_its_task_until_it_is_resumed(
    page: Page, server: Server, browser: Browser
) -> None:
    instance_id = server.start_instance("tl.baerum", "UI-HOLD-1")
    admin = new_page(browser, server.url)
    try:
        sign_in(page, server.url, "tl.baerum")
        _task_page(page, "UI-HOLD-1")
        _fill(page)  # the form was open when the case was put on hold

        sign_in(admin, server.url, "admin")
        admin.goto(f"/cases/{instance_id}")  # as from the case link in a mail
        expect(admin.get_by_role("heading", level=1)).to_contain_text("UI-HOLD-1")
        admin.get_by_role("button", name="Sett på vent").click()
        expect(admin.locator("#suspend-reason-error")).to_have_text(
            "Skriv hvorfor saken settes på vent."
        )
        admin.get_by_label(re.compile("^Grunn til at saken settes på vent")).fill(
            "Venter på budsjettvedtak."
        )
        admin.get_by_role("button", name="Sett på vent").click()
        expect(admin.locator("#flash")).to_have_text("Saken er satt på vent.")
        expect(admin.locator(".details")).to_contain_text("På vent")
        expect(admin.locator(".details")).to_contain_text("Venter på budsjettvedtak.")
        expect(admin.locator(".history")).to_contain_text("Saken ble satt på vent")
        expect(admin.get_by_role("button", name="Sett på vent")).to_have_count(0)
        expect(admin.locator(".case-tasks")).to_contain_text("På vent")

        page.get_by_role("button", name="Fullfør oppgaven").click()
        expect(page.locator("#flash")).to_have_text(
            "Saken er satt på vent. Oppgaven kan fullføres når saken er tatt opp igjen."
        )
        # Back in the inbox the task is still listed, greyed as on hold; its page says why.
        page.goto("/")
        page.get_by_role("link", name=re.compile("^Gruppens")).click()
        row = page.locator("#list tbody tr").filter(has_text="UI-HOLD-1")
        expect(row.locator(".badge--hold")).to_have_text("På vent")
        row.get_by_role("link", name="Vurder søknaden").click()
        expect(page.locator("#on-hold")).to_contain_text("Saken er satt på vent.")
        expect(page.locator("#on-hold")).to_contain_text("Venter på budsjettvedtak.")
        expect(page.get_by_role("button", name="Fullfør oppgaven")).to_have_count(0)
        expect(page.get_by_label("Tiltak")).not_to_be_editable()
        page.get_by_role("link", name="Saker", exact=True).click()
        expect(page.locator("tr").filter(has_text="UI-HOLD-1")).to_contain_text("På vent")

        admin.get_by_label(re.compile("^Grunn til at saken tas opp igjen")).fill(
            "Budsjettet er vedtatt."
        )
        admin.get_by_role("button", name="Ta opp igjen").click()
        expect(admin.locator("#flash")).to_have_text("Saken er tatt opp igjen.")
        expect(admin.locator(".history")).to_contain_text("Saken ble tatt opp igjen")
        expect(admin.locator(".history")).to_contain_text("Budsjettet er vedtatt.")
        expect(admin.locator(".details")).to_contain_text("Pågår")
    finally:
        admin.context.close()

    page.goto("/")
    _task_page(page, "UI-HOLD-1")  # back in the list as any other task
    expect(page.locator("#on-hold")).to_have_count(0)
    _fill(page)
    page.get_by_role("button", name="Fullfør oppgaven").click()
    page.wait_for_url(f"{server.url}/")
    expect(page.locator("#flash")).to_have_text("Oppgaven «Vurder søknaden» er fullført.")
