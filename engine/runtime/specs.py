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

import copy
import warnings
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.runtime import decision_tables, validation
from engine.runtime.diagnostics import translate, unexpected
from engine.runtime.errors import InvalidProcess, Problem
from engine.runtime.xmlsafe import NS, Sources, label, problem


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
    try:
        sources = _needed(Sources.load(files, known_files, max_bytes))
        deployment, problems = _analyse(sources, frozenset(available_forms))
    except Exception as error:  # a bug of ours must still reach the owner as a Problem
        names = ", ".join(sorted(files)) or None
        raise InvalidProcess([unexpected(names, None, error)]) from error
    errors = [found for found in problems if found.severity == "error"]
    if errors:
        raise InvalidProcess(errors)
    deployment.warnings = problems
    return deployment


def build_processes(
    files: Mapping[str, bytes], *, known_files: Mapping[str, bytes] = {}
) -> dict[str, BuiltProcess]:
    """Rebuild specs from files that were validated before (the runtime's per-version cache)."""
    sources = _needed(Sources.load(files, known_files, max_bytes=2**62))
    deployment, _ = _analyse(sources, None, checks=False)
    return deployment.built


class _Parser(SpiffBpmnParser):  # type: ignore[misc]
    """SpiffWorkflow's parser; data stores are not provided, earlier versions yield to new ones."""

    def __init__(self) -> None:
        super().__init__()
        self.yielding = False

    def _add_data_stores(self, bpmn: Any) -> None:
        """Ignore data store definitions: data stores are documentation only."""

    def add_bpmn_xml(self, bpmn: Any, filename: str | None = None) -> None:
        """Add a file, without the data-store associations the engine does not run."""
        if bpmn.find(".//bpmn:dataStoreReference", NS) is not None:
            bpmn = _without_data_stores(bpmn)
        super().add_bpmn_xml(bpmn, filename)

    def create_parser(self, node: Any, filename: str | None = None, lane: Any = None) -> None:
        """Register a process, skipping an earlier version's copy of a redeployed id."""
        if self.yielding and node.get("id") in self.process_parsers:
            return
        super().create_parser(node, filename, lane)


def _without_data_stores(root: etree._Element) -> etree._Element:
    """Return a copy of a BPMN tree whose tasks no longer read or write data stores."""
    copied = copy.deepcopy(root)
    stores = {str(ref.get("id")) for ref in copied.iterfind(".//bpmn:dataStoreReference", NS)}
    for kind, end in (
        ("dataInputAssociation", "sourceRef"),
        ("dataOutputAssociation", "targetRef"),
    ):
        for association in list(copied.iterfind(f".//bpmn:{kind}", NS)):
            if (association.findtext(f"bpmn:{end}", "", NS) or "").strip() in stores:
                association.getparent().remove(association)
    return copied


def _new_parser(sources: Sources, problems: list[Problem] | None = None) -> _Parser:
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
    parser.yielding = False
    return parser


def _add_file(
    sources: Sources, name: str, root: etree._Element, add: Any, problems: list[Problem] | None
) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            add(root, name)
    except Exception as error:  # every library failure becomes a Problem
        if problems is not None:
            problems.append(translate(sources.element, error, name, None))


def _first_decision(root: etree._Element) -> str | None:
    decision = root.find("{*}decision")
    return None if decision is None else decision.get("id")


def _build(sources: Sources, key: str, file: str) -> tuple[BuiltProcess | None, list[Problem]]:
    """Build one process with a fresh parser (a failed build leaves half-built specs behind)."""
    parser = _new_parser(sources)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            spec = parser.get_spec(key)
            subprocess_specs = parser.get_subprocess_specs(key)
        except Exception as error:  # translated for the process owner
            return None, [translate(sources.element, error, file, key)]
    notes = [Problem(file, key, None, None, str(w.message), "warning") for w in caught]
    for built in (spec, *subprocess_specs.values()):
        wire_loops(built)
    return BuiltProcess(key, spec, subprocess_specs), notes


