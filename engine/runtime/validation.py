"""Deploy-time checks of one BPMN process, read from its XML (ids and line numbers intact).

Scripts, conditions and expressions must compile in the sandbox; timers must be ISO-8601 or an
expression; service operators, forms, called processes and decisions must exist; lanes should
be roles. Each finding is a `Problem` in words a process owner understands. SpiffWorkflow's own
build errors are translated in `specs.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace

from lxml import etree

from engine.runtime import (
    assignment_rules,
    declarations,
    mail_texts,
    registry,
    scripting,
    titles,
)
from engine.runtime.errors import Problem
from engine.runtime.expressions import (
    check_definitions,
    check_expression,
    check_timer,
    unknown_calls,
)
from engine.runtime.xmlsafe import NS, has_flow_nodes, label, local_name, problem

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
START_FORM_PROPERTIES = (declarations.START_FORM, declarations.START_UI_FORM)
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
        _data_stores,
        _start_declarations,
        _message_senders,
        _message_names,
        _context_fields,
        _mail_texts,
        _task_titles,
        _repeated_properties,
    )
    return [found for check in checks for found in check(process, context)]


__all__ = ["Context", "check_definitions", "check_process", "forms_of", "has_flow_nodes"]


def forms_of(process: etree._Element) -> set[str]:
    """Return the form file names the process's user tasks reference."""
    names: set[str] = set()
    for task in process.iterfind(".//bpmn:userTask", NS):
        names.update(value for _, value in _properties(task, FORM_PROPERTIES))
    for event in process.iterfind("bpmn:startEvent", NS):
        names.update(value for _, value in _properties(event, START_FORM_PROPERTIES))
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
        yield from _unknown_calls(context.file, task, script)
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
        params = list(operator.iterfind("spiffworkflow:parameters/spiffworkflow:parameter", NS))
        for param in params:
            what = f"Parameter '{param.get('id')}' of {label(task)}"
            yield from check_expression(context.file, task, param, what, attribute="value")
        check = registry.operator_check(name)
        values = {str(p.get("id")): str(p.get("value") or "") for p in params}
        for reason in check(name, values) if check is not None else ():
            yield problem(context.file, task, f"{label(task)}: {reason}.")


def _lane_of(process: etree._Element) -> dict[str, str]:
    """Map flow node ids to the id of the lane that holds them."""
    found: dict[str, str] = {}
    for lane in process.iterfind(".//bpmn:lane", NS):
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            if ref.text:
                found[ref.text.strip()] = str(lane.get("id"))
    return found


def _user_tasks(process: etree._Element, context: Context) -> Iterator[Problem]:
    lanes = _lane_of(process)
    for task in process.iterfind(".//bpmn:userTask", NS):
        assignment = dict(_properties(task, assignment_rules.PROPERTIES))
        for found in assignment_rules.problems(assignment, lanes.get(str(task.get("id"))), ROLES):
            yield problem(context.file, task, f"{label(task)}: {found}.")
        for prop, value in _properties(task, FORM_PROPERTIES):
            if context.forms is not None and value not in context.forms:
                message = f"{label(task)} uses the form file '{value}' ({prop}), which is missing."
                yield problem(context.file, task, message)
        for prop, _ in _properties(task, EXPRESSION_PROPERTIES):
            node = task.find(f".//spiffworkflow:property[@name='{prop}']", NS)
            what = f"The {prop} of {label(task)}"
            yield from check_expression(context.file, task, node, what, attribute="value")


def _start_declarations(process: etree._Element, context: Context) -> Iterator[Problem]:
    starts = {id(event): event for event in process.iterfind("bpmn:startEvent", NS)}
    declared = []
    for element in process.iter():
        values = declarations.properties(element, declarations.START_PROPERTIES)
        if not values:
            continue
        if id(element) not in starts or not declarations.is_none_start(element):
            names = ", ".join(sorted(values))
            message = (
                f"{label(element)} declares {names}; start properties belong on the process's "
                "none start event (a start event without a message, timer or other trigger)."
            )
            yield problem(context.file, element, message)
            continue
        declared.append(element)
        yield from _start_values(element, values, context)
    for element in declared[1:]:
        message = f"{label(element)} declares start properties too; declare them once."
        yield problem(context.file, element, message)


