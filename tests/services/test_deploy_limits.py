"""Deploy refuses a BPMN file too large to check and build quickly, with a clear message; the
time deploy takes per size is measured in `make bench` (section deploy), not here."""

from __future__ import annotations

import pytest

from engine.runtime import xmlsafe
from engine.runtime.errors import InvalidProcess
from engine.services import definitions
from engine.services.wiring import Wiring
from tests.conftest import NOW


def wide_process(tasks: int) -> bytes:
    """A start event whose flows lead to `tasks` user tasks, each on to one end event."""
    nodes = "".join(
        f'<bpmn:userTask id="t{i}"/><bpmn:sequenceFlow id="a{i}" sourceRef="start" '
        f'targetRef="t{i}"/><bpmn:sequenceFlow id="b{i}" sourceRef="t{i}" targetRef="end"/>'
        for i in range(tasks)
    )
    return (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
        'targetNamespace="x"><bpmn:process id="wide" isExecutable="true">'
        f'<bpmn:startEvent id="start"/>{nodes}<bpmn:endEvent id="end"/>'
        "</bpmn:process></bpmn:definitions>"
    ).encode()


def test_deploy_refuses_a_file_with_too_many_elements(demo: Wiring) -> None:
    tasks = xmlsafe.MAX_ELEMENTS // 3 + 1  # three elements per task
    with pytest.raises(InvalidProcess) as refused:
        definitions.deploy(demo.new_uow(), {"wide.bpmn": wide_process(tasks)}, actor="t", now=NOW)
    [problem] = refused.value.problems
    assert problem.file == "wide.bpmn"
    assert "a deployed file may have at most 50 000" in problem.message
    assert "called processes" in problem.message


def test_a_wide_process_under_the_limit_deploys_with_one_split(demo: Wiring) -> None:
    result = definitions.deploy(
        demo.new_uow(), {"wide.bpmn": wide_process(300)}, actor="t", now=NOW
    )
    assert [d.key for d in result.created] == ["wide"]
    [note] = [w for w in result.warnings if "implicit split" in w.message]
    assert "300 outgoing flows" in note.message