def wire_loops(spec: Any) -> None:
    """Let each multi-instance (and standard loop) task collect the results of its instances.

    SpiffWorkflow connects an instance's completion to its loop task only when it creates an
    instance from that very spec object. Instances restored onto specs built later (after a
    restart, in another worker, after a migration) would complete without their loop task ever
    finishing, so every built spec is connected up front.
    """
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, LoopTask):
            child = spec.task_specs[task_spec.task_spec]
            if not child.completed_event.is_connected(task_spec.merge_child):
                child.completed_event.connect(task_spec.merge_child)


def _analyse(
    sources: Sources, forms: frozenset[str] | None, checks: bool = True
) -> tuple[ParsedDeployment, list[Problem]]:
    """Check and build every process; return the deployment and all problems found."""
    problems = list(sources.problems)
    parser = _new_parser(sources, problems)
    refused = {found.file for found in problems if found.severity == "error"}
    deployment = ParsedDeployment(decisions=_decisions(sources, parser, refused, problems))
    problems += _examine_all(sources, deployment, refused, forms, checks)
    for file, root in sources.bpmn.items():
        if file not in refused and checks:
            problems += _strictness(file, root, validation.check_definitions(file, root))
    if not refused and not deployment.decisions and not _has_flow_nodes(sources):
        files = ", ".join(sorted(sources.bpmn)) or None
        problems.append(Problem(files, None, None, None, "No process found in the deployment."))
    return deployment, list(dict.fromkeys(problems))


def _examine_all(
    sources: Sources,
    deployment: ParsedDeployment,
    refused: set[str | None],
    forms: frozenset[str] | None,
    checks: bool,
) -> list[Problem]:
    """Examine every process of the readable deployment files; return their problems."""
    decisions = frozenset(deployment.decisions) | {
        decision for root in sources.known_dmn.values() if (decision := _first_decision(root))
    }
    executable = {
        str(process.get("id")): process.get("isExecutable", "true") == "true"
        for known in (True, False)
        for _, process in sources.processes(known)
    }
    problems: list[Problem] = []
    for file, process in sources.processes():
        if file in refused:
            continue
        context = validation.Context(file, executable, decisions, forms)
        try:
            problems += _examine(sources, process, context, deployment, checks)
        except Exception as error:  # never let one process's surprise escape raw
            problems.append(unexpected(file, process.get("id"), error))
    return problems


def _has_flow_nodes(sources: Sources) -> bool:
    return any(validation.has_flow_nodes(process) for _, process in sources.processes())


def _examine(
    sources: Sources,
    process: etree._Element,
    context: validation.Context,
    deployment: ParsedDeployment,
    checks: bool,
) -> list[Problem]:
    """Check and build one process, record it in `deployment`; return its problems."""
    file, key, name = context.file, str(process.get("id")), process.get("name")
    deployment.forms_referenced |= validation.forms_of(process)
    why = _not_meant_to_run(file, process)
    if why is not None:
        deployment.processes[key] = ProcessInfo(key, name, file, False, False, (why,))
        return []
    found = validation.check_process(process, context) if checks else []
    built, notes = _build(sources, key, file)
    found += _new_findings(found, notes)
    found += validation.call_cycle_warnings(file, process, sources.call_graph)
    errors = tuple(p for p in found if p.severity == "error")
    deployment.processes[key] = ProcessInfo(key, name, file, True, not errors, errors)
    if built is not None and not errors:
        deployment.built[key] = built
    if process.get("isExecutable") is None and errors:
        return _as_model_only(file, process, found)
    return found


def _new_findings(found: list[Problem], notes: list[Problem]) -> list[Problem]:
    """Drop build errors that repeat a check's finding: same element, or unlocated ones."""
    errors = [p for p in found if p.severity == "error"]
    located = {(p.file, p.element_id) for p in errors}
    return [p for p in notes if (p.file, p.element_id) not in located and (p.line or not errors)]


def _not_meant_to_run(file: str, process: etree._Element) -> Problem | None:
    """Say why a process is only a model: an empty pool, or isExecutable="false"."""
    if not validation.has_flow_nodes(process):
        return problem(file, process, f"{label(process)} is empty (a pool without flow nodes).")
    if process.get("isExecutable") == "false":
        return problem(file, process, f"{label(process)} is marked as not executable.")
    return None


