"""The panel names a flow from its label, and sets timers and messages with on-the-spot checks.

Issue 18: clicking a flow's label threw a TypeError and the panel kept the previous element; a
process owner sets a timer's kind and value and a message event's name and correlation key in
the properties panel, in bokmål, with help naming the accepted formats; a wrong value is named
at its field at once, and deploy refuses what the panel warned about.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.ui.harness import Server, sign_in

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
    expect(page.locator("#problem-list")).to_contain_text("har ingen melding")
    page.get_by_role("button", name="Rull ut som ny versjon").click()
    expect(page.locator("#problem-summary")).to_contain_text("feil")
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
