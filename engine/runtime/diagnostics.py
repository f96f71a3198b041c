"""SpiffWorkflow's parse and build errors in words a process owner understands (ENGINE-NOTES 9).

`ValidationException` hides its element id, name and file behind `str()`; some paths raise raw
`KeyError`/`IndexError` or show a Python repr (`<Element … at 0x…>`). `translate` reads the
attributes, finds the element's line in our own tree, and rewrites the known messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from engine.runtime.errors import Problem
from engine.runtime.xmlsafe import kind_of, label

Finder = Callable[[str, str], etree._Element | None]

_PLAIN: tuple[tuple[str, str], ...] = (
    (r"^No start event found", "{what} has no start event, so it cannot be started."),
    (
        r"^A Service Task must have an operator",
        "{what} names no operator, so the engine would not know what to do.",
    ),
    (
        r"Unknown Time Specification",
        "{what} has no time: give a timeDate, timeDuration or timeCycle.",
    ),
    (r"^Time Specification Error\. (.*)", "The timer of {what} could not be read: {0}"),
    (
        r"^Multiple outgoing flows are not supported",
        "{what} has several outgoing flows; only gateways may split the flow, so add a gateway.",
    ),
    (
        r"^Non-default exclusive outgoing sequence flow without condition",
        "{what} leaves an exclusive gateway without a condition and is not its default flow.",
    ),
    (
        r"^Exactly one start event is required in a SubWorkflow Task; found (\d+)",
        "{what} must contain exactly one start event; it has {0}.",
    ),
    (r"^A SubWorkflow Must contain an End event", "{what} has no end event."),
    (
        r"^Cannot resolve data(Input|Output)Association",
        "{what} uses a data store or a data "
        "object the engine cannot find (data stores are not supported).",
    ),
    (r'^No "calledElement" attribute', "{what} does not say which process to call."),
    (r"^Conditional event definition with missing condition", "{what} has no condition."),
    (r"^Expected an? (\w+) node", "{what} refers to a {0} that is not defined in the file."),
    (
        r"raise_validation_exception",
        "{what} refers to a message, signal, error or escalation that is not defined in the file.",
    ),
    (
        r"^A multiinstance task must specify a cardinality or",
        "{what} is multi-instance but says "
        "neither how many times (loopCardinality) nor over which list (loopDataInputRef) it runs.",
    ),
    (
        r"^A multiinstance task must specify exactly one",
        "{what} is multi-instance with both a loopCardinality and a loopDataInputRef; keep one.",
    ),
    (
        r"^A loopMaximum or loopCondition must be specified",
        "{what} is a loop without loopMaximum or loopCondition.",
    ),
    (
        r"^There is no support implemented for this task type",
        "{what} is of a kind the engine cannot run.",
    ),
    (
        r"^Process (\S+) is not executable",
        "Process '{0}' is called, but it is marked as not executable.",
    ),
    (
        r"^The process '(.+?)' was not found",
        "Process '{0}' is called, but it is not in this deployment or deployed before.",
    ),
    (
        r"^Duplicate process ID: (\S+)",
        "The id '{0}' is used by two processes or sub-processes; each needs its own id.",
    ),
    (
        r"^When looking for a task spec",
        "{what} has a sequence flow to an element that does not exist.",
    ),
    (
        r"^No DMN Diagram available with id \"(.*?)\"",
        "{what} uses decision '{0}', which is not in this deployment or deployed before.",
    ),
    (
        r"^Correlation is missing correlation property retrieval expressions: (.+)",
        "Correlation property '{0}' has no retrieval expression.",
    ),
    (
        r"^(Message|Signal|Error|Escalation|Correlation) identifier is missing",
        "A {0} in the file has no id.",
    ),
    (
        r"^Cancel Events may only be used with transactions",
        "{what} is a cancel event outside a transaction.",
    ),
)
_REPR = re.compile(r"<Element \{[^}]*\}(\w+) at 0x[0-9a-fA-F]+>")


def translate(find: Finder, error: Exception, file: str, key: str | None) -> Problem:
    """Turn a library exception into a Problem with file, element and line (ENGINE-NOTES 9)."""
    if not isinstance(error, ValidationException):
        return unexpected(file, key, error)
    where = str(error.file_name or file)
    element = find(where, str(error.id or ""))
    line = error.line_number if isinstance(error.line_number, int) else None
    if element is not None:
        what, line = label(element), line or element.sourceline
    elif error.id:
        what = f"{_kind(str(error.tag))} '{error.id}'"
    else:
        what = f"Process '{key}'" if key else "The file"
    text = str(error.args[0]) if error.args else ""
    return Problem(where, error.id or key, error.name or None, line, _plain(text, what))


def _kind(tag: str) -> str:
    return kind_of(etree.Element(tag.split(":")[-1])) if tag else "Element"


def _plain(text: str, what: str) -> str:
    for pattern, template in _PLAIN:
        found = re.search(pattern, text, re.DOTALL)
        if found:
            return template.format(*found.groups(), what=what)
    return f"{what} could not be built: {_clean(text)}"


def unexpected(file: str | None, element_id: str | None, error: Exception) -> Problem:
    """Describe an exception nobody expected, without a traceback or a Python repr."""
    what = f"Process '{element_id}'" if element_id else "The file"
    return Problem(file, element_id, None, None, f"{what} could not be read: {_reason(error)}")


def _reason(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"it refers to '{error.args[0] if error.args else '?'}', which does not exist."
    if isinstance(error, IndexError | AttributeError | TypeError):
        return "an element the engine expects is missing or has an unexpected form."
    return _clean(str(error)) or type(error).__name__


def _clean(text: str) -> str:
    """Drop Python reprs: `<Element {ns}x at 0x..>` becomes `x`, `KeyError('a')` becomes `a`."""
    text = _REPR.sub(r"\1", text)
    text = re.sub(r"\b\w*(?:Error|Exception)\((['\"]?)(.*?)\1\)", r"\2", text)
    text = re.sub(r"0x[0-9a-fA-F]+", "", text)
    return " ".join(text.split())[:300]
