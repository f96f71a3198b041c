"""A process owner edits a form beside its live preview and deploys it with the process.

Real Chromium over the real server: open a form from the library, change a label and see the
preview (the inbox's own renderer) change, break the JSON and see the error at the field, get
a JSON Schema problem from the server's validate, fix it, deploy, and find version n+1 in the
library and in the API with the new form; the modeler's panel links to the same editor.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

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


def _deploy(server: Server, key: str = "ui_form", schema: dict | None = None) -> int:
    """Deploy the test process (as `key`, its forms named after it); return its newest version."""
    files = {
        f"{key}.bpmn": PROCESS.replace("ui_form", key).encode(),
        f"{key}.ask.schema.json": json.dumps(schema or SCHEMA, indent=2).encode(),
        f"{key}.ask.uischema.json": json.dumps(UI, indent=2).encode(),
    }
    wiring = server.wiring
    definitions.deploy(wiring.new_uow(), files, actor="test", now=wiring.now())
    with wiring.new_uow() as uow:
        return uow.definitions.latest(key).version


# 12:07 UTC is 13:07 in Oslo, where the page shows its times.
SAVED_AT = datetime(2026, 3, 2, 12, 7, tzinfo=UTC)


def _bpmn_draft(key: str, base_version: int, xml: str) -> dict:
    """A BPMN draft as the modeler keeps it in localStorage."""
    saved_at = int(SAVED_AT.timestamp() * 1000)
    return {"baseVersion": base_version, "xml": xml, "fileName": f"{key}.bpmn", "savedAt": saved_at}


def _stored(page: Page, name: str) -> str | None:
    return page.evaluate("name => localStorage.getItem(name)", name)


def _bpmn_draft_kept(page: Page, key: str) -> Any:
    """Return the modeler's draft of the process as the browser keeps it, or None."""
    return json.loads(_stored(page, f"saksflyt.draft.bpmn.{key}") or "null")


def _renamed_task(key: str) -> str:
    """Return the test process as `key`, its task renamed: a diagram draft's change."""
    return PROCESS.replace("ui_form", key).replace('name="Spør"', 'name="Spør på nytt"')


def _open_with_bpmn_draft(
    page: Page, key: str, version: int, draft: dict, *, stored_as: str | None = None
) -> None:
    """Leave a BPMN draft as the modeler would, then open the process's form editor."""
    page.evaluate(
        "([name, value]) => localStorage.setItem(name, value)",
        [stored_as or f"saksflyt.draft.bpmn.{key}", json.dumps(draft)],
    )
    page.goto(f"/modeler/{key}/{version}/forms/{key}.ask.schema.json")
    expect(page.locator("#form-editor")).to_have_attribute("data-ready", "true")


def _edit_form(page: Page, key: str) -> str:
    """Change a label, wait until the form draft is kept in the browser; return its key."""
    schema = page.get_by_label(re.compile("^JSON Schema"))
    schema.fill(schema.input_value().replace('"Begrunnelse"', '"Årsak"'))
    expect(page.locator("#draft-status")).to_contain_text("Utkast lagret")
    form_draft = f"saksflyt.draft.form.{key}/{key}.ask.schema.json"
    assert _stored(page, form_draft) is not None
    return form_draft


def _deploy_form(page: Page) -> None:
    page.get_by_role("button", name="Rull ut skjemaet med prosessen").click()
    page.wait_for_url(re.compile(r"/library"))


def _xml(page: Page, key: str, version: int) -> str:
    response = page.request.get(f"/api/v1/process-definitions/{key}/versions/{version}/xml")
    assert response.ok
    return response.text()


def _form_title(page: Page, key: str, version: int) -> str:
    path = f"/api/v1/process-definitions/{key}/versions/{version}/files/{key}.ask.schema.json"
    return json.loads(page.request.get(path).body())["properties"]["reason"]["title"]


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
    draft = _bpmn_draft("ui_form", version, PROCESS)
    _open_with_bpmn_draft(page, "ui_form", version, draft)
    expect(page.locator("#bpmn-draft")).to_be_visible()  # the notice and its checkbox, too
    page.get_by_label(re.compile("^JSON Schema")).fill("{")
    expect(page.locator("#schema-error")).to_be_visible()
    assert axe_violations(page, "#form-editor") == []
    page.context.close()


def test_a_diagram_draft_of_the_same_version_is_deployed_with_the_form(
    page: Page, server: Server
) -> None:
    key = "ui_form_draft"
    version = _deploy(server, key)
    changed = _renamed_task(key)
    sign_in(page, server.url, "eier")
    _open_with_bpmn_draft(page, key, version, _bpmn_draft(key, version, changed))
    notice = page.locator("#bpmn-draft")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("ulagrede endringer i diagrammet")
    expect(notice).to_contain_text(re.compile(r"13[:.]07"))
    expect(page.get_by_label("Ta med utkastet til diagrammet")).to_be_checked()
    expect(page.locator("#bpmn-draft-other")).to_be_hidden()
    form_draft = _edit_form(page, key)

    _deploy_form(page)
    expect(page.locator("#flash")).to_contain_text(f"versjon {version + 1}")
    expect(page.locator("#flash")).to_contain_text("utkastet til diagrammet")
    assert 'name="Spør på nytt"' in _xml(page, key, version + 1)
    assert _form_title(page, key, version + 1) == "Årsak"
    assert _bpmn_draft_kept(page, key) is None
    assert _stored(page, form_draft) is None


