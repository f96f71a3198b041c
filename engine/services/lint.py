"""The modeller's lint rules: warnings about diagrams that deploy but read badly or run oddly.

Deploy's own checks (`engine.runtime.validation`) decide what may run; these only advise, in the
conventions of docs/bpmn-conventions.md: snake_case ids, named user tasks with forms.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping

from lxml import etree

from engine.runtime.errors import Problem
from engine.runtime.xmlsafe import (
    BPMN,
    FLOW_NODES,
    NS,
    has_flow_nodes,
    label,
    local_name,
    problem,
    read_xml,
)

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")
_NAMED = ".//bpmn:userTask | .//bpmn:manualTask | .//bpmn:callActivity | .//bpmn:subProcess"
_PROPERTY = "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name=$name]"


def check(files: Mapping[str, bytes], forms: Collection[str]) -> list[Problem]:
    """Return lint warnings for the executable-looking processes of BPMN files."""
    found: list[Problem] = []
    for file, content in files.items():
        if not file.lower().endswith(".bpmn"):
            continue
        root = read_xml(file, content).root
        if root is None:
            continue
        for process in root.iterfind("bpmn:process", NS):
            if process.get("isExecutable") != "false" and has_flow_nodes(process):
                found += _process(file, process)
    return found


def _process(file: str, process: etree._Element) -> Iterator[Problem]:
    yield from _ids(file, process)
    for task in process.xpath(_NAMED, namespaces=NS):
        if not (task.get("name") or "").strip():
            message = f"{label(task)} has no name; people will see its id instead."
            yield problem(file, task, message, warning=True)
    for task in process.iterfind(".//bpmn:userTask", NS):
        schema = task.xpath(_PROPERTY, name="formJsonSchemaFilename", namespaces=NS)
        if not schema or not schema[0].get("value"):
            message = f"{label(task)} has no form; it can only be marked as done."
            yield problem(file, task, message, warning=True)


def _ids(file: str, process: etree._Element) -> Iterator[Problem]:
    """Warn about ids people meet in history, inboxes and migrations: processes, nodes, lanes."""
    elements = [process, *process.iter(f"{{{BPMN}}}lane")]
    elements += [e for e in process.iter() if local_name(e) in FLOW_NODES]
    for element in elements:
        element_id = element.get("id") or ""
        if element_id and not SNAKE_CASE.match(element_id):
            message = (
                f"{label(element)}: the id '{element_id}' is not snake_case (like "
                "'approve_interest'); stable readable ids keep history and migrations clear."
            )
            yield problem(file, element, message, warning=True)
