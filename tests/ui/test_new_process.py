"""A process owner builds the leave request from a blank diagram in the browser (issue 18).

The library's "Ny prosess" opens a blank diagram in the conventions (a pool, lanes as roles, a
start event). The owner `eier` names the process, adds the tasks through the properties panel,
makes each task's form in the modeler's form editor (the same texts as forms/leave.*.json),
builds the leave rules as a new decision table `leave_rules` (Løten ch. 5, DT-10, the same
rules as processes/leave/leave_rules.dmn) in the modeler's table editor, where validation names
a broken cell by row and column, gives the decision to the applicant's own leader with a
deadline of 3 working days, and deploys diagram, forms and table as one version. Two demo users run
it through the pages: the applicant's own leader decides (no other leader is offered it), and
the applicant reads the answer with the leader's comment.

`build_and_deploy` takes a `shot` callback: tests.ui.guide writes the screenshots of
docs/build-your-first-process.md from these very steps.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from engine.settings import ROOT
from tests.ui.harness import Server, new_page, sign_in

pytestmark = pytest.mark.ui

KEY = "permisjonssoknad"
NAME = "Permisjonssøknad"
Shot = Callable[[str], None]
PageShot = Callable[[str, Page], None]


# The rules of DT-10 as processes/leave/leave_rules.dmn has them: only 5.2.3, 5.7.5 and 5.8.6.5
# come from the source; every other reason is "not stated" (leave-rules.md §4).
TABLE_INPUT = ("Permisjonsgrunn", "reason_code", "tekst")
TABLE_OUTPUTS = [
    ("Lønn", "pay_status", "tekst"),
    ("Lengste varighet (dager)", "max_days", "tall"),
    ("Hvem avgjør", "decided_by", "tekst"),
    ("Kilde", "source_ref", "tekst"),
]
TABLE_RULES = [
    ('"5.2.3"', '"paid_or_unpaid"', "None", '"nearest_leader"', '"Løten 5.2.3"', "5.2.3"),
    ('"5.7.5"', '"unpaid"', "None", '"nearest_leader"', '"Løten 5.7.5"', "5.7.5"),
    ('"5.8.6.5"', '"not_granted"', "0", '"rules"', '"Løten 3.12"', "5.8.6.5 og Løten 3.12"),
    (
        '? not in ("5.2.3", "5.7.5", "5.8.6.5")',
        '"not_stated"',
        "None",
        '"nearest_leader"',
        '"Løten 3.11"',
        "Alle andre grunner: teksten mangler i kilden",
    ),
]


def _new_table(page: Page, shot: Shot | None = None) -> None:
    """Build the leave rules table (DT-10) in the modeler, fix a broken cell, use it."""
    page.locator("#panel").get_by_role("button", name="Ny beslutningstabell").click()
    dialog = page.get_by_role("dialog", name="Ny beslutningstabell (DMN)")
    dialog.get_by_label("Tabellens id (DMN-id)").fill("leave_rules")
    dialog.get_by_label("Tabellens navn").fill("Permisjonsregler")
    dialog.get_by_label("Treffpolicy").select_option("UNIQUE")
    label, expression, kind = TABLE_INPUT
    dialog.get_by_label("Inndata 1: etikett").fill(label)
    dialog.get_by_label("Inndata 1: felt eller uttrykk").fill(expression)
    dialog.get_by_label("Inndata 1: type").select_option(label=kind)
    for n, (label, name, kind) in enumerate(TABLE_OUTPUTS, start=1):
        if n > 1:
            dialog.get_by_role("button", name="Legg til utdata").click()
        dialog.get_by_label(f"Utdata {n}: etikett").fill(label)
        dialog.get_by_label(f"Utdata {n}: navn i dataene").fill(name)
        dialog.get_by_label(f"Utdata {n}: type").select_option(label=kind)
    columns = [TABLE_INPUT[0], *(label for label, _, _ in TABLE_OUTPUTS)]
    for n, (*cells, description) in enumerate(TABLE_RULES, start=1):
        if n > 1:
            dialog.get_by_role("button", name="Legg til regel").click()
        for column, cell in zip(columns, cells, strict=True):
            typed = '"5.7.5' if (n, column) == (2, "Permisjonsgrunn") else cell  # a slip
            dialog.get_by_label(f"Regel {n}: {column}", exact=True).fill(typed)
        dialog.get_by_label(f"Regel {n}: beskrivelse").fill(description)
    dialog.get_by_role("button", name="Valider tabellen").click()
    expect(dialog.locator("#dt-summary")).to_have_text("1 feil i tabellen.")
    expect(dialog.locator("#dt-problems")).to_contain_text(
        'Rad 2, kolonne 1 («Permisjonsgrunn»): «"5.7.5» er ikke en gyldig betingelse.'
    )
    broken = dialog.get_by_label("Regel 2: Permisjonsgrunn", exact=True)
    expect(broken).to_have_attribute("aria-invalid", "true")
    if shot:
        shot("table")
    broken.fill('"5.7.5"')
    dialog.get_by_role("button", name="Valider tabellen").click()
    expect(dialog.locator("#dt-summary")).to_have_text("Gyldig: tabellen kan rulles ut.")
    dialog.get_by_role("button", name="Bruk tabellen i oppgaven").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#panel").get_by_label("Beslutningstabell (DMN-id)")).to_have_value(
        "leave_rules"
    )
    # The draft carries the table: it opens again as it was saved.
    page.locator("#panel").get_by_role("button", name="Rediger beslutningstabellen").click()
    dialog = page.get_by_role("dialog", name="Beslutningstabellen leave_rules")
    expect(dialog.get_by_label("Regel 2: Permisjonsgrunn", exact=True)).to_have_value('"5.7.5"')
    expect(dialog.get_by_label("Regel 4: Lønn", exact=True)).to_have_value('"not_stated"')
    dialog.get_by_role("button", name="Avbryt").click()
    expect(dialog).to_have_count(0)


def _form(name: str) -> tuple[dict, dict]:  # type: ignore[type-arg]
    forms = ROOT / "forms"
    read = lambda path: json.loads(Path(path).read_text(encoding="utf-8"))  # noqa: E731
    return read(forms / f"leave.{name}.schema.json"), read(forms / f"leave.{name}.uischema.json")


def _panel_set(page: Page, label: str, value: str) -> None:
    field = page.locator("#panel").get_by_label(label, exact=True)
    field.fill(value)
    field.press("Tab")


def _click_element(page: Page, element_id: str) -> None:
    if page.locator("#p-id").input_value() == element_id:
        return  # still selected
    page.locator(f'.djs-element[data-element-id="{element_id}"]').click()
    expect(page.locator("#p-id")).to_have_value(element_id)


def _new_form(page: Page, name: str, shot: Shot | None = None) -> None:
    schema, ui = _form(name)
    page.locator("#panel").get_by_role("button", name="Nytt skjema").click()
    dialog = page.get_by_role("dialog", name="Nytt skjema")
    dialog.get_by_label("Skjemaets navn").fill(f"{KEY}.{name}")
    dialog.get_by_label("JSON Schema", exact=True).fill(
        json.dumps(schema, ensure_ascii=False, indent=2)
    )
    dialog.get_by_label("Skjemaoppsett (UI schema)").fill(
        json.dumps(ui, ensure_ascii=False, indent=2)
    )
    for field in schema["properties"].values():
        expect(dialog.locator("#nf-preview")).to_contain_text(field["title"])
    if shot:
        shot("form")
    dialog.get_by_role("button", name="Bruk skjemaet i oppgaven").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#panel").get_by_label("Skjema (JSON Schema)")).to_have_value(
        f"{KEY}.{name}.schema.json"
    )


def _add(page: Page, after: str, button: str, element_id: str, name: str) -> None:
    _click_element(page, after)
    page.get_by_role("button", name=button).click()
    _panel_set(page, "Id", element_id)
    _panel_set(page, "Navn", name)


def _add_task(page: Page, after: str, task_id: str, name: str, assign: str) -> None:
    _add(page, after, "Legg til brukeroppgave etter", task_id, name)
    expect(page.locator("#panel-title")).to_have_text("Egenskaper: brukeroppgave")
    page.locator("#panel").get_by_label("Hvem får oppgaven").select_option(label=assign)


def _drag_into_lane(page: Page, element_id: str, lane: str) -> None:
    """Move a task into another lane with the mouse, as a person would."""
    box = page.locator(f'.djs-element[data-element-id="{element_id}"]').bounding_box()
    target = page.locator(f'.djs-element[data-element-id="{lane}"]').bounding_box()
    assert box is not None and target is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, target["y"] + target["height"] / 2, steps=8)
    page.mouse.up()
    moved = page.locator(f'.djs-element[data-element-id="{element_id}"]').bounding_box()
    assert moved is not None and target["y"] < moved["y"] < target["y"] + target["height"]


def build_and_deploy(page: Page, server: Server, shot: Shot | None = None) -> None:
    """The process owner's steps, from the library to the deployed version."""
    snap = shot or (lambda name: None)
    sign_in(page, server.url, "eier")
    page.get_by_role("link", name="Prosessbibliotek").click()
    expect(page.get_by_role("link", name="Ny prosess")).to_be_visible()
    snap("library")
    page.get_by_role("link", name="Ny prosess").click()
    expect(page.locator("#modeler")).to_have_attribute("data-ready", "true")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny prosess (utkast)")
    snap("blank")
    page.locator('.djs-element[data-element-id^="pool_"] .djs-hit').first.click(
        position={"x": 15, "y": 150}, force=True
    )
    expect(page.locator("#panel-title")).to_have_text("Egenskaper: basseng (prosess)")
    _panel_set(page, "Prosessnøkkel", KEY)
    _panel_set(page, "Navn", NAME)

    _add_task(page, "start", "apply", "Søk om permisjon", "Den som startet saken")
    _new_form(page, "apply", shot)
    _add(page, "apply", "Legg til regeloppgave (DMN) etter", "apply_rules", "Slå opp reglene")
    _new_table(page, shot)
    _add_task(
        page, "apply_rules", "decide", "Behandle søknaden", "Lederen til den som startet saken"
    )
    _panel_set(page, "Frist i arbeidsdager (dueInWorkingDays)", "3")
    _new_form(page, "decide")
    _drag_into_lane(page, "decide", "leader")
    _click_element(page, "decide")
    page.locator("#p-assign").scroll_into_view_if_needed()
    expect(page.locator("#p-assign")).to_have_value("starter_leader")
    snap("assign")
    _add_task(page, "decide", "answer", "Les svaret", "Den som startet saken")
    _new_form(page, "answer")
    page.get_by_role("button", name="Legg til slutthendelse etter").click()
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#problem-summary")).to_contain_text("Gyldig")
    snap("valid")

    page.get_by_role("button", name="Rull ut som ny versjon").click()
    page.wait_for_url(re.compile(r"/library#version-"))
    section = page.locator(".library-process", has=page.get_by_role("heading", name=NAME))
    row = section.locator(f"#version-{KEY}-1")
    expect(row).to_contain_text("Kan kjøres")
    row.get_by_text("Andre filer").click()
    for form in ("apply", "decide", "answer"):
        expect(row).to_contain_text(f"{KEY}.{form}.schema.json")
    expect(row).to_contain_text("leave_rules.dmn")
    snap("deployed")


