"""Every form in forms/ renders in the browser with labelled, accessible fields and error slots."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser

from engine.settings import ROOT
from tests.ui.harness import Server, axe_violations, new_page, sign_in

pytestmark = pytest.mark.ui

RENDER = """async ({schema, ui}) => {
  const { renderForm } = await import("/assets/js/form.js");
  const form = renderForm(schema, ui, {});
  const holder = document.createElement("form");
  holder.setAttribute("aria-label", schema.title || "form");
  holder.append(form.node);
  document.getElementById("main").replaceChildren(holder);
  const value = form.value();
  const errors = Object.fromEntries((schema.required || []).map((name) => [name, ["Feil."]]));
  const summary = form.showErrors(errors);
  return {
    value,
    fields: [...holder.querySelectorAll("input, select, textarea")].length,
    unplaced: summary.filter((item) => !item.target).length,
    shown: holder.querySelectorAll(".field-error:not([hidden])").length,
  };
}"""


def repository_forms() -> list[tuple[str, dict[str, object], dict[str, object]]]:
    found = []
    for path in sorted((ROOT / "forms").glob("*.schema.json")):
        ui_path = path.with_name(path.name.replace(".schema.json", ".uischema.json"))
        ui = json.loads(ui_path.read_text(encoding="utf-8")) if ui_path.exists() else {}
        found.append((path.name, json.loads(path.read_text(encoding="utf-8")), ui))
    return found


def test_every_repository_form_renders_accessibly(browser: Browser, server: Server) -> None:
    forms = repository_forms()
    if not forms:
        pytest.skip("no forms in forms/ yet")
    page = new_page(browser, server.url, bypass_csp=True)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    problems = {}
    try:
        sign_in(page, server.url, "tl.baerum")
        page.goto("/start")
        page.wait_for_load_state("networkidle")
        for name, schema, ui in forms:
            result = page.evaluate(RENDER, {"schema": schema, "ui": ui})
            required = len(schema.get("required", []))  # type: ignore[arg-type]
            if result["fields"] == 0 or result["unplaced"] or result["shown"] < min(required, 1):
                problems[name] = result
            violations = axe_violations(page, "#main")
            if violations:
                problems[name] = violations
    finally:
        page.context.close()
    assert errors == []
    assert problems == {}
