"""Migration at the edges: cycle timers, timers on call activities, multi-instance user tasks
(SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from engine.services import definitions, instances, migration, tasks, timers
from engine.services.audit import replay
from engine.services.wiring import Wiring
from tests.conftest import NOW, user
from tests.services.test_migration_waits import (
    APPROVAL,
    NO_DEADLINE,
    _at_approve,
    _deploy,
    _migrated,
    _timers,
)

DAY = timedelta(days=1)
TICK = timedelta(seconds=1)
NON_INTERRUPTING = "<bpmn:timeDuration>P5D</bpmn:timeDuration>"


def _cycle(text: str) -> str:
    return APPROVAL.replace(NON_INTERRUPTING, f"<bpmn:timeCycle>{text}</bpmn:timeCycle>")


def _fired(wiring: Wiring, instance_id: UUID) -> list[str]:
    with wiring.new_uow() as uow:
        events = uow.history.of_instance(instance_id)
    return [str(e.element_id) for e in events if e.type == "timer_fired"]


def _fire(wiring: Wiring, at: Any) -> None:
    timers.fire_due_timers(wiring.new_uow, now=at, worker="test")


def _move(wiring: Wiring, instance_id: UUID, version: int, at: Any) -> dict[str, Any]:
    [result] = migration.migrate(
        wiring.new_uow(), "approval", version, [instance_id], actor="eier", now=at
    )
    assert result["migrated"] is True, result
    return result


def _agrees(wiring: Wiring, instance_id: UUID) -> None:
    assert replay.matches_live(wiring.new_uow(), instance_id) == []


# 1. cycle timers


def test_a_changed_cycle_keeps_its_remaining_repetitions_and_counts_from_the_last(
    deployed: Wiring,
) -> None:
    _deploy(deployed, _cycle("R3/P1D"))
    instance_id = _at_approve(deployed)
    assert _timers(deployed, instance_id) == [("approve_deadline", "waiting", NOW + DAY)]
    _fire(deployed, NOW + DAY + TICK)  # the first of three repetitions
    assert _fired(deployed, instance_id) == ["approve_deadline"]
    version = _deploy(deployed, _cycle("R3/P2D"))
    [plan] = migration.dry_run(deployed.new_uow(), "approval", version, [instance_id])
    assert (
        "The time of 'approve_deadline' changed in the new version; it is rescheduled."
        in plan["notes"]
    )
    _move(deployed, instance_id, version, NOW + DAY + DAY / 2)
    # the next repetition is two days after the last one, not two days after the move
    assert _timers(deployed, instance_id)[-1] == ("approve_deadline", "waiting", NOW + 3 * DAY)
    [event] = _migrated(deployed, instance_id)
    [change] = event["rescheduled"]
    assert change == {
        "element_id": "approve_deadline",
        "timer": "cycle",
        "due_at": (NOW + 3 * DAY).isoformat(),
        "was_due_at": (NOW + 2 * DAY).isoformat(),
    }
    _fire(deployed, NOW + 3 * DAY + TICK)
    assert _timers(deployed, instance_id)[-1] == ("approve_deadline", "waiting", NOW + 5 * DAY)
    assert _fired(deployed, instance_id) == ["approve_deadline"] * 2
    _fire(deployed, NOW + 5 * DAY + TICK)  # the third and last repetition
    _fire(deployed, NOW + 30 * DAY)
    assert _fired(deployed, instance_id) == ["approve_deadline"] * 3
    assert [s for _, s, _ in _timers(deployed, instance_id) if s == "waiting"] == []
    with deployed.new_uow() as uow:
        assert [t.element_id for t in uow.tasks.open_for_instance(instance_id)] == ["approve"]
    _agrees(deployed, instance_id)


def test_an_overdue_repetition_of_a_changed_cycle_fires_once_not_in_a_burst(
    deployed: Wiring,
) -> None:
    _deploy(deployed, _cycle("R/P1D"))
    instance_id = _at_approve(deployed)
    version = _deploy(deployed, _cycle("R/PT6H"))
    moved_at = NOW + DAY / 2  # four repetitions of six hours would have passed since the wait
    _move(deployed, instance_id, version, moved_at)
    assert _timers(deployed, instance_id)[-1] == ("approve_deadline", "waiting", moved_at)
    _fire(deployed, moved_at + TICK)
    assert _fired(deployed, instance_id) == ["approve_deadline"]
    due = moved_at + timedelta(hours=6)
    assert _timers(deployed, instance_id)[-1] == ("approve_deadline", "waiting", due)
    _fire(deployed, due + TICK)
    assert _fired(deployed, instance_id) == ["approve_deadline"] * 2
    _agrees(deployed, instance_id)


def test_a_cycle_added_by_a_version_starts_at_the_move_and_a_removed_one_stops(
    deployed: Wiring,
) -> None:
    _deploy(deployed, NO_DEADLINE)
    instance_id = _at_approve(deployed)
    version = _deploy(deployed, _cycle("R2/P1D"))
    moved_at = NOW + DAY
    _move(deployed, instance_id, version, moved_at)
    assert _timers(deployed, instance_id) == [("approve_deadline", "waiting", moved_at + DAY)]
    [event] = _migrated(deployed, instance_id)
    assert event["armed"] == [
        {"element_id": "approve_deadline", "timer": "cycle", "due_at": (moved_at + DAY).isoformat()}
    ]
    _fire(deployed, moved_at + DAY + TICK)
    assert _timers(deployed, instance_id)[-1] == ("approve_deadline", "waiting", moved_at + 2 * DAY)
    _move(deployed, instance_id, version - 1, moved_at + DAY + DAY / 2)
    assert [s for _, s, _ in _timers(deployed, instance_id)] == ["cancelled", "fired"]
    assert _migrated(deployed, instance_id)[1]["disarmed"] == [{"element_id": "approve_deadline"}]
    _fire(deployed, moved_at + 10 * DAY)
    assert _fired(deployed, instance_id) == ["approve_deadline"]
    _agrees(deployed, instance_id)


# 2. a timer boundary on a call activity

CALLER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    targetNamespace="http://saksflyt.no/test">
  <bpmn:process id="caller" name="Kaller" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="startRoles" value="participant" />
    </spiffworkflow:properties></bpmn:extensionElements></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
    <bpmn:callActivity id="call" name="Kall" calledElement="called" />
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end" />
    <bpmn:endEvent id="end" />{boundary}
  </bpmn:process>
  <bpmn:process id="called" name="Kalt" isExecutable="true">
    <bpmn:startEvent id="called_start" />
    <bpmn:sequenceFlow id="g1" sourceRef="called_start" targetRef="review" />
    <bpmn:userTask id="review" name="Vurder" />
    <bpmn:sequenceFlow id="g2" sourceRef="review" targetRef="called_end" />
    <bpmn:endEvent id="called_end" />
  </bpmn:process>
</bpmn:definitions>
"""
CALL_TIMER = """
    <bpmn:boundaryEvent id="call_deadline" attachedToRef="call" cancelActivity="{cancel}">
      <bpmn:timerEventDefinition><bpmn:timeDuration>{time}</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f_late" sourceRef="call_deadline" targetRef="late" />
    <bpmn:scriptTask id="late" name="Sent"><bpmn:script>late = True</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f_late_end" sourceRef="late" targetRef="late_end" />
    <bpmn:endEvent id="late_end" />"""