def run_as_demo_users(browser: Browser, server: Server, shot: PageShot | None = None) -> None:
    """emp.asker applies; her own leader decides; she reads the answer with his comment."""
    snap = shot or (lambda name, page: None)
    applicant = new_page(browser, server.url)
    sign_in(applicant, server.url, "emp.asker")
    applicant.get_by_role("link", name="Start en prosess").click()
    card = applicant.get_by_role("article", name=NAME)
    card.get_by_label("Saksnummer (valgfritt)").fill("PERM-1")
    card.get_by_role("button", name="Start").click()
    applicant.wait_for_url(re.compile(r"/tasks/"))
    expect(applicant.get_by_role("heading", level=1)).to_have_text("Søk om permisjon")
    expect(applicant.locator("#task-form label").first).to_contain_text("Permisjonsgrunn")
    applicant.get_by_label(re.compile("^Permisjonsgrunn")).select_option(
        label="Eget legebesøk, ledsagelse av barn (5.4.B)"
    )
    applicant.get_by_label(re.compile("^Fra og med")).fill("2026-12-07")
    applicant.get_by_label(re.compile("^Til og med")).fill("2026-12-07")
    applicant.get_by_label(re.compile("^Antall arbeidsdager")).fill("1")
    applicant.get_by_label(re.compile("^Begrunnelse")).fill("Time hos spesialist")
    snap("apply", applicant)
    applicant.get_by_role("button", name="Fullfør oppgaven").click()
    applicant.wait_for_url(f"{server.url}/")

    other = new_page(browser, server.url)  # another municipality's leader is not offered it
    sign_in(other, server.url, "leder.drammen")
    other.goto("/?tab=group")
    expect(other.locator("#list")).not_to_contain_text("PERM-1")
    other.context.close()

    leader = new_page(browser, server.url)
    sign_in(leader, server.url, "leder.asker")
    leader.goto("/?tab=group")
    leader.locator("#list tbody tr").filter(has_text="PERM-1").get_by_role(
        "link", name="Behandle søknaden"
    ).click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("Behandle søknaden")
    # The rules table ran: the regulations fix no pay for this reason.
    expect(leader.get_by_label(re.compile("^Lønn etter reglementet"))).to_have_value("3")
    leader.get_by_role("button", name="Ta oppgaven").click()
    leader.get_by_label(re.compile("^Innvilget")).check()
    leader.get_by_label(re.compile("^Med lønn")).check()
    leader.get_by_label(re.compile("^Kommentar til søkeren")).fill(
        "Innvilget med lønn. God bedring!"
    )
    snap("decide", leader)
    leader.get_by_role("button", name="Fullfør oppgaven").click()
    leader.wait_for_url(f"{server.url}/")
    leader.context.close()

    applicant.goto("/?tab=group")
    applicant.locator("#list tbody tr").filter(has_text="PERM-1").get_by_role(
        "link", name="Les svaret"
    ).click()
    expect(applicant.get_by_label(re.compile("^Lederens kommentar"))).to_have_value(
        "Innvilget med lønn. God bedring!"
    )
    expect(applicant.get_by_label(re.compile("^Innvilget"))).to_be_checked()
    snap("answer", applicant)
    applicant.get_by_role("button", name="Fullfør oppgaven").click()
    applicant.wait_for_url(f"{server.url}/")
    applicant.context.close()


def test_owner_builds_the_leave_request_and_two_users_run_it(
    page: Page, browser: Browser, server: Server
) -> None:
    build_and_deploy(page, server)
    # The table made in the modeler opens in the library's decision table editor (dmn-js).
    row = page.locator(f"#version-{KEY}-1")
    row.get_by_role("link", name="Rediger leave_rules.dmn").click()
    expect(page.locator("#dmn-modeler")).to_have_attribute("data-ready", "true")
    expect(page.locator("#dmn-canvas")).to_contain_text('"not_stated"')
    run_as_demo_users(browser, server)
