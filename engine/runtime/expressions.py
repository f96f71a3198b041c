"""Deploy-time checks of the text inside a diagram: scripts, conditions, expressions, timers.

Each must compile in the sandbox (`scripting.check_script`, plus imports and forbidden builtins,
which the sandbox refuses only at run time); a timer is an ISO-8601 literal that really parses,
bare (`PT4S`, as bpmn.io writes it) or quoted (`"PT4S"`), or an expression.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import datetime

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.runtime.errors import Problem
from engine.runtime.scripting import check_script, is_iso_literal
from engine.runtime.xmlsafe import FLOW_NODES, NS, label, local_name, problem


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
        return _readable(reason, source)
    if expression and is_iso_literal(source):
        return None
    try:
        tree = ast.parse(source.strip() if expression else source)
    except (SyntaxError, ValueError):
        return None  # check_script already accepted it
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and not _imports_allowed(node):
            return (
                f"Line {node.lineno}: import statements are not allowed (datetime, time and "
                "json are there without one)."
            )
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _FORBIDDEN_CALLS
        ):
            return f"Line {node.lineno}: '{node.func.id}' is not available in scripts."
    return None


_IMPORTABLE = frozenset({"datetime", "time", "json"})


def unknown_calls(source: str, known: frozenset[str]) -> list[tuple[int, str]]:
    """Return (line, name) of each call to a name that is neither `known` nor defined in the
    script itself (a SpiffArena helper the engine does not have, `get_secret`, …)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    defined = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }
    defined |= {
        node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.ClassDef)
    }
    defined |= {arg.arg for node in ast.walk(tree) if isinstance(node, ast.arg) for arg in [node]}
    defined |= {
        (alias.asname or alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name not in known and name not in defined and name not in _FORBIDDEN_CALLS:
                found.append((node.lineno, name))
    return sorted(set(found))


def _imports_allowed(node: ast.Import | ast.ImportFrom) -> bool:
    """Tell whether an import names only the sandbox's own `datetime` and `time`."""
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and node.module in _IMPORTABLE
    return all(alias.name in _IMPORTABLE for alias in node.names)


_FOREIGN = re.compile(r"\$\{|#\{|^\s*=|\bbpmn:|\bfn:")


def _readable(reason: str, source: str) -> str:
    """Reword RestrictedPython's syntax errors; name the language a foreign expression is in."""
    reason = re.sub(
        r"SyntaxError: (.*?) at statement: (.*)$",
        r"this is not valid Python (\1: \2)",
        reason,
        flags=re.DOTALL,
    )
    if _FOREIGN.search(source):
        hint = "Write it in Python; JUEL (${...}), FEEL (=...) and XPath are not understood."
        reason = f"{reason.rstrip('.')}. {hint}"
    return reason


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
    if kind == "timeCycle" and _CRON.fullmatch(text.strip("\"' ")):
        message = (
            f"The timeCycle of {label(owner)} is a cron expression ('{text}'); cron is not "
            "supported, use an ISO 8601 repeating interval R/… (R/P1D every day, R/PT1H every "
            "hour, R/2026-12-01T08:00:00/P1D every day at 08:00)."
        )
        yield problem(file, owner, message, line=node.sourceline)
    elif literal is None:
        yield from check_expression(file, owner, node, f"The {kind} of {label(owner)}")
    elif not _valid_iso(kind, literal) or (literal == text and not is_iso_literal(text)):
        message = (
            f"The {kind} of {label(owner)} is '{literal}', which is not a valid ISO-8601 "
            f"{TIMER_KINDS[kind]} (for example {TIMER_EXAMPLES[kind]})."
        )
        yield problem(file, owner, message, line=node.sourceline)


# Five to seven cron fields: minutes hours days months weekdays (Quartz adds seconds, year).
# A field starts with a digit, * or ? (or is a name like MON-FRI), so Python never matches.
_CRON_FIELD = r"(?:[0-9*?][0-9*?/,LW#-]*|[A-Z]{3}(?:[-,][A-Z]{3})*)"
_CRON = re.compile(rf"{_CRON_FIELD}(?:\s+{_CRON_FIELD}){{4,6}}")
_LOOKS_ISO = re.compile(r"(R\d*/)?P(?=[^/]*\d)[0-9A-Z.,]+(/\S*)?|\d{4}-\d\d\S*")


def _literal(text: str) -> str | None:
    """Return the ISO text of a bare (`PT4S`) or quoted (`"PT4S"`) literal, else None."""
    if is_iso_literal(text) or _LOOKS_ISO.fullmatch(text):
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
