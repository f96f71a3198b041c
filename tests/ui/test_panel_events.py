"""The panel: a flow's label, timers and messages, and the mails a task sends (issue 18).

Issue 18: clicking a flow's label threw a TypeError and the panel kept the previous element; a
process owner sets a timer's kind and value and a message event's name and correlation key in
the properties panel, in bokmål, with help naming the accepted formats; a wrong value is named
at its field at once, and validation at deploy names it too. The owner writes the
subject and body of the mail a task sends, with its placeholders listed and checked, and the
applicant's mail carries that text instead of the raw type key.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine.store.models import Outbox
from tests.ui.harness import Server, new_page, sign_in

pytestmark = pytest.mark.ui


def _panel_set(page: Page, label: str, value: str) -> None:
    field = page.locator("#panel").get_by_label(label, exact=True)
    field.fill(value)
    field.press("Tab")


def _new_process_with_a_task(page: Page, server: Server, errors: list[str]) -> None:
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server.url, "eier")
    page.goto("/modeler/new")
    expect(page.locator("#modeler")).to_have_attribute("data-ready", "true")
    page.locator('.djs-element[data-element-id="start"]').click()
    page.get_by_role("button", name="Legg til brukeroppgave etter").click()
    _panel_set(page, "Id", "apply")


def test_clicking_a_flow_label_shows_the_flow(page: Page, server: Server) -> None:
    errors: list[str] = []
    _new_process_with_a_task(page, server, errors)
    page.locator('.djs-connection[data-element-id^="Flow_"] .djs-hit').first.click(force=True)
    expect(page.locator("#panel-title")).to_have_text("Egenskaper: flyt")
    flow_id = page.locator("#p-id").input_value()
    _panel_set(page, "Navn", "søknad sendt")
    page.locator('.djs-element[data-element-id="apply"]').click()
    expect(page.locator("#p-id")).to_have_value("apply")

    page.locator(f'.djs-element[data-element-id="{flow_id}_label"]').click()
    expect(page.locator("#panel-title")).to_have_text("Egenskaper: flyt")
    expect(page.locator("#p-id")).to_have_value(flow_id)
    expect(page.locator("#p-name")).to_have_value("søknad sendt")
    assert errors == []


def test_timer_and_message_are_checked_at_their_fields_and_at_deploy(
    page: Page, server: Server
) -> None:
    errors: list[str] = []
    _new_process_with_a_task(page, server, errors)
    panel = page.locator("#panel")
    page.get_by_role("button", name="Legg til tidsfrist (tidtaker på kanten)").click()
    expect(page.locator("#panel-title")).to_have_text("Egenskaper: grensehendelse")
    expect(panel.get_by_label("Type tidtaker")).to_have_value("timeDuration")
    expect(panel).to_contain_text("P3D (3 dager)")  # the help names the accepted formats
    expect(panel.locator("#p-timer-error")).to_contain_text("ingen tid ennå")
    _panel_set(page, "Tid", "P3X")
    expect(panel.locator("#p-timer-error")).to_have_text(
        "«P3X» er ikke gyldig som varighet (for eksempel P3D eller PT4H)."
    )
    expect(panel.locator("#p-timer")).to_have_attribute("aria-invalid", "true")
    _panel_set(page, "Tid", "P3D")
    expect(panel.locator("#p-timer-error")).to_have_count(0)
    panel.get_by_label("Type tidtaker").select_option(label="Gjentakelse")
    _panel_set(page, "Tid", "0 0 8 * * ?")
    expect(panel.locator("#p-timer-error")).to_contain_text("Cron-uttrykk støttes ikke")
    _panel_set(page, "Tid", "R/P1D")
    expect(panel.locator("#p-timer-error")).to_have_count(0)
    panel.get_by_label("Type tidtaker").select_option(label="Tidspunkt")
    expect(panel.locator("#p-timer-error")).to_contain_text("«R/P1D» er ikke gyldig som tidspunkt")
    page.get_by_label("Frist i arbeidsdager", exact=True).fill("3")
    page.get_by_role("button", name="Bruk", exact=True).click()
    expect(panel.locator("#p-timer")).to_have_value('add_working_days(today(), 3) + "T08:00:00"')
    expect(panel.locator("#p-timer-error")).to_have_count(0)

    # A message the applicant waits for, after the task.
    page.locator('.djs-element[data-element-id="apply"]').click()
    page.locator('.djs-context-pad [data-action="append.intermediate-event"]').click()
    _panel_set(page, "Id", "answer_received")
    page.locator('.djs-context-pad [data-action="replace"]').click()
    page.locator(".djs-popup").get_by_text("Mellomhendelse (venter) (melding)", exact=True).click()
    expect(page.locator("#panel-title")).to_have_text("Egenskaper: mellomhendelse (venter)")
    expect(panel.locator("#p-message-error")).to_contain_text("ingen melding ennå")
    page.get_by_role("button", name="Valider").click()
    warning = page.locator("#problem-list li", has_text="har ingen melding")
    expect(warning).to_contain_text("Advarsel")  # deploy names it too; imported diagrams run
    _click_problem_element(page)
    _panel_set(page, "Melding", "Svar kom")
    expect(panel.locator("#p-message-error")).to_contain_text("er ikke snake_case")
    _panel_set(page, "Melding", "answer_received")
    expect(panel.locator("#p-message-error")).to_have_count(0)
    _panel_set(page, "Korrelasjonsegenskap", "case_id")
    expect(panel.get_by_label("Uttrykk som henter verdien fra meldingen")).to_have_value("case_id")
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#problem-list")).not_to_contain_text("har ingen melding")
    assert errors == []


def _click_problem_element(page: Page) -> None:
    page.locator("#problem-list li", has_text="har ingen melding").get_by_role(
        "button", name="Vis i diagrammet"
    ).click()
    expect(page.locator("#panel-title")).to_have_text("Egenskaper: mellomhendelse (venter)")


def test_owner_writes_the_text_of_the_mail_a_task_sends(page: Page, server: Server) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server.url, "eier")
    page.goto("/modeler/new")
    expect(page.locator("#modeler")).to_have_attribute("data-ready", "true")
    page.locator('.djs-element[data-element-id^="pool_"] .djs-hit').first.click(
        position={"x": 15, "y": 150}, force=True
    )
    _panel_set(page, "Prosessnøkkel", "epost_prove")
    _panel_set(page, "Navn", "E-post-prøve")
    page.locator('.djs-element[data-element-id="start"]').click()
    page.get_by_role("button", name="Legg til brukeroppgave etter").click()
    _panel_set(page, "Id", "send_reminder")
    page.locator('.djs-context-pad [data-action="replace"]').click()
    page.locator(".djs-popup").get_by_text("Tjenesteoppgave", exact=True).click()
    panel = page.locator("#panel")
    expect(panel.locator("#p-mail-none")).to_contain_text("Oppgaven sender ingen e-post")
    _panel_set(page, "Navn", "Send påminnelse")
    _panel_set(page, "Operatør (serviceTaskOperator)", "notify")
    _panel_set(
        page, "Parametre", "type = 'leave_reminder'\nto = started_by\nfrom_date = '2026-12-07'"
    )
    expect(panel).to_contain_text("E-posten «leave_reminder»")
    expect(panel).to_contain_text("$case, $link, $home, $type, $from_date")
    _panel_set(page, "Emne (bokmål)", "Påminnelse: $case fra $from_date, frist $deadline")
    expect(panel.locator("#p-mail-leave_reminder-nb-subject-error")).to_have_text(
        "Oppgaven gir ikke $deadline til e-posten: bruk bare feltene over."
    )
    _panel_set(page, "Tekst (bokmål)", "Hei $name,\n\nsøknaden venter på deg.\n$link")
    _panel_set(page, "Emne (engelsk)", "Reminder: $case from $from_date")
    _panel_set(page, "Tekst (engelsk)", "Hi $name, the request is waiting. $link")
    page.get_by_role("button", name="Legg til slutthendelse etter").click()
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#problem-list")).to_contain_text(
        "«Send påminnelse»: e-posten «leave_reminder» bruker $deadline, som oppgaven ikke gir den."
    )
    page.locator('.djs-element[data-element-id="send_reminder"]').click()
    _panel_set(page, "Emne (bokmål)", "Påminnelse: $case fra $from_date")
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#problem-summary")).to_contain_text("Gyldig")
    page.get_by_role("button", name="Rull ut som ny versjon").click()
    page.wait_for_url(re.compile(r"/library#version-"))

    applicant = new_page(page.context.browser, server.url)  # type: ignore[arg-type]
    sign_in(applicant, server.url, "emp.asker")
    applicant.get_by_role("link", name="Start en prosess").click()
    card = applicant.get_by_role("article", name="E-post-prøve")
    card.get_by_label("Saksnummer (valgfritt)").fill("EPOST-1")
    card.get_by_role("button", name="Start").click()
    expect(applicant.locator("#flash, [role=status]").first).to_be_visible()
    applicant.context.close()
    with server.wiring.new_uow() as uow:
        rows = uow.session.scalars(select(Outbox).where(Outbox.recipient == "emp.asker"))
        subjects = [row.subject for row in rows]
    assert "Påminnelse: EPOST-1 fra 7. desember 2026" in subjects
    assert errors == []
