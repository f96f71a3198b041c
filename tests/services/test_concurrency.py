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
