"""The process owner's use cases on SQLite and PostgreSQL: validate, library, diff, migration."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from engine.runtime.errors import InvalidProcess
from engine.services import definitions, diffs, instances, migration, modeler, tasks
from engine.services.errors import BadRequest
from engine.services.wiring import Wiring
from tests.conftest import NOW, fixture_files, user

APPROVAL = fixture_files("approval.bpmn")["approval.bpmn"]
EXTRA_STEP = APPROVAL.replace(
    b'<bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="decided" />',
    b'<bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="archive" />'
    b'<bpmn:manualTask id="archive" name="Arkiver" />'
    b'<bpmn:sequenceFlow id="f3b" sourceRef="archive" targetRef="decided" />',
)
NO_APPROVE = APPROVAL.replace(b'"approve"', b'"approve_v2"').replace(
    b"<bpmn:flowNodeRef>approve</", b"<bpmn:flowNodeRef>approve_v2</"
)
NESTED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    targetNamespace="http://saksflyt.no/test">
  <bpmn:process id="nested" name="Nøstet" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="startRoles" value="participant" />
    </spiffworkflow:properties></bpmn:extensionElements></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="{sub}" />
    <bpmn:subProcess id="{sub}" name="Del">
      <bpmn:startEvent id="inner_start" />
      <bpmn:sequenceFlow id="g1" sourceRef="inner_start" targetRef="{inner}" />
      <bpmn:userTask id="{inner}" name="Indre" />
      <bpmn:sequenceFlow id="g2" sourceRef="{inner}" targetRef="inner_end" />
      <bpmn:endEvent id="inner_end" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="{sub}" targetRef="after" />
    <bpmn:userTask id="after" name="Etter" />
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def _nested(sub: str = "part", inner: str = "inner", note: str = "") -> dict[str, bytes]:
    text = NESTED.format(sub=sub, inner=inner).replace('name="Etter"', f'name="Etter{note}"')
    return {"nested.bpmn": text.encode()}


def _deploy(wiring: Wiring, files: dict[str, bytes]) -> None:
    definitions.deploy(wiring.new_uow(), files, actor="eier", now=NOW)


def _start(wiring: Wiring, key: str = "approval", business_key: str = "SAK-1") -> UUID:
    actor = user(wiring, "emp.asker")
    data = {"municipality": "asker"} if key == "approval" else {}
    return instances.start_instance(
        wiring.new_uow(), key, data, actor=actor, now=NOW, business_key=business_key
    ).id


def _open(wiring: Wiring, instance_id: UUID) -> list:
    with wiring.new_uow() as uow:
        return list(uow.tasks.open_for_instance(instance_id))


def _submit(wiring: Wiring, instance_id: UUID) -> None:
    [task] = _open(wiring, instance_id)
    data = {"reason": "Kurs", "start_date": "2026-12-01"}
    tasks.complete_task(wiring.new_uow(), task.id, data, actor=user(wiring, "emp.asker"), now=NOW)


def _versions(wiring: Wiring) -> int:
    with wiring.new_uow() as uow:
        return len(uow.definitions.list(all_versions=True))


# validate


def test_validate_reports_processes_and_warnings_and_stores_nothing(deployed: Wiring) -> None:
    before = _versions(deployed)
    odd_id = EXTRA_STEP.replace(b'"archive"', b'"Activity_1x"')
    report = modeler.validate(deployed.new_uow(), {"approval.bpmn": odd_id})
    assert [(p["key"], p["runnable"]) for p in report.processes] == [("approval", True)]
    [lint] = [w for w in report.warnings if w.element_id == "Activity_1x"]
    assert "not snake_case" in lint.message and lint.severity == "warning"
    assert report.normalised == [] and report.files == {}
    assert _versions(deployed) == before


def test_validate_refuses_with_located_problems(deployed: Wiring) -> None:
    broken = APPROVAL.replace(b"<bpmn:timeDuration>P5D</bpmn:timeDuration>", b"")
    with pytest.raises(InvalidProcess) as caught:
        modeler.validate(deployed.new_uow(), {"approval.bpmn": broken})
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert [(p.file, p.element_id) for p in errors] == [("approval.bpmn", "approve_deadline")]
    assert "has no time" in errors[0].message


def test_validate_resolves_forms_deployed_before_and_refuses_missing_ones(
    deployed: Wiring,
) -> None:
    modeler.validate(deployed.new_uow(), {"approval.bpmn": APPROVAL})
    missing = APPROVAL.replace(b"approval.approve.schema.json", b"approval.nope.schema.json")
    with pytest.raises(InvalidProcess) as caught:
        modeler.validate(deployed.new_uow(), {"approval.bpmn": missing})
    assert "approval.nope.schema.json" in caught.value.problems[0].message


def test_validate_normalises_an_implicit_parallel_split(deployed: Wiring) -> None:
    text = _nested()["nested.bpmn"].replace(
        b'<bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />',
        b'<bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />'
        b'<bpmn:sequenceFlow id="f4" sourceRef="after" targetRef="end2" />'
        b'<bpmn:endEvent id="end2" />',
    )
    report = modeler.validate(deployed.new_uow(), {"nested.bpmn": text})
    assert report.processes[0]["runnable"] is True
    [note] = report.normalised
    assert note.element_id == "after" and "parallel gateway 'after_split'" in note.message
    assert "after_split" in report.files["nested.bpmn"]


# library and files


def test_library_lists_versions_with_running_instances_and_files(deployed: Wiring) -> None:
    _start(deployed)
    _deploy(deployed, {"approval.bpmn": EXTRA_STEP})
    found = {p["key"]: p for p in modeler.library(deployed.new_uow())}
    versions = found["approval"]["versions"]
    assert [(v["version"], v["running_instances"]) for v in versions] == [(2, 0), (1, 1)]
    assert versions[0]["deployed_by"] == "eier" and versions[1]["deployed_by"] == "test"
    assert {f["name"] for f in versions[1]["files"]} >= {"approval.bpmn", "recursive.bpmn"}
    assert modeler.version_file(deployed.new_uow(), "approval", 2, "approval.bpmn") == EXTRA_STEP
    assert "approval.submit.schema.json" in modeler.form_files(deployed.new_uow())


# diff


def test_diff_lists_added_removed_and_changed_elements(deployed: Wiring) -> None:
    _deploy(deployed, {"approval.bpmn": EXTRA_STEP})
    result = diffs.diff_versions(deployed.new_uow(), "approval", 1, 2)
    assert [e["id"] for e in result["added"]] == ["archive", "f3b"]
    assert result["removed"] == []
    [changed] = result["changed"]
    assert changed["id"] == "f3"
    assert changed["changes"] == [{"field": "targetRef", "before": "decided", "after": "archive"}]


def test_diff_compares_scripts_forms_timers_and_lanes() -> None:
    changed = (
        APPROVAL.replace(b"reminded = True", b"reminded = 1")
        .replace(b"approval.approve.schema.json", b"approval.other.schema.json")
        .replace(b"PT1H", b"PT2H")
        .replace(
            b'<bpmn:lane id="leader" name="Leder"><bpmn:flowNodeRef>approve</bpmn:flowNodeRef>',
            b'<bpmn:lane id="leader" name="Leder">',
        )
        .replace(
            b"<bpmn:flowNodeRef>submit</",
            b"<bpmn:flowNodeRef>submit</bpmn:flowNodeRef><bpmn:flowNodeRef>approve</",
        )
    )
    result = diffs.compare(APPROVAL, changed, "approval")
    fields = {e["id"]: {c["field"]: c["after"] for c in e["changes"]} for e in result.changed}
    assert fields == {
        "approve": {
            "lane": "participant",
            "property[formJsonSchemaFilename]": "approval.other.schema.json",
        },
        "remind": {"script": "reminded = 1"},
        "cooling": {"timerEventDefinition/timeDuration": "PT2H"},
    }
    assert result.added == [] and result.removed == []


LEADER_LANE = (
    b'<bpmn:lane id="leader" name="Leder"><bpmn:flowNodeRef>approve</bpmn:flowNodeRef></bpmn:lane>'
)


def _lane_diff(old: bytes, new: bytes) -> dict[str, list]:  # type: ignore[type-arg]
    result = diffs.compare(old, new, "approval")
    return {"added": result.added, "removed": result.removed, "changed": result.changed}


def test_diff_reports_an_added_lane_as_added_not_as_a_rename() -> None:
    added = APPROVAL.replace(LEADER_LANE, LEADER_LANE + b'<bpmn:lane id="hr" name="HR" />')
    assert _lane_diff(APPROVAL, added) == {
        "added": [{"id": "hr", "type": "lane", "name": "HR"}],
        "removed": [],
        "changed": [],
    }
    assert _lane_diff(added, APPROVAL)["removed"] == [{"id": "hr", "type": "lane", "name": "HR"}]


def test_diff_reports_a_removed_lane_and_where_its_tasks_went() -> None:
    removed = APPROVAL.replace(LEADER_LANE, b"").replace(
        b"<bpmn:flowNodeRef>submit</",
        b"<bpmn:flowNodeRef>submit</bpmn:flowNodeRef><bpmn:flowNodeRef>approve</",
    )
    found = _lane_diff(APPROVAL, removed)
    assert found["removed"] == [{"id": "leader", "type": "lane", "name": "Leder"}]
    assert found["added"] == []
    assert found["changed"] == [
        {
            "id": "approve",
            "type": "userTask",
            "name": "Godkjenn søknad",
            "changes": [{"field": "lane", "before": "leader", "after": "participant"}],
        }
    ]


def test_diff_reports_a_renamed_lane_as_renamed() -> None:
    renamed = APPROVAL.replace(b'name="Leder"', 'name="Nærmeste leder"'.encode())
    assert _lane_diff(APPROVAL, renamed)["changed"] == [
        {
            "id": "leader",
            "type": "lane",
            "name": "Nærmeste leder",
            "changes": [{"field": "name", "before": "Leder", "after": "Nærmeste leder"}],
        }
    ]


def test_diff_matches_a_lane_by_name_when_its_role_changed() -> None:
    """The lane "Leder" now holds HR's tasks: its role (id) changed, the lane was not replaced."""
    other_role = APPROVAL.replace(b'<bpmn:lane id="leader"', b'<bpmn:lane id="hr"')
    found = _lane_diff(APPROVAL, other_role)
    assert found["added"] == found["removed"] == []
    by_id = {e["id"]: e for e in found["changed"]}
    assert by_id["hr"]["previous_id"] == "leader"
    assert by_id["hr"]["changes"] == [{"field": "id", "before": "leader", "after": "hr"}]
    assert by_id["approve"]["changes"] == [{"field": "lane", "before": "leader", "after": "hr"}]
    # Two new lanes of one name are not guessed at: the old lane is removed, both are added.
    two = APPROVAL.replace(
        LEADER_LANE,
        LEADER_LANE.replace(b'"leader"', b'"hr"') + b'<bpmn:lane id="finance" name="Leder" />',
    )
    found = _lane_diff(APPROVAL, two)
    assert [e["id"] for e in found["added"]] == ["hr", "finance"]
    assert [e["id"] for e in found["removed"]] == ["leader"]


