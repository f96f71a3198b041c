"""Timers fire once: on time, after downtime, after a crashed claim, across two workers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from engine.deadlines import scheduler
from engine.services import instances, timers
from engine.services.wiring import Wiring
from engine.store.models import HistoryEvent, Outbox, ProcessInstance, Timer
from tests.conftest import NOW, user
from tests.deadlines.conftest import (
    HOUR,
    all_mail,
    all_timers,
    clone_instances,
    events,
    fire,
    start_notice,
)


def test_timer_fires_once_at_its_due_time_and_sends_the_receipt(processes: Wiring) -> None:
    instance_id = start_notice(processes)
    [row] = all_timers(processes)
    assert (row.kind, row.state, row.due_at) == ("duration", "waiting", NOW + HOUR)
    assert fire(processes, NOW + HOUR - timedelta(seconds=1)) == 0
    assert fire(processes, NOW + HOUR) == 1  # exactly at the due time
    assert fire(processes, NOW + 2 * HOUR) == 0
    [row] = all_timers(processes)
    assert (row.state, row.fired_at, row.attempts) == ("fired", NOW + HOUR, 1)
    types = [e.type for e in events(processes, instance_id)]
    assert types.count("timer_fired") == 1 and types[-1] == "instance_completed"
    [mail] = all_mail(processes)
    assert (mail.kind, mail.recipient, mail.locale, mail.state) == (
        "interest_registered",
        "emp.asker",
        "nb",
        "pending",
    )
    assert mail.subject == "Interessen din er registrert (SAK-7)"


def test_timer_due_while_the_server_was_down_fires_once_when_the_scheduler_runs(
    processes: Wiring,
) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=3)
    instance_id = start_notice(processes, at=long_ago)
    assert scheduler.fire_timers(processes, worker="restarted") is None  # nothing left to wait for
    assert scheduler.fire_timers(processes, worker="restarted") is None
    [row] = all_timers(processes)
    assert (row.state, row.claimed_by) == ("fired", "restarted")
    assert [e.type for e in events(processes, instance_id)].count("timer_fired") == 1


def test_claim_of_a_crashed_worker_is_taken_over_after_it_expires(processes: Wiring) -> None:
    instance_id = start_notice(processes)
    due = NOW + HOUR
    with processes.new_uow() as uow:
        uow.session.execute(
            update(Timer).values(
                state="claimed",
                claimed_by="dead:1",
                claimed_until=due + timedelta(seconds=60),
                attempts=1,
            )
        )
        uow.commit()
    assert fire(processes, due + timedelta(seconds=30)) == 0  # the claim still holds
    assert fire(processes, due + timedelta(seconds=61)) == 1
    assert fire(processes, due + timedelta(seconds=120), worker="w2") == 0
    [row] = all_timers(processes)
    assert (row.state, row.claimed_by, row.attempts) == ("fired", "w1", 2)
    assert [e.type for e in events(processes, instance_id)].count("timer_fired") == 1


def test_script_failure_becomes_one_incident_and_an_admin_can_retry(processes: Wiring) -> None:
    instance = instances.start_instance(
        processes.new_uow(),
        "notice",
        {"delay": "PT1H"},
        actor=user(processes, "emp.asker"),
        now=NOW,
    )  # no copy_to: the receipt's parameter cannot be evaluated
    assert fire(processes, NOW + 2 * HOUR) == 0
    assert fire(processes, NOW + 3 * HOUR) == 0  # failed rows are not picked up again
    [row] = all_timers(processes)
    assert row.state == "failed" and "copy_to" in (row.last_error or "")
    incidents = [e for e in events(processes, instance.id) if e.type == "incident"]
    assert len(incidents) == 1 and incidents[0].data["timer_id"] == str(row.id)
    timers.retry(processes.new_uow(), row.id, actor="admin", now=NOW + 4 * HOUR)
    assert fire(processes, NOW + 4 * HOUR) == 0
    types = [e.type for e in events(processes, instance.id)]
    assert types.count("incident_retried") == 1 and types.count("incident") == 2


def test_repeated_errors_back_off_and_then_give_up(
    processes: Wiring, monkeypatch: pytest.MonkeyPatch
) -> None:
    start_notice(processes)

    def broken(*args: object, **kwargs: object) -> None:
        raise ConnectionError("database went away")

    monkeypatch.setattr(timers.runtime, "fire_timers", broken)
    due = NOW + HOUR
    assert fire(processes, due) == 0
    [row] = all_timers(processes)
    assert (row.state, row.attempts) == ("claimed", 1)
    assert row.claimed_until == due + timedelta(seconds=120)  # back-off: 60 s * 2
    assert fire(processes, due + timedelta(seconds=121)) == 0
    assert fire(processes, due + timedelta(seconds=600)) == 0
    [row] = all_timers(processes)
    assert (row.state, row.attempts) == ("failed", 3) and "database went away" in row.last_error


@pytest.mark.parametrize("settings", ["postgresql"], indirect=True)
def test_two_workers_fire_1000_due_timers_exactly_once(processes: Wiring) -> None:
    first = start_notice(processes)
    clone_instances(processes, first, 999)
    counts: dict[str, int] = {}

    def work(name: str) -> None:
        counts[name] = timers.fire_due_timers(
            processes.new_uow, now=NOW + 2 * HOUR, worker=name, limit=25
        )

    workers = [threading.Thread(target=work, args=(f"w{i}",)) for i in (1, 2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert sum(counts.values()) == 1000 and min(counts.values()) > 0, counts
    with processes.new_uow() as uow:
        by_state = select(Timer.state, func.count()).group_by(Timer.state)
        states = dict(uow.session.execute(by_state).tuples().all())
        fired = uow.session.execute(
            select(HistoryEvent.stream, func.count())
            .where(HistoryEvent.type == "timer_fired")
            .group_by(HistoryEvent.stream)
        ).all()
        mails = uow.session.scalar(select(func.count(func.distinct(Outbox.instance_id))))
        done = uow.session.scalar(select(func.count()).where(ProcessInstance.state == "completed"))
    assert states == {"fired": 1000}
    assert len(fired) == 1000 and {n for _, n in fired} == {1}
    assert mails == 1000 and done == 1000
