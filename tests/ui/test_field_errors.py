"""A field's error goes when the person corrects that field, before any new submit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.ui.harness import Server, sign_in

pytestmark = pytest.mark.ui


def open_review(page: Page, server: Server, business_key: str) -> None:
    instance_id = server.start_instance("tl.baerum", business_key)
    sign_in(page, server.url, "tl.baerum")
    page.goto(f"/tasks/{server.open_task_id(instance_id)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vurder søknaden")
    page.get_by_role("button", name="Ta oppgaven").click()
    expect(page.locator(".claim-bar")).to_contain_text("Du har tatt denne oppgaven.")


def test_the_servers_field_error_goes_when_the_field_is_corrected(
    page: Page, server: Server
) -> None:
    open_review(page, server, "UI-FIELD-ERRORS-1")
    # Title and hours left out: the server (422) names both fields.
    page.get_by_label("Oppstartsdato").fill("2026-05-17")
    page.get_by_label("Prioritet").select_option(label="Høy")
    page.get_by_label("Anbefales", exact=True).check()
    with page.expect_response(re.compile(r"/complete$")) as refused:
        page.get_by_role("button", name="Fullfør oppgaven").click()
    assert refused.value.status == 422
    title, hours = page.locator("#f-title"), page.locator("#f-hours")
    summary = page.locator("#error-summary")
    expect(page.locator("#f-title-error")).to_have_text("Feltet må fylles ut.")
    expect(page.locator("#f-hours-error")).to_have_text("Feltet må fylles ut.")
    expect(summary.locator("li")).to_have_count(2)

    # Correcting the title takes its message, its summary line and aria-invalid away at once;
    # the hours, still empty, keep theirs.
    title.fill("Kurs i klarspråk")
    expect(page.locator("#f-title-error")).to_be_hidden()
    expect(title).not_to_have_attribute("aria-invalid", "true")
    expect(title).not_to_have_attribute("aria-describedby", re.compile(r"f-title-error"))
    expect(summary.locator("li")).to_have_text([re.compile("^Antall timer: Feltet må fylles ut.")])
    expect(hours).to_have_attribute("aria-invalid", "true")
    expect(hours).to_have_attribute("aria-describedby", re.compile(r"\bf-hours-error\b"))

    # The last one corrected: the summary goes too.
    hours.fill("12")
    expect(page.locator("#f-hours-error")).to_be_hidden()
    expect(hours).not_to_have_attribute("aria-invalid", "true")
    expect(summary).to_have_count(0)
    expect(page.locator(".field-error:not([hidden])")).to_have_count(0)

    page.get_by_role("button", name="Fullfør oppgaven").click()
    page.wait_for_url(f"{server.url}/")
    expect(page.locator("#flash")).to_have_text("Oppgaven «Vurder søknaden» er fullført.")


def test_a_date_the_page_cannot_read_loses_its_error_when_retyped(
    page: Page, server: Server
) -> None:
    open_review(page, server, "UI-FIELD-ERRORS-2")
    start = page.get_by_label("Oppstartsdato")
    start.fill("31.02.2027")
    with page.expect_request(re.compile(r"/complete$"), timeout=1_000) as sent:
        page.get_by_role("button", name="Fullfør oppgaven").click()
        expect(page.locator("#f-start_date-error")).to_be_visible()
        expect(start).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#error-summary li")).to_have_count(1)
        start.fill("17.05.2027")
        expect(page.locator("#f-start_date-error")).to_be_hidden()
        expect(start).not_to_have_attribute("aria-invalid", "true")
        expect(page.locator("#error-summary")).to_have_count(0)
        page.get_by_role("button", name="Fullfør oppgaven").click()  # now it goes to the server
    assert sent.value.method == "POST"
