"""A process owner changes the assignment process in the modeler, validates, deploys, compares.

Real Chromium over the real server: add a user task with a form and a timer boundary event
through the properties panel, see the validation errors pinned on the elements, fix them,
deploy version n+1, find it in the library and the API, and diff v(n) with v(n+1).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from engine.services import definitions, diffs, instance_views, instances
from engine.settings import ROOT
from tests.ui.harness import FIXTURES, Server, axe_violations, new_page, sign_in

pytestmark = pytest.mark.ui

GATEWAY = "has_registrations"
ELEMENT_IDS = "() => window.saksflytModeler.get('elementRegistry').getAll().map(e => e.id)"


def _deploy_assignment(server: Server) -> int:
    files = {p.name: p.read_bytes() for p in (ROOT / "processes" / "assignment").glob("*.bpmn")}
    files |= {p.name: p.read_bytes() for p in (ROOT / "forms").glob("assignment.*.json")}
    definitions.deploy(server.wiring.new_uow(), files, actor="test", now=server.wiring.now())
    with server.wiring.new_uow() as uow:
        return uow.definitions.latest("assignment").version


def _panel_set(page: Page, label: str, value: str) -> None:
    field = page.locator("#panel").get_by_label(label, exact=True)
    field.fill(value)
    field.press("Tab")


def _select(page: Page, element_id: str) -> None:
    page.evaluate(
        "(id) => { const m = window.saksflytModeler;"
        " m.get('selection').select(m.get('elementRegistry').get(id)); }",
        element_id,
    )


def _api(page: Page, path: str) -> Any:
    reply = page.request.get(path)
    assert reply.ok, reply.text()
    return reply.json()


def test_owner_adds_a_task_fixes_errors_deploys_and_diffs(page: Page, server: Server) -> None:
    version = _deploy_assignment(server)
    sign_in(page, server.url, "eier")
    page.get_by_role("link", name="Prosessbibliotek").click()
    section = page.locator(
        ".library-process", has=page.get_by_role("heading", name=re.compile("kompetansenettverket"))
    )
    section.get_by_role("link", name=f"Rediger versjon {version} i modellereren").click()
    expect(page.locator("#modeler")).to_have_attribute("data-ready", "true")
    before = set(page.evaluate(ELEMENT_IDS))

    page.locator(f'.djs-element[data-element-id="{GATEWAY}"]').click()
    expect(page.locator("#panel-title")).to_have_text("Egenskaper: eksklusiv port")
    page.get_by_role("button", name="Legg til brukeroppgave etter").click()
    expect(page.locator("#panel-title")).to_have_text("Egenskaper: brukeroppgave")
    _panel_set(page, "Id", "check_extra")
    _panel_set(page, "Navn", "Ekstra kontroll")
    page.get_by_label("Skjema (JSON Schema)").select_option("assignment.describe_need.schema.json")
    expect(page.get_by_label("Skjemaoppsett (UI schema)")).to_have_value(
        "assignment.describe_need.uischema.json"
    )
    page.get_by_role("button", name="Legg til tidsfrist (tidtaker på kanten)").click()
    expect(page.locator("#panel-title")).to_have_text("Egenskaper: grensehendelse")
    _panel_set(page, "Id", "extra_deadline")
    _select(page, "check_extra")
    page.get_by_role("button", name="Legg til slutthendelse etter").click()
    _panel_set(page, "Id", "extra_done")

    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#problem-summary")).to_have_text(re.compile(r"\d+ feil må rettes"))
    pin = page.locator('.djs-overlays[data-container-id="extra_deadline"] .problem-pin--error')
    expect(pin).to_be_visible()
    expect(page.locator(".problem", has_text="extra_deadline")).to_contain_text("has no time")
    added_flow = page.evaluate(
        "() => window.saksflytModeler.get('elementRegistry')"
        f".filter(e => e.type === 'bpmn:SequenceFlow' && e.source.id === '{GATEWAY}'"
        " && e.target.id === 'check_extra')[0].id"
    )
    expect(
        page.locator(f'.djs-overlays[data-container-id="{added_flow}"] .problem-pin')
    ).to_have_count(1)

    pin.click()
    expect(page.locator("#panel-title")).to_have_text("Egenskaper: grensehendelse")
    _panel_set(page, "Tid", "P3D")
    _select(page, added_flow)
    _panel_set(page, "Betingelse (Python)", "registration_count > 10")
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#problem-summary")).to_have_text("Gyldig: kan rulles ut.")
    expect(page.locator(".problem-pin--error")).to_have_count(0)
    new_ids = set(page.evaluate(ELEMENT_IDS)) - before
    new_ids = {i for i in new_ids if not i.endswith("_label")}

    page.get_by_role("button", name="Rull ut som ny versjon").click()
    page.wait_for_url(re.compile(r"/library"))
    expect(page.locator("#flash")).to_contain_text(f"versjon {version + 1}")
    row = page.locator(f"#version-assignment-{version + 1}")
    expect(row).to_contain_text("eier")
    expect(row.locator(".running")).to_have_text("0")

    latest = _api(page, "/api/v1/process-definitions/assignment")
    assert (latest["version"], latest["deployed_by"], latest["runnable"]) == (
        version + 1,
        "eier",
        True,
    )
    diff = _api(
        page, f"/api/v1/process-definitions/assignment/diff?from={version}&to={version + 1}"
    )
    assert {e["id"] for e in diff["added"]} == new_ids
    assert {"check_extra", "extra_deadline", "extra_done", added_flow} <= new_ids
    assert diff["removed"] == [] and diff["changed"] == []

    row.get_by_role(
        "link", name=f"Sammenlign med forrige: versjon {version} og {version + 1}"
    ).click()
    added = page.locator("#diff-added-list li")
    expect(added).to_have_count(len(new_ids))
    expect(page.locator("#diff-added-list")).to_contain_text("Ekstra kontroll (check_extra")
    expect(page.locator('.diff-added[data-element-id="check_extra"]')).to_have_count(1)


def test_the_library_is_not_for_participants(page: Page, server: Server) -> None:
    sign_in(page, server.url, "emp.asker")
    expect(page.get_by_role("link", name="Prosessbibliotek")).to_have_count(0)
    response = page.goto("/modeler/ui_review/1")
    assert response is not None and response.status == 403
    expect(page.get_by_role("alert")).to_contain_text("prosesseiere")


def test_owner_moves_running_instances_after_a_dry_run(page: Page, server: Server) -> None:
    wiring = server.wiring
    with wiring.new_uow() as uow:
        starter = uow.users.get("emp.asker")
    started = instances.start_instance(
        wiring.new_uow(), "ui_note", {}, actor=starter, now=wiring.now(), business_key="IDE-8"
    )
    note = (FIXTURES / "ui_note.bpmn").read_bytes()
    newer = note.replace(
        b'<bpmn:sequenceFlow id="to_end" sourceRef="describe" targetRef="end" />',
        b'<bpmn:sequenceFlow id="to_end" sourceRef="describe" targetRef="thank" />'
        b'<bpmn:manualTask id="thank" name="Takk innsenderen" />'
        b'<bpmn:sequenceFlow id="to_end2" sourceRef="thank" targetRef="end" />',
    )
    result = definitions.deploy(
        wiring.new_uow(), {"ui_note.bpmn": newer}, actor="eier", now=wiring.now()
    )
    target = result.created[0].version

    sign_in(page, server.url, "eier")
    page.goto("/library/ui_note/migrate")
    page.get_by_label("Til versjon").select_option(str(target))
    page.get_by_role("button", name="Prøv (tørrkjøring)").click()
    row = page.locator(f'tr[data-instance-id="{started.id}"]')
    expect(row).to_contain_text("IDE-8")
    expect(row).to_contain_text("describe")
    expect(row.locator(".verdict")).to_have_text(f"Ja, til versjon {target}")
    expect(row.get_by_role("checkbox")).to_be_checked()
    page.get_by_role("button", name=f"Flytt valgte til versjon {target}").click()
    expect(row.locator(".verdict")).to_have_text(f"Flyttet til versjon {target}")
    expect(page.locator("#flash")).to_contain_text(f"til versjon {target}")
    # The owner moved a case that is not theirs to read (need to know): check it as the admin.
    with wiring.new_uow() as uow:
        admin = uow.users.get("admin")
    moved = instance_views.read_instance(
        wiring.new_uow(), started.id, admin, now=wiring.now(), open_fields=""
    )
    assert moved["version"] == target
    history = instance_views.instance_history(wiring.new_uow(), started.id, admin, open_fields="")
    events = history["events"]
    assert [e.actor for e in events if e.type == "instance_migrated"] == ["eier"]
    # The server is shared by the files a worker runs: new ideas start on the first flow again.
    definitions.make_current(
        wiring.new_uow(), "ui_note", target - 1, actor="eier", now=wiring.now()
    )


def test_library_and_modeler_pass_axe(browser: Browser, server: Server) -> None:
    # axe is injected as an inline script, which the pages' CSP would otherwise refuse.
    page = new_page(browser, server.url, bypass_csp=True)
    sign_in(page, server.url, "eier")
    page.goto("/library")
    page.locator(".library-process").first.wait_for()
    page.get_by_role("button", name="Vis diagram for versjon 1").first.click()
    page.locator(".diagram--library svg[role=img]").wait_for()
    assert axe_violations(page) == []
    page.goto("/modeler/ui_review/1")
    expect(page.locator("#modeler")).to_have_attribute("data-ready", "true")
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#problem-summary")).to_have_text("Gyldig: kan rulles ut.")
    for region in ("#panel", ".modeler-problems", ".modeler-toolbar"):
        assert axe_violations(page, region) == [], region
    page.context.close()


def test_the_panel_edits_scripts_timers_messages_lanes_and_flows(
    page: Page, server: Server
) -> None:
    version = _deploy_assignment(server)
    sign_in(page, server.url, "eier")
    page.goto(f"/modeler/assignment/{version}")
    expect(page.locator("#modeler")).to_have_attribute("data-ready", "true")

    _select(page, "publish_announcement")
    _panel_set(page, "Skript (Python)", "announced = True")
    _select(page, "report_reminder")
    page.get_by_label("Frist i arbeidsdager", exact=True).fill("5")
    page.get_by_role("button", name="Bruk", exact=True).click()
    expect(page.get_by_label("Type tidtaker")).to_have_value("timeDate")
    expect(page.locator("#p-timer")).to_have_value('add_working_days(today(), 5) + "T08:00:00"')
    _select(page, "receive_registration")
    expect(page.get_by_label("Melding", exact=True)).to_have_value("interest_registered")
    expect(page.get_by_label("Korrelasjonsegenskap", exact=True)).to_have_value("assignment_id")
    _panel_set(page, "Lagre meldingen i variabelen", "registration_v2")
    _select(page, "union_rep")
    expect(page.get_by_label("Rolle (banens id)")).to_have_value("union_rep")
    page.get_by_label("Rolle (banens id)").select_option("hr")
    _select(page, "flow_no_registrations")
    expect(page.get_by_label("Standardflyt (når ingen betingelse holder)")).to_be_checked()

    xml = page.evaluate("async () => (await window.saksflytModeler.saveXML()).xml")
    original = (ROOT / "processes" / "assignment" / "assignment.bpmn").read_bytes()
    changed = {
        e["id"]: e["changes"] for e in diffs.compare(original, xml.encode(), "assignment").changed
    }
    assert changed["publish_announcement"][0]["after"] == "announced = True"
    assert changed["report_reminder"] == [
        {
            "field": "timerEventDefinition/timeDate",
            "before": None,
            "after": 'add_working_days(today(), 5) + "T08:00:00"',
        },
        {
            "field": "timerEventDefinition/timeDuration",
            "before": '"P%dD" % report_due_days_after_end',
            "after": None,
        },
    ]
    assert changed["receive_registration"][0]["after"] == "registration_v2"
    assert "union_review" in changed and changed["union_review"][0]["after"] == "hr"
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#problem-summary")).to_have_text("Gyldig: kan rulles ut.")


RATE_PROCESS = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d"
    targetNamespace="http://saksflyt.no/test/ui">
  <bpmn:process id="ui_rate" name="Sats" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="rate_task" />
    <bpmn:businessRuleTask id="rate_task" name="Finn sats"><bpmn:extensionElements>
      <spiffworkflow:calledDecisionId>rate</spiffworkflow:calledDecisionId>
    </bpmn:extensionElements></bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f2" sourceRef="rate_task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_owner_edits_and_deploys_a_decision_table(page: Page, server: Server) -> None:
    decision = (ROOT / "tests" / "engine" / "fixtures" / "decision.dmn").read_bytes()
    files = {"ui_rate.bpmn": RATE_PROCESS, "ui_rate.dmn": decision}
    definitions.deploy(server.wiring.new_uow(), files, actor="test", now=server.wiring.now())
    sign_in(page, server.url, "eier")
    page.goto("/library")
    section = page.locator('.library-process[data-key="ui_rate"]')
    section.get_by_text("Andre filer i utrullingen (1)").click()
    section.get_by_role("link", name="Rediger ui_rate.dmn").click()
    expect(page.locator("#dmn-modeler")).to_have_attribute("data-ready", "true")
    cell = page.locator('td[data-element-id="out_1"]')
    expect(cell).to_contain_text('"full"')
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type('"full time"')
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#problem-summary")).to_have_text("Gyldig: kan rulles ut.")
    # The draft belongs to this process's table: another process's ui_rate.dmn has its own.
    draft = page.evaluate("() => localStorage.getItem('saksflyt.draft.dmn.ui_rate/ui_rate.dmn')")
    assert draft is not None and '"full time"' in json.loads(draft)["xml"]
    page.get_by_role("button", name="Rull ut beslutningstabellen").click()
    page.wait_for_url(re.compile(r"/library"))
    expect(page.locator("#flash")).to_contain_text("ui_rate.dmn er rullet ut")
    with server.wiring.new_uow() as uow:
        latest = uow.definitions.latest_files()["ui_rate.dmn"].content
    assert b'"full time"' in latest and b'"half"' in latest


CORPUS = ROOT.parent / "shared" / "corpus" / "miwg"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the MIWG corpus is not present")
def test_owner_imports_a_diagram_from_another_tool(page: Page, server: Server) -> None:
    source = CORPUS / "actiBPM 3.E-8" / "A.4.0-export.bpmn"
    sign_in(page, server.url, "eier")
    page.goto("/library")
    page.get_by_label("Importer et diagram fra et annet verktøy").set_input_files(source)
    page.wait_for_url(re.compile(r"/modeler/import$"))
    expect(page.locator("#modeler")).to_have_attribute("data-ready", "true")
    # Its lanes are no roles: the import asks which role each is; this test chooses later.
    page.get_by_role("dialog", name="Hvilken rolle er hver bane?").get_by_role(
        "button", name="Hopp over"
    ).click()
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#problem-summary")).to_have_text(
        re.compile(r"Gyldig etter \d+ normalisering")
    )
    expect(page.locator(".problem").first).to_contain_text("implicit")
    ids = set(page.evaluate(ELEMENT_IDS))
    assert any(i.endswith("_split") or i.endswith("_start") for i in ids)
