"""A participant signs in, works a task through its form, and the next participant receives it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.ui.harness import START_DATA, Server, new_page, sign_in

pytestmark = pytest.mark.ui


def row_for(page: Page, business_key: str):  # type: ignore[no-untyped-def]
    return page.locator("#list tbody tr").filter(has_text=business_key)


def test_wrong_password_shows_a_norwegian_message(page: Page, server: Server) -> None:
    page.goto("/login")
    page.fill("#username", "tl.baerum")
    page.fill("#password", "feil-passord")
    with page.expect_response(re.compile(r"/login$")) as response:
        page.click("button[type=submit]")
    assert response.value.status == 401
    expect(page.get_by_role("alert")).to_have_text("Feil brukernavn eller passord. Prøv igjen.")
    expect(page.locator("#username")).to_have_value("tl.baerum")
    expect(page.locator("html")).to_have_attribute("lang", "nb")


def test_a_task_is_worked_and_handed_to_the_next_participant(
    page: Page, server: Server, browser: Browser
) -> None:
    instance_id = server.start_instance("tl.baerum", "UI-JOURNEY-1")
    sign_in(page, server.url, "tl.baerum")
    page.get_by_role("link", name=re.compile("^Gruppens")).click()
    row = row_for(page, "UI-JOURNEY-1")
    expect(row).to_contain_text("Vurder søknaden")
    expect(row).to_contain_text("Søknad om kompetansemidler")
    row.get_by_role("link", name="Vurder søknaden").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Vurder søknaden")
    expect(page.locator(".prose")).to_contain_text('<script>alert("ikke kjør")</script>')
    expect(page.locator(".prose strong")).to_have_text("vurderingen")
    page.get_by_role("button", name="Ta oppgaven").click()
    expect(page.locator(".claim-bar")).to_contain_text("Du har tatt denne oppgaven.")

    # Everything but the required title: the server's Norwegian message appears at that field.
    page.get_by_label("Antall timer").fill("12")
    page.get_by_label("Budsjett (kr)").fill("12 345,50")
    page.get_by_label("Oppstartsdato").fill("2026-05-17")
    page.get_by_label("Prioritet").select_option(label="Høy")
    page.get_by_label("Anbefales", exact=True).check()
    page.get_by_role("button", name=re.compile("Legg til.*Deltakere")).click()
    page.get_by_label("Navn").fill("Ola Nordmann")
    page.get_by_role("button", name="Fullfør oppgaven").click()

    title = page.locator("#f-title")
    expect(page.locator("#f-title-error")).to_have_text("Feltet må fylles ut.")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_attribute("aria-describedby", re.compile(r"\bf-title-error\b"))
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#f-hours")).not_to_have_attribute("aria-invalid", "true")

    title.fill("Kurs i klarspråk")
    page.get_by_role("button", name="Fullfør oppgaven").click()
    page.wait_for_url(f"{server.url}/")
    expect(page.locator("#flash")).to_have_text("Oppgaven «Vurder søknaden» er fullført.")
    page.get_by_role("link", name=re.compile("^Fullførte")).click()
    expect(row_for(page, "UI-JOURNEY-1")).to_contain_text("Vurder søknaden")

    leader = new_page(browser, server.url)
    try:
        sign_in(leader, server.url, "leder.asker")
        leader.get_by_role("link", name=re.compile("^Gruppens")).click()
        next_row = row_for(leader, "UI-JOURNEY-1")
        expect(next_row).to_contain_text("Godkjenn søknaden")
        next_row.get_by_role("link", name="Godkjenn søknaden").click()
        expect(leader.get_by_label("Tiltak")).to_have_value("Kurs i klarspråk")
        history = leader.locator(".history")
        expect(history).to_contain_text("Oppgave fullført: Vurder søknaden")
    finally:
        leader.context.close()
    with server.wiring.new_uow() as uow:
        data = uow.instances.get(instance_id).data
    assert (data["budget"], data["hours"], data["priority"]) == (12345.5, 12, "high")
    assert data["participants"] == [{"name": "Ola Nordmann"}]
    assert data["urgent"] is False and data["tags"] == []


def test_claim_and_unclaim(page: Page, server: Server) -> None:
    instance_id = server.start_instance("tl.baerum", "UI-CLAIM-1")
    task_id = server.open_task_id(instance_id)
    sign_in(page, server.url, "tl.baerum")
    page.goto(f"/tasks/{task_id}")
    page.get_by_role("button", name="Ta oppgaven").click()
    expect(page.locator("#flash")).to_have_text("Du har tatt oppgaven.")
    expect(page.get_by_role("button", name="Legg tilbake til gruppen")).to_be_focused()

    page.goto("/?tab=mine")
    expect(row_for(page, "UI-CLAIM-1")).to_contain_text("Tone Lie")
    page.goto(f"/tasks/{task_id}")
    page.get_by_role("button", name="Legg tilbake til gruppen").click()
    expect(page.locator("#flash")).to_have_text("Oppgaven er lagt tilbake til gruppen.")
    expect(page.locator(".claim-bar")).to_contain_text("Oppgaven er ikke tatt av noen ennå.")

    page.goto("/?tab=group")
    expect(row_for(page, "UI-CLAIM-1")).to_contain_text("Ingen")
    page.goto("/?tab=mine")
    expect(page.locator("#list")).not_to_contain_text("UI-CLAIM-1")


def test_the_start_page_starts_a_process_and_opens_its_first_task(
    page: Page, server: Server
) -> None:
    sign_in(page, server.url, "emp.asker")
    page.get_by_role("link", name="Start en prosess").click()
    card = page.locator("article").filter(has_text="Meld inn en idé")
    # Only what a participant may start: the review is for service leaders (startRoles).
    expect(card).to_have_count(1)
    expect(page.locator("article").filter(has_text="Søknad om kompetansemidler")).to_have_count(0)
    card.get_by_label("Saksnummer (valgfritt)").fill("IDE-7")
    card.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"/tasks/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Beskriv idéen")
    expect(page.locator("#flash")).to_have_text("Prosessen «Meld inn en idé» er startet.")
    page.get_by_role("textbox", name=re.compile("^Idé")).fill("Kort")
    page.get_by_role("button", name="Fullfør oppgaven").click()
    expect(page.locator("#f-idea-error")).to_have_text("Må ha minst 5 tegn.")
    page.get_by_role("textbox", name=re.compile("^Idé")).fill("Felles kurskalender for regionen")
    page.get_by_role("button", name="Fullfør oppgaven").click()
    page.wait_for_url(f"{server.url}/")
    page.get_by_role("link", name=re.compile("^Startet av meg")).click()
    expect(row_for(page, "IDE-7")).to_contain_text("Fullført")


def test_a_start_form_carries_the_start_data_into_the_first_task(
    page: Page, server: Server
) -> None:
    sign_in(page, server.url, "tl.baerum")
    page.get_by_role("link", name="Start en prosess").click()
    card = page.get_by_role("article", name="Søknad om kompetansemidler")
    card.get_by_label("Saksnummer (valgfritt)").fill("UI-START-1")
    card.get_by_role("button", name="Start").click()
    expect(page.locator("#error-summary")).to_be_focused()
    applicant = card.get_by_label(re.compile("^Søker"))
    expect(applicant).to_have_attribute("aria-invalid", "true")
    expect(card.locator(".field-error:not([hidden])")).to_have_text(["Feltet må fylles ut."])
    applicant.fill("Kari Nordmann")
    card.get_by_label("Kommunen som vurderer").fill("baerum")
    card.get_by_label("Kommunen som godkjenner").fill("asker")
    card.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"/tasks/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vurder søknaden")
    expect(page.get_by_label(re.compile("^Søker"))).to_have_value("Kari Nordmann")


def test_english_is_one_click_away_and_sticks(page: Page, server: Server) -> None:
    task_id = server.open_task_id(server.start_instance("tl.baerum", "UI-ENGLISH-1"))
    sign_in(page, server.url, "tl.baerum", lang="en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name=re.compile("^My group's"))).to_be_visible()
    page.goto(f"/tasks/{task_id}")
    page.get_by_role("button", name="Complete the task").click()
    expect(page.locator("#f-title-error")).to_have_text("This field is required.")
    page.get_by_role("link", name="Norsk").click()
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("button", name="Fullfør oppgaven")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("link", name=re.compile("^Gruppens"))).to_be_visible()


def test_the_keyboard_reaches_the_content_first(page: Page, server: Server) -> None:
    sign_in(page, server.url, "tl.baerum")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hopp til hovedinnholdet")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def test_the_inbox_fits_a_phone(browser: Browser, server: Server) -> None:
    server.start_instance("tl.baerum", "UI-PHONE-1")
    phone = new_page(
        browser, server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        sign_in(phone, server.url, "tl.baerum")
        phone.goto("/?tab=group")
        expect(row_for(phone, "UI-PHONE-1")).to_be_visible()
        for path in ("/?tab=group", "/start"):
            phone.goto(path)
            phone.wait_for_load_state("networkidle")
            widths = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert widths[0] <= widths[1], f"{path} scrolls sideways: {widths}"
    finally:
        phone.context.close()


REVIEW = {
    "title": "Kurs",
    "hours": 3,
    "start_date": "2026-05-17",
    "priority": "low",
    "decision": "approve",
}


def test_the_inbox_refreshes_itself_every_15_seconds(page: Page, server: Server) -> None:
    page.clock.install()
    sign_in(page, server.url, "tl.baerum")
    page.goto("/?tab=group")
    expect(page.locator("#list")).not_to_contain_text("Laster")
    expect(page.locator("#list")).not_to_contain_text("UI-POLL-1")
    server.start_instance("tl.baerum", "UI-POLL-1")
    page.clock.run_for(15_000)
    expect(row_for(page, "UI-POLL-1")).to_contain_text("Vurder søknaden")


def test_completing_a_task_someone_else_completed_says_so(page: Page, server: Server) -> None:
    instance_id = server.start_instance("tl.baerum", "UI-CONFLICT-1")
    task_id = server.open_task_id(instance_id)
    sign_in(page, server.url, "tl.baerum")
    page.goto(f"/tasks/{task_id}")
    page.get_by_label("Tittel på tiltaket").fill("Kurs")
    server.complete_task(task_id, "tl.baerum", REVIEW)
    page.get_by_role("button", name="Fullfør oppgaven").click()
    expect(page.locator("#flash")).to_have_text(
        "Oppgaven er allerede fullført eller tatt av noen andre."
    )
    assert page.url.endswith(f"/tasks/{task_id}")


def test_long_lists_are_paged(page: Page, server: Server) -> None:
    data = {**START_DATA, "municipality": "loten"}
    for number in range(22):
        server.start_instance("vl.loten", f"UI-PAGE-{number:02}", data=data)
    sign_in(page, server.url, "vl.loten")
    page.get_by_role("link", name=re.compile("^Gruppens")).click()
    expect(page.locator("[data-count=group]")).to_have_text("22")
    expect(page.locator("#list tbody tr")).to_have_count(20)
    pager = page.get_by_role("navigation", name="Sider")
    expect(pager).to_contain_text("1\u201320 av 22")
    pager.get_by_role("link", name="Neste").click()
    expect(pager).to_contain_text("21\u201322 av 22")
    expect(page.locator("#list tbody tr")).to_have_count(2)
    assert "page=2" in page.url


def test_signing_out_ends_the_session(page: Page, server: Server) -> None:
    sign_in(page, server.url, "emp.asker")
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url(re.compile(r"/login"))
    page.goto("/")
    page.wait_for_url(re.compile(r"/login\?next=%2F"))
    status = page.evaluate("async () => (await fetch('/api/v1/me')).status")
    assert status == 401
