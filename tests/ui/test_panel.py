"""The properties panel covers what validation asks for, and bpmn-js speaks bokmål (issue 18).

In a new process the owner reads the palette, context pad and replace menu in Norwegian, turns
a task into a service task with an operator and parameters, makes a task repeat over a list,
and makes its deadline non-interrupting, all from the panel; the downloaded BPMN holds it.
"""

from __future__ import annotations

import pytest
from lxml import etree
from playwright.sync_api import Page, expect

from tests.ui.harness import Server, sign_in

pytestmark = pytest.mark.ui

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}


def _panel_set(page: Page, label: str, value: str) -> None:
    field = page.locator("#panel").get_by_label(label, exact=True)
    field.fill(value)
    field.press("Tab")


def test_the_panel_sets_operator_multi_instance_and_non_interrupting(
    page: Page, server: Server
) -> None:
    sign_in(page, server.url, "eier")
    page.goto("/modeler/new")
    expect(page.locator("#modeler")).to_have_attribute("data-ready", "true")
    palette = page.locator(".djs-palette")
    expect(palette.locator('[data-action="create.start-event"]')).to_have_attribute(
        "aria-label", "Lag starthendelse"
    )
    expect(palette.locator('[data-action="hand-tool"]')).to_have_attribute(
        "aria-label", "Flytt diagrammet (hånd)"
    )

    page.locator('.djs-element[data-element-id="start"]').click()
    pad = page.locator(".djs-context-pad")
    expect(pad.locator('[data-action="append.end-event"]')).to_have_attribute(
        "title", "Legg til slutthendelse"
    )
    page.get_by_role("button", name="Legg til brukeroppgave etter").click()
    _panel_set(page, "Id", "send_notice")
    pad.locator('[data-action="replace"]').click()
    menu = page.locator(".djs-popup")
    menu.get_by_text("Tjenesteoppgave", exact=True).click()
    expect(page.locator("#panel-title")).to_have_text("Egenskaper: tjenesteoppgave")
    _panel_set(page, "Operatør (serviceTaskOperator)", "notify")
    _panel_set(page, "Parametre", "type = 'leave_answer'\nto = started_by")
    page.locator("#panel").get_by_label("Gjentas for hvert element (multi-instance)").select_option(
        label="Alle på en gang (parallelt)"
    )
    _panel_set(page, "Listen (loopDataInputRef)", "recipients")
    _panel_set(page, "Hvert element heter (inputDataItem)", "recipient")
    page.get_by_role("button", name="Legg til tidsfrist (tidtaker på kanten)").click()
    expect(page.locator("#panel-title")).to_have_text("Egenskaper: grensehendelse")
    interrupting = page.locator("#panel").get_by_label("Avbryter oppgaven når den inntreffer")
    expect(interrupting).to_be_checked()
    interrupting.uncheck()

    with page.expect_download() as download:
        page.get_by_role("button", name="Last ned BPMN").click()
    root = etree.fromstring(download.value.path().read_bytes())
    [task] = root.iterfind(".//bpmn:serviceTask[@id='send_notice']", NS)
    operator = task.find(".//spiffworkflow:serviceTaskOperator", NS)
    assert operator is not None and operator.get("id") == "notify"
    parameters = {
        p.get("id"): p.get("value") for p in operator.iterfind(".//spiffworkflow:parameter", NS)
    }
    assert parameters == {"type": "'leave_answer'", "to": "started_by"}
    loop = task.find("bpmn:multiInstanceLoopCharacteristics", NS)
    assert loop is not None and loop.get("isSequential") in (None, "false")
    assert loop.findtext("bpmn:loopDataInputRef", namespaces=NS) == "recipients"
    item = loop.find("bpmn:inputDataItem", NS)
    assert item is not None and item.get("name") == "recipient"
    [boundary] = root.iterfind(".//bpmn:boundaryEvent[@attachedToRef='send_notice']", NS)
    assert boundary.get("cancelActivity") == "false"
