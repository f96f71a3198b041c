"""Fill a task's form on the page the way a person does: field by field, by the form's own
controls (text, a date as dd.mm.åååå and a time as tt.mm, select by its visible label, radios,
checkboxes, "Legg til" rows, a ranking's places).

The form file (forms/<name>.schema.json + .uischema.json) says which control a field has and
which visible label stands for a value, as the page shows it (web/static/js/form.js).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Page

FORMS = Path(__file__).resolve().parents[2] / "forms"
OSLO = ZoneInfo("Europe/Oslo")
DASH = "\u2013"  # between the number and the name of an applicant in a choice


def form_files(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return a form's JSON Schema and UI schema."""
    schema = json.loads((FORMS / f"{name}.schema.json").read_text("utf-8"))
    ui_path = FORMS / f"{name}.uischema.json"
    ui = json.loads(ui_path.read_text("utf-8")) if ui_path.exists() else {}
    return schema, ui


def fill_form(page: Page, name: str, data: dict[str, Any]) -> None:
    """Fill the form `name` on the page with `data`."""
    schema, ui = form_files(name)
    _fill_object(page, schema, ui, data, "")


def _id(path: str) -> str:
    return "#f-" + re.sub(r"[^A-Za-z0-9_-]", "-", path)


def _type(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind:
        return str(kind)
    if "properties" in schema:
        return "object"
    return "array" if "items" in schema else "string"


def _from_case(schema: dict[str, Any]) -> bool:
    """Tell whether the field's choices come from the case (a dynamic enum)."""
    any_of = schema.get("anyOf")
    return isinstance(any_of, list) and str(any_of[0]).startswith("options_from_task_data_var:")


def _pick(page: Page, selector: str, value: Any) -> None:
    """Choose the option the page labels with the value and a dash (an applicant: number, name)."""
    options = page.locator(f"{selector} option")
    for i in range(options.count()):
        if options.nth(i).inner_text().startswith(f"{value} {DASH} "):
            page.locator(selector).select_option(options.nth(i).get_attribute("value"))
            return
    raise AssertionError(f"{selector} offers no {value}")


def _tick(page: Page, path: str, values: list[Any]) -> None:
    """Tick the boxes the page labels with one of the values and a dash, untick the others."""
    labels = page.locator(f"{_id(path)}-group label")
    for i in range(labels.count()):
        number = labels.nth(i).inner_text().split(f" {DASH} ")[0]
        box = page.locator(f"#{labels.nth(i).get_attribute('for')}")
        if any(str(v) == number for v in values):
            box.check()
        else:
            box.uncheck()


def _choices(schema: dict[str, Any]) -> list[tuple[Any, str]] | None:
    one_of = schema.get("oneOf")
    if isinstance(one_of, list) and one_of and all("const" in o for o in one_of):
        return [(o["const"], o.get("title", str(o["const"]))) for o in one_of]
    if isinstance(schema.get("enum"), list):
        names = schema.get("enumNames") or []
        return [(v, names[i] if i < len(names) else str(v)) for i, v in enumerate(schema["enum"])]
    return None


def _fill_object(
    page: Page, schema: dict[str, Any], ui: dict[str, Any], data: dict[str, Any], prefix: str
) -> None:
    properties = schema.get("properties", {})
    for key, value in data.items():
        if key not in properties:
            continue
        path = f"{prefix}.{key}" if prefix else key
        _fill(page, properties[key], ui.get(key) or {}, value, path)


def _fill(page: Page, schema: dict[str, Any], ui: dict[str, Any], value: Any, path: str) -> None:
    widget = ui.get("ui:widget")
    kind = _type(schema)
    if widget == "hidden" or value is None:
        return
    if kind == "object":
        _fill_object(page, schema, ui, value, path)
    elif kind == "array":
        items = schema.get("items") or {}
        if _from_case(items) and widget != "ranking":  # a ranking: one select per place
            _tick(page, path, value)
            return
        choices = _choices(items)
        if choices is not None:
            for i, (choice, _) in enumerate(choices):
                box = page.locator(f"{_id(path)}-{i}")
                if choice in value:
                    box.check()
                else:
                    box.uncheck()
            return
        group = page.locator(f"{_id(path)}-group")
        rows = group.locator("ol.rows > li")
        while rows.count() < len(value):
            group.get_by_role("button", name=re.compile(r"^\+")).click()
        for i, item in enumerate(value):
            _fill(page, items, ui.get("items") or {}, item, f"{path}.{i}")
    elif kind == "boolean":
        if widget in ("radio", "select"):
            page.locator(f"{_id(path)}-{0 if value else 1}").check()
        elif value:
            page.locator(_id(path)).check()
        else:
            page.locator(_id(path)).uncheck()
    elif _from_case(schema):
        _pick(page, _id(path), value)
    elif (choices := _choices(schema)) is not None:
        index = [c for c, _ in choices].index(value)
        if widget == "radio":
            page.locator(f"{_id(path)}-{index}").check()
        else:
            page.locator(_id(path)).select_option(str(index))
    elif kind in ("number", "integer"):
        page.locator(_id(path)).fill(str(value).replace(".", ","))
    elif schema.get("format") == "date":
        page.locator(_id(path)).fill(date.fromisoformat(str(value)).strftime("%d.%m.%Y"))
    elif schema.get("format") == "date-time":
        moment = datetime.fromisoformat(str(value)).astimezone(OSLO)
        page.locator(_id(path)).fill(moment.strftime("%d.%m.%Y"))
        page.locator(f"{_id(path)}-time").fill(moment.strftime("%H.%M"))
    else:
        page.locator(_id(path)).fill(str(value))
