"""A hardened XML reader for uploaded BPMN and DMN files (ENGINE-NOTES 7).

No entity declarations (XXE, billion laughs), no DTD loading, no network, a size limit, and two
repairs for files that real modelling tools write: bytes that do not match the declared encoding
(read as Windows-1252, with a warning) and namespace URIs containing spaces (percent-encoded,
with a warning). Everything wrong becomes a `Problem`; nothing raises. Also how an element is
named and located in a problem (`label`, `problem`).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from engine.runtime.errors import Problem

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_NAMESPACE_WITH_SPACE = re.compile(rb"""(xmlns(?::[\w.-]+)?\s*=\s*)(["'])([^"'<>]*? [^"'<>]*)\2""")
_ENTITY_MARKERS = (b"<!ENTITY", "<!ENTITY".encode("utf-16-le"), "<!ENTITY".encode("utf-16-be"))
_INVALID_URI_CODE = 99  # libxml2 XML_WAR_NS_URI: reported as an error by lxml


@dataclass
class XmlDocument:
    """What reading one file gave: its root element (None if unreadable) and what went wrong."""

    file: str
    root: etree._Element | None
    problems: list[Problem] = field(default_factory=list)
    error_code: int | None = None


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_comments=False,
    )


def _problem(file: str, message: str, line: int | None = None, warning: bool = False) -> Problem:
    severity = "warning" if warning else "error"
    return Problem(file, None, None, line, message, severity=severity)


# XML elements one deployed file may hold: the largest process here (hiring.bpmn) has about
# 2,700 with its diagram; beyond this, deploy's checks and the engine's build grow long (the
# `deploy` section of `make bench` measures them), so such a process should be split into
# called processes.
MAX_ELEMENTS = 50_000


def read_xml(
    file: str, data: bytes, max_bytes: int = 5_000_000, max_elements: int = MAX_ELEMENTS
) -> XmlDocument:
    """Parse `data` safely; return the root element or the problems that prevented it."""
    if len(data) > max_bytes:
        limit = f"{max_bytes / 1_000_000:g} MB"
        return XmlDocument(file, None, [_problem(file, f"The file is larger than {limit}.")])
    if any(marker in data for marker in _ENTITY_MARKERS):
        message = "The file declares XML entities; entity declarations are not allowed."
        return XmlDocument(file, None, [_problem(file, message)])
    warnings: list[Problem] = []
    data = _fix_encoding(file, data, warnings)
    document = _parse(file, data)
    if document.root is None and _is_invalid_namespace_uri(document):
        data = _NAMESPACE_WITH_SPACE.sub(_escape_spaces, data)
        message = "A namespace URI contains spaces; they were read as %20."
        warnings.append(_problem(file, message, document.problems[0].line, warning=True))
        document = _parse(file, data)
    document.problems[:0] = warnings
    if document.root is not None and _declares_entities(document.root):
        message = "The file declares XML entities; entity declarations are not allowed."
        return XmlDocument(file, None, [_problem(file, message)])
    if document.root is not None:
        count = sum(1 for _ in document.root.iter())
        if count > max_elements:
            message = (
                f"The file has {count:,} XML elements; a deployed file may have at most "
                f"{max_elements:,}. Split the process into called processes."
            ).replace(",", " ")
            return XmlDocument(file, None, [_problem(file, message)])
    return document


def _parse(file: str, data: bytes) -> XmlDocument:
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        message = f"The file is not well-formed XML: {_short(error.msg)}"
        problem = _problem(file, message, error.lineno or None)
        return XmlDocument(file, None, [problem], error_code=error.code)
    except (ValueError, LookupError) as error:
        return XmlDocument(file, None, [_problem(file, f"The file could not be read: {error}")])
    if root is None:
        return XmlDocument(file, None, [_problem(file, "The file is empty.")])
    return XmlDocument(file, root)


def _short(message: str) -> str:
    """Drop lxml's trailing ', line N, column M' (the line is reported separately)."""
    return re.sub(r",? line \d+(, column \d+)?$", "", message).strip() or "syntax error"


def _is_invalid_namespace_uri(document: XmlDocument) -> bool:
    return document.error_code == _INVALID_URI_CODE


def _escape_spaces(match: re.Match[bytes]) -> bytes:
    return match.group(1) + match.group(2) + match.group(3).replace(b" ", b"%20") + match.group(2)


def _declares_entities(root: etree._Element) -> bool:
    dtd = root.getroottree().docinfo.internalDTD
    return dtd is not None and any(True for _ in dtd.iterentities())


def _fix_encoding(file: str, data: bytes, warnings: list[Problem]) -> bytes:
    """Re-encode a file whose bytes do not match its declared encoding (Latin-1 as UTF-8)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"\x00", b"<\x00")):
        return data
    match = _DECLARATION.match(data)
    declared = match.group(1).decode("ascii") if match else "utf-8"
    try:
        data.decode(declared)
        return data
    except LookupError:
        return data  # lxml reports the unknown encoding itself
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        text = data.decode("cp1252", errors="replace")
    if match:
        text = text.replace(match.group(1).decode("ascii"), "UTF-8", 1)
    message = (
        f"The file says it is {declared} but is not (first bad byte on line {line}); "
        "it was read as Windows-1252. Check the special characters (æ, ø, å)."
    )
    warnings.append(_problem(file, message, line, warning=True))
    return text.encode("utf-8")


def local_name(element: etree._Element) -> str:
    """Return the tag without its namespace (`userTask`)."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def kind_of(element: etree._Element) -> str:
    """Return the element kind in words: `userTask` -> `User task`."""
    name = local_name(element)
    special = {"subProcess": "Sub-process", "adHocSubProcess": "Ad-hoc sub-process"}
    return special.get(name) or re.sub(r"(?<!^)([A-Z])", r" \1", name).lower().capitalize()


def label(element: etree._Element) -> str:
    """Name an element for a process owner: `User task 'Godkjenn' (approve)`."""
    element_id, name = element.get("id") or "?", (element.get("name") or "").strip()
    if name and name != element_id:
        return f"{kind_of(element)} '{' '.join(name.split())}' ({element_id})"
    return f"{kind_of(element)} '{element_id}'"


def problem(
    file: str,
    element: etree._Element,
    message: str,
    *,
    line: int | None = None,
    warning: bool = False,
) -> Problem:
    """Return a problem located at `element` (its id, name and line)."""
    return Problem(
        file,
        element.get("id"),
        element.get("name"),
        line or element.sourceline,
        message,
        severity="warning" if warning else "error",
    )


@dataclass
class Sources:
    """The readable files of a deployment and of earlier ones, as XML roots by file name."""

    bpmn: dict[str, etree._Element] = field(default_factory=dict)
    dmn: dict[str, etree._Element] = field(default_factory=dict)
    known_bpmn: dict[str, etree._Element] = field(default_factory=dict)
    known_dmn: dict[str, etree._Element] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    call_graph: dict[str, set[str]] = field(default_factory=dict)  # filled by specs

    @classmethod
    def load(
        cls, files: Mapping[str, bytes], known: Mapping[str, bytes], max_bytes: int
    ) -> Sources:
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
        for roots in (self.bpmn, self.known_bpmn, self.dmn):
            root = roots.get(file)
            if root is not None and element_id:
                found = root.xpath("//*[@id=$id]", id=element_id)
                return found[0] if found else None
        return None


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