def _deploy_caller(wiring: Wiring, time: str | None = None, cancel: str = "false") -> int:
    boundary = CALL_TIMER.format(time=time, cancel=cancel) if time else ""
    files = {"caller.bpmn": CALLER.format(boundary=boundary).encode()}
    created = definitions.deploy(wiring.new_uow(), files, actor="eier", now=NOW).created
    return next(d.version for d in created if d.key == "caller")


def _start_caller(wiring: Wiring) -> tuple[UUID, UUID]:
    """Start the caller; it waits at 'review' inside the called process since NOW."""
    owner = user(wiring, "emp.asker")
    instance = instances.start_instance(wiring.new_uow(), "caller", {}, actor=owner, now=NOW)
    with wiring.new_uow() as uow:
        [task] = uow.tasks.open_for_instance(instance.id)
    assert task.element_id == "review"
    return instance.id, task.id


def _move_caller(wiring: Wiring, instance_id: UUID, version: int, at: Any) -> dict[str, Any]:
    [result] = migration.migrate(
        wiring.new_uow(), "caller", version, [instance_id], actor="eier", now=at
    )
    assert result["migrated"] is True, result
    return result


def _open(wiring: Wiring, instance_id: UUID) -> list[tuple[str, UUID]]:
    with wiring.new_uow() as uow:
        return [(t.element_id, t.id) for t in uow.tasks.open_for_instance(instance_id)]