def _start_values(
    event: etree._Element, values: dict[str, str], context: Context
) -> Iterator[Problem]:
    for prop in (declarations.START_ROLES, declarations.START_MUNICIPALITIES):
        if prop in values and not declarations.tokens(values[prop]):
            yield problem(context.file, event, f"The {prop} of {label(event)} is empty.")
    yield from _unknown_roles(event, declarations.START_ROLES, values, context)
    started_by = values.get(declarations.STARTED_BY)
    if started_by is not None and started_by != declarations.SERVICE:
        message = (
            f"The {declarations.STARTED_BY} of {label(event)} is '{started_by}'; the only value "
            f"is '{declarations.SERVICE}' (a saksflyt service starts it, never a user)."
        )
        yield problem(context.file, event, message)
    key_from = values.get(declarations.BUSINESS_KEY_FROM)
    if key_from is not None and not declarations.FIELD_NAME.match(key_from.strip()):
        message = (
            f"The {declarations.BUSINESS_KEY_FROM} of {label(event)} is '{key_from}', which is "
            'not a data key (e.g. "vacancy_id").'
        )
        yield problem(context.file, event, message)
    for name, meaning in (
        (
            declarations.BUSINESS_KEY_SHARED,
            "'true' (its instances share the business key of their case) or 'false'",
        ),
        (declarations.BUSINESS_KEY_ASKED, "'false' (its start asks for no case number) or 'true'"),
    ):
        flag = values.get(name)
        if flag is not None and flag.strip() not in ("true", "false"):
            message = f"The {name} of {label(event)} is '{flag}'; write {meaning}."
            yield problem(context.file, event, message)
    if declarations.START_UI_FORM in values and declarations.START_FORM not in values:
        message = (
            f"{label(event)} has a {declarations.START_UI_FORM} but no "
            f"{declarations.START_FORM}; the UI schema needs its form."
        )
        yield problem(context.file, event, message)
    for prop in START_FORM_PROPERTIES:
        value = values.get(prop)
        if value is not None and context.forms is not None and value not in context.forms:
            message = f"{label(event)} uses the form file '{value}' ({prop}), which is missing."
            yield problem(context.file, event, message)


def _message_senders(process: etree._Element, context: Context) -> Iterator[Problem]:
    catchers = {id(element) for element, _ in declarations.message_catchers(process, {})}
    for element in process.iter():
        values = declarations.properties(element, (declarations.SENDER_ROLES,))
        if not values:
            continue
        if id(element) not in catchers:
            message = (
                f"{label(element)} declares {declarations.SENDER_ROLES}, but only an event or "
                "receive task that catches a message can say who may send it."
            )
            yield problem(context.file, element, message)
        elif not declarations.tokens(values[declarations.SENDER_ROLES]):
            message = f"The {declarations.SENDER_ROLES} of {label(element)} is empty."
            yield problem(context.file, element, message)
        yield from _unknown_roles(element, declarations.SENDER_ROLES, values, context)


def _message_names(process: etree._Element, context: Context) -> Iterator[Problem]:
    """A message event, send or receive task should name its message (the panel's Melding)."""
    holders = [d.getparent() for d in process.iterfind(".//bpmn:messageEventDefinition", NS)]
    holders += [
        *process.iterfind(".//bpmn:sendTask", NS),
        *process.iterfind(".//bpmn:receiveTask", NS),
    ]
    for element in holders:
        definition = element.find("bpmn:messageEventDefinition", NS)
        ref = element.get("messageRef") if definition is None else definition.get("messageRef")
        if ref:
            continue
        # A warning: SpiffWorkflow runs it (a catch without a message never fires), and many
        # imported diagrams have such events; the panel says so at the field at once.
        found = problem(context.file, element, f"{label(element)} names no message.", warning=True)
        values = (("element", str(element.get("name") or element.get("id"))),)
        yield replace(found, code="message_missing", values=values)


def _mail_texts(process: etree._Element, context: Context) -> Iterator[Problem]:
    yield from mail_texts.check(context.file, process)


def _context_fields(process: etree._Element, context: Context) -> Iterator[Problem]:
    name = declarations.CONTEXT_FIELDS
    for element in process.iter():
        values = declarations.properties(element, (name,))
        if not values:
            continue
        if local_name(element) != "userTask":
            message = (
                f"{label(element)} declares {name}, but only a user task shows its participants "
                "read-only case data."
            )
            yield problem(context.file, element, message)
        elif not declarations.field_names(values[name]):
            yield problem(context.file, element, f"The {name} of {label(element)} is empty.")
        bad = declarations.bad_field_names(values[name])
        if bad:
            message = (
                f"The {name} of {label(element)} has {', '.join(repr(b) for b in bad)}, which "
                "is not a data key; list keys separated by spaces, e.g. "
                '"employee_name motivation".'
            )
            yield problem(context.file, element, message)


def _repeated_properties(process: etree._Element, context: Context) -> Iterator[Problem]:
    """A property declared twice on one element: only the last counts, so the first misleads."""
    path = "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"
    for element in process.iter():
        first: dict[str, int | None] = {}
        for prop in element.iterfind(path, NS):
            name = str(prop.get("name") or "")
            if name not in first:
                first[name] = prop.sourceline
                continue
            message = (
                f"{label(element)} declares {name} more than once (lines {first[name]} and "
                f"{prop.sourceline}); only the last one counts. Keep one {name}."
            )
            yield problem(context.file, element, message, line=prop.sourceline)