def _as_model_only(file: str, process: etree._Element, found: list[Problem]) -> list[Problem]:
    """Downgrade the problems of a process without isExecutable to warnings, with a summary."""
    summary = (
        f"{label(process)} has no isExecutable attribute and cannot run, so it was imported "
        "as a model only."
    )
    notes = [replace(p, severity="warning") for p in found]
    return [problem(file, process, summary, warning=True), *notes]


def _strictness(file: str, root: etree._Element, found: list[Problem]) -> list[Problem]:
    """Keep file-level errors only where a process of the file must run (isExecutable)."""
    strict = any(p.get("isExecutable") == "true" for p in root.iterfind("bpmn:process", NS))
    return found if strict else [replace(p, severity="warning") for p in found]


def _needed(sources: Sources) -> Sources:
    """Keep only the earlier files that define a process or decision the deployment uses."""
    graph = sources.call_graph = _call_graph(sources)
    wanted: set[str] = set()
    stack = [str(process.get("id")) for _, process in sources.processes()]
    while stack:
        for called in graph.get(stack.pop(), ()):
            if called not in wanted:
                wanted.add(called)
                stack.append(called)
    owners = {
        file for file, process in sources.processes(known=True) if process.get("id") in wanted
    }
    sources.known_bpmn = {f: root for f, root in sources.known_bpmn.items() if f in owners}
    path = ".//bpmn:businessRuleTask/bpmn:extensionElements/spiffworkflow:calledDecisionId"
    roots = [*sources.bpmn.values(), *sources.known_bpmn.values()]
    used = {(ref.text or "").strip() for root in roots for ref in root.iterfind(path, NS)}
    sources.known_dmn = {
        f: root for f, root in sources.known_dmn.items() if _first_decision(root) in used
    }
    return sources


def _call_graph(sources: Sources) -> dict[str, set[str]]:
    """Return which processes each process calls, over this deployment and earlier ones."""
    graph: dict[str, set[str]] = {}
    for known in (True, False):
        for _, process in sources.processes(known):
            calls = process.iterfind(".//bpmn:callActivity", NS)
            graph[str(process.get("id"))] = {str(c.get("calledElement")) for c in calls}
    return graph


def _decisions(
    sources: Sources, parser: _Parser, refused: set[str | None], problems: list[Problem]
) -> list[str]:
    """Return the usable decision ids of the deployment's DMN files; check each table."""
    decisions: list[str] = []
    for file, root in sources.dmn.items():
        if file in refused:
            continue
        ids = [str(d.get("id")) for d in root.iterfind("{*}decision")]
        if not ids:
            problems.append(
                Problem(file, None, None, root.sourceline, "The DMN file has no decision.")
            )
            continue
        linked = list(_linked_decisions(file, root))
        if linked:
            problems += linked
            continue
        if len(ids) > 1:
            message = f"Only the first decision, '{ids[0]}', of this DMN file can be used."
            problems.append(Problem(file, ids[0], None, None, message, "warning"))
        table = decision_tables.check_table(file, root.find("{*}decision"))
        if table:
            problems += table
            continue
        try:
            parser.dmn_parsers[ids[0]].parse()
        except Exception as error:  # translated for the process owner
            problems.append(translate(sources.element, error, file, None))
            continue
        decisions.append(ids[0])
    return decisions


def _linked_decisions(file: str, root: etree._Element) -> Iterator[Problem]:
    """Refuse decisions that require other decisions (a DRD): the engine runs single tables."""
    for decision in root.iterfind("{*}decision"):
        for required in decision.iterfind("{*}informationRequirement/{*}requiredDecision"):
            other = str(required.get("href") or "").lstrip("#")
            name = decision.get("name") or decision.get("id")
            message = (
                f"Decision '{name}' ({decision.get('id')}) requires decision '{other}' "
                "(informationRequirement); linked decisions are not supported. Call each "
                "decision from its own business rule task, in order, or merge the tables."
            )
            line = required.sourceline or decision.sourceline
            yield Problem(file, decision.get("id"), decision.get("name"), line, message)
