"""Compare two versions of a process by element id: what was added, removed and changed.

An element is anything with an id that a process owner places or names: flow nodes, sequence
flows, lanes, data objects, annotations, and the file's messages, signals, errors and
correlation properties. What sits inside an element without an identity of its own (scripts,
conditions, timers, form and assignment properties, instructions, documentation, event
definitions) is compared as part of it. `incoming`/`outgoing` repeat the flows' `sourceRef` and
`targetRef`, and lane membership is read as a property of the flow node, so adding a task to a
lane adds one element instead of changing the lane too. Diagram layout is ignored.

Lanes are elements of their own, matched by id (a lane's id is its role). Only a lane whose id
is in one version alone is matched by name, with a lane of the same name whose id is in the other
version alone: its role changed (`id: leader → hr`). Everything else is added, removed or renamed
as it is, never a rename of whichever lane came last.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.runtime import validation
from engine.runtime.xmlsafe import BPMN, NS, SPIFF, local_name, read_xml
from engine.store.uow import UnitOfWork

# Inner parts that carry no identity of their own, even when a tool gives them an id.
_CONTENT = frozenset(
    {
        "documentation",
        "extensionElements",
        "conditionExpression",
        "script",
        "multiInstanceLoopCharacteristics",
        "standardLoopCharacteristics",
        "ioSpecification",
        "dataInput",
        "dataOutput",
        "inputSet",
        "outputSet",
        "dataInputAssociation",
        "dataOutputAssociation",
        "correlationPropertyRetrievalExpression",
        "formalExpression",
        "laneSet",
        "childLaneSet",
        "timeDuration",
        "timeDate",
        "timeCycle",
        "condition",
    }
)
_REPEATED = frozenset({"incoming", "outgoing", "flowNodeRef"})
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"  # xsi:type is how a tool writes, not what
_FILE_LEVEL = ("message", "signal", "error", "escalation", "correlationProperty")


@dataclass(frozen=True)
class Element:
    """An element of one version: kind, name and everything compared."""

    id: str
    type: str
    name: str | None
    fields: dict[str, str]

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "name": self.name}


@dataclass
class VersionDiff:
    """Elements only in the newer version, only in the older one, and in both but changed."""

    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)


def diff_versions(uow: UnitOfWork, key: str, old: int, new: int) -> dict[str, Any]:
    """Compare two versions of a process; raise NotFound for an unknown version.

    `files` lists the forms and decision tables the versions use that differ: each version
    sees them as its deployment left them (the forms pinned to it), so a form changed in the
    form editor shows here even when the diagram did not change.
    """
    with uow:
        contents, used = [], []
        for version in (old, new):
            definition = uow.definitions.version(key, version)
            content = uow.definitions.file(definition.deployment_id, definition.file_name)
            view = uow.definitions.latest_files(as_of=definition.deployment_id)
            contents.append(content)
            used.append(_used_files(content, key, {n: f.content for n, f in view.items()}))
    result = compare(contents[0], contents[1], key)
    return {"key": key, "from": old, "to": new, **result.__dict__, "files": _files(*used)}


def _used_files(content: bytes, key: str, view: dict[str, bytes]) -> dict[str, bytes]:
    """Return the forms and DMN files the process `key` of a BPMN document uses."""
    root = read_xml("diff", content).root
    process = None if root is None else root.find(f"bpmn:process[@id='{key}']", NS)
    if process is None:
        return {}
    used = {n: view[n] for n in validation.forms_of(process) if n in view}
    decisions = {
        (e.text or "").strip() for e in process.iter(f"{{{SPIFF}}}calledDecisionId") if e.text
    }
    for name, data in view.items():
        if name.endswith(".dmn") and any(f'id="{d}"'.encode() in data for d in decisions):
            used[name] = data
    return used


def _files(before: dict[str, bytes], after: dict[str, bytes]) -> list[dict[str, Any]]:
    """Name each used file that was added, removed or changed; for forms, which fields."""
    found = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        change = "added" if old is None else "removed" if new is None else "changed"
        entry: dict[str, Any] = {"name": name, "change": change}
        if change == "changed" and name.endswith(".json"):
            entry["fields"] = _form_fields(old or b"{}", new or b"{}")
        found.append(entry)
    return found


def _form_fields(old: bytes, new: bytes) -> dict[str, list[str]]:
    """Return the form's top-level fields added, removed and changed (UI schemas: keys)."""

    def fields(content: bytes) -> dict[str, Any]:
        try:
            document = json.loads(content)
        except ValueError:
            return {}
        if not isinstance(document, dict):
            return {}
        inner = document.get("properties")
        return inner if isinstance(inner, dict) else document

    before, after = fields(old), fields(new)
    return {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": sorted(k for k in set(before) & set(after) if before[k] != after[k]),
    }


