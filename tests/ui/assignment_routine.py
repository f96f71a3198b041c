"""The assignment routine (KV 1-5) played end to end through the pages, by its demo users.

Used by tests/ui/test_assignment_routine.py (SQLite and PostgreSQL) and by the screenshots.
Every step is done on the pages as the README's demo section tells it: no API call in between,
and every value typed is one the page shows. Only the demo clock's timers are fired by the
test itself, as the worker process (`saksflyt worker`) would fire them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from playwright.sync_api import Browser, Page, expect

from engine.services import timers
from engine.timezone import OSLO
from tests.ui.harness import Server, new_page, open_tool, sign_in

Shoot = Callable[[Page, str], None]
_OPTIONS: dict[str, bool] = {}  # browser context options for this play (axe needs bypass_csp)


def no_shots(_page: Page, _name: str) -> None:
    """Take no screenshots."""


@contextmanager
def signed_in(browser: Browser, server: Server, username: str) -> Iterator[Page]:
    """A page of its own, signed in as `username`."""
    page = new_page(browser, server.url, **_OPTIONS)
    try:
        sign_in(page, server.url, username)
        yield page
    finally:
        page.context.close()


def norwegian(day: date) -> str:
    """A date as a person types it on the pages: 05.01.2027."""
    return day.strftime("%d.%m.%Y")


def today(server: Server) -> date:
    """The engine's today in Oslo (the demo clock included)."""
    return server.wiring.now().astimezone(OSLO).date()