def test_a_timer_on_a_call_activity_is_armed_rescheduled_and_disarmed(deployed: Wiring) -> None:
    plain = _deploy_caller(deployed)
    instance_id, task_id = _start_caller(deployed)
    timed = _deploy_caller(deployed, "P2D")
    [plan] = migration.dry_run(deployed.new_uow(), "caller", timed, [instance_id])
    assert plan["can_migrate"] is True and plan["waiting"] == ["call", "review"]
    assert "'call_deadline' is new around 'call'; it is armed." in plan["notes"]
    _move_caller(deployed, instance_id, timed, NOW + DAY)
    assert _timers(deployed, instance_id) == [("call_deadline", "waiting", NOW + 3 * DAY)]
    assert _migrated(deployed, instance_id)[0]["armed"] == [
        {"element_id": "call_deadline", "timer": "duration", "due_at": (NOW + 3 * DAY).isoformat()}
    ]
    assert _open(deployed, instance_id) == [("review", task_id)]
    shorter = _deploy_caller(deployed, "P1D")
    _move_caller(deployed, instance_id, shorter, NOW + DAY + DAY / 2)
    # a duration counts from when its wait began: the move that armed it
    assert _timers(deployed, instance_id) == [("call_deadline", "waiting", NOW + 2 * DAY)]
    assert _migrated(deployed, instance_id)[1]["rescheduled"] == [
        {
            "element_id": "call_deadline",
            "timer": "duration",
            "due_at": (NOW + 2 * DAY).isoformat(),
            "was_due_at": (NOW + 3 * DAY).isoformat(),
        }
    ]
    assert _open(deployed, instance_id) == [("review", task_id)]
    _move_caller(deployed, instance_id, plain, NOW + DAY + DAY / 2)
    assert _timers(deployed, instance_id) == [("call_deadline", "cancelled", NOW + 2 * DAY)]
    assert _migrated(deployed, instance_id)[2]["disarmed"] == [{"element_id": "call_deadline"}]
    _fire(deployed, NOW + 5 * DAY)
    assert _fired(deployed, instance_id) == []
    assert _open(deployed, instance_id) == [("review", task_id)]
    owner = user(deployed, "emp.asker")
    tasks.complete_task(deployed.new_uow(), task_id, {}, actor=owner, now=NOW + 5 * DAY)
    with deployed.new_uow() as uow:
        assert uow.instances.get(instance_id).state == "completed"
    _agrees(deployed, instance_id)


def test_an_interrupting_timer_armed_on_a_call_activity_ends_the_called_process(
    deployed: Wiring,
) -> None:
    _deploy_caller(deployed)
    instance_id, task_id = _start_caller(deployed)
    timed = _deploy_caller(deployed, "PT1H", cancel="true")
    _move_caller(deployed, instance_id, timed, NOW + DAY)
    assert _open(deployed, instance_id) == [("review", task_id)]
    _fire(deployed, NOW + DAY + timedelta(hours=1) + TICK)
    assert _fired(deployed, instance_id) == ["call_deadline"]
    assert _open(deployed, instance_id) == []
    with deployed.new_uow() as uow:
        instance = uow.instances.get(instance_id)
    assert (instance.state, instance.data.get("late")) == ("completed", True)
    _agrees(deployed, instance_id)


# 3. multi-instance user tasks

REVIEWS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    targetNamespace="http://saksflyt.no/test">
  <bpmn:process id="reviews" name="Vurderinger" isExecutable="true">
    <bpmn:startEvent id="start">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="startRoles" value="participant" />
        <spiffworkflow:property name="startFormJsonSchemaFilename" value="reviews.start.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="{name}">
      <bpmn:multiInstanceLoopCharacteristics isSequential="{sequential}">
        <bpmn:loopDataInputRef>reviewers</bpmn:loopDataInputRef>
        <bpmn:loopDataOutputRef>verdicts</bpmn:loopDataOutputRef>
        <bpmn:inputDataItem id="reviewer" name="reviewer" />
        <bpmn:outputDataItem id="verdict" name="verdict" />
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="after" />
    <bpmn:userTask id="after" name="Etter" />
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />
    <bpmn:endEvent id="end" />{boundary}
  </bpmn:process>