def test_without_the_box_the_form_goes_with_the_deployed_diagram_and_the_draft_stays(
    page: Page, server: Server
) -> None:
    key = "ui_form_keep_draft"
    version = _deploy(server, key)
    changed = _renamed_task(key)
    draft = _bpmn_draft(key, version, changed)
    sign_in(page, server.url, "eier")
    _open_with_bpmn_draft(page, key, version, draft)
    expect(page.locator("#bpmn-draft")).to_be_visible()
    page.get_by_label("Ta med utkastet til diagrammet").uncheck()
    form_draft = _edit_form(page, key)

    _deploy_form(page)
    expect(page.locator("#flash")).to_contain_text(f"versjon {version + 1}")
    expect(page.locator("#flash")).not_to_contain_text("utkastet til diagrammet")
    xml = _xml(page, key, version + 1)
    assert 'name="Spør"' in xml and "Spør på nytt" not in xml
    assert _form_title(page, key, version + 1) == "Årsak"
    assert _bpmn_draft_kept(page, key) == draft
    assert _stored(page, form_draft) is None


def test_a_diagram_draft_of_another_version_is_named_and_not_deployed(
    page: Page, server: Server
) -> None:
    key = "ui_form_old_draft"
    old = _deploy(server, key)
    version = _deploy(server, key, schema={**SCHEMA, "title": "Andre utgave"})
    assert version == old + 1
    changed = _renamed_task(key)
    draft = _bpmn_draft(key, old, changed)
    sign_in(page, server.url, "eier")
    _open_with_bpmn_draft(page, key, version, draft)
    other = page.locator("#bpmn-draft-other")
    expect(other).to_be_visible()
    expect(other).to_contain_text(f"versjon {old}")
    expect(other).to_contain_text("tas ikke med")
    expect(other.get_by_role("link")).to_have_attribute("href", f"/modeler/{key}/{old}")
    expect(page.locator("#bpmn-draft")).to_be_hidden()
    _edit_form(page, key)

    _deploy_form(page)
    expect(page.locator("#flash")).to_contain_text(f"versjon {version + 1}")
    xml = _xml(page, key, version + 1)
    assert 'name="Spør"' in xml and "Spør på nytt" not in xml
    assert _bpmn_draft_kept(page, key) == draft


def test_a_refused_deploy_keeps_both_drafts(page: Page, server: Server) -> None:
    key = "ui_form_bad_draft"
    version = _deploy(server, key)
    broken = PROCESS.replace("ui_form", key).replace('targetRef="end"', 'targetRef="nowhere"')
    draft = _bpmn_draft(key, version, broken)
    sign_in(page, server.url, "eier")
    _open_with_bpmn_draft(page, key, version, draft)
    form_draft = _edit_form(page, key)

    page.get_by_role("button", name="Rull ut skjemaet med prosessen").click()
    expect(page.locator("#problem-summary")).to_contain_text("feil må rettes før utrulling")
    expect(page.locator(".problem").first).to_contain_text("element that does not exist")
    assert page.request.get(f"/api/v1/process-definitions/{key}").json()["version"] == version
    assert _bpmn_draft_kept(page, key) == draft
    assert _stored(page, form_draft) is not None


def test_drafts_kept_under_their_earlier_names_are_taken_over(page: Page, server: Server) -> None:
    """Drafts were once `saksflyt.draft.<key>` and `saksflyt.draft.form.<key>.<file>`, names a
    process called `form.…` could clash with; an open editor moves them to today's names."""
    key = "ui_form_earlier_names"
    version = _deploy(server, key)
    changed = _renamed_task(key)
    draft = _bpmn_draft(key, version, changed)
    schema = json.dumps({**SCHEMA, "title": "Fra et eldre utkast"}, indent=2)
    form_draft = {"baseVersion": version, "schema": schema, "ui": json.dumps(UI), "savedAt": 0}
    sign_in(page, server.url, "eier")
    page.evaluate(
        "([name, value]) => localStorage.setItem(name, value)",
        [f"saksflyt.draft.form.{key}.{key}.ask.schema.json", json.dumps(form_draft)],
    )
    _open_with_bpmn_draft(page, key, version, draft, stored_as=f"saksflyt.draft.{key}")

    expect(page.locator("#bpmn-draft")).to_be_visible()
    expect(page.get_by_label(re.compile("^JSON Schema"))).to_have_value(schema)
    assert _bpmn_draft_kept(page, key) == draft
    assert _stored(page, f"saksflyt.draft.{key}") is None
    assert _stored(page, f"saksflyt.draft.form.{key}.{key}.ask.schema.json") is None
    assert _stored(page, f"saksflyt.draft.form.{key}/{key}.ask.schema.json") is not None
