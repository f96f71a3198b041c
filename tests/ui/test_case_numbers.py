"""A case number names one case for good: "Start en prosess" refuses the number of another case
of the process, open or finished, at the case number field."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.ui.harness import Server, sign_in

pytestmark = pytest.mark.ui

TAKEN = "Saksnummeret er allerede i bruk."


def start_idea(page: Page, number: str) -> None:
    page.get_by_role("link", name="Start en prosess").click()
    card = page.locator("article").filter(has_text="Meld inn en idé")
    card.get_by_label("Saksnummer (valgfritt)").fill(number)
    card.get_by_role("button", name="Start").click()


def test_a_finished_cases_number_is_refused_at_the_field(page: Page, server: Server) -> None:
    sign_in(page, server.url, "emp.asker")
    start_idea(page, "IDE-DUP-1")
    page.wait_for_url(re.compile(r"/tasks/"))
    page.get_by_role("textbox", name=re.compile("^Idé")).fill("Felles kurskalender for regionen")
    page.get_by_role("button", name="Fullfør oppgaven").click()
    page.wait_for_url(f"{server.url}/")
    page.get_by_role("link", name=re.compile("^Startet av meg")).click()
    row = page.locator("#list tbody tr").filter(has_text="IDE-DUP-1")
    expect(row).to_contain_text("Fullført")

    start_idea(page, "IDE-DUP-1")
    card = page.locator("article").filter(has_text="Meld inn en idé")
    expect(card.locator("#business-key-0-error, .field-error:not([hidden])").first).to_have_text(
        TAKEN
    )
    expect(card.get_by_label("Saksnummer (valgfritt)")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-summary")).to_contain_text(f"Saksnummer (valgfritt): {TAKEN}")
    assert "/start" in page.url  # no second case was started
