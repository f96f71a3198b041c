"""Two people completing the same task at once: exactly one succeeds, the other gets 409."""

from __future__ import annotations

import threading
from uuid import UUID

from engine.services import instances, tasks
from engine.services.wiring import Wiring
from engine.store.errors import Conflict
from tests.conftest import NOW, user


def open_application(wiring: Wiring) -> tuple[UUID, UUID]:
    """Start the approval process; return the instance and its open task."""
    instance = instances.start_instance(
        wiring.new_uow(),
        "approval",
        {"municipality": "asker"},
        actor=user(wiring, "emp.asker"),
        now=NOW,
    )
    with wiring.new_uow() as uow:
        [task] = uow.tasks.open_for_instance(instance.id)
    return instance.id, task.id


def try_to_complete(wiring: Wiring, task_id: UUID, results: list[str]) -> None:
    """Complete the application form; note "ok" or "conflict"."""
    try:
        tasks.complete_task(
            wiring.new_uow(),
            task_id,
            {"reason": "Kurs", "start_date": "2026-12-01"},
            actor=user(wiring, "emp.asker"),
            now=NOW,
        )
        results.append("ok")
    except Conflict:
        results.append("conflict")


def test_simultaneous_completions_give_exactly_one_success(deployed: Wiring) -> None:
    instance_id, task_id = open_application(deployed)
    results: list[str] = []
    barrier = threading.Barrier(4)

    def attempt() -> None:
        barrier.wait()
        try_to_complete(deployed, task_id, results)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["conflict", "conflict", "conflict", "ok"]
    with deployed.new_uow() as uow:
        events = [e.type for e in uow.history.of_instance(instance_id)]
    assert events.count("task_completed") == 1


def test_a_completion_that_waited_for_the_lock_sees_the_task_as_left(deployed: Wiring) -> None:
    """One statement reads the task and locks it with its instance. A request that waited
    for that lock must see the task as the holder committed it (PostgreSQL re-reads locked
    rows only), so it answers 409 instead of completing the task a second time."""
    _, task_id = open_application(deployed)
    results: list[str] = []
    waiter = threading.Thread(target=try_to_complete, args=(deployed, task_id, results))
    with deployed.new_uow() as uow:
        held = uow.instances.lock_with_task(task_id).task
        waiter.start()
        waiter.join(0.5)
        assert waiter.is_alive(), "the second completion did not wait for the lock"
        held.state, held.completed_by = "completed", "emp.asker"
        uow.commit()
    waiter.join(30)
    assert results == ["conflict"]
