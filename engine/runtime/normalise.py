"""Rewrite diagrams from other modelling tools where BPMN gives them one clear meaning.

SpiffWorkflow wants explicit gateways and events where BPMN 2.0 allows implicit ones. Each rule
here makes an implicit construct explicit, adds the diagram shapes for what it inserts, and says
what it did as a warning located at the element it concerns:

- an activity or event with several outgoing flows is an implicit split (BPMN 2.0 §10.5.1):
  without conditions a parallel gateway is inserted; with conditional flows an inclusive
  gateway, where flows without a condition are always taken (`True`) and the default stays
  the default;
- a process or sub-process without a start event starts at every flow node without incoming
  flows (§10.4.2), so a none start event is inserted before them;
- an empty sub-process (collapsed, with no content) does nothing and completes at once, so a
  start event and an end event are put inside it;
- a sub-process without an end event completes when its paths end (§10.4.3), so a none end
  event is inserted after every flow node without outgoing flows.

Nothing else is guessed: timers without a time, service tasks without an operator and
conditions in other languages stay as they are and are reported by the deploy checks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from lxml import etree

from engine.runtime.errors import Problem
from engine.runtime.xmlsafe import BPMN, FLOW_NODES, NS, label, local_name, problem, read_xml

BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
CONTAINERS = frozenset({"process", "subProcess", "transaction", "adHocSubProcess"})
GATEWAY_SIZE, EVENT_SIZE, GAP = 50.0, 36.0, 30.0


def normalise_files(files: Mapping[str, bytes]) -> tuple[dict[str, bytes], list[Problem]]:
    """Return the files with implicit constructs made explicit, and what was changed."""
    result, notes = dict(files), []
    for name, content in files.items():
        if not name.lower().endswith(".bpmn"):
            continue
        document = read_xml(name, content)
        if document.root is None or etree.QName(document.root).namespace != BPMN:
            continue
        changes = _Document(name, document.root).normalise()
        if changes:
            result[name] = etree.tostring(
                document.root, xml_declaration=True, encoding="UTF-8", pretty_print=False
            )
            notes += changes
    return result, notes


@dataclass
class _Document:
    """One BPMN document being normalised, with its ids and diagram shapes."""

    file: str
    root: etree._Element
    ids: set[str] = field(default_factory=set)
    changes: list[Problem] = field(default_factory=list)
    # (kind, bpmnElement) -> its BPMNShape or BPMNEdge, built on first use: one pass over the
    # diagram, not one search per lookup (deploy stays near-linear in the size of the file).
    diagram: dict[tuple[str, str], etree._Element] | None = None

    def normalise(self) -> list[Problem]:
        self.ids = {str(e.get("id")) for e in self.root.iter() if e.get("id")}
        for container in list(self._containers()):
            self._empty_sub_process(container)
            self._implicit_start(container)
            self._implicit_end(container)
        for container in list(self._containers()):
            outgoing: dict[str, list[etree._Element]] = {}
            for flow in _flows(container):
                outgoing.setdefault(str(flow.get("sourceRef")), []).append(flow)
            for node in [c for c in container if local_name(c) in FLOW_NODES]:
                self._implicit_split(container, node, outgoing.get(str(node.get("id")), []))
        return self.changes

    def _containers(self) -> Iterator[etree._Element]:
        for process in self.root.iterfind("bpmn:process", NS):
            yield process
            for inner in process.iter():
                if local_name(inner) in CONTAINERS - {"process"}:
                    yield inner

    # implicit splits

    def _implicit_split(
        self, container: etree._Element, node: etree._Element, outgoing: list[etree._Element]
    ) -> None:
        if local_name(node).endswith("Gateway"):
            return
        if len(outgoing) < 2:
            return
        default = node.attrib.pop("default", None)
        conditional = [f for f in outgoing if f.find("bpmn:conditionExpression", NS) is not None]
        kind = "inclusiveGateway" if conditional else "parallelGateway"
        gateway = self._insert_after(container, node, kind, "split", GATEWAY_SIZE)
        _move_refs(node, gateway, "outgoing", outgoing)
        with_condition = {id(f) for f in conditional}
        for flow in outgoing:
            flow.set("sourceRef", str(gateway.get("id")))
            self._start_edge_at(flow, gateway)
            if conditional and flow.get("id") != default and id(flow) not in with_condition:
                condition = etree.SubElement(flow, f"{{{BPMN}}}conditionExpression")
                condition.text = "True"
        if default:
            gateway.set("default", default)
        what = "a parallel gateway" if kind == "parallelGateway" else "an inclusive gateway"
        reason = "conditional flows" if conditional else "flows without conditions"
        self._note(
            node,
            f"{label(node)} has {len(outgoing)} outgoing {reason} (an implicit split); "
            f"{what} '{gateway.get('id')}' was added after it.",
        )

    # implicit start and end

    def _implicit_start(self, container: etree._Element) -> None:
        nodes = _flow_nodes(container)
        if not nodes or any(local_name(n) == "startEvent" for n in nodes):
            return
        if container.get("triggeredByEvent") == "true":
            return
        targets = {f.get("targetRef") for f in _flows(container)}
        first = [n for n in nodes if n.get("id") not in targets and _may_start(n)]
        if not first:
            return
        start = self._new(container, "startEvent", f"{container.get('id')}_start", 0)
        self._place_before(start, first[0])
        for node in first:
            self._connect(container, start, node)
        names = ", ".join(f"'{n.get('id')}'" for n in first)
        self._note(
            container,
            f"{label(container)} has no start event; a start event "
            f"'{start.get('id')}' was added before {names} (BPMN's implicit start).",
        )

    def _empty_sub_process(self, container: etree._Element) -> None:
        if local_name(container) == "process" or container.get("triggeredByEvent") == "true":
            return
        if _flow_nodes(container) or _flows(container):
            return
        start = self._new(container, "startEvent", f"{container.get('id')}_start", 0)
        end = self._new(container, "endEvent", f"{container.get('id')}_end", 1)
        self._connect(container, start, end)
        self._note(
            container,
            f"{label(container)} is empty, so it completes at once; a start and an end event "
            "were added inside it.",
        )

    def _implicit_end(self, container: etree._Element) -> None:
        if local_name(container) == "process" or container.get("triggeredByEvent") == "true":
            return
        nodes = _flow_nodes(container)
        if not nodes or any(local_name(n) == "endEvent" for n in nodes):
            return
        sources = {f.get("sourceRef") for f in _flows(container)}
        last = [n for n in nodes if n.get("id") not in sources and _may_end(n)]
        for node in last:
            end = self._insert_after(container, node, "endEvent", "end", EVENT_SIZE)
            self._note(
                node,
                f"{label(container)} has no end event; an end event '{end.get('id')}' was "
                f"added after {label(node)} (BPMN's implicit end).",
            )

    # building blocks

    def _insert_after(
        self, container: etree._Element, node: etree._Element, kind: str, suffix: str, size: float
    ) -> etree._Element:
        """Insert a new element after `node` with a flow from it; lay it out to its right."""
        new = etree.Element(f"{{{BPMN}}}{kind}", id=self._unique(f"{node.get('id')}_{suffix}"))
        node.addnext(new)  # not container.index(node): a scan of the container per insert
        bounds = self._bounds(node)
        if bounds is not None:
            x, y, width, height = bounds
            self._shape(node, new, x + width + GAP, y + height / 2 - size / 2, size)
        self._connect(container, node, new)
        return new

    def _new(self, container: etree._Element, kind: str, wanted: str, index: int) -> etree._Element:
        element = etree.Element(f"{{{BPMN}}}{kind}", id=self._unique(wanted))
        container.insert(index, element)
        return element

    def _connect(
        self, container: etree._Element, source: etree._Element, target: etree._Element
    ) -> etree._Element:
        flow_id = self._unique(f"{source.get('id')}_to_{target.get('id')}")
        flow = etree.Element(
            f"{{{BPMN}}}sequenceFlow",
            id=flow_id,
            sourceRef=str(source.get("id")),
            targetRef=str(target.get("id")),
        )
        container.insert(container.index(target) + 1, flow)
        _add_ref(source, "outgoing", flow_id)
        _add_ref(target, "incoming", flow_id)
        a, b = self._bounds(source), self._bounds(target)
        if a is not None and b is not None:
            self._edge(source, flow_id, (a[0] + a[2], a[1] + a[3] / 2), (b[0], b[1] + b[3] / 2))
        return flow

    def _place_before(self, event: etree._Element, node: etree._Element) -> None:
        bounds = self._bounds(node)
        if bounds is not None:
            x, y, _, height = bounds
            left = x - GAP - EVENT_SIZE
            self._shape(node, event, left, y + height / 2 - EVENT_SIZE / 2, EVENT_SIZE)

    def _unique(self, wanted: str) -> str:
        candidate, n = wanted, 2
        while candidate in self.ids:
            candidate, n = f"{wanted}_{n}", n + 1
        self.ids.add(candidate)
        return candidate

    def _note(self, element: etree._Element, message: str) -> None:
        self.changes.append(problem(self.file, element, message, warning=True))

    # diagram interchange

    def _di(self, element_id: str | None, kind: str) -> etree._Element | None:
        if self.diagram is None:
            self.diagram = {}
            for tag in ("BPMNShape", "BPMNEdge"):
                for found in self.root.iter(f"{{{BPMNDI}}}{tag}"):
                    self.diagram.setdefault((tag, str(found.get("bpmnElement"))), found)
        return self.diagram.get((kind, str(element_id)))

    def _remember(self, kind: str, element: etree._Element) -> None:
        if self.diagram is not None:
            self.diagram.setdefault((kind, str(element.get("bpmnElement"))), element)

    def _bounds(self, node: etree._Element) -> tuple[float, float, float, float] | None:
        shape = self._di(node.get("id"), "BPMNShape")
        box = None if shape is None else shape.find(f"{{{DC}}}Bounds")
        if box is None:
            return None
        try:
            return tuple(float(box.get(k, "0")) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]
        except ValueError:
            return None

    def _shape(
        self, near: etree._Element, new: etree._Element, x: float, y: float, size: float
    ) -> None:
        shape = self._di(near.get("id"), "BPMNShape")
        if shape is None:
            return
        added = etree.Element(
            f"{{{BPMNDI}}}BPMNShape",
            id=self._unique(f"{new.get('id')}_di"),
            bpmnElement=str(new.get("id")),
        )
        etree.SubElement(
            added, f"{{{DC}}}Bounds", x=_n(x), y=_n(y), width=_n(size), height=_n(size)
        )
        shape.addnext(added)
        self._remember("BPMNShape", added)

    def _edge(
        self,
        near: etree._Element,
        flow_id: str,
        start: tuple[float, float],
        end: tuple[float, float],
    ) -> None:
        shape = self._di(near.get("id"), "BPMNShape")
        if shape is None:
            return
        edge = etree.Element(
            f"{{{BPMNDI}}}BPMNEdge", id=self._unique(f"{flow_id}_di"), bpmnElement=flow_id
        )
        for x, y in (start, end):
            etree.SubElement(edge, f"{{{DI}}}waypoint", x=_n(x), y=_n(y))
        shape.getparent().append(edge)
        self._remember("BPMNEdge", edge)

    def _start_edge_at(self, flow: etree._Element, gateway: etree._Element) -> None:
        edge = self._di(flow.get("id"), "BPMNEdge")
        bounds = self._bounds(gateway)
        points = [] if edge is None else edge.findall(f"{{{DI}}}waypoint")
        if bounds is not None and points:
            x, y, width, height = bounds
            points[0].set("x", _n(x + width / 2))
            points[0].set("y", _n(y + height / 2))


def _flows(container: etree._Element, source: str | None = None) -> list[etree._Element]:
    flows = container.iterfind("bpmn:sequenceFlow", NS)
    return [f for f in flows if source is None or f.get("sourceRef") == source]


def _flow_nodes(container: etree._Element) -> list[etree._Element]:
    return [child for child in container if local_name(child) in FLOW_NODES]


def _may_start(node: etree._Element) -> bool:
    """Tell whether a node without incoming flows is where the container starts."""
    if local_name(node) == "boundaryEvent" or node.get("isForCompensation") == "true":
        return False
    if node.get("triggeredByEvent") == "true":
        return False
    return node.find("bpmn:linkEventDefinition", NS) is None


def _may_end(node: etree._Element) -> bool:
    """Tell whether a node without outgoing flows is where a path of the container ends."""
    if local_name(node) in ("boundaryEvent", "endEvent"):
        return False
    if node.get("isForCompensation") == "true" or node.get("triggeredByEvent") == "true":
        return False
    return node.find("bpmn:linkEventDefinition", NS) is None


def _add_ref(element: etree._Element, kind: str, flow_id: str) -> None:
    """Add a bpmn:incoming/outgoing child, in BPMN's order (after the extension elements).

    The anchor is found walking back from the last child: after the last ref of the same kind
    (found at once when refs are added in a row, so a gateway with thousands of flows costs
    no scan per flow), else the last incoming (for an outgoing), else the last documentation or
    extension elements, else first.
    """
    ref = etree.Element(f"{{{BPMN}}}{kind}")
    ref.text = flow_id
    anchors: dict[str, etree._Element] = {}
    for child in reversed(element):
        name = local_name(child)
        if name == kind:
            anchors["same"] = child
            break
        if name == "incoming" and kind == "outgoing":
            anchors.setdefault("incoming", child)
        elif name in ("documentation", "extensionElements"):
            anchors.setdefault("before", child)
    anchor = anchors.get("same", anchors.get("incoming", anchors.get("before")))
    if anchor is None:
        element.insert(0, ref)
    else:
        anchor.addnext(ref)


def _move_refs(
    old: etree._Element, new: etree._Element, kind: str, flows: list[etree._Element]
) -> None:
    moved = {str(flow.get("id")) for flow in flows}
    for ref in old.findall(f"bpmn:{kind}", NS):
        if (ref.text or "").strip() in moved:
            old.remove(ref)
    for flow in flows:
        _add_ref(new, kind, str(flow.get("id")))


def _n(value: float) -> str:
    return f"{value:g}"
