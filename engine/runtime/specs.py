"""Deploy-time parsing: uploaded BPMN/DMN bytes to SpiffWorkflow specs, every problem collected.

Files are read by the hardened reader (`xmlsafe`), every process is checked (`validation`) and
built (SpiffWorkflow parses lazily, ENGINE-NOTES 8), and library errors are translated into
sentences with file, element and line (ENGINE-NOTES 9).

`isExecutable`: "true" means the process must run, so every problem is an error; "false" means
a model that is reported but not run. A missing attribute (descriptive models from many tools)
is tried: the process is runnable if it builds and passes every check, otherwise it is reported
as not runnable and its problems are warnings. A process without flow nodes (an empty pool) is
never runnable.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.runtime import validation
from engine.runtime.errors import InvalidProcess, Problem
from engine.runtime.xmlsafe import BPMN, NS, kind_of, label, problem, read_xml


@dataclass(frozen=True)
class ProcessInfo:
    """One bpmn:process of a deployment and whether it can run."""

    key: str
    name: str | None
    file: str
    is_executable: bool
    runnable: bool
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class BuiltProcess:
    """A runnable process's spec and the specs of everything it calls."""

    key: str
    spec: Any
    subprocess_specs: dict[str, Any]


@dataclass
class ParsedDeployment:
    """What a deployment holds: its processes, their specs, decisions, warnings and forms."""

    processes: dict[str, ProcessInfo] = field(default_factory=dict)
    built: dict[str, BuiltProcess] = field(default_factory=dict)
    decisions: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    forms_referenced: set[str] = field(default_factory=set)


def parse_deployment(
    files: Mapping[str, bytes],
    *,
    available_forms: Collection[str] = (),
    known_files: Mapping[str, bytes] = {},  # read only
    max_bytes: int = 5_000_000,
) -> ParsedDeployment:
    """Parse and validate BPMN/DMN files; raise InvalidProcess listing every error."""
    sources = _Sources.load(files, known_files, max_bytes)
    deployment, problems = _analyse(sources, frozenset(available_forms))
    errors = [found for found in problems if found.severity == "error"]
    if errors:
        raise InvalidProcess(errors)
    deployment.warnings = problems
    return deployment


def build_processes(files: Mapping[str, bytes]) -> dict[str, BuiltProcess]:
    """Rebuild specs from files that were validated before (the runtime's per-version cache)."""
    sources = _Sources.load(files, {}, max_bytes=2**62)
    deployment, _ = _analyse(sources, None)
    return deployment.built


@dataclass
class _Sources:
    """The readable files of a deployment and of earlier ones, as XML roots by file name."""

    bpmn: dict[str, etree._Element] = field(default_factory=dict)
    dmn: dict[str, etree._Element] = field(default_factory=dict)
    known_bpmn: dict[str, etree._Element] = field(default_factory=dict)
    known_dmn: dict[str, etree._Element] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def load(
        cls, files: Mapping[str, bytes], known: Mapping[str, bytes], max_bytes: int
    ) -> _Sources:
        """Read every file safely; unreadable deployment files become problems."""
        sources = cls()
        for name, data in files.items():
            sources._add(name, data, max_bytes, sources.bpmn, sources.dmn)
        for name, data in known.items():
            if name not in files:
                sources._add(name, data, max_bytes, sources.known_bpmn, sources.known_dmn)
        return sources

    def _add(
        self,
        name: str,
        data: bytes,
        max_bytes: int,
        bpmn: dict[str, etree._Element],
        dmn: dict[str, etree._Element],
    ) -> None:
        document = read_xml(name, data, max_bytes)
        known = bpmn is self.known_bpmn
        if not known:
            self.problems.extend(document.problems)
        if document.root is None:
            return
        root = document.root
        qname = etree.QName(root)
        if qname.localname == "definitions" and qname.namespace == BPMN:
            bpmn[name] = root
        elif qname.localname == "definitions" and "DMN" in (qname.namespace or "").upper():
            dmn[name] = root
        elif not known:
            message = (
                f"The file is not BPMN: its root element is <{qname.localname}>, "
                "not bpmn:definitions."
            )
            self.problems.append(Problem(name, None, None, root.sourceline, message))

    def processes(self, known: bool = False) -> list[tuple[str, etree._Element]]:
        """Return (file, bpmn:process) for the deployment's (or earlier) files."""
        roots = self.known_bpmn if known else self.bpmn
        return [
            (file, p) for file, root in roots.items() for p in root.iterfind("bpmn:process", NS)
        ]

    def element(self, file: str, element_id: str) -> etree._Element | None:
        """Find an element by file and id, for the location of a library error."""
        root = self.bpmn.get(file) or self.known_bpmn.get(file) or self.dmn.get(file)
        if root is None or not element_id:
            return None
        found = root.xpath("//*[@id=$id]", id=element_id)
        return found[0] if found else None