def compare(old: bytes, new: bytes, key: str) -> VersionDiff:
    """Compare the process `key` (and the file's shared definitions) in two BPMN documents."""
    before, after = elements(old, key), elements(new, key)
    earlier = {i: i for i in after if i in before} | _lanes_by_name(before, after)
    result = VersionDiff(
        added=[after[i].summary() for i in after if i not in earlier],
        removed=[before[i].summary() for i in before if i not in earlier.values()],
    )
    for element_id, old_id in earlier.items():
        changes = _changes(before[old_id], after[element_id])
        if old_id != element_id:
            changes.insert(0, {"field": "id", "before": old_id, "after": element_id})
        if changes:
            entry = {**after[element_id].summary(), "changes": changes}
            if old_id != element_id:
                entry["previous_id"] = old_id
            result.changed.append(entry)
    return result


def _lanes_by_name(before: dict[str, Element], after: dict[str, Element]) -> dict[str, str]:
    """Pair lanes whose id is in one version only by their (unique) name: new id -> old id."""

    def unmatched(mine: dict[str, Element], other: dict[str, Element]) -> dict[str, str]:
        lanes = [e for i, e in mine.items() if e.type == "lane" and i not in other and e.name]
        names = [e.name for e in lanes]
        return {str(e.name): e.id for e in lanes if names.count(e.name) == 1}

    old, new = unmatched(before, after), unmatched(after, before)
    return {new[name]: old[name] for name in new if name in old}


def elements(content: bytes, key: str) -> dict[str, Element]:
    """Return the comparable elements of process `key` and the file's shared definitions."""
    root = read_xml("diff", content).root
    if root is None:
        return {}
    process = root.find(f"bpmn:process[@id='{key}']", NS)
    found: dict[str, Element] = {}
    if process is None:
        return found
    lanes = _lanes(process)
    owners = [*(c for c in root if local_name(c) in _FILE_LEVEL), process]
    for owner in owners:
        for element in [owner, *owner.iterdescendants()]:
            if _is_element(element):
                found[str(element.get("id"))] = _describe(element, lanes)
    return found


def _is_element(element: etree._Element) -> bool:
    if not isinstance(element.tag, str) or not element.get("id"):
        return False
    if etree.QName(element).namespace != BPMN or local_name(element) in _CONTENT:
        return False
    if local_name(element) == "lane":
        return True  # inside a lane set, yet a lane has its own identity: its role
    if local_name(element).endswith("EventDefinition"):
        return False
    return not any(local_name(a) in _CONTENT for a in element.iterancestors())


def _lanes(process: etree._Element) -> dict[str, str]:
    """Map flow node ids to the ids of the lanes that hold them (innermost lane wins)."""
    lanes: dict[str, str] = {}
    for lane in process.iter(f"{{{BPMN}}}lane"):
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            lanes[(ref.text or "").strip()] = str(lane.get("id"))
    return lanes


def _describe(element: etree._Element, lanes: dict[str, str]) -> Element:
    element_id = str(element.get("id"))
    fields = {
        f"@{_qname(k)}": v
        for k, v in element.attrib.items()
        if k not in ("id", "name") and not k.startswith(XSI)
    }
    if element_id in lanes:
        fields["lane"] = lanes[element_id]
    for child in element:
        _flatten(child, local_name(child), fields)
    name = element.get("name")
    return Element(element_id, local_name(element), name.strip() if name else None, fields)


def _flatten(node: etree._Element, path: str, fields: dict[str, str]) -> None:
    """Add the text and attributes of an element's own parts under readable paths."""
    if not isinstance(node.tag, str) or local_name(node) in _REPEATED or _is_element(node):
        return
    if node.get("name") and local_name(node) == "property":
        path = f"{path}[{node.get('name')}]"
    text = (node.text or "").strip()
    if text:
        fields[path] = text
    is_property = local_name(node) == "property" and node.get("name")
    for attribute, value in node.attrib.items():
        if is_property and attribute in ("name", "value"):
            fields[path] = value if attribute == "value" else fields.get(path, "")
        elif attribute != "id" and not attribute.startswith(XSI):
            fields[f"{path}@{_qname(attribute)}"] = value
    for child in node:
        _flatten(child, f"{path}/{local_name(child)}", fields)


def _qname(attribute: str) -> str:
    return etree.QName(attribute).localname if attribute.startswith("{") else attribute


def _changes(before: Element, after: Element) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if before.type != after.type:
        found.append({"field": "type", "before": before.type, "after": after.type})
    if before.name != after.name:
        found.append({"field": "name", "before": before.name, "after": after.name})
    for key in sorted(set(before.fields) | set(after.fields)):
        if before.fields.get(key) != after.fields.get(key):
            label = _label(key)
            found.append(
                {"field": label, "before": before.fields.get(key), "after": after.fields.get(key)}
            )
    return found


def _label(key: str) -> str:
    """Name a compared path for people: `extensionElements/properties/property[x]` -> `x`."""
    key = key.removeprefix("extensionElements/")
    key = key.replace("properties/property[", "property[")
    return key.lstrip("@") if key.startswith("@") else key