def test_diff_reports_a_changed_assignment_rule_on_its_task() -> None:
    ruled = APPROVAL.replace(
        b'<spiffworkflow:property name="dueInWorkingDays" value="3" />',
        b'<spiffworkflow:property name="dueInWorkingDays" value="3" />'
        b'<spiffworkflow:property name="assignTo" value="starter_leader" />',
    )
    assert _lane_diff(APPROVAL, ruled)["changed"] == [
        {
            "id": "approve",
            "type": "userTask",
            "name": "Godkjenn søknad",
            "changes": [{"field": "property[assignTo]", "before": None, "after": "starter_leader"}],
        }
    ]


# migration


def test_dry_run_tells_who_can_move_and_why_not(deployed: Wiring) -> None:
    at_submit = _start(deployed, business_key="A")
    at_approve = _start(deployed, business_key="B")
    _submit(deployed, at_approve)
    _deploy(deployed, {"approval.bpmn": NO_APPROVE})
    plans = {p["business_key"]: p for p in migration.dry_run(deployed.new_uow(), "approval", 2)}
    assert plans["A"]["can_migrate"] is True and plans["A"]["waiting"] == ["submit"]
    assert plans["B"]["can_migrate"] is False
    assert "It waits at 'approve', which the new version does not have." in plans["B"]["reasons"]
    assert plans["A"]["instance_id"] == at_submit