def open_task(page: Page, name: str, *, tab: str = "Mine") -> None:
    """Open a task from an inbox tab ("Mine" is the default view, "Gruppens" the group's)."""
    if tab != "Mine":
        page.get_by_role("link", name=re.compile(f"^{tab}")).click()
    page.locator("#list tbody tr").get_by_role("link", name=name, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def complete(page: Page, server: Server) -> None:
    """Complete the open task and wait for the inbox."""
    page.get_by_role("button", name="Fullfør oppgaven").click()
    page.wait_for_url(f"{server.url}/")
    expect(page.locator("#flash")).to_contain_text("er fullført")


def context(page: Page):  # type: ignore[no-untyped-def]
    """The read-only case data above the form."""
    return page.locator(".panel--context")


def move_clock(browser: Browser, server: Server, days: int, shoot: Shoot) -> None:
    """The admin moves the demo clock forward on "Demoklokke"; the worker then fires due timers."""
    with signed_in(browser, server, "admin") as page:
        open_tool(page, "Demoklokke")
        for _ in range(days // 7):
            page.get_by_role("button", name="+1 uke").click()
            expect(page.locator("#flash")).not_to_be_empty()
            page.locator("#flash").evaluate("node => node.textContent = ''")
        for _ in range(days % 7):
            page.get_by_role("button", name="+1 dag").click()
            expect(page.locator("#flash")).not_to_be_empty()
            page.locator("#flash").evaluate("node => node.textContent = ''")
        shoot(page, "admin-demo-clock")
    timers.fire_due_timers(server.wiring.new_uow, now=server.wiring.now(), worker="ui-worker")


def play(
    browser: Browser, server: Server, shoot: Shoot = no_shots, *, bypass_csp: bool = False
) -> str:
    """Play the whole routine; return the assignment's case number.

    `bypass_csp` lets a `shoot` that runs axe add its script (the pages' own scripts never
    need it)."""
    _OPTIONS.clear()
    if bypass_csp:
        _OPTIONS["bypass_csp"] = True
    start = today(server)
    with signed_in(browser, server, "tl.baerum") as page:  # 1. the need (KV 1 a-g)
        page.get_by_role("link", name="Oppdrag", exact=True).click()
        shoot(page, "board-service-leader")
        page.get_by_role("button", name="Nytt oppdrag").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Beskriv kompetansebehovet (Ledige oppdrag)"
        )
        case_number = page.locator(".subtitle").inner_text().split("·")[-1].strip()
        page.locator("#f-competence_requirements-0").fill("Autorisert sykepleier")
        page.get_by_label(re.compile("^b. Arbeidets art")).fill("Vakter ved legevakten.")
        page.get_by_label(re.compile("^c. Forventede resultater")).fill("Stabil bemanning.")
        page.get_by_label(re.compile("^d. Spesielle forhold")).fill("Kveldsvakter.")
        page.get_by_label("Planlagt start").fill(norwegian(start + timedelta(days=10)))
        page.get_by_label("Planlagt slutt").fill(norwegian(start + timedelta(days=23)))
        page.get_by_label("Antall").fill("2")
        page.get_by_label("uker").check()
        page.get_by_label(re.compile("^Navn")).fill("Tone Lie")
        page.get_by_label(re.compile("^Kommune")).fill("Bærum kommune")
        page.get_by_label(re.compile("^E-post")).fill("tone.lie@baerum.example")
        deadline = start + timedelta(days=7)
        page.get_by_label(re.compile("^g. Frist")).fill(norwegian(deadline))
        shoot(page, "task-describe-need")
        complete(page, server)
        page.get_by_role("link", name=re.compile("^Fullførte")).click()
        open_task(page, "Beskriv kompetansebehovet (Ledige oppdrag)", tab="Mine")
        expect(page.locator(".claim-bar")).to_have_text("Oppgaven er fullført.")
        expect(page.get_by_role("heading", name="Veiledning")).to_have_count(0)

    for employee in ("emp.asker", "emp.drammen"):  # 2. interest (KV 2)
        with signed_in(browser, server, employee) as page:
            page.get_by_role("link", name="Oppdrag", exact=True).click()
            card = page.get_by_role("article", name=re.compile(case_number))
            expect(card).to_contain_text("Stabil bemanning.")  # c
            expect(card).to_contain_text("Kveldsvakter.")  # d
            expect(card).to_contain_text("2 uker")  # e, in weeks
            expect(card).to_contain_text("Tone Lie")  # f
            card.get_by_label(re.compile("Kort begrunnelse")).fill("Jeg har erfaring fra legevakt.")
            if employee == "emp.asker":
                shoot(page, "board-employee")
            card.get_by_role("button", name="Meld interesse").click()
            expect(card).to_contain_text("Du har meldt interesse")

    for leader, employee in (("leder.asker", "Eva Holm"), ("leder.drammen", "Ingrid Moe")):
        with signed_in(browser, server, leader) as page:  # the leader says yes (KV 2)
            open_task(page, "Godkjenn interesse")
            expect(context(page)).to_contain_text(employee)
            expect(context(page)).to_contain_text("Vakter ved legevakten.")
            expect(context(page)).to_contain_text("Jeg har erfaring fra legevakt.")
            if leader == "leder.asker":
                shoot(page, "task-approve-interest")
            page.get_by_role("radio", name="Ja").check()
            complete(page, server)

    move_clock(browser, server, (deadline - start).days + 1, shoot)  # T1: the deadline passes

    with signed_in(browser, server, "tv.baerum") as page:  # 3. union input (KV 3)
        open_task(page, "Gjennomgå henvendelsene (tillitsvalgte)", tab="Gruppens")
        expect(context(page)).to_contain_text("Eva Holm")
        expect(context(page)).to_contain_text("Ingrid Moe")
        page.get_by_role("textbox", name=re.compile("^Innspill")).fill("Begge er aktuelle.")
        complete(page, server)

    with signed_in(browser, server, "tl.baerum") as page:  # review, interviews, choice
        open_task(page, "Gjennomgå henvendelsene og plukk ut", tab="Gruppens")
        expect(context(page)).to_contain_text("Begge er aktuelle.")
        expect(context(page)).to_contain_text("IT-avdelingen")
        page.get_by_label("Eva Holm \u2013 IT-avdelingen").check()
        page.get_by_label("Ingrid Moe \u2013 Plan og bygg").check()
        shoot(page, "task-review-registrations")
        complete(page, server)
        for name, outcome in (("Eva Holm", "Aktuell"), ("Ingrid Moe", "Ikke aktuell")):
            page.get_by_role("link", name=re.compile("^Gruppens")).click()
            row = page.locator("#list tbody tr").filter(has_text="Samtale/intervju")
            expect(row).to_have_count(2 if name == "Eva Holm" else 1)
            # Each interview names its candidate: in the inbox, the heading and the context.
            title = f"Samtale/intervju: {name}"
            row.get_by_role("link", name=title, exact=True).click()
            expect(page.get_by_role("heading", level=1)).to_have_text(title)
            expect(context(page)).to_contain_text(name)
            page.get_by_label("Dato for samtalen").fill(norwegian(today(server)))
            page.get_by_label(outcome, exact=True).check()
            complete(page, server)
        open_task(page, "Velg rett person", tab="Gruppens")
        expect(context(page)).to_contain_text("Aktuell")
        page.get_by_label("En kandidat er valgt").check()
        page.get_by_label("Valgt kandidat").select_option(label="Eva Holm \u2013 IT-avdelingen")
        shoot(page, "task-select-candidate")
        complete(page, server)
        open_task(page, "Lag kontrakt", tab="Gruppens")
        expect(context(page)).to_contain_text("Eva Holm")
        contract_start = today(server) + timedelta(days=2)
        contract_end = contract_start + timedelta(days=13)
        page.get_by_label("Startdato").fill(norwegian(contract_start))
        page.get_by_label("Sluttdato").fill(norwegian(contract_end))
        page.get_by_label(re.compile("^Månedslønn")).fill("52000")
        page.get_by_label(re.compile("^Stillingsprosent")).fill("100")
        complete(page, server)

    for signer, tab in (("emp.asker", "Mine"), ("leder.asker", "Mine")):  # the contract (KV 3)
        with signed_in(browser, server, signer) as page:
            name = "Signer kontrakt (medarbeider)" if signer == "emp.asker" else None
            open_task(page, name or "Signer kontrakt (avgivende leder)", tab=tab)
            expect(context(page)).to_contain_text("52 000,00 kr")
            read_document(page, "Kontrakt (PDF)", "application/pdf")
            if signer == "emp.asker":
                shoot(page, "task-sign-contract-employee")
            page.get_by_label("Jeg signerer kontrakten", exact=True).check()
            complete(page, server)
    with signed_in(browser, server, "tl.baerum") as page:
        open_task(page, "Signer kontrakt (mottakende tjenesteleder)", tab="Gruppens")
        read_document(page, "Kontrakt (PDF)", "application/pdf")
        page.get_by_label(re.compile("^Jeg signerer")).check()
        complete(page, server)

    with signed_in(browser, server, "leder.asker") as page:  # cover (KV 4)
        open_task(page, "Finn erstatningsløsninger")
        expect(context(page)).to_contain_text("Midler til erstatning")
        page.get_by_role("textbox", name=re.compile("^Erstatningsløsninger")).fill(
            "Vikar på dagvakter."
        )
        complete(page, server)

    move_clock(browser, server, (contract_end - today(server)).days + 1, shoot)  # T2: it ends

    with signed_in(browser, server, "emp.asker") as page:  # the written account (KV 3)
        open_task(page, "Skriv kort redegjørelse")
        page.get_by_label(re.compile("^Hva har du lært")).fill("En ny triagemodell.")
        shoot(page, "task-write-report")
        complete(page, server)
    with signed_in(browser, server, "adm.nettverk") as page:
        open_task(page, "Kontroller dokumentasjonen", tab="Gruppens")
        expect(context(page)).to_contain_text("En ny triagemodell.")
        shoot(page, "task-check-documentation")
        page.get_by_role("radio", name="Ja").check()
        complete(page, server)
    with signed_in(browser, server, "leder.asker") as page:
        open_task(page, "Bruk erfaringen i egen tjeneste")
        expect(context(page)).to_contain_text("En ny triagemodell.")
        page.get_by_role("textbox", name=re.compile("^Tiltak")).fill(
            "Presenteres på personalmøtet."
        )
        complete(page, server)

    with signed_in(browser, server, "fin.asker") as page:  # the invoice (KV 5)
        open_task(page, "Send faktura", tab="Gruppens")
        expect(context(page)).to_contain_text("Sum")
        read_document(page, re.compile(r"^Faktura .* \(PDF\)$"), "application/pdf")
        read_document(page, re.compile(r"^Faktura .* \(EHF\)$"), "application/xml")
        shoot(page, "task-send-invoice")
        page.get_by_label("Fakturanummer").fill("ASK-2027-0012")
        page.get_by_label("Sendt dato").fill(norwegian(today(server)))
        page.get_by_role("radiogroup", name=re.compile("til lønn")).get_by_label("Ja").check()
        page.get_by_role("radiogroup", name=re.compile("avgivende avdeling")).get_by_label(
            "Ja"
        ).check()
        complete(page, server)

    with signed_in(browser, server, "fin.asker") as page:  # finance's overview: the amount
        page.get_by_role("link", name="Saker", exact=True).click()
        page.get_by_role("link", name="Saker for min rolle").click()
        row = page.locator("#cases tbody tr").filter(has_text=case_number)
        expect(row).to_contain_text(re.compile(r"\d[\d\s]*,\d{2}\s*kr \(sendt\)"))
    with signed_in(browser, server, "fin.drammen") as page:  # not a party: nothing of it
        page.get_by_role("link", name="Saker", exact=True).click()
        page.get_by_role("link", name="Saker for min rolle").click()
        expect(page.get_by_text("Ingen saker for rollen din passer filteret.")).to_be_visible()

    with signed_in(browser, server, "tl.baerum") as page:  # the case, closed
        page.get_by_role("link", name="Saker", exact=True).click()
        row = page.locator("tbody tr").filter(has_text=case_number)
        expect(row).to_contain_text("Avsluttet")
        shoot(page, "cases-mine")
        row.get_by_role("link", name=case_number).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(case_number)
        expect(page.get_by_role("img", name="Prosessdiagram")).to_be_visible()
        viewport = page.locator("#diagram g.viewport")
        before = viewport.get_attribute("transform") or ""
        page.get_by_role("button", name="Forstørr").click()  # the diagram zooms
        expect(viewport).not_to_have_attribute("transform", before)
        data = page.get_by_role("region", name="Saksopplysninger")
        expect(data).to_contain_text("En ny triagemodell.")  # KV 3: the report reaches him
        expect(page.locator(".documents")).to_contain_text("Kontrakt (PDF)")
        shoot(page, "case-page")
    return case_number


def read_document(page: Page, name: str | re.Pattern[str], media_type: str) -> None:
    """Open a document the task links (as a click would) and check it is that document."""
    link = page.locator("#case-title").locator("..").get_by_role("link", name=name)
    href = link.get_attribute("href")
    assert href
    reply = page.request.get(href)
    assert reply.status == 200, (href, reply.status)
    assert reply.headers["content-type"].startswith(media_type)
