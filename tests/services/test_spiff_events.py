"""Event-based gateways and multiple events (issue 19): every branch's timer and message is
registered, the first to come wins and the others are withdrawn, through the timer table and
the message subscriptions, as the scheduler and `POST /messages` use them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.runtime.errors import MessageNotCaught
from engine.services import definitions, instances, messages, timers
from engine.services.wiring import Wiring
from tests.conftest import NOW, fixture_files, user


@pytest.fixture
def race(deployed: Wiring) -> Wiring:
    """The approval fixtures plus `race`: an event-based gateway, a reply or three days."""
    files = fixture_files("race.bpmn", "waiter.start.schema.json")
    definitions.deploy(deployed.new_uow(), files, actor="test", now=NOW)
    return deployed


def _start(wiring: Wiring, case_id: str) -> object:
    starter = user(wiring, "emp.asker")
    return instances.start_instance(
        wiring.new_uow(), "race", {"case_id": case_id}, actor=starter, now=NOW
    )


def test_both_branches_of_an_event_based_gateway_are_registered(race: Wiring) -> None:
    case = _start(race, "A")
    with race.new_uow() as uow:
        [timer] = uow.waits.timers_of(case.id)  # type: ignore[attr-defined]
        [subscription] = uow.waits.subscriptions("reply")
    assert (timer.element_id, timer.kind) == ("wait_deadline", "duration")
    assert timer.due_at is not None and abs(timer.due_at - (NOW + timedelta(days=3))).days == 0
    assert (subscription.element_id, subscription.correlation) == ("wait_reply", {"case_id": "A"})


def test_the_message_wins_and_the_timer_is_withdrawn(race: Wiring) -> None:
    case = _start(race, "B")
    sender = user(race, "emp.asker")
    [reached] = messages.deliver_message(
        race.new_uow(), "reply", {"case_id": "B"}, {"note": "ja"}, actor=sender, now=NOW
    )
    assert reached.id == case.id  # type: ignore[attr-defined]
    with race.new_uow() as uow:
        done = uow.instances.get(reached.id)
        assert done.state == "completed"
        assert (done.data or {}).get("outcome") == "answered"
        assert uow.waits.timers_of(reached.id) == []
        assert uow.waits.subscriptions("reply") == []
    assert timers.fire_due_timers(race.new_uow, now=NOW + timedelta(days=4), worker="w") == 0


def test_the_timer_wins_and_the_message_is_withdrawn(race: Wiring) -> None:
    case = _start(race, "C")
    later = NOW + timedelta(days=3, minutes=1)
    assert timers.fire_due_timers(race.new_uow, now=later, worker="w") == 1
    with race.new_uow() as uow:
        done = uow.instances.get(case.id)  # type: ignore[attr-defined]
        assert done.state == "completed"
        assert (done.data or {}).get("outcome") == "late"
        assert uow.waits.subscriptions("reply") == []
    with pytest.raises(MessageNotCaught):
        messages.deliver_message(
            race.new_uow(), "reply", {"case_id": "C"}, {}, actor=user(race, "emp.asker"), now=later
        )


def test_a_parallel_multiple_start_starts_with_one_message_and_waits_for_the_other(
    deployed: Wiring,
) -> None:
    definitions.deploy(
        deployed.new_uow(), fixture_files("both_answers.bpmn"), actor="test", now=NOW
    )
    sender = user(deployed, "emp.asker")
    [started] = messages.deliver_message(
        deployed.new_uow(), "payment_made", {"order_id": "O-1"}, {}, actor=sender, now=NOW
    )
    with deployed.new_uow() as uow:
        assert uow.instances.get(started.id).state == "running"
        [waiting] = uow.waits.subscriptions("consent_given")
        assert (waiting.instance_id, waiting.element_id) == (started.id, "both_arrived")
    [reached] = messages.deliver_message(
        deployed.new_uow(), "consent_given", {"order_id": "O-1"}, {}, actor=sender, now=NOW
    )
    assert reached.id == started.id
    with deployed.new_uow() as uow:
        done = uow.instances.get(started.id)
        assert done.state == "completed" and (done.data or {}).get("registered") is True
