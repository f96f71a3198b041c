"""Smaller constructs of SpiffArena and other tools' models (issue 19): data stores kept as
documentation, a cron timeCycle and linked decisions refused with the element, line and a
sentence a process owner can act on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.runtime import instances
from engine.runtime.errors import InvalidProcess
from engine.runtime.specs import parse_deployment
from tests.conftest import fixture_files

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    targetNamespace="http://saksflyt.no/test">"""

ARCHIVE = f"""{HEAD}
  <bpmn:process id="archive" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="file_case" />
    <bpmn:scriptTask id="file_case" name="Arkiver">
      <bpmn:dataOutputAssociation id="to_archive"><bpmn:targetRef>archive_ref</bpmn:targetRef>
      </bpmn:dataOutputAssociation>
      <bpmn:script>filed = True</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:dataStoreReference id="archive_ref" name="Sakarkiv" dataStoreRef="case_archive" />
    <bpmn:sequenceFlow id="f2" sourceRef="file_case" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
  <bpmn:dataStore id="case_archive" name="Sakarkiv" />
</bpmn:definitions>"""

NIGHTLY = f"""{HEAD}
  <bpmn:process id="nightly" isExecutable="true">
    <bpmn:startEvent id="every_night" name="Hver natt">
      <bpmn:timerEventDefinition>
        <bpmn:timeCycle>0 0 2 * * ?</bpmn:timeCycle>
      </bpmn:timerEventDefinition>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="every_night" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_data_store_is_documentation_and_the_task_runs() -> None:
    deployment = parse_deployment({"archive.bpmn": ARCHIVE.encode()})
    [note] = [w for w in deployment.warnings if w.element_id == "file_case"]
    assert "Sakarkiv" in note.message and "documentation" in note.message and note.line
    outcome = instances.start(deployment.built["archive"], {}, now=datetime.now(UTC))
    assert outcome.state == "completed" and outcome.data["filed"] is True


@pytest.mark.parametrize("cron", ["0 0 2 * * ?", '"0 2 * * *"', "0 30 9 ? * MON-FRI"])
def test_a_cron_time_cycle_says_cron_is_not_supported(cron: str) -> None:
    model = NIGHTLY.replace("0 0 2 * * ?", cron)
    with pytest.raises(InvalidProcess) as refused:
        parse_deployment({"nightly.bpmn": model.encode()})
    [found] = refused.value.problems
    assert found.element_id == "every_night" and found.line == 7
    assert "cron is not supported" in found.message and "R/P1D" in found.message
    assert "Python" not in found.message


def test_linked_decisions_are_refused_naming_the_decision_and_line() -> None:
    with pytest.raises(InvalidProcess) as refused:
        parse_deployment(fixture_files("fee.bpmn", "fee.dmn"))
    found = next(p for p in refused.value.problems if p.file == "fee.dmn")
    assert (found.element_id, found.line) == ("fee", 5)
    assert "requires decision 'category'" in found.message


def test_a_call_to_a_helper_the_engine_lacks_is_warned_on_deploy() -> None:
    script = 'token = get_secret("crm")\ndef double(x):\n    return x * 2\ny = double(2)'
    model = ARCHIVE.replace(
        "<bpmn:script>filed = True</bpmn:script>", f"<bpmn:script>{script}</bpmn:script>"
    )
    deployment = parse_deployment({"archive.bpmn": model.encode()})
    [found] = [w for w in deployment.warnings if "get_secret" in w.message]
    assert found.element_id == "file_case" and "line 1 of the script" in found.message
    assert not [w for w in deployment.warnings if "double" in w.message or "'len'" in w.message]
