"""Camunda 7 models deploy through our own deploy and run to their ends (both databases)."""

from __future__ import annotations

import json

import pytest

from engine.runtime.errors import InvalidProcess
from engine.services import definitions, instances, modeler, tasks
from engine.services.errors import FormInvalid, StartForbidden
from engine.services.wiring import Wiring
from engine.store.states import InstanceState
from tests.conftest import NOW, fixture_files, user


@pytest.fixture
def leave(demo: Wiring) -> Wiring:
    definitions.deploy(demo.new_uow(), fixture_files("camunda7/leave.bpmn"), actor="t", now=NOW)
    return demo


def _start(wiring: Wiring, data: dict[str, object]) -> object:
    return instances.start_instance(
        wiring.new_uow(), "c7_leave", data, actor=user(wiring, "emp.asker"), now=NOW
    )


def _open_task(wiring: Wiring, instance_id: object) -> object:
    with wiring.new_uow() as uow:
        (task,) = uow.tasks.open_for_instance(instance_id)  # type: ignore[arg-type]
    return task


def test_form_data_assignee_candidate_users_and_juel_run_to_the_end(leave: Wiring) -> None:
    instance = _start(leave, {"days": 10, "reason": "kurs", "kind": "study"})
    decide = _open_task(leave, instance.id)  # type: ignore[attr-defined]
    assert decide.candidate_users == ["leder.asker"]  # ${execution.getVariable('leader')}
    assert decide.form_schema == "c7_leave.decide.schema.json"
    with pytest.raises(FormInvalid):  # formData's required boolean
        tasks.complete_task(
            leave.new_uow(), decide.id, {}, actor=user(leave, "leder.asker"), now=NOW
        )
    tasks.complete_task(
        leave.new_uow(), decide.id, {"approved": True}, actor=user(leave, "leder.asker"), now=NOW
    )
    register = _open_task(leave, instance.id)  # type: ignore[attr-defined]
    assert register.element_id == "hr_registers"  # approved and days gt 5 and not empty kind
    assert register.candidate_users == ["hr.loten", "fin.asker"]
    tasks.complete_task(leave.new_uow(), register.id, {}, actor=user(leave, "fin.asker"), now=NOW)
    with leave.new_uow() as uow:
        ended = uow.instances.get(instance.id)  # type: ignore[attr-defined]
    assert ended.state == InstanceState.COMPLETED


def test_a_refusal_takes_the_default_flow(leave: Wiring) -> None:
    instance = _start(leave, {"days": 2})
    decide = _open_task(leave, instance.id)  # type: ignore[attr-defined]
    tasks.complete_task(
        leave.new_uow(), decide.id, {"approved": False}, actor=user(leave, "leder.asker"), now=NOW
    )
    with leave.new_uow() as uow:
        assert uow.instances.get(instance.id).state == InstanceState.COMPLETED  # type: ignore[attr-defined]


def test_start_form_and_starter_groups_hold(leave: Wiring) -> None:
    with pytest.raises(FormInvalid):  # days is required by the start event's formData
        _start(leave, {"reason": "x"})
    with pytest.raises(StartForbidden):  # candidateStarterGroups="participant"
        instances.start_instance(
            leave.new_uow(), "c7_leave", {"days": 1}, actor=user(leave, "fin.asker"), now=NOW
        )


def test_the_form_made_from_form_data_is_stored_as_json_schema(leave: Wiring) -> None:
    with leave.new_uow() as uow:
        files = {n: f.content for n, f in uow.definitions.latest_files().items()}
    form = json.loads(files["c7_leave.asked.schema.json"])
    assert form["required"] == ["days"]
    assert form["properties"]["kind"] == {
        "type": "string",
        "enum": ["welfare", "study"],
        "title": "Type",
    }


def _refusal(demo: Wiring, old: str, new: str) -> InvalidProcess:
    content = fixture_files("camunda7/leave.bpmn")["camunda7/leave.bpmn"].decode()
    assert old in content
    with pytest.raises(InvalidProcess) as refused:
        definitions.deploy(
            demo.new_uow(), {"leave.bpmn": content.replace(old, new).encode()}, actor="t", now=NOW
        )
    return refused.value


def test_an_unknown_group_is_refused_naming_the_element(demo: Wiring) -> None:
    refused = _refusal(
        demo, 'camunda:candidateUsers="hr.loten, fin.asker"', 'camunda:candidateGroups="accounting"'
    )
    (found,) = refused.problems
    assert found.element_id == "hr_registers" and "accounting" in found.message
    assert found.line is not None


def test_juel_outside_the_subset_is_refused_at_deploy_with_element_and_expression(
    demo: Wiring,
) -> None:
    refused = _refusal(demo, "${approved and days gt 5 and not empty kind}", "${days.size() > 1}")
    (found,) = [p for p in refused.problems if p.element_id == "f_long"]
    assert "${days.size() > 1}" in found.message and "size()" in found.message
    assert found.line is not None


def test_java_delegates_are_refused(demo: Wiring) -> None:
    task = (
        '<bpmn:userTask id="hr_registers" name="Registrer permisjon" '
        'camunda:candidateUsers="hr.loten, fin.asker">\n'
        "      <bpmn:incoming>f_long</bpmn:incoming>\n"
        "      <bpmn:outgoing>f3</bpmn:outgoing>\n"
        "    </bpmn:userTask>"
    )
    java = task.replace("userTask", "serviceTask").replace(
        'camunda:candidateUsers="hr.loten, fin.asker"', 'camunda:class="no.kommune.Register"'
    )
    refused = _refusal(demo, task, java)
    assert any(p.element_id == "hr_registers" and "Java" in p.message for p in refused.problems)


def test_the_modeler_validates_a_camunda_7_model_as_deploy_does(demo: Wiring) -> None:
    files = fixture_files("camunda7/leave.bpmn")
    report = modeler.validate(demo.new_uow(), {"leave.bpmn": files["camunda7/leave.bpmn"]})
    assert [(p["key"], p["runnable"]) for p in report.processes] == [("c7_leave", True)]
