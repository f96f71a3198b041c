"""Assignment from the organisation (issue 18), on SQLite and PostgreSQL: the modeller's
`assignTo` resolved at the task, checked at deploy; forms pinned to their version."""

from __future__ import annotations

import re
from uuid import UUID

import pytest

from engine.runtime.errors import InvalidProcess
from engine.services import definitions, diffs, instances, modeler, tasks
from engine.services.wiring import Wiring
from tests.conftest import NOW, user

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    targetNamespace="http://saksflyt.no/test">
  <bpmn:process id="assigned" name="Tildelt" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="Lane_Imported" name="Importert">
        <bpmn:flowNodeRef>first</bpmn:flowNodeRef><bpmn:flowNodeRef>second</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>third</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="hr" name="HR"><bpmn:flowNodeRef>fourth</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="startRoles" value="participant" />
      <spiffworkflow:property name="startFormJsonSchemaFilename"
        value="assigned.start.schema.json" />
    </spiffworkflow:properties></bpmn:extensionElements></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first" />
    <bpmn:userTask id="first" name="Første">{first}</bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second" />
    <bpmn:userTask id="second" name="Andre">{second}</bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="third" />
    <bpmn:userTask id="third" name="Tredje">{third}</bpmn:userTask>
    <bpmn:sequenceFlow id="f4" sourceRef="third" targetRef="fourth" />
    <bpmn:userTask id="fourth" name="Fjerde">{fourth}</bpmn:userTask>
    <bpmn:sequenceFlow id="f5" sourceRef="fourth" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def _rule(**properties: str) -> str:
    body = "".join(
        f'<spiffworkflow:property name="{k}" value="{v}" />' for k, v in properties.items()
    )
    return (
        "<bpmn:extensionElements><spiffworkflow:properties>"
        f"{body}</spiffworkflow:properties></bpmn:extensionElements>"
    )


RULES = {
    "first": _rule(assignTo="starter"),
    "second": _rule(assignTo="starter_leader"),
    "third": _rule(assignTo="leader_of", assignPerson="deputy"),
    "fourth": _rule(assignTo="role", assignWhere="starter"),
}


START = b"""{"type": "object", "properties": {"deputy": {"type": "string"},
  "kommune": {"type": "string"}}}"""


def _files(**rules: str) -> dict[str, bytes]:
    bpmn = PROCESS.format(**{**RULES, **rules}).encode()
    return {"assigned.bpmn": bpmn, "assigned.start.schema.json": START}


def _open_task(wiring: Wiring, instance_id: UUID):  # type: ignore[no-untyped-def]
    with wiring.new_uow() as uow:
        [task] = list(uow.tasks.open_for_instance(instance_id))
        return task


def _complete(wiring: Wiring, instance_id: UUID, username: str) -> None:
    task = _open_task(wiring, instance_id)
    tasks.complete_task(wiring.new_uow(), task.id, {}, actor=user(wiring, username), now=NOW)


def test_each_rule_offers_the_task_to_the_person_the_organisation_names(demo: Wiring) -> None:
    definitions.deploy(demo.new_uow(), _files(), actor="eier", now=NOW)
    started = instances.start_instance(
        demo.new_uow(),
        "assigned",
        {"deputy": "emp.drammen"},
        actor=user(demo, "emp.asker"),
        now=NOW,
    )
    first = _open_task(demo, started.id)
    assert (first.candidate_users, first.candidate_roles) == (["emp.asker"], [])
    _complete(demo, started.id, "emp.asker")
    second = _open_task(demo, started.id)  # the starter's own leader, not every leader
    assert (second.candidate_users, second.candidate_roles) == (["leder.asker"], [])
    _complete(demo, started.id, "leder.asker")
    third = _open_task(demo, started.id)  # the leader of the person in the data
    assert third.candidate_users == ["leder.drammen"]
    _complete(demo, started.id, "leder.drammen")
    fourth = _open_task(demo, started.id)  # HR in the starter's municipality
    assert (fourth.candidate_roles, fourth.municipality_id) == (["hr"], "asker")


def test_a_role_in_a_municipality_named_in_the_data_or_network_wide(demo: Wiring) -> None:
    rules = {
        "first": _rule(assignTo="starter"),
        "second": _rule(assignTo="starter"),
        "third": _rule(assignTo="starter"),
    }
    data_rule = _rule(assignTo="role", assignWhere="data", assignMunicipalityField="kommune")
    definitions.deploy(demo.new_uow(), _files(**rules, fourth=data_rule), actor="eier", now=NOW)
    started = instances.start_instance(
        demo.new_uow(), "assigned", {"kommune": "loten"}, actor=user(demo, "emp.asker"), now=NOW
    )
    for _ in range(3):
        _complete(demo, started.id, "emp.asker")
    fourth = _open_task(demo, started.id)
    assert (fourth.candidate_roles, fourth.municipality_id) == (["hr"], "loten")


def test_a_starter_without_a_leader_fails_the_step_with_the_reason(demo: Wiring) -> None:
    definitions.deploy(demo.new_uow(), _files(), actor="eier", now=NOW)
    started = instances.start_instance(
        demo.new_uow(), "assigned", {}, actor=user(demo, "leder.asker"), now=NOW
    )
    with pytest.raises(Exception, match=re.escape("no leader is known for 'leder.asker'")):
        _complete(demo, started.id, "leder.asker")


