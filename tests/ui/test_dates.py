"""Dates and times as Norwegians write them: "05.01.2027" and "kl. 10.00", whatever the browser's
own locale is; the page sends ISO (a date-time in Europe/Oslo with its offset) and answers a
wrongly typed value with a Norwegian field message before anything is sent."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from engine.services import definitions
from tests.conftest import ROOT
from tests.ui.form_filler import form_files
from tests.ui.harness import Server, sign_in

pytestmark = pytest.mark.ui


def deploy_leave_rules(server: Server) -> None:
    """Put the product's leave process (`processes/leave/`, its rules table and forms) in the
    library, as `saksflyt deploy` does."""
    files = {p.name: p.read_bytes() for p in (ROOT / "processes" / "leave").glob("*.*")}
    files = {n: c for n, c in files.items() if n.endswith((".bpmn", ".dmn"))}
    files |= {p.name: p.read_bytes() for p in (ROOT / "forms").glob("leave.*.json")}
    definitions.deploy(server.wiring.new_uow(), files, actor="test", now=server.wiring.now())


def american_page(browser: Browser, server: Server) -> Page:
    """A browser set to US English in New York: its own date input would say mm/dd/yyyy."""
    context = browser.new_context(
        base_url=server.url, locale="en-US", timezone_id="America/New_York"
    )
    context.set_default_timeout(20_000)
    return context.new_page()


@pytest.fixture
def american(browser: Browser, server: Server) -> Iterator[Page]:
    page = american_page(browser, server)
    yield page
    page.context.close()


def test_leave_dates_are_typed_and_shown_as_dd_mm_yyyy(browser: Browser, server: Server) -> None:
    deploy_leave_rules(server)  # the product's leave process, as the library holds it
    applicant = american_page(browser, server)
    leader = american_page(browser, server)
    try:
        sign_in(applicant, server.url, "emp.asker", lang="nb")
        applicant.get_by_role("link", name="Start en prosess").click()
        card = applicant.get_by_role("article", name="Søknad om permisjon")
        card.get_by_role("button", name="Start").click()
        applicant.wait_for_url(re.compile(r"/tasks/"))
        start = applicant.get_by_label(re.compile("^Fra og med"))
        expect(start).to_have_attribute("placeholder", "dd.mm.åååå")
        expect(start).to_have_attribute("type", "text")
        applicant.get_by_label(re.compile("^Permisjonsgrunn")).select_option(
            label="Eget legebesøk, ledsagelse av barn (5.4.B)"
        )
        start.fill("31.02.2027")  # no such day
        applicant.get_by_label(re.compile("^Til og med")).fill("8.12.2027")
        applicant.get_by_label(re.compile("^Antall arbeidsdager")).fill("1")
        applicant.get_by_label(re.compile("^Begrunnelse")).fill("Time hos spesialist")
        applicant.get_by_role("button", name="Fullfør oppgaven").click()
        message = "Skriv en gyldig dato som dd.mm.åååå, for eksempel 05.01.2027."
        expect(applicant.locator("#f-from_date-error")).to_have_text(message)
        expect(start).to_have_attribute("aria-invalid", "true")
        expect(applicant.locator(".error-summary, [role=alert]").first).to_contain_text(message)
        assert "/tasks/" in applicant.url  # nothing was sent
        start.fill("07.12.2027")
        applicant.get_by_role("button", name="Fullfør oppgaven").click()
        applicant.wait_for_url(f"{server.url}/")

        sign_in(leader, server.url, "leder.asker", lang="nb")
        leader.goto("/?tab=group")
        leader.locator("#list tbody tr").get_by_role(
            "link", name="Behandle permisjonssøknaden"
        ).first.click()
        expect(leader.get_by_label(re.compile("^Fra og med"))).to_have_value("07.12.2027")
        expect(leader.get_by_label(re.compile("^Til og med"))).to_have_value("08.12.2027")
    finally:
        applicant.context.close()
        leader.context.close()


RENDER = """async ({schema, ui, data}) => {
  const { renderForm } = await import("/assets/js/form.js");
  const form = renderForm(schema, ui, data);
  const holder = document.createElement("form");
  holder.append(form.node);
  document.getElementById("main").replaceChildren(holder);
  window.testForm = form;
}"""


def _shortlist(page: Page, data: dict[str, object]) -> None:
    schema, ui = form_files("hiring.shortlist_candidates")
    page.evaluate(RENDER, {"schema": schema, "ui": ui, "data": data})


def test_interview_time_is_a_date_and_kl_time_sent_with_oslo_offset(
    american: Page, server: Server
) -> None:
    sign_in(american, server.url, "hr.loten", lang="nb")
    american.goto("/start")
    american.wait_for_load_state("networkidle")
    _shortlist(american, {"shortlist": [{"interview_at": "2027-06-30T08:00:00+00:00"}]})
    date_box, time_box = (
        american.locator("#f-shortlist-0-interview_at"),
        american.locator("#f-shortlist-0-interview_at-time"),
    )
    # A stored UTC value is shown as Oslo's wall clock, in summer time.
    expect(date_box).to_have_value("30.06.2027")
    expect(time_box).to_have_value("10.00")
    expect(american.get_by_label("Klokkeslett").first).to_have_attribute("placeholder", "tt.mm")
    date_box.fill("05.01.2027")
    time_box.fill("10.00")
    value = american.evaluate("window.testForm.value().shortlist[0].interview_at")
    assert value == "2027-01-05T10:00:00+01:00"
    time_box.fill("9:30")
    date_box.fill("1.7.2027")
    value = american.evaluate("window.testForm.value().shortlist[0].interview_at")
    assert value == "2027-07-01T09:30:00+02:00"
    # The picker: the calendar's choice lands in the box as dd.mm.åååå.
    american.get_by_role("button", name="Velg dato").first.click()
    american.locator("#f-shortlist-0-interview_at-native").fill("2027-03-04", force=True)
    expect(date_box).to_have_value("04.03.2027")
    time_box.fill("25.00")
    problems = american.evaluate("window.testForm.problems()")
    assert problems == {
        "shortlist.0.interview_at": [
            "Skriv et gyldig klokkeslett som tt.mm (00.00\u201323.59), for eksempel 10.00."
        ]
    }


def test_english_pages_have_the_same_inputs_with_english_labels(
    browser: Browser, server: Server
) -> None:
    page = american_page(browser, server)
    try:
        sign_in(page, server.url, "hr.loten", lang="en")
        page.goto("/start")
        page.wait_for_load_state("networkidle")
        _shortlist(page, {})
        page.locator("#f-shortlist-group").get_by_role("button", name=re.compile(r"^\+")).click()
        time_box = page.get_by_label("Time", exact=True).first
        expect(time_box).to_have_attribute("placeholder", "hh.mm")
        expect(page.get_by_label("Date", exact=True).first).to_have_attribute(
            "placeholder", "dd.mm.yyyy"
        )
        expect(page.get_by_role("button", name="Choose date").first).to_be_visible()
        page.get_by_label("Date", exact=True).first.fill("32.01.2027")
        problems = page.evaluate("window.testForm.problems()")
        assert list(problems.values()) == [
            ["Enter a valid date as dd.mm.yyyy, for example 05.01.2027."]
        ]
    finally:
        page.context.close()
