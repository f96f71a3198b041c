"""Deploy-time checks of one BPMN process, read from its XML (ids and line numbers intact).

Scripts, conditions and expressions must compile in the sandbox; timers must be ISO-8601 or an
expression; service operators, forms, called processes and decisions must exist; lanes should
be roles. Each finding is a `Problem` in words a process owner understands. SpiffWorkflow's own
build errors are translated in `specs.py`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.runtime import registry
from engine.runtime.errors import Problem
from engine.runtime.scripting import check_script, is_iso_literal
from engine.runtime.xmlsafe import NS, label, local_name, problem

ROLES = frozenset(
    {
        "participant",
        "leader",
        "service_leader",
        "union_rep",
        "admin_group",
        "finance",
        "hr",
        "process_owner",
        "auditor",
        "admin",
    }
)
FORM_PROPERTIES = ("formJsonSchemaFilename", "formUiSchemaFilename")
EXPRESSION_PROPERTIES = ("candidateUsers", "candidateMunicipality", "dueInWorkingDays", "dueIn")


@dataclass(frozen=True)
class Context:
    """What the checks of one process need to know about the rest of the deployment."""

    file: str
    processes: Mapping[str, bool]  # process id -> executable, in this deployment and before
    decisions: frozenset[str]
    forms: frozenset[str] | None  # None: form files are not checked


Check = Callable[[etree._Element, Context], Iterator[Problem]]


def check_process(process: etree._Element, context: Context) -> list[Problem]:
    """Return every problem found in one bpmn:process element."""
    checks: tuple[Check, ...] = (
        _scripts,
        _conditions,
        _timers,
        _service_tasks,
        _user_tasks,
        _call_activities,
        _business_rules,
        _lanes,
        _gateways,
    )
    return [found for check in checks for found in check(process, context)]


def forms_of(process: etree._Element) -> set[str]:
    """Return the form file names the process's user tasks reference."""
    names: set[str] = set()
    for task in process.iterfind(".//bpmn:userTask", NS):
        names.update(value for _, value in _properties(task, FORM_PROPERTIES))
    return names


