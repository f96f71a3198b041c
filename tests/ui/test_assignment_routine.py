"""The assignment routine end to end through the pages only, on SQLite (issue 17)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from engine.store.states import InstanceState
from tests.conftest import deploy_processes
from tests.ui import assignment_routine
from tests.ui.harness import Server, axe_violations, running_server

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def routine_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own with the real processes and the demo clock on."""
    with running_server(tmp_path_factory.mktemp("routine"), demo_clock=True) as server:
        deploy_processes(server.wiring, now=server.wiring.now())
        yield server


def test_the_assignment_routine_is_played_through_the_pages(
    browser: Browser, routine_server: Server
) -> None:
    found: dict[str, list[dict[str, object]]] = {}

    def check(page: Page, name: str) -> None:  # axe on every page the README shows
        page.wait_for_load_state("networkidle")
        found[name] = axe_violations(page)

    case_number = assignment_routine.play(browser, routine_server, check, bypass_csp=True)
    assert len(found) >= 12 and not [v for v in found.values() if v], found
    with routine_server.wiring.new_uow() as uow:
        [case] = [
            i
            for i in uow.instances.list(key="assignment", limit=10)[0]
            if i.business_key == case_number
        ]
    assert case.state == InstanceState.COMPLETED
    assert case.data["status"] == "closed"


def test_the_starter_cancels_a_case_with_a_reason_on_its_page(
    browser: Browser, routine_server: Server
) -> None:
    with assignment_routine.signed_in(browser, routine_server, "tl.baerum") as page:
        page.get_by_role("link", name="Oppdrag", exact=True).click()
        page.get_by_role("button", name="Nytt oppdrag").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Beskriv kompetansebehovet (Ledige oppdrag)"
        )
        page.locator("#case-link").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("OPPDRAG-")
        page.get_by_role("button", name="Avlys saken").click()
        expect(page.locator("#cancel-reason-error")).to_have_text("Skriv hvorfor saken avlyses.")
        page.get_by_label(re.compile("^Grunn til avlysningen")).fill("Behovet er løst internt.")
        page.get_by_role("button", name="Avlys saken").click()
        expect(page.locator("#flash")).to_have_text("Saken er avlyst.")
        expect(page.locator(".details")).to_contain_text("Avlyst")
        expect(page.locator(".details")).to_contain_text("Behovet er løst internt.")
        expect(page.locator(".history")).to_contain_text("Saken ble avlyst")
        expect(page.get_by_role("button", name="Avlys saken")).to_have_count(0)


def test_a_refused_employee_reads_the_decision_on_the_case_page(
    browser: Browser, routine_server: Server
) -> None:
    start = assignment_routine.today(routine_server)
    with assignment_routine.signed_in(browser, routine_server, "tl.lier") as page:
        page.get_by_role("link", name="Oppdrag", exact=True).click()
        page.get_by_role("button", name="Nytt oppdrag").click()
        case_number = page.locator(".subtitle").inner_text().split("·")[-1].strip()
        page.locator("#f-competence_requirements-0").fill("Lærer")
        page.get_by_label(re.compile("^b. Arbeidets art")).fill("Undervisning.")
        page.get_by_label(re.compile("^c. Forventede resultater")).fill("Timer dekket.")
        page.get_by_label("Antall").fill("3")
        page.get_by_label("uker").check()
        page.get_by_label(re.compile("^Navn")).fill("Siri Lund")
        page.get_by_label(re.compile("^Kommune")).fill("Lier kommune")
        page.get_by_label(re.compile("^E-post")).fill("siri.lund@lier.example")
        deadline = assignment_routine.norwegian(start + timedelta(days=5))
        page.get_by_label(re.compile("^g. Frist")).fill(deadline)
        assignment_routine.complete(page, routine_server)
    with assignment_routine.signed_in(browser, routine_server, "emp2.asker") as page:
        page.get_by_role("link", name="Oppdrag", exact=True).click()
        card = page.get_by_role("article", name=re.compile(case_number))
        card.get_by_label(re.compile("Kort begrunnelse")).fill("Jeg vil prøve.")
        card.get_by_role("button", name="Meld interesse").click()
        expect(card).to_contain_text("Du har meldt interesse")
    with assignment_routine.signed_in(browser, routine_server, "leder.asker") as page:
        page.locator("#list tbody tr").filter(has_text=case_number).get_by_role(
            "link", name="Godkjenn interesse"
        ).click()
        expect(assignment_routine.context(page)).to_contain_text("Emil Strand")
        page.get_by_role("radio", name="Nei").check()
        page.get_by_role("textbox", name=re.compile("^Kommentar")).fill("Ikke nå, vi har ferie.")
        assignment_routine.complete(page, routine_server)
    with assignment_routine.signed_in(browser, routine_server, "emp2.asker") as page:
        page.get_by_role("link", name="Saker", exact=True).click()
        page.locator("tbody tr").filter(has_text="Interesse for oppdrag").filter(
            has_text=case_number
        ).get_by_role("link", name=case_number).click()
        data = page.get_by_role("region", name="Saksopplysninger")
        expect(data).to_contain_text("Ikke godkjent av lederen")
        expect(data).to_contain_text("Ikke nå, vi har ferie.")