class _Parser(SpiffBpmnParser):  # type: ignore[misc]
    """SpiffWorkflow's parser; data stores are not provided, earlier versions yield to new ones."""

    def __init__(self) -> None:
        super().__init__()
        self.yielding = False

    def _add_data_stores(self, bpmn: Any) -> None:
        """Ignore data store definitions; tasks that use one fail to build, with our message."""

    def create_parser(self, node: Any, filename: str | None = None, lane: Any = None) -> None:
        """Register a process, skipping an earlier version's copy of a redeployed id."""
        if self.yielding and node.get("id") in self.process_parsers:
            return
        super().create_parser(node, filename, lane)


def _new_parser(sources: _Sources, problems: list[Problem] | None = None) -> _Parser:
    """Return a parser holding every file; report files it refuses into `problems`."""
    parser = _Parser()
    for files, add in ((sources.bpmn, parser.add_bpmn_xml), (sources.dmn, parser.add_dmn_xml)):
        for name, root in files.items():
            _add_file(sources, name, root, add, problems)
    parser.yielding = True
    for name, root in sources.known_bpmn.items():
        _add_file(sources, name, root, parser.add_bpmn_xml, None)
    for name, root in sources.known_dmn.items():
        if _first_decision(root) not in parser.dmn_parsers:
            _add_file(sources, name, root, parser.add_dmn_xml, None)
    return parser


def _add_file(
    sources: _Sources, name: str, root: etree._Element, add: Any, problems: list[Problem] | None
) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            add(root, name)
    except Exception as error:  # every library failure becomes a Problem
        if problems is not None:
            problems.append(_translate(sources, error, name, None))


def _first_decision(root: etree._Element) -> str | None:
    decision = root.find("{*}decision")
    return None if decision is None else decision.get("id")


def _build(sources: _Sources, key: str, file: str) -> tuple[BuiltProcess | None, list[Problem]]:
    """Build one process with a fresh parser (a failed build leaves half-built specs behind)."""
    parser = _new_parser(sources)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            spec = parser.get_spec(key)
            subprocess_specs = parser.get_subprocess_specs(key)
        except Exception as error:  # translated for the process owner
            return None, [_translate(sources, error, file, key)]
    notes = [Problem(file, key, None, None, str(w.message), "warning") for w in caught]
    return BuiltProcess(key, spec, subprocess_specs), notes


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


def _translate(sources: _Sources, error: Exception, file: str, key: str | None) -> Problem:
    """Turn a library exception into a Problem with file, element and line (ENGINE-NOTES 9)."""
    if not isinstance(error, ValidationException):
        what = f"Process '{key}'" if key else "The file"
        return Problem(file, key, None, None, f"{what} could not be read: {_reason(error)}")
    where = str(error.file_name or file)
    element = sources.element(where, str(error.id or ""))
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


