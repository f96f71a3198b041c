"""A process owner edits a form beside its live preview and deploys it with the process.

Real Chromium over the real server: open a form from the library, change a label and see the
preview (the inbox's own renderer) change, break the JSON and see the error at the field, get
a JSON Schema problem from the server's validate, fix it, deploy, and find version n+1 in the
library and in the API with the new form; the modeler's panel links to the same editor.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from engine.services import definitions
from tests.ui.harness import Server, axe_violations, new_page, sign_in

pytestmark = pytest.mark.ui

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d"
    targetNamespace="http://saksflyt.no/test/ui">
  <bpmn:process id="ui_form" name="Skjemaprøve" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask" />
    <bpmn:userTask id="ask" name="Spør"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="formJsonSchemaFilename" value="ui_form.ask.schema.json" />
      <spiffworkflow:property name="formUiSchemaFilename" value="ui_form.ask.uischema.json" />
      <spiffworkflow:property name="candidateUsers" value="started_by" />
    </spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="ui_form">
    <bpmndi:BPMNShape id="start_di" bpmnElement="start">
      <dc:Bounds x="100" y="100" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="ask_di" bpmnElement="ask">
      <dc:Bounds x="180" y="78" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="end_di" bpmnElement="end">
      <dc:Bounds x="330" y="100" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1">
      <di:waypoint x="136" y="118" /><di:waypoint x="180" y="118" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2">
      <di:waypoint x="280" y="118" /><di:waypoint x="330" y="118" /></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["reason"],
    "properties": {
        "reason": {"type": "string", "title": "Begrunnelse"},
        "days": {"type": "integer", "title": "Antall dager"},
    },
}
UI = {"ui:order": ["days", "reason"], "reason": {"ui:widget": "textarea"}}


def _deploy(server: Server) -> int:
    files = {
        "ui_form.bpmn": PROCESS.encode(),
        "ui_form.ask.schema.json": json.dumps(SCHEMA, indent=2).encode(),
        "ui_form.ask.uischema.json": json.dumps(UI, indent=2).encode(),
    }
    wiring = server.wiring
    definitions.deploy(wiring.new_uow(), files, actor="test", now=wiring.now())
    with wiring.new_uow() as uow:
        return uow.definitions.latest("ui_form").version


def test_owner_edits_a_form_with_a_live_preview_and_deploys_it(page: Page, server: Server) -> None:
    version = _deploy(server)
    sign_in(page, server.url, "eier")
    page.goto("/library")
    section = page.locator('.library-process[data-key="ui_form"]')
    section.locator(f"#version-ui_form-{version}").get_by_text(
        re.compile(r"Andre filer i utrullingen")
    ).click()
    section.get_by_role("link", name="Rediger ui_form.ask.schema.json").click()
    expect(page.locator("#form-editor")).to_have_attribute("data-ready", "true")
    preview = page.locator("#preview")
    # The inbox's renderer: its field ids, the UI schema's order and widget.
    expect(preview.locator("label[for='f-reason']")).to_contain_text("Begrunnelse")
    expect(preview.locator("textarea#f-reason")).to_have_count(1)
    expect(preview.locator("label")).to_have_text([re.compile("Antall dager"), re.compile("Begr")])

    schema = page.get_by_label(re.compile("^JSON Schema"))
    good = schema.input_value().replace('"Begrunnelse"', '"Årsak"')
    schema.fill(good)
    expect(preview.locator("label[for='f-reason']")).to_contain_text("Årsak")

    schema.fill(
        good.replace('"Årsak"', '"Årsak",', 1).replace('"type": "object",', '"type": "object"')
    )
    error = page.locator("#schema-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(re.compile(r"Ugyldig JSON på linje \d+, kolonne \d+"))
    expect(schema).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#preview-stale")).to_be_visible()
    expect(preview.locator("label[for='f-reason']")).to_contain_text("Årsak")  # the last good one

    schema.fill(good.replace('"type": "integer"', '"type": "heltall"'))
    expect(error).to_be_hidden()
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#problem-summary")).to_have_text("1 feil må rettes før utrulling.")
    expect(page.locator(".problem")).to_contain_text(
        "JSON Schema (2020-12) at properties/days/type"
    )

    schema.fill(good)
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#problem-summary")).to_have_text("Gyldig: kan rulles ut.")
    page.get_by_role("button", name="Rull ut skjemaet med prosessen").click()
    page.wait_for_url(re.compile(r"/library"))
    expect(page.locator("#flash")).to_contain_text(f"versjon {version + 1}")
    expect(page.locator(f"#version-ui_form-{version + 1}")).to_contain_text("eier")

    latest = page.request.get("/api/v1/process-definitions/ui_form").json()
    assert (latest["version"], latest["runnable"]) == (version + 1, True)
    form = page.request.get(
        f"/api/v1/process-definitions/ui_form/versions/{version + 1}/files/ui_form.ask.schema.json"
    )
    assert form.ok and json.loads(form.body())["properties"]["reason"]["title"] == "Årsak"
    old = page.request.get(
        f"/api/v1/process-definitions/ui_form/versions/{version}/files/ui_form.ask.schema.json"
    )
    assert json.loads(old.body())["properties"]["reason"]["title"] == "Begrunnelse"


def test_the_panel_opens_the_form_editor_for_a_user_task(page: Page, server: Server) -> None:
    version = _deploy(server)
    sign_in(page, server.url, "eier")
    page.goto(f"/modeler/ui_form/{version}")
    expect(page.locator("#modeler")).to_have_attribute("data-ready", "true")
    page.locator('.djs-element[data-element-id="ask"]').click()
    page.get_by_role("link", name="Rediger skjemaet").click()
    page.wait_for_url(
        re.compile(rf"/modeler/ui_form/{version}/forms/ui_form\.ask\.schema\.json\?ui=")
    )
    expect(page.locator("#form-editor")).to_have_attribute("data-ready", "true")
    expect(page.get_by_label(re.compile("^Skjemaoppsett"))).to_have_value(json.dumps(UI, indent=2))


def test_the_form_editor_passes_axe(browser: Browser, server: Server) -> None:
    version = _deploy(server)
    # axe is injected as an inline script, which the pages' CSP would otherwise refuse.
    page = new_page(browser, server.url, bypass_csp=True)
    sign_in(page, server.url, "eier")
    page.goto(f"/modeler/ui_form/{version}/forms/ui_form.ask.schema.json")
    expect(page.locator("#form-editor")).to_have_attribute("data-ready", "true")
    page.get_by_label(re.compile("^JSON Schema")).fill("{")
    expect(page.locator("#schema-error")).to_be_visible()
    assert axe_violations(page, "#form-editor") == []
    page.context.close()
