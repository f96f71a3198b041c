"""Versions a process owner can trust (issue 18): an older version says so when opened in the
modeler and offers the newest; "Gjør gjeldende" puts an earlier version back as the newest;
validation says why a process will not run, errors first and like warnings folded together."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from engine.services import definitions
from tests.ui.harness import Server, sign_in

pytestmark = pytest.mark.ui

KEY = "versjonert"
DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    targetNamespace="http://saksflyt.no/test">
  <bpmn:process id="{key}" name="{name}" isExecutable="{executable}">
    <bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="startRoles" value="participant" />
    </spiffworkflow:properties></bpmn:extensionElements></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="Task_1" />
    <bpmn:manualTask id="Task_1" name="{task}" />
    <bpmn:sequenceFlow id="f2" sourceRef="Task_1" targetRef="Task_2" />
    <bpmn:manualTask id="Task_2" name="Andre" />
    <bpmn:sequenceFlow id="f3" sourceRef="Task_2" targetRef="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_1" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="{key}">
    <bpmndi:BPMNShape id="s0" bpmnElement="start">
      <dc:Bounds x="100" y="100" width="36" height="36" />
    </bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="s1" bpmnElement="Task_1">
      <dc:Bounds x="200" y="78" width="100" height="80" />
    </bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="s2" bpmnElement="Task_2">
      <dc:Bounds x="360" y="78" width="100" height="80" />
    </bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="s3" bpmnElement="EndEvent_1">
      <dc:Bounds x="520" y="100" width="36" height="36" />
    </bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="e1" bpmnElement="f1">
      <di:waypoint x="136" y="118" /><di:waypoint x="200" y="118" />
    </bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="e2" bpmnElement="f2">
      <di:waypoint x="300" y="118" /><di:waypoint x="360" y="118" />
    </bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="e3" bpmnElement="f3">
      <di:waypoint x="460" y="118" /><di:waypoint x="520" y="118" />
    </bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def _diagram(task: str, *, key: str = KEY, executable: str = "true") -> bytes:
    name = "Versjonert prosess"
    return DIAGRAM.format(key=key, name=name, task=task, executable=executable).encode()


def test_an_older_version_says_so_and_can_be_made_current(page: Page, server: Server) -> None:
    for task in ("Første utgave", "Andre utgave"):
        files = {f"{KEY}.bpmn": _diagram(task)}
        definitions.deploy(server.wiring.new_uow(), files, actor="test", now=server.wiring.now())
    sign_in(page, server.url, "eier")
    page.goto("/library")
    section = page.locator(
        ".library-process", has=page.get_by_role("heading", name="Versjonert prosess")
    )
    section.get_by_role("link", name="Rediger versjon 1 i modellereren").click()
    expect(page.locator("#modeler")).to_have_attribute("data-ready", "true")
    note = page.locator("#older-version")
    expect(note).to_contain_text("Du redigerer versjon 1, men nyeste versjon er 2")
    note.get_by_role("link", name="Åpne versjon 2 i stedet").click()
    page.wait_for_url(re.compile(rf"/modeler/{KEY}/2$"))
    expect(page.locator("#modeler")).to_have_attribute("data-ready", "true")
    expect(page.locator("#older-version")).to_have_count(0)

    page.goto("/library")
    section = page.locator(
        ".library-process", has=page.get_by_role("heading", name="Versjonert prosess")
    )
    expect(section.get_by_role("button", name="Gjør gjeldende: versjon 2")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    section.get_by_role("button", name="Gjør gjeldende: versjon 1").click()
    expect(page.locator("#flash")).to_have_text("Versjon 1 er rullet ut på nytt som versjon 3.")
    row = section.locator(f"#version-{KEY}-3")
    expect(row.get_by_role("cell").first).to_have_text("eier")
    row.get_by_role("button", name="Vis diagram for versjon 3").click()
    expect(section.locator(".library-diagram")).to_contain_text("Første utgave")


def test_validation_says_why_a_process_will_not_run(
    page: Page, server: Server, tmp_path: Path
) -> None:
    source = tmp_path / "importert.bpmn"
    source.write_bytes(_diagram("Importert", key="importert_modell", executable="false"))
    sign_in(page, server.url, "eier")
    page.goto("/library")
    page.get_by_label("Importer et diagram fra et annet verktøy").set_input_files(source)
    page.wait_for_url(re.compile(r"/modeler/import$"))
    expect(page.locator("#modeler")).to_have_attribute("data-ready", "true")
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#problem-summary")).to_have_text(
        "Kan rulles ut, men 1 prosess(er) kan ikke kjøres. Se under."
    )
    expect(page.locator("#problem-list > li").first).to_contain_text("rulles ut som bare modell")
    # Made executable, it is valid; the ids that are not snake_case fold into one item.
    page.get_by_role("img", name="Importert diagram (utkast)").click(position={"x": 600, "y": 420})
    expect(page.locator("#panel-title")).to_have_text("Egenskaper: prosess")
    page.get_by_label("Kan kjøres (isExecutable)").check()
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#problem-summary")).to_have_text("Gyldig: kan rulles ut.")
    group = page.locator(".problem-group", has_text="advarsler av samme slag")
    expect(group).to_have_count(1)
    group.locator("summary").click()
    expect(group.locator(".problem")).to_have_count(3)  # Task_1, Task_2, EndEvent_1

    # Importing a second file asks before the first draft is replaced.
    page.goto("/library")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_label("Importer et diagram fra et annet verktøy").set_input_files(source)
    expect(page).to_have_url(re.compile(r"/library$"))


FORM = '{"type": "object", "properties": {%s}}'


def _inside(page: Page, container: str, element_id: str) -> bool:
    box = page.locator(container).bounding_box()
    shape = page.locator(
        f'{container} .djs-element[data-element-id="{element_id}"] .djs-visual'
    ).bounding_box()
    assert box is not None and shape is not None
    return (box["x"] <= shape["x"] and shape["x"] + shape["width"] <= box["x"] + box["width"]) and (
        box["y"] <= shape["y"] and shape["y"] + shape["height"] <= box["y"] + box["height"]
    )


def test_the_diff_shows_a_changed_form_and_both_diagrams_whole(page: Page, server: Server) -> None:
    key = "skjemadiff"
    task = '<bpmn:manualTask id="Task_1" name="Første">'
    with_form = (
        '<bpmn:userTask id="Task_1" name="Første"><bpmn:extensionElements>'
        "<spiffworkflow:properties>"
        '<spiffworkflow:property name="formJsonSchemaFilename" value="skjemadiff.schema.json" />'
        "</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>"
    )
    bpmn = _diagram("Første", key=key).decode().replace(task.replace(">", " />"), with_form)
    for fields in (
        '"navn": {"type": "string"}',
        '"navn": {"type": "string"}, "epost": {"type": "string"}',
    ):
        files = {f"{key}.bpmn": bpmn.encode(), f"{key}.schema.json": (FORM % fields).encode()}
        definitions.deploy(server.wiring.new_uow(), files, actor="test", now=server.wiring.now())
    sign_in(page, server.url, "eier")
    page.goto(f"/library/{key}/diff?from=1&to=2")
    files = page.locator("#diff-files-list")
    expect(files).to_contain_text("skjemadiff.schema.json: endret · nye felt: epost")
    for container in ("#diagram-from", "#diagram-to"):
        figure = page.locator("figure", has=page.locator(container))
        diagram = figure.locator(".diagram")
        expect(diagram).to_have_attribute("data-ready", "true")
    for figure_index in (0, 1):
        selector = f".diff-diagrams figure:nth-child({figure_index + 1}) .diagram"
        assert _inside(page, selector, "start") and _inside(page, selector, "EndEvent_1")


LANES = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    targetNamespace="http://example.org/other-tool">
  <bpmn:collaboration id="Collaboration_1">
    <bpmn:participant id="Participant_1" name="Søknad" processRef="Process_1" />
  </bpmn:collaboration>
  <bpmn:process id="Process_1" name="Søknad" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_0abc" name="Saksbehandler"><bpmn:flowNodeRef>Task_1</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:userTask id="Task_1" name="Behandle" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="D1"><bpmndi:BPMNPlane id="P1" bpmnElement="Collaboration_1">
    <bpmndi:BPMNShape id="s_p" bpmnElement="Participant_1" isHorizontal="true">
      <dc:Bounds x="100" y="50" width="600" height="200" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="s_l" bpmnElement="Lane_0abc" isHorizontal="true">
      <dc:Bounds x="130" y="50" width="570" height="200" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="s_t" bpmnElement="Task_1">
      <dc:Bounds x="300" y="110" width="100" height="80" /></bpmndi:BPMNShape>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def test_imported_lanes_are_mapped_to_roles_in_a_dialog(
    page: Page, server: Server, tmp_path: Path
) -> None:
    source = tmp_path / "other-tool.bpmn"
    source.write_text(LANES, encoding="utf-8")
    sign_in(page, server.url, "eier")
    page.goto("/library")
    page.get_by_label("Importer et diagram fra et annet verktøy").set_input_files(source)
    page.wait_for_url(re.compile(r"/modeler/import$"))
    dialog = page.get_by_role("dialog", name="Hvilken rolle er hver bane?")
    dialog.get_by_label("Banen «Saksbehandler» (Lane_0abc)").select_option("hr")
    dialog.get_by_role("button", name="Bruk rollene").click()
    expect(dialog).to_have_count(0)
    expect(page.locator('.djs-element[data-element-id="hr"]')).to_have_count(1)
    expect(page.locator('.djs-element[data-element-id="Lane_0abc"]')).to_have_count(0)
