"""Section 7: how deploy's checks grow with the size of a process (issue 16: 30,000 tasks once
took 174 s of CPU, faster than quadratic).

A generated process with n user tasks behind one implicit split (start event -> n tasks -> an
exclusive join -> end, with a diagram) goes through what deploy runs before storing anything:
`definitions.prepare` (form checks, normalising: the split gateway, refs, diagram) and
`specs.parse_deployment` (validation, SpiffWorkflow's build). The CPU time per size and the
growth per doubling are reported; near-linear is about 2x per doubling, quadratic 4x.
"""

from __future__ import annotations

import math
import time
from typing import Any

from engine.runtime import specs, xmlsafe
from engine.services import definitions

SIZES = (1000, 2000, 4000)
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NAMESPACES = (
    f'xmlns:bpmn="{BPMN}" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI"'
)


def wide_process(tasks: int) -> bytes:
    """A process whose start event splits (implicitly) into `tasks` user tasks, with a diagram."""
    outgoing = "".join(f"<bpmn:outgoing>a{i}</bpmn:outgoing>" for i in range(tasks))
    nodes, shapes = [], []
    for i in range(tasks):
        nodes.append(
            f'<bpmn:userTask id="t{i}" name="Task {i}"/>'
            f'<bpmn:sequenceFlow id="a{i}" sourceRef="start" targetRef="t{i}"/>'
            f'<bpmn:sequenceFlow id="b{i}" sourceRef="t{i}" targetRef="join"/>'
        )
        shapes.append(
            f'<bpmndi:BPMNShape id="t{i}_di" bpmnElement="t{i}">'
            f'<dc:Bounds x="100" y="{i * 100}" width="100" height="80"/></bpmndi:BPMNShape>'
            f'<bpmndi:BPMNEdge id="a{i}_di" bpmnElement="a{i}"><di:waypoint x="36" y="18"/>'
            f'<di:waypoint x="100" y="{i * 100}"/></bpmndi:BPMNEdge>'
        )
    return (
        f'<bpmn:definitions {NAMESPACES} id="d" targetNamespace="x">'
        '<bpmn:process id="wide" isExecutable="true">'
        f'<bpmn:startEvent id="start">{outgoing}</bpmn:startEvent>'
        '<bpmn:exclusiveGateway id="join" default="to_end"/><bpmn:endEvent id="end"/>'
        '<bpmn:sequenceFlow id="to_end" sourceRef="join" targetRef="end"/>'
        f"{''.join(nodes)}</bpmn:process>"
        '<bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="wide">'
        '<bpmndi:BPMNShape id="start_di" bpmnElement="start">'
        '<dc:Bounds x="0" y="0" width="36" height="36"/></bpmndi:BPMNShape>'
        f"{''.join(shapes)}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>"
    ).encode()


def check_seconds(tasks: int) -> float:
    """Return the CPU seconds deploy's checks and build take for a process of `tasks` tasks."""
    files = {"wide.bpmn": wide_process(tasks)}
    started = time.process_time()
    ready = definitions.prepare(files, {})
    specs.parse_deployment(ready.models, available_forms=ready.forms, known_files={})
    return time.process_time() - started


def run(sizes: tuple[int, ...] = SIZES) -> dict[str, Any]:
    """Measure each size (after a small warm-up); return seconds per size and growth."""
    check_seconds(50)
    seconds = {n: check_seconds(n) for n in sizes}
    small, large = sizes[0], sizes[-1]
    doublings = math.log2(large / small)
    growth = (seconds[large] / seconds[small]) ** (1 / doublings) if seconds[small] else 0.0
    return {
        "cpu_seconds": seconds,
        "growth_per_doubling": growth,
        "max_elements": xmlsafe.MAX_ELEMENTS,
    }