def test_migrate_moves_instances_keeps_tasks_and_timers_and_records_it(deployed: Wiring) -> None:
    instance_id = _start(deployed)
    _submit(deployed, instance_id)
    [task] = _open(deployed, instance_id)
    with deployed.new_uow() as uow:
        [timer] = uow.waits.timers_of(instance_id)
    _deploy(deployed, {"approval.bpmn": EXTRA_STEP})
    later = NOW + timedelta(days=1)
    [result] = migration.migrate(
        deployed.new_uow(), "approval", 2, [instance_id], actor="eier", now=later
    )
    assert result["migrated"] is True
    with deployed.new_uow() as uow:
        instance = uow.instances.get(instance_id)
        assert instance.version == 2
        assert [t.id for t in uow.tasks.open_for_instance(instance_id)] == [task.id]
        [moved_timer] = uow.waits.timers_of(instance_id)
        assert (moved_timer.task_id, moved_timer.due_at) == (timer.task_id, timer.due_at)
        events = uow.history.of_instance(instance_id)
    migrated = [e for e in events if e.type == "instance_migrated"]
    assert [(e.actor, e.data) for e in migrated] == [("eier", {"from_version": 1, "to_version": 2})]
    tasks.complete_task(
        deployed.new_uow(),
        task.id,
        {"approved": True},
        actor=user(deployed, "leder.asker"),
        now=later,
    )
    assert [t.element_id for t in _open(deployed, instance_id)] == ["archive"]