def _task_titles(process: etree._Element, context: Context) -> Iterator[Problem]:
    name = titles.TASK_TITLE
    for element in process.iter():
        template = declarations.properties(element, (name,)).get(name)
        if template is None:
            continue
        if local_name(element) != "userTask":
            message = f"{label(element)} declares {name}, but only a user task has a title."
            yield problem(context.file, element, message)
            continue
        if not template.strip():
            yield problem(context.file, element, f"The {name} of {label(element)} is empty.")
        bad = titles.bad_placeholders(template)
        if bad:
            message = (
                f"The {name} of {label(element)} has {', '.join(repr('{' + b + '}') for b in bad)}"
                ', which is not a data key; write e.g. "Intervju: {candidate.name}".'
            )
            yield problem(context.file, element, message)
        shown = declarations.field_names(
            declarations.properties(element, (declarations.CONTEXT_FIELDS,)).get(
                declarations.CONTEXT_FIELDS
            )
        )
        unread = [key for key in titles.keys(template) if key not in shown]
        if unread:
            message = (
                f"The {name} of {label(element)} reads {', '.join(repr(k) for k in unread)}, "
                f"which its {declarations.CONTEXT_FIELDS} do not show its participants; add "
                "the key there, or leave it out of the title."
            )
            yield problem(context.file, element, message)


def _unknown_roles(
    element: etree._Element, prop: str, values: dict[str, str], context: Context
) -> Iterator[Problem]:
    for role in sorted(declarations.tokens(values.get(prop)) - ROLES):
        message = (
            f"The {prop} of {label(element)} names the unknown role '{role}' "
            f"(roles: {', '.join(sorted(ROLES))})."
        )
        yield problem(context.file, element, message)


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


def _data_stores(process: etree._Element, context: Context) -> Iterator[Problem]:
    stores = {ref.get("id"): ref for ref in process.iterfind(".//bpmn:dataStoreReference", NS)}
    path = (
        ".//bpmn:dataInputAssociation/bpmn:sourceRef | .//bpmn:dataOutputAssociation/bpmn:targetRef"
    )
    for ref in process.xpath(path, namespaces=NS):
        store = stores.get((ref.text or "").strip())
        if store is not None:
            owner = ref.getparent().getparent()
            message = (
                f"{label(owner)} uses data store '{store.get('name') or store.get('id')}', which "
                "is kept as documentation: the engine neither reads nor writes data stores (use "
                "task data, a data object or a service task)."
            )
            yield problem(context.file, owner, message, warning=True)


def _lanes(process: etree._Element, context: Context) -> Iterator[Problem]:
    user_tasks = {task.get("id") for task in process.iterfind(".//bpmn:userTask", NS)}
    # A task that names its people (assignTo, candidateUsers) does not need the lane's role.
    assigned = {
        task.get("id")
        for task in process.iterfind(".//bpmn:userTask", NS)
        if dict(_properties(task, ("assignTo", "candidateUsers")))
    }
    for lane in process.iterfind(".//bpmn:lane", NS):
        refs = {ref.text.strip() for ref in lane.iterfind("bpmn:flowNodeRef", NS) if ref.text}
        if lane.get("id") not in ROLES and refs & user_tasks - assigned:
            message = (
                f"{label(lane)} holds user tasks, but its id is not one of the roles "
                f"({', '.join(sorted(ROLES))}); nobody will be offered them by role. Choose "
                "a role for the lane, or who gets each task (assignTo)."
            )
            yield problem(context.file, lane, message, warning=True)


def _gateways(process: etree._Element, context: Context) -> Iterator[Problem]:
    leaving: dict[str | None, list[etree._Element]] = {}
    for flow in process.iterfind(".//bpmn:sequenceFlow", NS):  # indexed once: not per gateway
        leaving.setdefault(flow.get("sourceRef"), []).append(flow)
    for gateway in process.xpath(
        ".//bpmn:exclusiveGateway | .//bpmn:inclusiveGateway", namespaces=NS
    ):
        outgoing = leaving.get(gateway.get("id"), [])
        if len(outgoing) < 2:
            continue
        default = gateway.get("default")
        for flow in outgoing:
            if flow.get("id") != default and flow.find("bpmn:conditionExpression", NS) is None:
                message = (
                    f"{label(flow)} leaves {label(gateway)} without a condition and is not its "
                    "default flow; give it a condition or make it the default."
                )
                yield problem(context.file, flow, message)
        if not default and local_name(gateway) == "exclusiveGateway":
            message = (
                f"{label(gateway)} has no default flow; if none of its conditions holds, the "
                "instance stops with an error."
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


def _unknown_calls(file: str, task: etree._Element, script: etree._Element) -> Iterator[Problem]:
    """Warn about calls to functions the engine does not have (the step would fail)."""
    for line, name in unknown_calls(script.text or "", scripting.known_names()):
        message = (
            f"{label(task)}, line {line} of the script, calls '{name}', which is not a "
            "function of the engine (docs/bpmn-conventions.md lists them); the step will fail."
        )
        where = (script.sourceline or 0) + line - 1 if script.sourceline else None
        yield problem(file, task, message, line=where, warning=True)
