"""Read Camunda 7 models as they are: `camunda:` attributes and JUEL become our conventions.

A diagram made with the Camunda Modeler for Camunda 7 is rewritten, before the deploy checks,
into what the engine reads (docs/bpmn-conventions.md, docs/camunda7.md):

- `serviceTask camunda:type="external" camunda:topic="t"` waits for a worker: it becomes a task
  with the `externalTopic` property (the external_task table, not the inbox);
- `camunda:assignee` and `camunda:candidateUsers` become `candidateUsers`;
  `camunda:candidateGroups` must name our roles and become `candidateRoles`;
- `${…}`/`#{…}` conditions, timer expressions and `camunda:inputOutput` values are translated
  into the sandbox's Python (`juel.py`); input parameters run before the task (preScript),
  output parameters after it (postScript);
- `camunda:formData` becomes a JSON Schema form (`<process>.<element>.schema.json`);
- `camunda:historyTimeToLive`, `camunda:asyncBefore/After`, `camunda:formKey`,
  `camunda:versionTag` and `camunda:jobPriority` are accepted and kept as attributes.

What cannot run is refused with the element, the expression and a sentence: Java delegates
(`camunda:class`, `camunda:delegateExpression`, `camunda:expression`), connectors, scripts in
mappings, unknown groups and JUEL outside the subset.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection

from lxml import etree

from engine.runtime import juel
from engine.runtime.declarations import START_FORM
from engine.runtime.errors import Problem
from engine.runtime.xmlsafe import BPMN, NS, SPIFF, label, local_name, problem

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
C = {"camunda": CAMUNDA, **NS}
_JAVA = ("class", "delegateExpression", "expression")


def uses_camunda(root: etree._Element) -> bool:
    """Tell whether a BPMN document carries Camunda 7 extensions or JUEL expressions."""
    if CAMUNDA in root.nsmap.values():
        return True
    return any(juel.is_expression(t) for t in root.itertext())


def translate(
    file: str, root: etree._Element, roles: Collection[str], forms: dict[str, bytes]
) -> list[Problem]:
    """Rewrite a Camunda 7 document in place; return the problems (errors) it has.

    The JSON Schema forms made from `camunda:formData` are added to `forms` by file name.
    """
    found: list[Problem] = []
    _correlate_by_business_key(root)
    for process in root.iterfind(".//bpmn:process", NS):
        found += _starters(file, process, roles)
        for element in list(process.iter()):
            if not isinstance(element.tag, str):
                continue
            kind = local_name(element)
            for step in _STEPS.get(kind, ()):
                found += step(file, element, roles)
            found += _io_mapping(file, element)
            found += _form_data(file, str(process.get("id")), element, forms)
    return found


_FIELD_TYPES = {
    "string": {"type": "string"},
    "long": {"type": "integer"},
    "integer": {"type": "integer"},
    "double": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
}


def _form_data(
    file: str, process_id: str, element: etree._Element, forms: dict[str, bytes]
) -> list[Problem]:
    """Turn `camunda:formData` into a JSON Schema form the task (or start event) shows."""
    data = element.find("bpmn:extensionElements/camunda:formData", C)
    if data is None:
        return []
    properties: dict[str, dict[str, object]] = {}
    required: list[str] = []
    for field in data.iterfind("camunda:formField", C):
        name, kind = field.get("id") or "", field.get("type") or "string"
        if not name.isidentifier():
            return [problem(file, element, f"{label(element)} has a form field '{name}'.")]
        if kind == "enum":
            values = [str(v.get("id")) for v in field.iterfind("camunda:value", C)]
            schema: dict[str, object] = {"type": "string", "enum": values}
        elif kind in _FIELD_TYPES:
            schema = dict(_FIELD_TYPES[kind])
        else:
            message = f"{label(element)}: the form field '{name}' has the type '{kind}', "
            return [problem(file, element, message + "which saksflyt's forms do not know.")]
        schema["title"] = field.get("label") or name
        path = "camunda:validation/camunda:constraint"
        if any(c.get("name") == "required" for c in field.iterfind(path, C)):
            required.append(name)
        properties[name] = schema
    form = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
    }
    name = f"{process_id}.{element.get('id')}.schema.json"
    forms[name] = json.dumps(form, ensure_ascii=False, indent=2).encode()
    start = local_name(element) == "startEvent"
    _set_property(element, START_FORM if start else "formJsonSchemaFilename", name)
    return []


def _starters(file: str, process: etree._Element, roles: Collection[str]) -> list[Problem]:
    """`camunda:candidateStarterGroups` (roles) become `startRoles` of the none start events."""
    groups = (process.get(f"{{{CAMUNDA}}}candidateStarterGroups") or "").replace(",", " ")
    names = groups.split()
    unknown = [g for g in names if g not in roles]
    if unknown:
        message = f"{label(process)} lets the group(s) {', '.join(unknown)} start it, which are "
        return [problem(file, process, message + "not roles of saksflyt.")]
    for event in process.iterfind("bpmn:startEvent", NS):
        triggered = any(local_name(c).endswith("EventDefinition") for c in event)
        if names and not triggered:
            _set_property(event, "startRoles", " ".join(names))
        if not triggered and event.find("bpmn:extensionElements/camunda:formData", C) is None:
            _set_property(event, "startVariables", "any")
    return []


def _correlate_by_business_key(root: etree._Element) -> None:
    """Let every message without correlation properties correlate on the business key, as
    Camunda 7 correlates (`POST /message` with `businessKey`); let senders be the roles that
    start and try processes unless the event names `messageSenderRoles`."""
    taken = {p.get("id") for p in root.iterfind("bpmn:correlationProperty", NS)}
    used = {
        r.get("messageRef")
        for r in root.iterfind(".//bpmn:correlationPropertyRetrievalExpression", NS)
    }
    bare = [m for m in root.iterfind("bpmn:message", NS) if m.get("id") not in used]
    if not bare or "business_key" in taken:
        return
    where = root.index(bare[-1]) + 1
    prop = etree.Element(f"{{{BPMN}}}correlationProperty", id="business_key", name="business_key")
    for message in bare:
        expression = etree.SubElement(prop, f"{{{BPMN}}}correlationPropertyRetrievalExpression")
        expression.set("messageRef", str(message.get("id")))
        etree.SubElement(expression, f"{{{BPMN}}}formalExpression").text = "business_key"
    key = etree.Element(f"{{{BPMN}}}correlationKey", id="c7_business_key", name="business_key")
    etree.SubElement(key, f"{{{BPMN}}}correlationPropertyRef").text = "business_key"
    root.insert(where, prop)
    root.insert(where, key)
    names = {str(m.get("id")) for m in bare}
    for definition in root.iterfind(".//bpmn:messageEventDefinition", NS):
        owner = definition.getparent()
        if definition.get("messageRef") not in names or local_name(owner).startswith("end"):
            continue
        if local_name(owner) == "intermediateThrowEvent":
            continue
        path = "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"
        declared = {p.get("name") for p in owner.iterfind(path, NS)}
        if "messageSenderRoles" not in declared:
            _set_property(owner, "messageSenderRoles", "process_owner admin")


def _service_task(file: str, task: etree._Element, roles: Collection[str]) -> list[Problem]:
    for attribute in _JAVA:
        if task.get(f"{{{CAMUNDA}}}{attribute}"):
            return [
                problem(
                    file,
                    task,
                    f"{label(task)} calls Java code (camunda:{attribute}), which saksflyt cannot "
                    'run; make it an external task (camunda:type="external") and let a worker '
                    "do it.",
                )
            ]
    if task.get(f"{{{CAMUNDA}}}type") != "external":
        return []
    topic = task.get(f"{{{CAMUNDA}}}topic") or ""
    if not topic or juel.is_expression(topic):
        return [problem(file, task, f"{label(task)} is an external task without a fixed topic.")]
    task.tag = f"{{{BPMN}}}userTask"
    _set_property(task, "externalTopic", topic)
    priority = task.get(f"{{{CAMUNDA}}}taskPriority")
    if priority and priority.lstrip("-").isdigit():
        _set_property(task, "externalPriority", priority)
    return []


def _user_task(file: str, task: etree._Element, roles: Collection[str]) -> list[Problem]:
    found: list[Problem] = []
    users: list[str] = []
    for attribute in ("assignee", "candidateUsers"):
        value = (task.get(f"{{{CAMUNDA}}}{attribute}") or "").strip()
        if not value:
            continue
        if juel.is_expression(value):
            try:
                users.append(juel.to_python(value))
            except juel.Unsupported as error:
                found.append(_refused(file, task, f"camunda:{attribute}", value, error))
        else:
            users += [repr(name.strip()) for name in value.split(",") if name.strip()]
    if users:
        _set_property(task, "candidateUsers", users[0] if len(users) == 1 else _list(users))
    groups = (task.get(f"{{{CAMUNDA}}}candidateGroups") or "").strip()
    if groups:
        names = [g.strip() for g in groups.split(",") if g.strip()]
        unknown = [g for g in names if g not in roles]
        if unknown or juel.is_expression(groups):
            found.append(
                problem(
                    file,
                    task,
                    f"{label(task)} offers the task to the group(s) {', '.join(unknown) or groups}"
                    f", which are not roles of saksflyt ({', '.join(sorted(roles))}).",
                )
            )
        elif not users:
            _set_property(task, "candidateRoles", " ".join(names))
    return found


def _list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _condition(file: str, flow: etree._Element, roles: Collection[str]) -> list[Problem]:
    found: list[Problem] = []
    for node in flow.iterfind("bpmn:conditionExpression", NS):
        found += _rewrite_text(file, flow, node, "The condition")
    return found


def _timer(file: str, event: etree._Element, roles: Collection[str]) -> list[Problem]:
    found: list[Problem] = []
    owner = event.getparent()
    for name in ("timeDate", "timeDuration", "timeCycle"):
        for node in event.iterfind(f"bpmn:{name}", NS):
            found += _rewrite_text(file, owner if owner is not None else event, node, "The timer")
    return found


def _rewrite_text(
    file: str, owner: etree._Element, node: etree._Element, what: str
) -> list[Problem]:
    text = (node.text or "").strip()
    if not juel.is_expression(text):
        return []
    if node.get("language") not in (None, "", "juel", "JUEL"):
        return []  # another language: the deploy checks report it
    try:
        node.text = juel.to_python(text)
    except juel.Unsupported as error:
        return [_refused(file, owner, what.lower(), text, error)]
    node.attrib.pop("language", None)
    return []


def _io_mapping(file: str, element: etree._Element) -> list[Problem]:
    """Turn `camunda:inputOutput` of a flow node into its pre- and post-scripts."""
    mapping = element.find("bpmn:extensionElements/camunda:inputOutput", C)
    if mapping is None:
        return []
    found: list[Problem] = []
    scripts: dict[str, list[str]] = {"inputParameter": [], "outputParameter": []}
    for parameter in mapping:
        kind = local_name(parameter)
        name = parameter.get("name") or ""
        if kind not in scripts or not name.isidentifier():
            found.append(
                problem(file, element, f"{label(element)} maps '{name}', not a variable name.")
            )
            continue
        if len(parameter):
            found.append(
                problem(
                    file,
                    element,
                    f"{label(element)} maps '{name}' with a list, map or script; only text "
                    "values and ${…} expressions are supported.",
                )
            )
            continue
        value = (parameter.text or "").strip()
        try:
            python = juel.to_python(value) if juel.is_expression(value) else repr(value)
        except juel.Unsupported as error:
            found.append(_refused(file, element, f"the mapping of '{name}'", value, error))
            continue
        scripts[kind].append(f"{name} = {python}")
    extensions = mapping.getparent()
    for kind, tag in (("inputParameter", "preScript"), ("outputParameter", "postScript")):
        if scripts[kind]:
            node = etree.SubElement(extensions, f"{{{SPIFF}}}{tag}")
            node.text = "\n".join(scripts[kind])
    extensions.remove(mapping)
    return found


def _refused(
    file: str, element: etree._Element, what: str, expression: str, error: Exception
) -> Problem:
    return problem(
        file,
        element,
        f"{label(element)}: {what} '{expression}' cannot run in saksflyt: {error}.",
    )


def _set_property(element: etree._Element, name: str, value: str) -> None:
    extensions = element.find("bpmn:extensionElements", NS)
    if extensions is None:
        extensions = etree.Element(f"{{{BPMN}}}extensionElements")
        element.insert(0, extensions)
    properties = extensions.find("spiffworkflow:properties", NS)
    if properties is None:
        properties = etree.SubElement(extensions, f"{{{SPIFF}}}properties")
    prop = etree.SubElement(properties, f"{{{SPIFF}}}property")
    prop.set("name", name)
    prop.set("value", value)


Step = Callable[[str, etree._Element, Collection[str]], list[Problem]]
_STEPS: dict[str, tuple[Step, ...]] = {
    "serviceTask": (_service_task,),
    "sendTask": (_service_task,),
    "userTask": (_user_task,),
    "sequenceFlow": (_condition,),
    "timerEventDefinition": (_timer,),
}