def test_migrate_skips_instances_that_cannot_move(deployed: Wiring) -> None:
    instance_id = _start(deployed)
    _submit(deployed, instance_id)
    _deploy(deployed, {"approval.bpmn": NO_APPROVE})
    [result] = migration.migrate(
        deployed.new_uow(), "approval", 2, [instance_id], actor="eier", now=NOW
    )
    assert result["migrated"] is False
    with deployed.new_uow() as uow:
        assert uow.instances.get(instance_id).version == 1
    with pytest.raises(BadRequest):
        migration.migrate(deployed.new_uow(), "approval", 2, [], actor="eier", now=NOW)


def test_instances_inside_a_sub_process(deployed: Wiring) -> None:
    _deploy(deployed, _nested())
    instance_id = _start(deployed, "nested")
    _deploy(deployed, _nested(note=" 2"))
    _deploy(deployed, _nested(inner="inner_v3"))
    _deploy(deployed, _nested(sub="part_v4"))
    plans = [migration.dry_run(deployed.new_uow(), "nested", v)[0] for v in (2, 3, 4)]
    assert [p["can_migrate"] for p in plans] == [True, False, False]
    assert plans[0]["waiting"] == ["part", "inner"]
    assert plans[1]["reasons"] == ["It waits at 'inner', which the new version does not have."]
    assert any("'part'" in reason for reason in plans[2]["reasons"])
    [result] = migration.migrate(
        deployed.new_uow(), "nested", 2, [instance_id], actor="eier", now=NOW
    )
    assert result["migrated"] is True
    [task] = _open(deployed, instance_id)
    tasks.complete_task(deployed.new_uow(), task.id, {}, actor=user(deployed, "emp.asker"), now=NOW)
    assert [t.name for t in _open(deployed, instance_id)] == ["Etter 2"]


def test_a_migration_is_reverted_by_migrating_back(deployed: Wiring) -> None:
    instance_id = _start(deployed)
    _deploy(deployed, {"approval.bpmn": EXTRA_STEP})
    [task] = _open(deployed, instance_id)
    for target in (2, 1):
        [result] = migration.migrate(
            deployed.new_uow(), "approval", target, [instance_id], actor="eier", now=NOW
        )
        assert result["migrated"] is True
    with deployed.new_uow() as uow:
        assert uow.instances.get(instance_id).version == 1
        events = [e for e in uow.history.of_instance(instance_id) if e.type == "instance_migrated"]
    assert [e.data["to_version"] for e in events] == [2, 1]
    assert [t.id for t in _open(deployed, instance_id)] == [task.id]


# forms


APPROVE_FORM = fixture_files("approval.approve.schema.json")["approval.approve.schema.json"]


def test_validate_refuses_forms_that_are_not_json_schema(deployed: Wiring) -> None:
    files = {
        "approval.bpmn": APPROVAL,
        "approval.approve.schema.json": APPROVE_FORM.replace(b'"boolean"', b'"yes-no"'),
        "approval.approve.uischema.json": b"[]",
    }
    with pytest.raises(InvalidProcess) as caught:
        modeler.validate(deployed.new_uow(), files)
    found = {p.file: p.message for p in caught.value.problems}
    assert (
        "not a valid JSON Schema (2020-12) at properties/approved/type"
        in (found["approval.approve.schema.json"])
    )
    assert found["approval.approve.uischema.json"] == "the form must be a JSON object"
    with pytest.raises(InvalidProcess):
        definitions.deploy(deployed.new_uow(), files, actor="eier", now=NOW)
    assert _versions(deployed) == 3


def test_a_changed_form_deployed_with_its_process_makes_a_new_version(deployed: Wiring) -> None:
    renamed = APPROVE_FORM.replace(b'"Godkjent"', b'"Innvilget"')
    files = {"approval.bpmn": APPROVAL, "approval.approve.schema.json": renamed}
    result = definitions.deploy(deployed.new_uow(), files, actor="eier", now=NOW)
    assert [(d.key, d.version) for d in result.created] == [("approval", 2)]
    again = {**files, "approval.submit.schema.json": b'{"type": "object"}'}
    result = definitions.deploy(deployed.new_uow(), again, actor="eier", now=NOW)
    assert [(d.key, d.version) for d in result.created] == [("approval", 3)]
    unused = {"approval.bpmn": APPROVAL, "other.schema.json": b'{"type": "object"}'}
    result = definitions.deploy(deployed.new_uow(), unused, actor="eier", now=NOW)
    assert result.created == [] and [d.version for d in result.unchanged] == [3]
    with deployed.new_uow() as uow:
        first, second = (uow.definitions.version("approval", v) for v in (1, 2))
        old, new = definitions.built(uow, first), definitions.built(uow, second)
    assert old.forms["approval.approve.schema.json"] == APPROVE_FORM
    assert new.forms["approval.approve.schema.json"] == renamed
