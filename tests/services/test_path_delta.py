"""Data changes per path: a field set on one branch is not "removed" by the other branch's step."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from engine.services import definitions, instances, tasks, timers
from engine.services.audit import replay
from engine.services.wiring import Wiring
from tests.conftest import NOW, user

HERE = Path(__file__).parent / "fixtures_lifecycle"


def _complete(wiring: Wiring, instance_id: Any, element_id: str, data: dict[str, Any]) -> None:
    with wiring.new_uow() as uow:
        [task] = [t for t in uow.tasks.open_for_instance(instance_id) if t.element_id == element_id]
    tasks.complete_task(wiring.new_uow(), task.id, data, actor=user(wiring, "admin"), now=NOW)


def test_each_step_records_what_its_own_path_changed(demo: Wiring) -> None:
    files = {"two_paths.bpmn": (HERE / "two_paths.bpmn").read_bytes()}
    definitions.deploy(demo.new_uow(), files, actor="test", now=NOW)
    started = instances.start_instance(
        demo.new_uow(), "two_paths", {}, actor=user(demo, "admin"), now=NOW
    )
    _complete(demo, started.id, "hr_says", {"hr_note": "ok"})  # HR first: waits at the join
    _complete(demo, started.id, "leader_says", {"leader_ok": True})
    # The replay shows every live path's data: HR's note is there after the leader's step.
    states = replay.states_of(demo.new_uow(), started.id)
    assert states[-1]["data"]["hr_note"] == "ok" and states[-1]["data"]["leader_ok"] is True
    assert replay.matches_live(demo.new_uow(), started.id) == []
    _complete(demo, started.id, "leader_signs", {"signed": True})  # the join brings both together
    with demo.new_uow() as uow:
        done = [e for e in uow.history.of_instance(started.id) if e.type == "task_completed"]
        instance = uow.instances.get(started.id)
    deltas = {e.element_id: e.delta for e in done}
    assert deltas == {
        "hr_says": {"hr_note": {"before": None, "after": "ok"}},
        "leader_says": {"leader_ok": {"before": None, "after": True}},
        "leader_signs": {"signed": {"before": None, "after": True}},
    }
    assert instance.state == "completed"
    assert {"hr_note", "leader_ok", "signed"} <= set(instance.process_data)
    last = replay.states_of(demo.new_uow(), started.id)[-1]
    assert last["data"]["hr_note"] == "ok" and last["data"]["leader_ok"] is True
    assert replay.matches_live(demo.new_uow(), started.id) == []


def test_a_timer_on_one_path_does_not_remove_what_the_other_path_set(demo: Wiring) -> None:
    files = {"timer_path.bpmn": (HERE / "timer_path.bpmn").read_bytes()}
    definitions.deploy(demo.new_uow(), files, actor="test", now=NOW)
    started = instances.start_instance(
        demo.new_uow(), "timer_path", {}, actor=user(demo, "admin"), now=NOW
    )
    _complete(demo, started.id, "hr_says", {"hr_note": "ok"})
    assert timers.fire_due_timers(demo.new_uow, now=NOW + timedelta(hours=2), worker="w") == 1
    with demo.new_uow() as uow:
        [fired] = [e for e in uow.history.of_instance(started.id) if e.type == "timer_fired"]
    assert fired.delta == {"reminded": {"before": None, "after": True}}
