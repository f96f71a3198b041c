"""Migration re-arms boundary events: added ones armed, removed ones disarmed, changed timers
rescheduled, all in the migration's transaction and named in its history event (SQLite and
PostgreSQL)."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select

from engine.services import definitions, instances, messages, migration, tasks, timers
from engine.services.audit import replay
from engine.services.wiring import Wiring
from engine.store.models import Timer
from engine.store.waits import BPMN_TIMER_KINDS
from tests.conftest import NOW, fixture_files, user
from tests.services.test_modeler import _nested

APPROVAL = fixture_files("approval.bpmn")["approval.bpmn"].decode()
NO_DEADLINE = re.sub(
    r'<bpmn:boundaryEvent id="approve_deadline".*?</bpmn:boundaryEvent>'
    r'|<bpmn:sequenceFlow id="f_remind"[^>]*/>'
    r'|<bpmn:scriptTask id="remind".*?</bpmn:scriptTask>'
    r'|<bpmn:sequenceFlow id="f_r_end"[^>]*/>'
    r'|<bpmn:endEvent id="remind_end">.*?</bpmn:endEvent>',
    "",
    APPROVAL,
    flags=re.S,
)
SHORTER = APPROVAL.replace("<bpmn:timeDuration>P5D</", "<bpmn:timeDuration>P2D</")
WITH_MESSAGE = APPROVAL.replace(
    '<bpmn:process id="approval"',
    '<bpmn:message id="withdrawn" name="withdrawn" /><bpmn:process id="approval"',
).replace(
    '<bpmn:sequenceFlow id="f3" sourceRef="approve"',
    '<bpmn:boundaryEvent id="approve_withdrawn" attachedToRef="approve">'
    "<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property "
    'name="messageSenderRoles" value="process_owner" /></spiffworkflow:properties>'
    "</bpmn:extensionElements>"
    '<bpmn:outgoing>f_w</bpmn:outgoing><bpmn:messageEventDefinition messageRef="withdrawn" />'
    '</bpmn:boundaryEvent><bpmn:sequenceFlow id="f_w" sourceRef="approve_withdrawn" '
    'targetRef="withdrawn_end" /><bpmn:endEvent id="withdrawn_end" />'
    '<bpmn:sequenceFlow id="f3" sourceRef="approve"',
)
LATER = NOW + timedelta(days=1)


def _deploy(wiring: Wiring, text: str) -> int:
    files = {"approval.bpmn": text.encode()}
    [created] = definitions.deploy(wiring.new_uow(), files, actor="eier", now=NOW).created
    return created.version


def _at_approve(wiring: Wiring) -> UUID:
    """Start the latest approval version and submit, so it waits at 'approve' since NOW."""
    applicant = user(wiring, "emp.asker")
    instance = instances.start_instance(
        wiring.new_uow(), "approval", {"municipality": "asker"}, actor=applicant, now=NOW
    )
    with wiring.new_uow() as uow:
        [task] = uow.tasks.open_for_instance(instance.id)
    data = {"reason": "Kurs", "start_date": "2026-12-01"}
    tasks.complete_task(wiring.new_uow(), task.id, data, actor=applicant, now=NOW)
    return instance.id


def _migrate(wiring: Wiring, instance_id: UUID, version: int) -> dict[str, Any]:
    [result] = migration.migrate(
        wiring.new_uow(), "approval", version, [instance_id], actor="eier", now=LATER
    )
    assert result["migrated"] is True, result
    return result


def _timers(wiring: Wiring, instance_id: UUID) -> list[tuple[str, str, Any]]:
    """Every BPMN timer row of the instance, whatever its state."""
    with wiring.new_uow() as uow:
        rows = uow.session.scalars(select(Timer).where(Timer.instance_id == instance_id)).all()
        return sorted(
            (t.element_id, t.state, t.due_at and t.due_at.astimezone(UTC))
            for t in rows
            if t.kind in BPMN_TIMER_KINDS
        )


def _migrated(wiring: Wiring, instance_id: UUID) -> list[dict[str, Any]]:
    with wiring.new_uow() as uow:
        events = uow.history.of_instance(instance_id)
    return [e.data or {} for e in events if e.type == "instance_migrated"]


def test_a_timer_boundary_new_in_the_version_is_armed_and_fires(deployed: Wiring) -> None:
    _deploy(deployed, NO_DEADLINE)
    instance_id = _at_approve(deployed)
    assert _timers(deployed, instance_id) == []
    version = _deploy(deployed, APPROVAL)
    [plan] = migration.dry_run(deployed.new_uow(), "approval", version)
    assert "'approve_deadline' is new around 'approve'; it is armed." in plan["notes"]
    _migrate(deployed, instance_id, version)
    due = LATER + timedelta(days=5)
    assert _timers(deployed, instance_id) == [("approve_deadline", "waiting", due)]
    [event] = _migrated(deployed, instance_id)
    assert event["armed"] == [
        {"element_id": "approve_deadline", "timer": "duration", "due_at": due.isoformat()}
    ]
    timers.fire_due_timers(deployed.new_uow, now=due, worker="test")
    with deployed.new_uow() as uow:
        instance = uow.instances.get(instance_id)
        open_tasks = [t.element_id for t in uow.tasks.open_for_instance(instance_id)]
        types = [e.type for e in uow.history.of_instance(instance_id)]
    assert instance.data["reminded"] is True and instance.state == "running"
    assert open_tasks == ["approve"]  # the boundary path ran; the task stays open
    assert "timer_fired" in types
    states = replay.states_of(deployed.new_uow(), instance_id)  # the audit replay agrees
    [moved] = [s for s in states if s["event"]["type"] == "instance_migrated"]
    assert moved["timers"] == [{"element_id": "approve_deadline", "due_at": due}]
    assert states[-1]["data"]["reminded"] is True


def test_a_changed_timer_is_rescheduled_from_when_the_wait_began(deployed: Wiring) -> None:
    instance_id = _at_approve(deployed)
    assert _timers(deployed, instance_id) == [
        ("approve_deadline", "waiting", NOW + timedelta(days=5))
    ]
    version = _deploy(deployed, SHORTER)
    [plan] = migration.dry_run(deployed.new_uow(), "approval", version)
    assert (
        "The time of 'approve_deadline' changed in the new version; it is rescheduled."
        in (plan["notes"])
    )
    _migrate(deployed, instance_id, version)
    assert _timers(deployed, instance_id) == [
        ("approve_deadline", "waiting", NOW + timedelta(days=2))
    ]
    [event] = _migrated(deployed, instance_id)
    [change] = event["rescheduled"]
    assert change["element_id"] == "approve_deadline"
    assert (change["was_due_at"], change["due_at"]) == (
        (NOW + timedelta(days=5)).isoformat(),
        (NOW + timedelta(days=2)).isoformat(),
    )
    _migrate(deployed, instance_id, 1)  # revert: the first version's due time comes back
    assert _timers(deployed, instance_id) == [
        ("approve_deadline", "waiting", NOW + timedelta(days=5))
    ]


def test_a_removed_boundary_is_disarmed_and_a_revert_arms_it_again(deployed: Wiring) -> None:
    instance_id = _at_approve(deployed)
    version = _deploy(deployed, NO_DEADLINE)
    [plan] = migration.dry_run(deployed.new_uow(), "approval", version)
    assert plan["can_migrate"] is True
    assert "The new version has no 'approve_deadline'; its wait is disarmed." in plan["notes"]
    _migrate(deployed, instance_id, version)
    assert _timers(deployed, instance_id) == [
        ("approve_deadline", "cancelled", NOW + timedelta(days=5))
    ]
    assert _migrated(deployed, instance_id)[0]["disarmed"] == [{"element_id": "approve_deadline"}]
    timers.fire_due_timers(deployed.new_uow, now=NOW + timedelta(days=9), worker="test")
    with deployed.new_uow() as uow:
        assert "reminded" not in uow.instances.get(instance_id).data
    _migrate(deployed, instance_id, 1)
    assert _timers(deployed, instance_id) == [
        ("approve_deadline", "cancelled", NOW + timedelta(days=5)),
        ("approve_deadline", "waiting", LATER + timedelta(days=5)),
    ]
    with deployed.new_uow() as uow:
        [task] = uow.tasks.open_for_instance(instance_id)
    leader = user(deployed, "leder.asker")
    tasks.complete_task(deployed.new_uow(), task.id, {"approved": True}, actor=leader, now=LATER)
    assert [state for _, state, _ in _timers(deployed, instance_id)][:2] == [
        "cancelled",
        "cancelled",
    ]


def test_a_message_boundary_new_in_the_version_subscribes(deployed: Wiring) -> None:
    instance_id = _at_approve(deployed)
    version = _deploy(deployed, WITH_MESSAGE)
    _migrate(deployed, instance_id, version)
    with deployed.new_uow() as uow:
        [subscription] = uow.waits.subscriptions("withdrawn")
    assert (subscription.instance_id, subscription.element_id) == (instance_id, "approve_withdrawn")
    assert {"element_id": "approve_withdrawn", "message": "withdrawn"} in _migrated(
        deployed, instance_id
    )[0]["armed"]
    messages.deliver_message(
        deployed.new_uow(), "withdrawn", {}, {}, actor=user(deployed, "eier"), now=LATER
    )
    with deployed.new_uow() as uow:
        assert uow.instances.get(instance_id).state == "completed"
        assert list(uow.tasks.open_for_instance(instance_id)) == []


def test_a_task_inside_a_sub_process_gets_an_interrupting_timer(deployed: Wiring) -> None:
    plain = _nested()
    definitions.deploy(deployed.new_uow(), plain, actor="eier", now=NOW)
    owner = user(deployed, "emp.asker")
    instance = instances.start_instance(deployed.new_uow(), "nested", {}, actor=owner, now=NOW)
    timed = plain["nested.bpmn"].replace(
        b'<bpmn:endEvent id="inner_end" />',
        b'<bpmn:endEvent id="inner_end" /><bpmn:boundaryEvent id="inner_deadline" '
        b'attachedToRef="inner"><bpmn:outgoing>g3</bpmn:outgoing><bpmn:timerEventDefinition>'
        b"<bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>"
        b'</bpmn:boundaryEvent><bpmn:sequenceFlow id="g3" sourceRef="inner_deadline" '
        b'targetRef="inner_late" /><bpmn:endEvent id="inner_late" />',
    )
    [created] = definitions.deploy(
        deployed.new_uow(), {"nested.bpmn": timed}, actor="eier", now=NOW
    ).created
    [result] = migration.migrate(
        deployed.new_uow(), "nested", created.version, [instance.id], actor="eier", now=LATER
    )
    assert result["migrated"] is True
    due = LATER + timedelta(hours=1)
    assert _timers(deployed, instance.id) == [("inner_deadline", "waiting", due)]
    timers.fire_due_timers(deployed.new_uow, now=due, worker="test")
    with deployed.new_uow() as uow:
        tasks = uow.tasks.open_for_instance(instance.id)
        path = [e.element_id for e in uow.history.of_instance(instance.id)]
    assert [t.element_id for t in tasks] == ["after"]  # the interrupting timer ended 'inner'
    assert "inner_late" in path
