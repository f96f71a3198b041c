"""A process owner edits forms beside their live preview; the edits are deployed with the process.

Real Chromium over the real server: open a form from the library, change a label and see the
preview (the inbox's own renderer) change, break the JSON and see the error at the field, get
a JSON Schema problem from the server's validate, fix it and save it in the process's draft;
the modeler deploys the draft, forms and diagram, as one version n+1; the modeler's panel links
to the same editor.
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


SAVE = "Lagre i utkastet til prosessen"


def _save_form(page: Page) -> None:
    page.get_by_role("button", name=SAVE).click()
    page.wait_for_url(re.compile(r"/library"))
    expect(page.locator("#flash")).to_contain_text("er lagret i utkastet")


def _deploy_draft(page: Page, key: str) -> None:
    """From the library's note on the process's draft, deploy it in the modeler."""
    note = page.locator(f'.library-process[data-key="{key}"] .library-draft')
    note.get_by_role("link", name="Åpne utkastet i modellereren og rull ut").click()
    expect(page.locator("#modeler")).to_have_attribute("data-ready", "true")
    page.get_by_role("button", name="Rull ut som ny versjon").click()
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
    _save_form(page)
    # Saved, not deployed: the library names the draft and has no new version yet.
    expect(section.locator(".library-draft")).to_contain_text(
        f"Utkast fra versjon {version}, ikke rullet ut: ui_form.ask.schema.json."
    )
    expect(page.locator(f"#version-ui_form-{version + 1}")).to_have_count(0)
    _deploy_draft(page, "ui_form")
    expect(page.locator("#flash")).to_contain_text(f"versjon {version + 1}")
    expect(page.locator(f"#version-ui_form-{version + 1}")).to_contain_text("eier")
    expect(section.locator(".library-draft")).to_have_count(0)

    latest = page.request.get("/api/v1/process-definitions/ui_form").json()
    assert (latest["version"], latest["runnable"]) == (version + 1, True)
    assert _form_title(page, "ui_form", version + 1) == "Årsak"
    assert _form_title(page, "ui_form", version) == "Begrunnelse"


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
    key = "ui_form_axe"
    old = _deploy(server, key)
    version = _deploy(server, key, schema={**SCHEMA, "title": "Andre utgave"})
    # axe is injected as an inline script, which the pages' CSP would otherwise refuse.
    page = new_page(browser, server.url, bypass_csp=True)
    sign_in(page, server.url, "eier")
    _open_with_bpmn_draft(page, key, version, _bpmn_draft(key, old, PROCESS))
    expect(page.locator("#bpmn-draft-other")).to_be_visible()  # the notice and its link, too
    page.get_by_label(re.compile("^JSON Schema")).fill("{")
    expect(page.locator("#schema-error")).to_be_visible()
    assert axe_violations(page, "#form-editor") == []
    page.context.close()


def test_a_form_is_saved_in_the_diagram_draft_of_its_version_and_deployed_with_it(
    page: Page, server: Server
) -> None:
    key = "ui_form_draft"
    version = _deploy(server, key)
    changed = _renamed_task(key)
    sign_in(page, server.url, "eier")
    _open_with_bpmn_draft(page, key, version, _bpmn_draft(key, version, changed))
    expect(page.locator("#bpmn-draft-other")).to_be_hidden()
    form_draft = _edit_form(page, key)

    _save_form(page)
    kept = _bpmn_draft_kept(page, key)
    assert kept["xml"] == changed and kept["baseVersion"] == version  # the diagram's change stays
    assert json.loads(kept["forms"][f"{key}.ask.schema.json"])["properties"]["reason"] == {
        "type": "string",
        "title": "Årsak",
    }
    assert _stored(page, form_draft) is None
    _deploy_draft(page, key)
    expect(page.locator("#flash")).to_contain_text(f"versjon {version + 1}")
    assert 'name="Spør på nytt"' in _xml(page, key, version + 1)
    assert _form_title(page, key, version + 1) == "Årsak"
    assert _bpmn_draft_kept(page, key) is None


def test_a_draft_of_another_version_is_named_and_the_form_not_saved_into_it(
    page: Page, server: Server
) -> None:
    key = "ui_form_old_draft"
    old = _deploy(server, key)
    version = _deploy(server, key, schema={**SCHEMA, "title": "Andre utgave"})
    assert version == old + 1
    draft = _bpmn_draft(key, old, _renamed_task(key))
    sign_in(page, server.url, "eier")
    _open_with_bpmn_draft(page, key, version, draft)
    other = page.locator("#bpmn-draft-other")
    expect(other).to_be_visible()
    expect(other).to_contain_text(f"utkast fra versjon {old}")
    expect(other.get_by_role("link")).to_have_attribute(
        "href", f"/modeler/{key}/{old}/forms/{key}.ask.schema.json"
    )
    _edit_form(page, key)
    expect(page.get_by_role("button", name=SAVE)).to_be_disabled()
    assert _bpmn_draft_kept(page, key) == draft


def test_a_refused_form_leaves_both_drafts(page: Page, server: Server) -> None:
    key = "ui_form_bad_draft"
    version = _deploy(server, key)
    broken = PROCESS.replace("ui_form", key).replace('targetRef="end"', 'targetRef="nowhere"')
    draft = _bpmn_draft(key, version, broken)
    sign_in(page, server.url, "eier")
    _open_with_bpmn_draft(page, key, version, draft)
    form_draft = _edit_form(page, key)

    page.get_by_role("button", name=SAVE).click()
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

    expect(page.get_by_label(re.compile("^JSON Schema"))).to_have_value(schema)
    assert _bpmn_draft_kept(page, key) == draft
    assert _stored(page, f"saksflyt.draft.{key}") is None
    assert _stored(page, f"saksflyt.draft.form.{key}.{key}.ask.schema.json") is None
    assert _stored(page, f"saksflyt.draft.form.{key}/{key}.ask.schema.json") is not None


def _three_forms(server: Server, key: str) -> int:
    """Deploy a process of three user tasks, each with its own form; return its version."""
    tasks = "".join(
        f'<bpmn:userTask id="{t}" name="Steg {t}"><bpmn:extensionElements>'
        "<spiffworkflow:properties>"
        f'<spiffworkflow:property name="formJsonSchemaFilename" value="{key}.{t}.schema.json" />'
        '<spiffworkflow:property name="candidateUsers" value="started_by" />'
        "</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>"
        for t in "abc"
    )
    flows = "".join(
        f'<bpmn:sequenceFlow id="f_{s}" sourceRef="{s}" targetRef="{t}" />'
        for s, t in (("start", "a"), ("a", "b"), ("b", "c"), ("c", "end"))
    )
    shapes = "".join(
        f'<bpmndi:BPMNShape id="{e}_di" bpmnElement="{e}"><dc:Bounds x="{100 + 150 * i}" y="80" '
        f'width="100" height="80" /></bpmndi:BPMNShape>'
        for i, e in enumerate(["start", "a", "b", "c", "end"])
    )
    xml = PROCESS.split("<bpmn:process")[0] + (
        f'<bpmn:process id="{key}" name="Tre skjemaer" isExecutable="true">'
        f'<bpmn:startEvent id="start" />{tasks}<bpmn:endEvent id="end" />{flows}</bpmn:process>'
        f'<bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="{key}">'
        f"{shapes}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>"
    )
    files = {f"{key}.bpmn": xml.encode()}
    for t in "abc":
        files[f"{key}.{t}.schema.json"] = json.dumps(SCHEMA, indent=2).encode()
    wiring = server.wiring
    definitions.deploy(wiring.new_uow(), files, actor="test", now=wiring.now())
    with wiring.new_uow() as uow:
        return uow.definitions.latest(key).version


def test_three_forms_and_the_diagram_are_deployed_as_one_version(
    page: Page, server: Server
) -> None:
    key = "ui_three_forms"
    version = _three_forms(server, key)
    sign_in(page, server.url, "eier")
    page.get_by_role("link", name="Prosessbibliotek").click()
    section = page.locator(f'.library-process[data-key="{key}"]')
    for step in "abc":
        row = section.locator(f"#version-{key}-{version}")
        row.get_by_text(re.compile(r"Andre filer i utrullingen")).click()
        row.get_by_role("link", name=f"Rediger {key}.{step}.schema.json").click()
        expect(page.locator("#form-editor")).to_have_attribute("data-ready", "true")
        schema = page.get_by_label(re.compile("^JSON Schema"))
        schema.fill(
            schema.input_value().replace(
                '"properties": {',
                f'"properties": {{"merknad_{step}": {{"type": "string", "title": "Merknad"}},',
                1,
            )
        )
        expect(page.locator("#preview")).to_contain_text("Merknad")
        _save_form(page)
        expect(page.locator("#flash")).to_contain_text(f"skjemaer endret: {'abc'.index(step) + 1}")
    expect(section.locator(".library-draft")).to_contain_text(
        f"{key}.a.schema.json, {key}.b.schema.json, {key}.c.schema.json"
    )
    expect(section.locator("tbody tr")).to_have_count(1)  # nothing deployed yet

    section.locator(".library-draft").get_by_role("link").click()
    expect(page.locator("#modeler")).to_have_attribute("data-ready", "true")
    page.locator('.djs-element[data-element-id="c"]').click()
    field = page.locator("#panel").get_by_label("Navn", exact=True)
    field.fill("Siste steg")
    field.press("Tab")
    page.get_by_role("button", name="Rull ut som ny versjon").click()
    page.wait_for_url(re.compile(r"/library"))
    expect(page.locator("#flash")).to_contain_text(f"versjon {version + 1}")
    expect(section.locator("tbody tr")).to_have_count(2)  # one new version for all four changes
    expect(section.locator(".library-draft")).to_have_count(0)

    section.locator(f"#version-{key}-{version + 1}").get_by_role(
        "link", name=f"Sammenlign med forrige: versjon {version} og {version + 1}"
    ).click()
    files = page.locator("#diff-files-list")
    for step in "abc":
        expect(files).to_contain_text(
            f"{key}.{step}.schema.json: endret · nye felt: merknad_{step}"
        )
    expect(page.locator("main")).to_contain_text("Siste steg")
    # Each version keeps the forms it was deployed with (pinned): the new fields only in the new.
    for step in "abc":
        path = f"/api/v1/process-definitions/{key}/versions/%d/files/{key}.{step}.schema.json"
        fields = [
            json.loads(page.request.get(path % v).body())["properties"]
            for v in (version, version + 1)
        ]
        assert (f"merknad_{step}" in fields[0], f"merknad_{step}" in fields[1]) == (False, True)