def _properties(element: etree._Element, names: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    path = "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"
    for prop in element.iterfind(path, NS):
        if prop.get("name") in names and prop.get("value"):
            yield str(prop.get("name")), str(prop.get("value"))


def _scripts(process: etree._Element, context: Context) -> Iterator[Problem]:
    for task in process.iterfind(".//bpmn:scriptTask", NS):
        script = task.find("bpmn:script", NS)
        if script is None or not (script.text or "").strip():
            yield problem(context.file, task, f"{label(task)} has no script.")
            continue
        yield from check_expression(context.file, task, script, label(task), expression=False)
    for kind in ("preScript", "postScript"):
        for node in process.iterfind(f".//bpmn:extensionElements/spiffworkflow:{kind}", NS):
            owner = node.getparent().getparent()
            what = f"The {'pre' if kind == 'preScript' else 'post'}-script of {label(owner)}"
            if (node.text or "").strip():
                yield from check_expression(context.file, owner, node, what, expression=False)


def _conditions(process: etree._Element, context: Context) -> Iterator[Problem]:
    for flow in process.iterfind(".//bpmn:sequenceFlow", NS):
        condition = flow.find("bpmn:conditionExpression", NS)
        if condition is not None and (condition.text or "").strip():
            what = f"The condition on {label(flow)}"
            yield from check_expression(context.file, flow, condition, what, expression=True)
    for event in process.iterfind(".//bpmn:conditionalEventDefinition", NS):
        owner = event.getparent()
        condition = event.find("bpmn:condition", NS)
        if condition is None or not (condition.text or "").strip():
            yield problem(context.file, owner, f"{label(owner)} has no condition.")
        else:
            what = f"The condition of {label(owner)}"
            yield from check_expression(context.file, owner, condition, what, expression=True)


def _timers(process: etree._Element, context: Context) -> Iterator[Problem]:
    for timer in process.iterfind(".//bpmn:timerEventDefinition", NS):
        yield from check_timer(context.file, timer.getparent(), timer)


def _service_tasks(process: etree._Element, context: Context) -> Iterator[Problem]:
    known = registry.operator_names()
    for task in process.iterfind(".//bpmn:serviceTask", NS):
        operator = task.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", NS)
        if operator is None or not operator.get("id"):
            message = f"{label(task)} names no operator, so the engine would not know what to do."
            yield problem(context.file, task, message)
            continue
        name = str(operator.get("id"))
        if name not in known:
            available = ", ".join(sorted(known)) or "none"
            message = f"{label(task)} uses the operator '{name}', which is not registered "
            yield problem(context.file, task, message + f"(available: {available}).")
        for param in operator.iterfind("spiffworkflow:parameters/spiffworkflow:parameter", NS):
            what = f"Parameter '{param.get('id')}' of {label(task)}"
            yield from check_expression(context.file, task, param, what, attribute="value")


def _user_tasks(process: etree._Element, context: Context) -> Iterator[Problem]:
    for task in process.iterfind(".//bpmn:userTask", NS):
        for prop, value in _properties(task, FORM_PROPERTIES):
            if context.forms is not None and value not in context.forms:
                message = f"{label(task)} uses the form file '{value}' ({prop}), which is missing."
                yield problem(context.file, task, message)
        for prop, _ in _properties(task, EXPRESSION_PROPERTIES):
            node = task.find(f".//spiffworkflow:property[@name='{prop}']", NS)
            what = f"The {prop} of {label(task)}"
            yield from check_expression(context.file, task, node, what, attribute="value")


def _call_activities(process: etree._Element, context: Context) -> Iterator[Problem]:
    for call in process.iterfind(".//bpmn:callActivity", NS):
        called = call.get("calledElement")
        if not called:
            yield problem(context.file, call, f"{label(call)} does not say which process to call.")
        elif called not in context.processes:
            message = (
                f"{label(call)} calls process '{called}', which is not in this deployment "
                "or deployed before."
            )
            yield problem(context.file, call, message)
        elif not context.processes[called]:
            message = f"{label(call)} calls process '{called}', which is marked as not executable."
            yield problem(context.file, call, message)


def _business_rules(process: etree._Element, context: Context) -> Iterator[Problem]:
    path = "bpmn:extensionElements/spiffworkflow:calledDecisionId"
    for task in process.iterfind(".//bpmn:businessRuleTask", NS):
        decision = (task.findtext(path, default="", namespaces=NS) or "").strip()
        if not decision:
            message = f"{label(task)} does not say which decision (DMN) to use."
            yield problem(context.file, task, message)
        elif decision not in context.decisions:
            message = (
                f"{label(task)} uses decision '{decision}', which is not in this deployment "
                "or deployed before."
            )
            yield problem(context.file, task, message)


def _lanes(process: etree._Element, context: Context) -> Iterator[Problem]:
    user_tasks = {task.get("id") for task in process.iterfind(".//bpmn:userTask", NS)}
    for lane in process.iterfind(".//bpmn:lane", NS):
        refs = {ref.text.strip() for ref in lane.iterfind("bpmn:flowNodeRef", NS) if ref.text}
        if lane.get("id") not in ROLES and refs & user_tasks:
            message = (
                f"{label(lane)} holds user tasks, but its id is not one of the roles "
                f"({', '.join(sorted(ROLES))}); nobody will be offered them by role."
            )
            yield problem(context.file, lane, message, warning=True)


def _gateways(process: etree._Element, context: Context) -> Iterator[Problem]:
    flows = list(process.iterfind(".//bpmn:sequenceFlow", NS))
    for gateway in process.iterfind(".//bpmn:exclusiveGateway", NS):
        outgoing = [flow for flow in flows if flow.get("sourceRef") == gateway.get("id")]
        if len(outgoing) < 2 or gateway.get("default"):
            continue
        unconditioned = [
            flow for flow in outgoing if flow.find("bpmn:conditionExpression", NS) is None
        ]
        if unconditioned:
            ids = ", ".join(str(flow.get("id")) for flow in unconditioned)
            message = (
                f"{label(gateway)} has {len(outgoing)} outgoing flows and no default flow, "
                f"and these flows have no condition: {ids}."
            )
            yield problem(context.file, gateway, message, warning=True)


def call_cycle_warnings(
    file: str, process: etree._Element, graph: Mapping[str, set[str]]
) -> list[Problem]:
    """Warn about call activities through which the process ends up calling itself."""
    key = str(process.get("id"))
    found = []
    for call in process.iterfind(".//bpmn:callActivity", NS):
        path = _path_back(graph, str(call.get("calledElement")), key)
        if path:
            message = (
                f"{label(call)} makes process '{key}' call itself ({' -> '.join([key, *path])}); "
                "it may deploy, but an instance that recurses without waiting is stopped by "
                "the engine's step budget."
            )
            found.append(problem(file, call, message, warning=True))
    return found


def _path_back(graph: Mapping[str, set[str]], start: str, key: str) -> list[str]:
    """Return a call path from `start` to `key`, or [] if `start` never calls `key`."""
    stack, seen = [[start]], {start}
    while stack:
        path = stack.pop()
        if path[-1] == key:
            return path
        for called in sorted(graph.get(path[-1], ()), reverse=True):
            if called not in seen:
                seen.add(called)
                stack.append([*path, called])
    return []


def has_flow_nodes(process: etree._Element) -> bool:
    """Tell whether a process has any flow node (an empty pool has none)."""
    return any(local_name(child) in FLOW_NODES for child in process)


FLOW_NODES = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "scriptTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "businessRuleTask",
        "callActivity",
        "subProcess",
        "transaction",
        "adHocSubProcess",
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
        "exclusiveGateway",
        "inclusiveGateway",
        "parallelGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)


def check_definitions(file: str, root: etree._Element) -> list[Problem]:
    """Check the file-level expressions: correlation retrieval and message payloads."""
    found: list[Problem] = []
    for prop in root.iterfind(".//bpmn:correlationProperty", NS):
        for expression in prop.iterfind("bpmn:correlationPropertyRetrievalExpression/*", NS):
            what = f"The retrieval expression of {label(prop)}"
            found += check_expression(file, prop, expression, what)
    for payload in root.iterfind(".//spiffworkflow:messagePayload", NS):
        owner = _owner(payload)
        found += check_expression(file, owner, payload, f"The message payload of {label(owner)}")
    for correlation in root.iterfind(".//spiffworkflow:processVariableCorrelation", NS):
        owner = _owner(correlation)
        node = correlation.find("spiffworkflow:expression", NS)
        found += check_expression(file, owner, node, f"A correlation expression of {label(owner)}")
    return found


def _owner(node: etree._Element) -> etree._Element:
    """Return the flow node or message an extension element belongs to."""
    for ancestor in node.iterancestors():
        if local_name(ancestor) in FLOW_NODES or local_name(ancestor) == "message":
            return ancestor
    return node


def check_expression(
    file: str,
    owner: etree._Element,
    node: etree._Element | None,
    what: str,
    *,
    expression: bool = True,
    attribute: str | None = None,
) -> Iterator[Problem]:
    """Yield a problem if the script or expression held by `node` would be refused."""
    if node is None:
        return
    source = node.get(attribute) if attribute else node.text
    reason = script_problem(source or "", expression=expression)
    if reason is None:
        return
    found = _LINE.match(reason)
    script_line, text = (int(found[1]), found[2]) if found else (None, reason)
    line = node.sourceline
    if script_line is not None and attribute is None and line is not None:
        lead = len(source or "") - len((source or "").lstrip()) if expression else 0
        line += (source or "")[:lead].count("\n") + script_line - 1
    where = f", line {script_line} of the script" if script_line and not expression else ""
    yield problem(file, owner, f"{what}{where}: {text}", line=line)


_LINE = re.compile(r"^Line (\d+): (.*?)(?:; Line \d+: .*)?$", re.DOTALL)
_FORBIDDEN_CALLS = frozenset(
    {"open", "exec", "eval", "compile", "input", "breakpoint", "globals", "locals", "vars"}
)


def script_problem(source: str, *, expression: bool) -> str | None:
    """Return why the sandbox would refuse `source` ("Line N: reason"), or None."""
    reason = check_script(source, expression=expression)
    if reason is not None:
        return reason.replace("SyntaxError: ", "this is not valid Python: ")
    if expression and is_iso_literal(source):
        return None
    try:
        tree = ast.parse(source.strip() if expression else source)
    except (SyntaxError, ValueError):
        return None  # check_script already accepted it
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            return f"Line {node.lineno}: import statements are not allowed."
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _FORBIDDEN_CALLS
        ):
            return f"Line {node.lineno}: '{node.func.id}' is not available in scripts."
    return None