def _analyse(
    sources: _Sources, forms: frozenset[str] | None
) -> tuple[ParsedDeployment, list[Problem]]:
    """Check and build every process; return the deployment and all problems found."""
    problems = list(sources.problems)
    parser = _new_parser(sources, problems)
    refused = {found.file for found in problems if found.severity == "error"}
    deployment = ParsedDeployment(decisions=_decisions(sources, parser, problems))
    decisions = frozenset(deployment.decisions) | {
        decision for root in sources.known_dmn.values() if (decision := _first_decision(root))
    }
    executable = {
        process.get("id"): process.get("isExecutable", "true") == "true"
        for known in (True, False)
        for _, process in sources.processes(known)
    }
    for file, process in sources.processes():
        if file in refused:
            continue
        context = validation.Context(file, executable, decisions, forms)
        info, built, found = _examine(sources, file, process, context)
        deployment.processes[info.key] = info
        if built is not None:
            deployment.built[info.key] = built
        deployment.forms_referenced |= validation.forms_of(process)
        problems += found
    for file, root in sources.bpmn.items():
        if file not in refused:
            problems += _strictness(file, root, validation.check_definitions(file, root))
    if (
        not refused
        and not deployment.decisions
        and not any(validation.has_flow_nodes(process) for _, process in sources.processes())
    ):
        problems.append(Problem(None, None, None, None, "No process found in the deployment."))
    return deployment, list(dict.fromkeys(problems))


def _examine(
    sources: _Sources, file: str, process: etree._Element, context: validation.Context
) -> tuple[ProcessInfo, BuiltProcess | None, list[Problem]]:
    """Check and build one process; decide whether it can run."""
    key, name = str(process.get("id")), process.get("name")
    attribute = process.get("isExecutable")
    if not validation.has_flow_nodes(process):
        why = problem(file, process, f"{label(process)} is empty (a pool without flow nodes).")
        return ProcessInfo(key, name, file, False, False, (why,)), None, []
    if attribute == "false":
        why = problem(file, process, f"{label(process)} is marked as not executable.")
        return ProcessInfo(key, name, file, False, False, (why,)), None, []
    found = validation.check_process(process, context)
    built, notes = _build(sources, key, file)
    located = {(p.file, p.element_id) for p in found if p.severity == "error"}
    found += [p for p in notes if (p.file, p.element_id) not in located]
    found += validation.call_cycle_warnings(file, process, _call_graph(sources))
    errors = tuple(p for p in found if p.severity == "error")
    runnable = built is not None and not errors
    info = ProcessInfo(key, name, file, True, runnable, errors)
    if attribute is None and errors:
        found = [replace(p, severity="warning") for p in found]
        found.insert(
            0,
            problem(
                file,
                process,
                f"{label(process)} has no isExecutable "
                "attribute and cannot run, so it was imported as a model only.",
                warning=True,
            ),
        )
    return info, built if runnable else None, found


def _strictness(file: str, root: etree._Element, found: list[Problem]) -> list[Problem]:
    """Keep file-level errors only where a process of the file must run (isExecutable)."""
    strict = any(p.get("isExecutable") == "true" for p in root.iterfind("bpmn:process", NS))
    return found if strict else [replace(p, severity="warning") for p in found]


def _call_graph(sources: _Sources) -> dict[str, set[str]]:
    """Return which processes each process calls, over this deployment and earlier ones."""
    graph: dict[str, set[str]] = {}
    for known in (True, False):
        for _, process in sources.processes(known):
            calls = process.iterfind(".//bpmn:callActivity", NS)
            graph[str(process.get("id"))] = {str(c.get("calledElement")) for c in calls}
    return graph


def _decisions(sources: _Sources, parser: _Parser, problems: list[Problem]) -> list[str]:
    """Return the usable decision ids of the deployment's DMN files; check each table."""
    decisions: list[str] = []
    for file, root in sources.dmn.items():
        ids = [str(d.get("id")) for d in root.iterfind("{*}decision")]
        if not ids:
            problems.append(
                Problem(file, None, None, root.sourceline, "The DMN file has no decision.")
            )
            continue
        if len(ids) > 1:
            message = f"Only the first decision, '{ids[0]}', of this DMN file can be used."
            problems.append(Problem(file, ids[0], None, None, message, "warning"))
        try:
            parser.dmn_parsers[ids[0]].parse()
        except Exception as error:  # translated for the process owner
            problems.append(_translate(sources, error, file, None))
            continue
        decisions.append(ids[0])
    return decisions
