"""Use cases against SQLite and PostgreSQL: start, complete, claim, conflicts, history."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from engine.runtime.errors import StepBudgetExceeded
from engine.services import inbox, instances, messages, tasks, timers
from engine.services.errors import Forbidden, FormInvalid
from engine.services.step import history
from engine.services.wiring import Wiring
from engine.store.errors import Conflict
from tests.conftest import NOW, user


def _start(wiring: Wiring, starter: str = "emp.asker") -> UUID:
    instance = instances.start_instance(
        wiring.new_uow(),
        "approval",
        {"municipality": "asker"},
        actor=user(wiring, starter),
        now=NOW,
        business_key="SAK-1",
    )
    return instance.id


def _open(wiring: Wiring, instance_id: UUID) -> list:
    with wiring.new_uow() as uow:
        return list(uow.tasks.open_for_instance(instance_id))


def test_start_offers_first_task_to_the_starter_only(deployed: Wiring) -> None:
    instance_id = _start(deployed)
    [task] = _open(deployed, instance_id)
    assert (task.element_id, task.candidate_users, task.business_key) == (
        "submit",
        ["emp.asker"],
        "SAK-1",
    )
    mine = inbox.list_tasks(
        deployed.new_uow(), user(deployed, "emp.asker"), "group", now=NOW, limit=10, offset=0
    )
    other = inbox.list_tasks(
        deployed.new_uow(), user(deployed, "emp2.asker"), "group", now=NOW, limit=10, offset=0
    )
    assert [t["id"] for t in mine["items"]] == [task.id]
    assert other["total"] == 0


def test_complete_validates_form_with_norwegian_messages(deployed: Wiring) -> None:
    [task] = _open(deployed, _start(deployed))
    with pytest.raises(FormInvalid) as caught:
        tasks.complete_task(
            deployed.new_uow(),
            task.id,
            {"reason": "x", "start_date": "31.12.2026"},
            actor=user(deployed, "emp.asker"),
            now=NOW,
        )
    assert caught.value.errors == {
        "reason": ["Må ha minst 3 tegn."],
        "start_date": ["Verdien er ikke en gyldig dato."],
    }
    assert _open(deployed, task.instance_id)[0].id == task.id  # nothing half stored


def test_leader_task_goes_to_role_in_municipality_and_double_completion_conflicts(
    deployed: Wiring,
) -> None:
    [task] = _open(deployed, _start(deployed))
    tasks.complete_task(
        deployed.new_uow(),
        task.id,
        {"reason": "Kurs", "start_date": "2026-12-01"},
        actor=user(deployed, "emp.asker"),
        now=NOW,
    )
    with pytest.raises(Conflict) as caught:
        tasks.complete_task(
            deployed.new_uow(),
            task.id,
            {"reason": "Kurs", "start_date": "2026-12-01"},
            actor=user(deployed, "emp.asker"),
            now=NOW,
        )
    assert caught.value.code == "task_already_completed"
    [approve] = _open(deployed, task.instance_id)
    assert (approve.candidate_roles, approve.municipality_id) == (["leader"], "asker")
    assert approve.due_at is not None and approve.due_at.date().isoformat() == "2026-11-26"
    with pytest.raises(Forbidden):
        tasks.claim_task(
            deployed.new_uow(), approve.id, actor=user(deployed, "leder.drammen"), now=NOW
        )
    tasks.claim_task(deployed.new_uow(), approve.id, actor=user(deployed, "leder.asker"), now=NOW)
    with pytest.raises(Conflict):
        tasks.claim_task(deployed.new_uow(), approve.id, actor=user(deployed, "tl.lier"), now=NOW)


def test_timers_fire_once_and_complete_the_instance(deployed: Wiring) -> None:
    instance_id = _start(deployed)
    [task] = _open(deployed, instance_id)
    leader = user(deployed, "leder.asker")
    tasks.complete_task(
        deployed.new_uow(),
        task.id,
        {"reason": "Kurs", "start_date": "2026-12-01"},
        actor=user(deployed, "emp.asker"),
        now=NOW,
    )
    [approve] = _open(deployed, instance_id)
    tasks.complete_task(deployed.new_uow(), approve.id, {"approved": True}, actor=leader, now=NOW)
    with deployed.new_uow() as uow:
        [timer] = uow.waits.timers_of(instance_id)
        assert (timer.element_id, timer.due_at) == ("cooling", NOW + timedelta(hours=1))
    assert (
        timers.fire_due_timers(deployed.new_uow, now=NOW + timedelta(minutes=59), worker="w") == 0
    )
    assert (
        timers.fire_due_timers(
            deployed.new_uow, now=NOW + timedelta(hours=1, seconds=1), worker="w"
        )
        == 1
    )
    assert timers.fire_due_timers(deployed.new_uow, now=NOW + timedelta(hours=2), worker="w") == 0
    with deployed.new_uow() as uow:
        instance = uow.instances.get(instance_id)
        events = list(uow.history.of_instance(instance_id))
    assert instance.state == "completed" and instance.ended_at is not None
    types = [e.type for e in events]
    assert types.count("timer_fired") == 1 and types[-1] == "instance_completed"
    assert "task_cancelled" not in types  # completed tasks are not also reported cancelled
    assert history.verify(events) is None
    completed = [e for e in events if e.type == "task_completed"]
    assert completed[1].actor == "leder.asker"
    assert completed[1].delta["approved"] == {"before": None, "after": True}


def test_boundary_timer_cancelled_when_task_completes(deployed: Wiring) -> None:
    instance_id = _start(deployed)
    [task] = _open(deployed, instance_id)
    tasks.complete_task(
        deployed.new_uow(),
        task.id,
        {"reason": "Kurs", "start_date": "2026-12-01"},
        actor=user(deployed, "emp.asker"),
        now=NOW,
    )
    with deployed.new_uow() as uow:
        assert [t.element_id for t in uow.waits.timers_of(instance_id)] == ["approve_deadline"]
    [approve] = _open(deployed, instance_id)
    tasks.complete_task(
        deployed.new_uow(),
        approve.id,
        {"approved": False},
        actor=user(deployed, "leder.asker"),
        now=NOW,
    )
    with deployed.new_uow() as uow:
        assert list(uow.waits.timers_of(instance_id)) == []
        assert uow.instances.get(instance_id).state == "completed"


def test_a_business_key_is_never_given_out_twice_in_one_process(deployed: Wiring) -> None:
    starter = user(deployed, "emp.asker")

    def start(key: str, data: dict[str, str]) -> UUID:
        return instances.start_instance(
            deployed.new_uow(), key, data, actor=starter, now=NOW, business_key="SAK-9"
        ).id

    first = start("waiter", {"case_id": "K"})
    with pytest.raises(FormInvalid) as caught:
        start("waiter", {"case_id": "L"})
    assert caught.value.errors == {"business_key": ["Saksnummeret er allerede i bruk."]}
    start("approval", {"municipality": "asker"})  # another process's cases are apart
    messages.deliver_message(
        deployed.new_uow(), "ping", {"case_id": "K"}, {}, actor=starter, now=NOW
    )  # the first one ends; a finished case keeps its number
    with deployed.new_uow() as uow:
        assert uow.instances.get(first).state == "completed"
    with pytest.raises(FormInvalid) as again:
        start("waiter", {"case_id": "L"})
    assert again.value.errors == {"business_key": ["Saksnummeret er allerede i bruk."]}


def test_self_calling_process_fails_clearly_and_stores_nothing(deployed: Wiring) -> None:
    with pytest.raises(StepBudgetExceeded):
        instances.start_instance(
            deployed.new_uow(),
            "recursive",
            {},
            actor=user(deployed, "admin"),
            now=NOW,
            step_budget=500,
        )
    with deployed.new_uow() as uow:
        assert uow.instances.list()[1] == 0


def test_tampered_history_is_detected(deployed: Wiring) -> None:
    instance_id = _start(deployed)
    with deployed.new_uow() as uow:
        events = list(uow.history.of_instance(instance_id))
        assert history.verify(events) is None
        events[0].actor = "mallory"
        assert history.verify(events) == 1


def test_timer_due_exactly_now_fires_once(deployed: Wiring) -> None:
    instance_id = _start(deployed)
    [task] = _open(deployed, instance_id)
    submit = {"reason": "Kurs", "start_date": "2026-12-01"}
    tasks.complete_task(
        deployed.new_uow(), task.id, submit, actor=user(deployed, "emp.asker"), now=NOW
    )
    [approve] = _open(deployed, instance_id)
    tasks.complete_task(
        deployed.new_uow(),
        approve.id,
        {"approved": True},
        actor=user(deployed, "leder.asker"),
        now=NOW,
    )
    due = NOW + timedelta(hours=1)
    assert timers.fire_due_timers(deployed.new_uow, now=due, worker="w") == 1
    assert timers.fire_due_timers(deployed.new_uow, now=due, worker="w") == 0
    with deployed.new_uow() as uow:
        assert uow.instances.get(instance_id).state == "completed"