</bpmn:definitions>
"""
REVIEWS_START_FORM = b"""{"type": "object", "additionalProperties": false,
  "properties": {"reviewers": {"type": "array", "items": {"type": "string"}}}}"""
REVIEW_TIMER = """
    <bpmn:boundaryEvent id="review_deadline" attachedToRef="review" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>P2D</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f_late" sourceRef="review_deadline" targetRef="late" />
    <bpmn:scriptTask id="late" name="Sent"><bpmn:script>late = True</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f_late_end" sourceRef="late" targetRef="late_end" />
    <bpmn:endEvent id="late_end" />"""


def _deploy_reviews(
    wiring: Wiring, sequential: bool, *, timer: bool = False, name: str = "Vurder"
) -> int:
    text = REVIEWS.format(
        name=name,
        sequential=str(sequential).lower(),
        boundary=REVIEW_TIMER if timer else "",
    )
    files = {"reviews.bpmn": text.encode(), "reviews.start.json": REVIEWS_START_FORM}
    [created] = definitions.deploy(wiring.new_uow(), files, actor="eier", now=NOW).created
    return created.version


def _reviews_half_done(wiring: Wiring) -> UUID:
    """Start three reviews and complete the first one."""
    owner = user(wiring, "emp.asker")
    data = {"reviewers": ["a", "b", "c"]}
    instance = instances.start_instance(wiring.new_uow(), "reviews", data, actor=owner, now=NOW)
    [first, *_] = _open(wiring, instance.id)
    tasks.complete_task(wiring.new_uow(), first[1], {"verdict": "ja"}, actor=owner, now=NOW)
    return instance.id


def _finish_reviews(wiring: Wiring, instance_id: UUID) -> dict[str, Any]:
    owner = user(wiring, "emp.asker")
    while (found := _open(wiring, instance_id)) and found[0][0] == "review":
        tasks.complete_task(
            wiring.new_uow(), found[0][1], {"verdict": "nei"}, actor=owner, now=NOW + DAY
        )
    assert [e for e, _ in _open(wiring, instance_id)] == ["after"]
    with wiring.new_uow() as uow:
        return dict(uow.instances.get(instance_id).data)


@pytest.mark.parametrize("sequential", [False, True], ids=["parallel", "sequential"])
def test_a_multi_instance_task_keeps_its_instances_and_gets_a_new_timer(
    deployed: Wiring, sequential: bool
) -> None:
    _deploy_reviews(deployed, sequential)
    instance_id = _reviews_half_done(deployed)
    before = _open(deployed, instance_id)
    assert len(before) == (1 if sequential else 2)
    version = _deploy_reviews(deployed, sequential, timer=True)
    [plan] = migration.dry_run(deployed.new_uow(), "reviews", version, [instance_id])
    assert plan["can_migrate"] is True and plan["waiting"] == ["review"]
    assert plan["notes"] == [
        "'review' changed in the new version; the waiting task keeps its state.",
        "'review_deadline' is new around 'review'; it is armed.",
    ]
    [result] = migration.migrate(
        deployed.new_uow(), "reviews", version, [instance_id], actor="eier", now=NOW + DAY
    )
    assert result["migrated"] is True
    assert _open(deployed, instance_id) == before
    assert _timers(deployed, instance_id) == [("review_deadline", "waiting", NOW + 3 * DAY)]
    assert _migrated(deployed, instance_id) == [
        {
            "from_version": 1,
            "to_version": 2,
            "armed": [
                {
                    "element_id": "review_deadline",
                    "timer": "duration",
                    "due_at": (NOW + 3 * DAY).isoformat(),
                }
            ],
        }
    ]
    _fire(deployed, NOW + 3 * DAY + TICK)
    assert _open(deployed, instance_id) == before  # non-interrupting: the reviews stay
    with deployed.new_uow() as uow:
        path = [e.element_id for e in uow.history.of_instance(instance_id)]
    assert "late" in path
    assert _finish_reviews(deployed, instance_id)["verdicts"] == ["ja", "nei", "nei"]
    _agrees(deployed, instance_id)


@pytest.mark.parametrize("sequential", [False, True], ids=["parallel", "sequential"])
def test_a_renamed_multi_instance_task_keeps_its_instances(
    deployed: Wiring, sequential: bool
) -> None:
    _deploy_reviews(deployed, sequential)
    instance_id = _reviews_half_done(deployed)
    before = _open(deployed, instance_id)
    version = _deploy_reviews(deployed, sequential, name="Vurder søknaden")
    [plan] = migration.dry_run(deployed.new_uow(), "reviews", version, [instance_id])
    assert plan["notes"] == [
        "'review' changed in the new version; the waiting task keeps its state."
    ]
    [result] = migration.migrate(
        deployed.new_uow(), "reviews", version, [instance_id], actor="eier", now=NOW + DAY
    )
    assert result["migrated"] is True
    assert _migrated(deployed, instance_id) == [{"from_version": 1, "to_version": 2}]
    assert _open(deployed, instance_id) == before
    assert _finish_reviews(deployed, instance_id)["verdicts"] == ["ja", "nei", "nei"]
    _agrees(deployed, instance_id)


def test_a_multi_instance_task_that_changes_between_parallel_and_sequential_stays(
    deployed: Wiring,
) -> None:
    _deploy_reviews(deployed, sequential=False)
    instance_id = _reviews_half_done(deployed)
    before = _open(deployed, instance_id)
    version = _deploy_reviews(deployed, sequential=True)
    [result] = migration.migrate(
        deployed.new_uow(), "reviews", version, [instance_id], actor="eier", now=NOW + DAY
    )
    assert result["migrated"] is False
    assert (
        "It waits at 'review', which is of another kind in the new version." in (result["reasons"])
    )
    with deployed.new_uow() as uow:
        assert uow.instances.get(instance_id).version == 1
    assert _open(deployed, instance_id) == before
    assert _finish_reviews(deployed, instance_id)["verdicts"] == ["ja", "nei", "nei"]
