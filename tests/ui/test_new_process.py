"""A process owner builds a new process from a blank diagram in the browser (issue 18).

The library's "Ny prosess" opens a blank diagram in the conventions (a pool, lanes as roles, a
start event); the owner names the process, adds the tasks through the properties panel, makes
each task's form in the modeler's form editor, chooses from the organisation who gets each task,
and deploys diagram and forms as one version. Two demo users then run it through the pages:
the applicant's own leader decides (not every leader), and the applicant reads the comment.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.ui.harness import Server, new_page, sign_in

pytestmark = pytest.mark.ui

KEY = "velferdspermisjon"
APPLY = {
    "type": "object",
    "properties": {
        "permisjonstype": {"type": "string", "title": "Type permisjon", "enum": ["velferd", "lege"]},
        "dager": {"type": "integer", "title": "Antall dager", "minimum": 1, "maximum": 10},
        "begrunnelse": {"type": "string", "title": "Begrunnelse", "minLength": 1},
    },
    "required": ["permisjonstype", "dager", "begrunnelse"],
}
APPLY_UI = {
    "ui:order": ["permisjonstype", "dager", "begrunnelse"],
    "permisjonstype": {"ui:enumNames": ["Velferdspermisjon", "Legebesøk"]},
}
DECIDE = {
    "type": "object",
    "properties": {
        "godkjent": {"type": "boolean", "title": "Godkjent"},
        "kommentar": {"type": "string", "title": "Kommentar til søkeren", "minLength": 1},
    },
    "required": ["godkjent", "kommentar"],
}
ANSWER = {
    "type": "object",
    "properties": {
        "kommentar": {"type": "string", "title": "Lederens kommentar", "readOnly": True},
    },
}


def _panel_set(page: Page, label: str, value: str) -> None:
    field = page.locator("#panel").get_by_label(label, exact=True)
    field.fill(value)
    field.press("Tab")


def _click_element(page: Page, element_id: str) -> None:
    if page.locator("#p-id").input_value() == element_id:
        return  # still selected
    page.locator(f'.djs-element[data-element-id="{element_id}"]').click()
    expect(page.locator("#p-id")).to_have_value(element_id)


def _new_form(page: Page, name: str, schema: dict, ui: dict) -> None:  # type: ignore[type-arg]
    page.locator("#panel").get_by_role("button", name="Nytt skjema").click()
    dialog = page.get_by_role("dialog", name="Nytt skjema")
    dialog.get_by_label("Skjemaets navn").fill(name)
    dialog.get_by_label("JSON Schema", exact=True).fill(json.dumps(schema, ensure_ascii=False))
    dialog.get_by_label("Skjemaoppsett (UI schema)").fill(json.dumps(ui, ensure_ascii=False))
    for field in schema["properties"].values():
        expect(dialog.locator("#nf-preview")).to_contain_text(field["title"])
    dialog.get_by_role("button", name="Bruk skjemaet i oppgaven").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#panel").get_by_label("Skjema (JSON Schema)")).to_have_value(
        f"{name}.schema.json"
    )


def _add_task(page: Page, after: str, task_id: str, name: str, assign: str) -> None:
    _click_element(page, after)
    page.get_by_role("button", name="Legg til brukeroppgave etter").click()
    expect(page.locator("#panel-title")).to_have_text("Egenskaper: brukeroppgave")
    _panel_set(page, "Id", task_id)
    _panel_set(page, "Navn", name)
    page.locator("#panel").get_by_label("Hvem får oppgaven").select_option(label=assign)


def build_and_deploy(page: Page, server: Server, *, shots: dict[str, Page] | None = None) -> None:
    """The process owner's steps, from the library to the deployed version."""
    sign_in(page, server.url, "eier")
    page.get_by_role("link", name="Prosessbibliotek").click()
    page.get_by_role("link", name="Ny prosess").click()
    expect(page.locator("#modeler")).to_have_attribute("data-ready", "true")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny prosess (utkast)")
    page.locator('.djs-element[data-element-id^="pool_"] .djs-hit').first.click(
        position={"x": 15, "y": 150}, force=True
    )
    expect(page.locator("#panel-title")).to_have_text("Egenskaper: basseng (prosess)")
    _panel_set(page, "Prosessnøkkel", KEY)
    _panel_set(page, "Navn", "Søknad om velferdspermisjon")

    _add_task(page, "start", "apply", "Søk om permisjon", "Den som startet saken")
    _new_form(page, f"{KEY}.apply", APPLY, APPLY_UI)
    _add_task(page, "apply", "decide", "Behandle søknaden", "Lederen til den som startet saken")
    _new_form(page, f"{KEY}.decide", DECIDE, {"ui:order": ["godkjent", "kommentar"]})
    # The leader's task goes in the leader's lane: dragged there like a person would.
    box = page.locator('.djs-element[data-element-id="decide"]').bounding_box()
    assert box is not None
    lanes = page.locator('.djs-element[data-element-id="leader"]').bounding_box()
    assert lanes is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, lanes["y"] + lanes["height"] / 2, steps=8)
    page.mouse.up()
    moved = page.locator('.djs-element[data-element-id="decide"]').bounding_box()
    assert moved is not None and lanes["y"] < moved["y"] < lanes["y"] + lanes["height"]
    _add_task(page, "decide", "answer", "Les svaret", "Den som startet saken")
    _new_form(page, f"{KEY}.answer", ANSWER, {})
    page.get_by_role("button", name="Legg til slutthendelse etter").click()
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#problem-summary")).to_contain_text("Gyldig")

    page.get_by_role("button", name="Rull ut som ny versjon").click()
    page.wait_for_url(re.compile(r"/library#version-"))
    section = page.locator(".library-process", has=page.get_by_role("heading", name="Søknad om velferdspermisjon"))
    row = section.locator(f"#version-{KEY}-1")
    expect(row).to_contain_text("Kan kjøres")
    row.get_by_text("Andre filer").click()
    for form in ("apply", "decide", "answer"):
        expect(row).to_contain_text(f"{KEY}.{form}.schema.json")


