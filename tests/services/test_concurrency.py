"""Two people completing the same task at once: exactly one succeeds, the other gets 409."""

from __future__ import annotations

import threading

from engine.services import instances
from engine.services.wiring import Wiring
from engine.store.errors import Conflict
from tests.conftest import NOW, user


def test_simultaneous_completions_give_exactly_one_success(deployed: Wiring) -> None:
    instance = instances.start_instance(
        deployed.new_uow(),
        "approval",
        {"municipality": "asker"},
        actor=user(deployed, "emp.asker"),
        now=NOW,
    )
    with deployed.new_uow() as uow:
        [task] = uow.tasks.open_for_instance(instance.id)
    actor = user(deployed, "emp.asker")
    results: list[str] = []
    barrier = threading.Barrier(4)

    def attempt() -> None:
        barrier.wait()
        try:
            instances.complete_task(
                deployed.new_uow(),
                task.id,
                {"reason": "Kurs", "start_date": "2026-12-01"},
                actor=actor,
                now=NOW,
            )
            results.append("ok")
        except Conflict:
            results.append("conflict")

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["conflict", "conflict", "conflict", "ok"]
    with deployed.new_uow() as uow:
        events = [e.type for e in uow.history.of_instance(instance.id)]
    assert events.count("task_completed") == 1


def test_a_completion_that_waited_for_the_lock_sees_the_task_as_left(deployed: Wiring) -> None:
    """One statement reads the task and locks it with its instance. A request that waited
    for that lock must see the task as the holder committed it (PostgreSQL re-reads locked
    rows only), so it answers 409 instead of completing the task a second time."""
    instance = instances.start_instance(
        deployed.new_uow(),
        "approval",
        {"municipality": "asker"},
        actor=user(deployed, "emp.asker"),
        now=NOW,
    )
    with deployed.new_uow() as uow:
        [task] = uow.tasks.open_for_instance(instance.id)
    outcome: list[str] = []

    def second() -> None:
        try:
            instances.complete_task(
                deployed.new_uow(),
                task.id,
                {"reason": "Kurs", "start_date": "2026-12-01"},
                actor=user(deployed, "emp.asker"),
                now=NOW,
            )
            outcome.append("ok")
        except Conflict:
            outcome.append("conflict")

    waiter = threading.Thread(target=second)
    with deployed.new_uow() as uow:
        held = uow.instances.lock_with_task(task.id).task
        waiter.start()
        waiter.join(0.5)
        assert waiter.is_alive(), "the second completion did not wait for the lock"
        held.state, held.completed_by = "completed", "emp.asker"
        uow.commit()
    waiter.join(30)
    assert outcome == ["conflict"]
