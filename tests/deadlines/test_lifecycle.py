"""Suspend, resume and cancel a case: timers wait, tasks refuse, the history chain records why."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import pytest

from engine.services import cases, instances, tasks, timers
from engine.services.audit import chain, replay
from engine.services.errors import Forbidden
from engine.services.wiring import Wiring
from engine.store.errors import Conflict
from tests.conftest import NOW, user
from tests.deadlines.conftest import HOUR, all_timers, events, fire, start_notice


def _suspend(wiring: Wiring, instance_id: UUID, who: str = "admin", at: datetime = NOW) -> None:
    cases.suspend_case(
        wiring.new_uow(), instance_id, "Venter på avklaring", actor=user(wiring, who), now=at
    )


def _resume(wiring: Wiring, instance_id: UUID, at: datetime = NOW) -> None:
    cases.resume_case(wiring.new_uow(), instance_id, "Avklart", actor=user(wiring, "eier"), now=at)


def test_a_suspended_case_s_timer_waits_and_fires_once_it_is_resumed(processes: Wiring) -> None:
    instance_id = start_notice(processes)
    _suspend(processes, instance_id)
    assert fire(processes, NOW + 2 * HOUR) == 0
    [row] = all_timers(processes)
    assert (row.state, row.fired_at) == ("waiting", None)
    assert timers.next_due(processes.new_uow) is None  # the poller does not spin on it
    _resume(processes, instance_id, at=NOW + 3 * HOUR)
    assert fire(processes, NOW + 3 * HOUR) == 1  # what fell due while on hold
    types = [e.type for e in events(processes, instance_id)]
    assert types[-1] == "instance_completed"
    assert types.index("instance_suspended") < types.index("instance_resumed")
    assert types.index("instance_resumed") < types.index("timer_fired")
    [held] = [e for e in events(processes, instance_id) if e.type == "instance_suspended"]
    assert (held.actor, held.data) == ("admin", {"reason": "Venter på avklaring"})
    assert chain.verify(processes.new_uow(), instance_id).ok
    assert replay.matches_live(processes.new_uow(), instance_id) == []


def test_a_timer_claimed_before_the_suspension_goes_back_to_waiting(processes: Wiring) -> None:
    instance_id = start_notice(processes)
    [claimed] = timers.claim(processes.new_uow(), now=NOW + 2 * HOUR, worker="w1", limit=10)
    _suspend(processes, instance_id)
    fired = timers.fire_batch(processes.new_uow, now=NOW + 2 * HOUR, worker="w1", limit=10)
    assert fired == (0, 0)  # nothing more to claim while on hold
    assert timers._fire_together(processes.new_uow(), [claimed], NOW + 2 * HOUR, "w1") == 0
    [row] = all_timers(processes)
    assert (row.state, row.claimed_by) == ("waiting", None)


def test_a_suspended_case_s_task_cannot_be_completed_until_it_is_resumed(
    deployed: Wiring,
) -> None:
    started = instances.start_instance(
        deployed.new_uow(),
        "approval",
        {"municipality": "asker"},
        actor=user(deployed, "emp.asker"),
        now=NOW,
    )
    with deployed.new_uow() as uow:
        [task] = uow.tasks.open_for_instance(started.id)
    _suspend(deployed, started.id, who="eier")
    answer = {"reason": "Kurs", "start_date": "2026-12-01"}
    with pytest.raises(Conflict) as caught:
        tasks.complete_task(
            deployed.new_uow(), task.id, answer, actor=user(deployed, "emp.asker"), now=NOW
        )
    assert caught.value.code == "instance_suspended"
    with pytest.raises(Forbidden):  # neither its starter nor a leader puts it on hold or back
        _resume_as(deployed, started.id, "emp.asker")
    _resume(deployed, started.id)
    tasks.complete_task(
        deployed.new_uow(), task.id, answer, actor=user(deployed, "emp.asker"), now=NOW
    )
    with deployed.new_uow() as uow:
        [approve] = uow.tasks.open_for_instance(started.id)
    assert approve.element_id == "approve"


def _resume_as(wiring: Wiring, instance_id: UUID, who: str) -> None:
    cases.resume_case(wiring.new_uow(), instance_id, "x", actor=user(wiring, who), now=NOW)


def test_only_process_owners_and_admins_suspend_and_a_suspended_case_can_be_cancelled(
    processes: Wiring,
) -> None:
    instance_id = start_notice(processes)
    with pytest.raises(Forbidden):
        _suspend(processes, instance_id, who="emp.asker")  # its own starter
    _suspend(processes, instance_id, who="eier")
    with pytest.raises(Forbidden):
        _suspend(processes, instance_id)  # already on hold
    cases.cancel_case(
        processes.new_uow(),
        instance_id,
        "Feilregistrert",
        actor=user(processes, "emp.asker"),
        now=NOW + HOUR,
    )
    [row] = all_timers(processes)
    assert row.state == "cancelled"
    assert fire(processes, NOW + 2 * HOUR) == 0
    types = [e.type for e in events(processes, instance_id)]
    assert types[-2:] == ["case_cancel_requested", "instance_cancelled"]
    assert chain.verify(processes.new_uow(), instance_id).ok
    with pytest.raises(Forbidden):
        _resume(processes, instance_id)