def test_deploy_checks_the_rules(demo: Wiring) -> None:
    bad = {
        "first": _rule(assignTo="boss"),
        "third": _rule(assignTo="leader_of"),
        "second": _rule(assignTo="role"),
        "fourth": _rule(assignTo="role", assignWhere="data"),
    }
    with pytest.raises(InvalidProcess) as caught:
        modeler.validate(demo.new_uow(), _files(**bad))
    messages = {p.element_id: p.message for p in caught.value.problems if p.severity == "error"}
    assert "'boss' is not one of" in messages["first"]
    assert "needs assignPerson" in messages["third"]
    assert "lane 'Lane_Imported' is not a role" in messages["second"]
    assert "needs assignMunicipalityField" in messages["fourth"]


def test_an_unknown_lane_warns_only_when_its_tasks_name_nobody(demo: Wiring) -> None:
    report = modeler.validate(demo.new_uow(), _files())
    assert not [w for w in report.warnings if "offered them by role" in w.message]
    unassigned = _files(first="", second="", third="")
    report = modeler.validate(demo.new_uow(), unassigned)
    [lane] = [w for w in report.warnings if "offered them by role" in w.message]
    assert lane.element_id == "Lane_Imported"
    assert "Choose a role for the lane" in lane.message


FORM = b'{"type": "object", "properties": {"%s": {"type": "string"}}, "required": ["%s"]}'
WITH_FORM = _rule(formJsonSchemaFilename="assigned.first.schema.json", assignTo="starter")


def test_a_version_keeps_the_form_it_was_deployed_with(demo: Wiring) -> None:
    v1 = {**_files(first=WITH_FORM), "assigned.first.schema.json": FORM % (b"a", b"a")}
    definitions.deploy(demo.new_uow(), v1, actor="eier", now=NOW)
    second = v1["assigned.bpmn"].replace(b'name="Andre"', b'name="Andre v2"')
    v2 = {**v1, "assigned.bpmn": second, "assigned.first.schema.json": FORM % (b"b", b"b")}
    definitions.deploy(demo.new_uow(), v2, actor="eier", now=NOW)
    definitions._built.clear()  # as after a restart
    with demo.new_uow() as uow:
        old = uow.definitions.version("assigned", 1)
        built = definitions.built(uow, old)
    assert b'"a"' in built.forms["assigned.first.schema.json"]


def test_a_diagram_deployed_alone_stores_the_forms_it_uses(demo: Wiring) -> None:
    v1 = {**_files(first=WITH_FORM), "assigned.first.schema.json": FORM % (b"a", b"a")}
    definitions.deploy(demo.new_uow(), v1, actor="eier", now=NOW)
    alone = {"assigned.bpmn": v1["assigned.bpmn"].replace(b'name="Andre"', b'name="Ny"')}
    definitions.deploy(demo.new_uow(), alone, actor="eier", now=NOW)
    with demo.new_uow() as uow:
        v2 = uow.definitions.version("assigned", 2)
        names = [f.name for f in uow.definitions.files(v2.deployment_id)]
    assert names == ["assigned.bpmn", "assigned.first.schema.json", "assigned.start.schema.json"]


def test_make_current_deploys_an_earlier_version_again_with_its_forms(demo: Wiring) -> None:
    v1 = {**_files(first=WITH_FORM), "assigned.first.schema.json": FORM % (b"a", b"a")}
    definitions.deploy(demo.new_uow(), v1, actor="eier", now=NOW)
    second = v1["assigned.bpmn"].replace(b'name="Andre"', b'name="Andre v2"')
    v2 = {**v1, "assigned.bpmn": second, "assigned.first.schema.json": FORM % (b"b", b"b")}
    definitions.deploy(demo.new_uow(), v2, actor="eier", now=NOW)
    # Redeploying v1's files cannot undo v2: the same files are "no changes".
    again = definitions.deploy(demo.new_uow(), v1, actor="eier", now=NOW)
    assert again.created == []
    restored = definitions.make_current(demo.new_uow(), "assigned", 1, actor="eier", now=NOW)
    assert restored.version == 3
    started = instances.start_instance(
        demo.new_uow(), "assigned", {}, actor=user(demo, "emp.asker"), now=NOW
    )
    assert started.version == 3
    definitions._built.clear()
    with demo.new_uow() as uow:
        built = definitions.built(uow, uow.definitions.version("assigned", 3))
        assert b'"a"' in built.forms["assigned.first.schema.json"]
        second_task = built.spec.task_specs["second"]
        assert second_task.bpmn_name == "Andre"
    # Twice in a row is two versions, not "no changes".
    assert (
        definitions.make_current(demo.new_uow(), "assigned", 2, actor="eier", now=NOW).version == 4
    )


def test_the_diff_names_the_forms_a_version_changed(demo: Wiring) -> None:
    v1 = {**_files(first=WITH_FORM), "assigned.first.schema.json": FORM % (b"a", b"a")}
    definitions.deploy(demo.new_uow(), v1, actor="eier", now=NOW)
    v2 = {**v1, "assigned.first.schema.json": FORM % (b"b", b"b")}  # the form editor's deploy
    definitions.deploy(demo.new_uow(), v2, actor="eier", now=NOW)
    found = diffs.diff_versions(demo.new_uow(), "assigned", 1, 2)
    assert found["added"] == found["removed"] == found["changed"] == []
    assert found["files"] == [
        {
            "name": "assigned.first.schema.json",
            "change": "changed",
            "fields": {"added": ["b"], "removed": ["a"], "changed": []},
        }
    ]
    assert diffs.diff_versions(demo.new_uow(), "assigned", 1, 1)["files"] == []
