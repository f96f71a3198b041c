"""The public vacancy pages: someone without a user applies with a PDF CV and sees the receipt."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from uuid import UUID

import pytest
from playwright.sync_api import Browser, expect

from engine.services import instances
from engine.settings import ROOT
from tests.api.test_attachments import PDF
from tests.conftest import deploy_processes
from tests.ui.harness import Server, axe_violations, new_page, running_server, sign_in

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def vacancy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """A server with the real processes and one externally announced vacancy at Løten."""
    with running_server(tmp_path_factory.mktemp("vacancies")) as server:
        wiring = server.wiring
        deploy_processes(wiring, now=wiring.now())
        scenarios = json.loads((ROOT / "processes/hiring/scenarios.json").read_text("utf-8"))
        happy = next(s for s in scenarios["scenarios"] if s["name"] == "happy_path")
        with wiring.new_uow() as uow:
            head = uow.users.get("vl.loten")
        start = happy["start"]
        case = instances.start_instance(
            wiring.new_uow(),
            "hiring",
            start["data"],
            actor=head,
            now=wiring.now(),
            business_key=start["business_key"],
        )
        for step in happy["steps"]:
            if step.get("complete") in ("assess_vacancy", "consult_union_on_vacancy"):
                server.complete_task(server.open_task_id(case.id), step["user"], step["data"])
            if step.get("complete") == "settle_procedure":
                server.complete_task(server.open_task_id(case.id), step["user"], step["data"])
                break
        yield server, start["business_key"]


def test_an_applicant_applies_with_a_pdf_cv_and_sees_the_receipt(
    browser: Browser, vacancy_server: tuple[Server, str]
) -> None:
    server, vacancy = vacancy_server
    page = new_page(browser, server.url, bypass_csp=True)
    try:
        page.goto("/stillinger")
        expect(page.get_by_role("heading", level=1)).to_have_text("Ledige stillinger")
        card = page.get_by_role("article", name="Sykepleier")
        expect(card.locator(".deadline time")).to_have_text(re.compile(r"^\d{1,2}\. \w+ 20\d\d$"))
        assert axe_violations(page) == []
        card.get_by_role("link", name="Les mer og søk").click()
        page.wait_for_url(f"{server.url}/stillinger/{vacancy}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sykepleier")
        expect(page.locator("#vacancy")).to_contain_text("Autorisasjon som sykepleier")

        # Nothing filled in: the messages stand at the fields, the summary gets the focus.
        page.get_by_role("button", name="Send søknaden").click()
        name = page.get_by_label(re.compile("^Fullt navn"))
        expect(page.locator("#name-error")).to_have_text("Feltet må fylles ut.")
        expect(name).to_have_attribute("aria-invalid", "true")
        expect(name).to_have_attribute("aria-describedby", re.compile(r"\bname-error\b"))
        expect(page.locator("#error-summary")).to_be_focused()
        assert axe_violations(page) == []

        name.fill("Anne Berg")
        page.get_by_label(re.compile("^E-postadresse")).fill("anne.berg@example.no")
        page.get_by_label("Telefon").fill("+47 900 00 000")
        page.get_by_label("Søknadstekst").fill("Jeg vil jobbe i hjemmesykepleien.")
        page.get_by_label("CV").set_input_files(
            files=[{"name": "CV Anne Berg.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        page.get_by_label(re.compile("ikke bli ført opp")).check()
        reason = page.get_by_label(re.compile("^Begrunnelse for anmodningen"))
        expect(reason).to_be_visible()
        # The server's own message for a missing reason (the page checks it too).
        page.get_by_role("button", name="Send søknaden").click()
        expect(page.locator("#exemption_reason-error")).to_have_text("Feltet må fylles ut.")
        reason.fill("Nåværende arbeidsgiver vet ikke at jeg søker.")
        with page.expect_response(re.compile(r"/applications$")) as response:
            page.get_by_role("button", name="Send søknaden").click()
        assert response.value.status == 201
        receipt = page.locator("#receipt")
        expect(receipt).to_be_focused()
        expect(receipt).to_contain_text("Søknaden er mottatt")
        number = response.value.json()["receipt_number"]
        expect(receipt).to_contain_text(f"Kvitteringsnummer: {number}.")
    finally:
        page.context.close()

    with server.wiring.new_uow() as uow:
        application = uow.instances.get(UUID(number))
        [cv] = uow.attachments.of_instance(application.id)
    assert application.started_by == "applicant:anne.berg@example.no"
    assert (cv.filename, cv.media_type, cv.size) == (
        "CV Anne Berg.pdf",
        "application/pdf",
        len(PDF),
    )


def test_the_pages_speak_english_and_refuse_a_non_pdf_cv(
    browser: Browser, vacancy_server: tuple[Server, str]
) -> None:
    server, vacancy = vacancy_server
    page = new_page(browser, server.url, bypass_csp=True)
    try:
        page.goto(f"/stillinger/{vacancy}?lang=en")
        expect(page.get_by_role("heading", level=2, name="Apply for the position")).to_be_visible()
        page.get_by_label(re.compile("^Full name")).fill("Bjørn Dahl")
        page.get_by_label(re.compile("^E-mail address")).fill("bjorn.dahl@example.no")
        page.get_by_label("CV").set_input_files(
            files=[{"name": "cv.pdf", "mimeType": "application/pdf", "buffer": b"GIF89a not a pdf"}]
        )
        page.get_by_role("button", name="Send the application").click()
        expect(page.locator("#cv-error")).to_have_text(
            "This type of file is not allowed. Allowed: PDF, Word."
        )
        expect(page.get_by_label("CV")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#receipt")).to_be_hidden()
    finally:
        page.context.close()


def test_the_start_page_offers_lotens_hiring_only_to_those_who_may_start_it(
    browser: Browser, vacancy_server: tuple[Server, str]
) -> None:
    """Issue 14: emp.drammen is not offered the hiring case; Løten's HR starts one with its start
    form, and the page shows the server's refusals at the fields."""
    server, vacancy = vacancy_server
    page = new_page(browser, server.url, bypass_csp=True)
    try:
        sign_in(page, server.url, "emp.drammen")
        page.get_by_role("link", name="Start en prosess").click()
        cards = page.locator("#processes article")
        expect(cards.filter(has_text="Meld inn en idé")).to_have_count(1)  # a participant's
        expect(cards.filter(has_text="Ansettelse")).to_have_count(0)
        for other in ("Søknad på ledig stilling", "Interesse for oppdrag", "Oppdrag i"):
            expect(cards.filter(has_text=other)).to_have_count(0)
        page.goto("about:blank")  # no script of the page left to race the sign-in below
        page.context.clear_cookies()

        sign_in(page, server.url, "hr.loten")
        page.get_by_role("link", name="Start en prosess").click()
        card = page.get_by_role("article", name="Ansettelse (Løten kap. 4)")
        expect(card).to_contain_text("En stilling i Løten kommune er ledig")
        expect(cards.filter(has_text="Meld inn en idé")).to_have_count(0)  # hr is no participant
        errors = card.locator(".field-error:not([hidden])")
        # The unit head is chosen among Løten's leaders (nothing to mistype); left empty here.
        head = card.get_by_label(re.compile("^Virksomhetsleder"))
        expect(head.locator("option", has_text="Vidar Lien (Helse og omsorg)")).to_have_count(1)
        card.get_by_label("Saksnummer (valgfritt)").fill(vacancy)  # the open vacancy's number
        card.get_by_role("button", name="Start").click()
        expect(page.locator("#error-summary")).to_be_focused()
        expect(errors).to_have_text(["Saksnummeret er allerede i bruk."])
        expect(card.get_by_label("Saksnummer (valgfritt)")).to_have_attribute(
            "aria-invalid", "true"
        )
        card.get_by_label("Saksnummer (valgfritt)").fill("LOTEN-2026-099")
        card.get_by_role("button", name="Start").click()
        page.wait_for_url(re.compile(r"/tasks/"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Vurder ledig stilling")
        expect(page.locator("#flash")).to_have_text(
            "Prosessen «Ansettelse (Løten kap. 4)» er startet."
        )
        assert axe_violations(page) == []
    finally:
        page.context.close()


def test_a_cv_over_the_limit_is_refused_in_bokmal_at_its_field(
    browser: Browser, vacancy_server: tuple[Server, str]
) -> None:
    """Issue 17: a 20 MB CV gave an English technical error; the page says it at the field."""
    server, vacancy = vacancy_server
    page = new_page(browser, server.url)
    try:
        page.goto(f"/stillinger/{vacancy}")
        page.get_by_label(re.compile("^Fullt navn")).fill("Dag Dahl")
        page.get_by_label(re.compile("^E-postadresse")).fill("dag.dahl@example.no")
        big = PDF + b"0" * 20_000_000
        page.get_by_label("CV").set_input_files(
            files=[{"name": "cv.pdf", "mimeType": "application/pdf", "buffer": big}]
        )
        page.get_by_role("button", name="Send søknaden").click()
        expect(page.locator("#cv-error")).to_have_text(
            "Filen er for stor: 20,0 MB; største tillatte er 5,0 MB."
        )
        expect(page.get_by_label("CV")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#receipt")).to_be_hidden()
    finally:
        page.context.close()