TIMER_KINDS = {"timeDate": "date", "timeDuration": "duration", "timeCycle": "cycle"}
TIMER_EXAMPLES = {
    "timeDate": "2026-12-24T12:00:00+01:00",
    "timeDuration": "PT4S or P10D",
    "timeCycle": "R3/PT10M",
}


def check_timer(file: str, owner: etree._Element, timer: etree._Element) -> Iterator[Problem]:
    """Yield a problem if the timer has no time, a bad ISO-8601 literal or a bad expression."""
    found = [child for child in timer if etree.QName(child).localname in TIMER_KINDS]
    if not found or not (found[0].text or "").strip():
        message = f"{label(owner)} has no time: give a timeDate, timeDuration or timeCycle."
        yield problem(file, owner, message, line=timer.sourceline)
        return
    node = found[0]
    kind = etree.QName(node).localname
    text = (node.text or "").strip()
    literal = _literal(text)
    if literal is None:
        yield from check_expression(file, owner, node, f"The {kind} of {label(owner)}")
    elif not _valid_iso(kind, literal):
        message = (
            f"The {kind} of {label(owner)} is '{literal}', which is not a valid ISO-8601 "
            f"{TIMER_KINDS[kind]} (for example {TIMER_EXAMPLES[kind]})."
        )
        yield problem(file, owner, message, line=node.sourceline)


def _literal(text: str) -> str | None:
    """Return the ISO text of a bare (`PT4S`) or quoted (`"PT4S"`) literal, else None."""
    if is_iso_literal(text):
        return text
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return value.strip() if isinstance(value, str) else None


def _valid_iso(kind: str, text: str) -> bool:
    try:
        if kind == "timeDate":
            parsed = TimerEventDefinition.parse_time_or_duration(text)
            return isinstance(parsed, datetime)
        if kind == "timeDuration":
            parsed = TimerEventDefinition.parse_iso_duration(text)
            return text.upper().startswith("P") and bool(parsed)
        _, _, duration = TimerEventDefinition.parse_iso_recurring_interval(text)
        return text.upper().startswith("R") and duration.total_seconds() > 0
    except Exception:  # the library raises bare Exception for bad literals
        return False