def test_owner_builds_a_process_and_two_users_run_it(
    page: Page, browser: Browser, server: Server
) -> None:
    build_and_deploy(page, server)

    applicant = new_page(browser, server.url)
    sign_in(applicant, server.url, "emp.asker")
    applicant.get_by_role("link", name="Start en prosess").click()
    card = applicant.get_by_role("article", name="Søknad om velferdspermisjon")
    card.get_by_label("Saksnummer (valgfritt)").fill("PERM-1")
    card.get_by_role("button", name="Start").click()
    applicant.wait_for_url(re.compile(r"/tasks/"))
    expect(applicant.get_by_role("heading", level=1)).to_have_text("Søk om permisjon")
    labels = applicant.locator("#task-form label")
    expect(labels.first).to_contain_text("Type permisjon")  # the UI schema's order
    applicant.get_by_label(re.compile("^Type permisjon")).select_option(label="Legebesøk")
    applicant.get_by_label(re.compile("^Antall dager")).fill("1")
    applicant.get_by_label(re.compile("^Begrunnelse")).fill("Time hos spesialist")
    applicant.get_by_role("button", name="Fullfør oppgaven").click()
    applicant.wait_for_url(f"{server.url}/")

    # Another municipality's leader is not offered it; the applicant's own leader is.
    other = new_page(browser, server.url)
    sign_in(other, server.url, "leder.drammen")
    other.goto("/?tab=group")
    expect(other.locator("#list")).not_to_contain_text("PERM-1")
    other.goto("/?tab=mine")
    expect(other.locator("#list")).not_to_contain_text("PERM-1")
    other.context.close()

    leader = new_page(browser, server.url)
    sign_in(leader, server.url, "leder.asker")
    leader.goto("/?tab=group")
    leader.locator("#list tbody tr").filter(has_text="PERM-1").get_by_role(
        "link", name="Behandle søknaden"
    ).click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("Behandle søknaden")
    leader.get_by_role("button", name="Ta oppgaven").click()
    leader.get_by_label(re.compile("^Godkjent")).check()
    leader.get_by_label(re.compile("^Kommentar til søkeren")).fill("Godkjent, god bedring")
    leader.get_by_role("button", name="Fullfør oppgaven").click()
    leader.wait_for_url(f"{server.url}/")
    leader.context.close()

    applicant.goto("/?tab=group")
    applicant.locator("#list tbody tr").filter(has_text="PERM-1").get_by_role(
        "link", name="Les svaret"
    ).click()
    expect(applicant.get_by_label(re.compile("^Lederens kommentar"))).to_have_value(
        "Godkjent, god bedring"
    )
    applicant.get_by_role("button", name="Fullfør oppgaven").click()
    applicant.wait_for_url(f"{server.url}/")
    applicant.context.close()
