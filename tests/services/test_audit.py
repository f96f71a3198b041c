"""Tamper evidence, anchors, replay and retention, on SQLite and PostgreSQL.

Tampering goes straight at the tables with SQL, as someone with database access would.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import delete, insert, update

from engine.services import definitions, instances, tasks
from engine.services.audit import chain as audit
from engine.services.audit import replay, retention
from engine.services.errors import BadRequest
from engine.services.step import history
from engine.services.wiring import Wiring
from engine.store.errors import Conflict
from engine.store.models import AuditAnchor, HistoryEvent, ProcessInstance
from tests.conftest import NOW, fixture_files, user

EVENTS = HistoryEvent.__table__
INSTANCES = ProcessInstance.__table__


def finished(wiring: Wiring, business_key: str = "SAK-1") -> UUID:
    """Start the approval process and take it to its end (the leader says no)."""
    instance = instances.start_instance(
        wiring.new_uow(),
        "approval",
        {"municipality": "asker", "applicant": "Kari Nordmann"},
        actor=user(wiring, "emp.asker"),
        now=NOW,
        business_key=business_key,
    )
    for username, data in (
        ("emp.asker", {"reason": "Kurs i klarspråk", "start_date": "2026-12-01"}),
        ("leder.asker", {"approved": False}),
    ):
        with wiring.new_uow() as uow:
            [task] = uow.tasks.open_for_instance(instance.id)
        tasks.complete_task(wiring.new_uow(), task.id, data, actor=user(wiring, username), now=NOW)
    return instance.id


def sql(wiring: Wiring, *statements: Any) -> None:
    """Run statements directly against the database, behind the services' back."""
    with wiring.engine.begin() as connection:
        for statement in statements:
            connection.execute(statement)


def at(instance_id: UUID, seq: int) -> Any:
    return (EVENTS.c.stream == str(instance_id)) & (EVENTS.c.seq == seq)


def last_seq(wiring: Wiring, instance_id: UUID) -> int:
    with wiring.new_uow() as uow:
        return uow.instances.get(instance_id).history_seq


def broken(wiring: Wiring, instance_id: UUID | None = None) -> list[tuple[str, int | None, str]]:
    report = audit.verify(wiring.new_uow(), instance_id)
    assert report.ok == (not report.breaks)
    return [(b.stream, b.seq, b.reason) for b in report.breaks]


def test_an_untouched_log_verifies_and_anchors(deployed: Wiring) -> None:
    first, second = finished(deployed), finished(deployed, "SAK-2")
    report = audit.verify(deployed.new_uow())
    assert report.ok and report.streams == 3 and report.anchors == 0
    with deployed.new_uow() as uow:
        deploys = len(uow.history.stream(history.SYSTEM_STREAM))
    assert report.events == 2 * last_seq(deployed, first) + deploys
    one = audit.anchor(deployed.new_uow(), NOW)
    assert one.seq == 1 and set(one.heads) == {str(first), str(second), history.SYSTEM_STREAM}
    assert one.event_count == report.events
    later = instances.start_instance(
        deployed.new_uow(), "approval", {}, actor=user(deployed, "emp.asker"), now=NOW
    )
    two = audit.anchor(deployed.new_uow(), NOW + timedelta(days=1))
    assert (two.seq, two.prev_hash, list(two.heads)) == (2, one.hash, [str(later.id)])
    assert two.stream_count == 4
    assert audit.verify(deployed.new_uow()).to_dict()["first_broken"] is None


def test_an_altered_row_is_caught(deployed: Wiring) -> None:
    instance_id = finished(deployed)
    sql(deployed, update(EVENTS).where(at(instance_id, 2)).values(data={"approved": True}))
    assert broken(deployed) == [(str(instance_id), 2, "the event was altered")]


def test_an_altered_actor_is_caught_in_the_instance_check(deployed: Wiring) -> None:
    instance_id, other = finished(deployed), finished(deployed, "SAK-2")
    completed = last_seq(deployed, instance_id) - 2
    sql(deployed, update(EVENTS).where(at(instance_id, completed)).values(actor="mallory"))
    assert broken(deployed, instance_id) == [(str(instance_id), completed, "the event was altered")]
    assert broken(deployed, other) == []


def test_a_deleted_row_is_caught(deployed: Wiring) -> None:
    instance_id = finished(deployed)
    sql(deployed, delete(EVENTS).where(at(instance_id, 3)))
    assert broken(deployed) == [(str(instance_id), 3, "event 3 is missing or out of order")]


def test_deleting_the_last_rows_is_caught_by_the_instance_head(deployed: Wiring) -> None:
    instance_id = finished(deployed)
    end = last_seq(deployed, instance_id)
    sql(
        deployed,
        delete(EVENTS).where((EVENTS.c.stream == str(instance_id)) & (EVENTS.c.seq > end - 2)),
    )
    assert broken(deployed) == [
        (
            str(instance_id),
            end - 1,
            f"the log ends at event {end - 2} but the instance recorded {end}",
        )
    ]


def test_cutting_the_log_and_the_head_together_is_caught_by_the_anchor(deployed: Wiring) -> None:
    instance_id = finished(deployed)
    audit.anchor(deployed.new_uow(), NOW)
    end = last_seq(deployed, instance_id)
    with deployed.new_uow() as uow:
        previous = next(e for e in uow.history.of_instance(instance_id) if e.seq == end - 1)
    sql(
        deployed,
        delete(EVENTS).where(at(instance_id, end)),
        update(INSTANCES)
        .where(INSTANCES.c.id == instance_id)
        .values(history_seq=end - 1, history_head=previous.hash),
    )
    assert broken(deployed, instance_id) == [
        (str(instance_id), end, f"events up to {end} were anchored but are gone")
    ]


def test_reordered_rows_are_caught(deployed: Wiring) -> None:
    instance_id = finished(deployed)
    sql(
        deployed,
        update(EVENTS).where(at(instance_id, 2)).values(seq=-2),
        update(EVENTS).where(at(instance_id, 3)).values(seq=2),
        update(EVENTS).where(at(instance_id, -2)).values(seq=3),
    )
    assert broken(deployed) == [(str(instance_id), 2, "the link to the previous event is broken")]


def test_a_stream_deleted_whole_is_caught(deployed: Wiring) -> None:
    instance_id = finished(deployed)
    sql(deployed, delete(EVENTS).where(EVENTS.c.stream == str(instance_id)))
    assert broken(deployed) == [(str(instance_id), 1, "the stream's events are gone")]


def test_a_system_event_altered_after_anchoring_is_caught(deployed: Wiring) -> None:
    audit.anchor(deployed.new_uow(), NOW)
    sql(
        deployed,
        update(EVENTS).where(EVENTS.c.stream == history.SYSTEM_STREAM).values(actor="mallory"),
    )
    assert broken(deployed)[0] == (history.SYSTEM_STREAM, 1, "the event was altered")


def test_an_altered_anchor_is_caught(deployed: Wiring) -> None:
    finished(deployed)
    audit.anchor(deployed.new_uow(), NOW)
    audit.anchor(deployed.new_uow(), NOW + timedelta(days=1))
    sql(deployed, update(AuditAnchor.__table__).where(AuditAnchor.seq == 1).values(heads={}))
    assert broken(deployed) == [(audit.ANCHOR_STREAM, 1, "the anchor was altered")]


def test_data_emptied_by_hand_is_caught(deployed: Wiring) -> None:
    instance_id = finished(deployed)
    with deployed.new_uow() as uow:
        event = next(e for e in uow.history.of_instance(instance_id) if e.type == "task_completed")
    digest = history.content_digest(event.data, event.delta)
    sql(
        deployed,
        update(EVENTS)
        .where(at(instance_id, event.seq))
        .values(data=None, delta=None, content_digest=digest),
    )
    assert broken(deployed) == [
        (str(instance_id), event.seq, "data was removed without a tombstone event")
    ]


def test_anonymising_keeps_the_chain_and_the_anchor(deployed: Wiring) -> None:
    instance_id = finished(deployed)
    audit.anchor(deployed.new_uow(), NOW)
    assert replay.matches_live(deployed.new_uow(), instance_id) == []
    retention.anonymise(deployed.new_uow(), instance_id, actor="admin", now=NOW, reason="test")
    with deployed.new_uow() as uow:
        instance = uow.instances.get(instance_id)
        events = list(uow.history.of_instance(instance_id))
    assert (instance.data, instance.snapshot) == ({}, {})
    text_of_log = repr([(e.data, e.delta) for e in events])
    assert "Kari Nordmann" not in text_of_log and "klarspråk" not in text_of_log
    tombstone = events[-1]
    assert tombstone.type == "instance_anonymised"
    assert "applicant" in tombstone.data["fields"] and "reason" in tombstone.data["fields"]
    assert [e.seq for e in events if e.content_digest] == tombstone.data["events"]
    assert [e.actor for e in events if e.type == "task_completed"] == ["emp.asker", "leder.asker"]
    assert audit.verify(deployed.new_uow()).ok
    with pytest.raises(Conflict):
        replay.state_at(deployed.new_uow(), instance_id, 1)
    with pytest.raises(Conflict):
        retention.anonymise(deployed.new_uow(), instance_id, actor="admin", now=NOW, reason="x")


def test_running_instances_are_not_anonymised(deployed: Wiring) -> None:
    running = instances.start_instance(
        deployed.new_uow(), "approval", {}, actor=user(deployed, "emp.asker"), now=NOW
    )
    with pytest.raises(BadRequest):
        retention.anonymise(deployed.new_uow(), running.id, actor="admin", now=NOW, reason="x")


def test_retention_period_per_process(deployed: Wiring) -> None:
    instance_id = finished(deployed)
    soon = NOW + timedelta(days=30)
    assert retention.anonymise_expired(deployed.new_uow, now=soon, default_days=365) == []
    assert retention.anonymise_expired(deployed.new_uow, now=soon, default_days=20) == [instance_id]
    # A process can ask for its own period: a new version with retentionDays=10.
    bpmn = fixture_files("approval.bpmn")["approval.bpmn"].replace(
        b'name="Godkjenning" isExecutable="true">',
        b'name="Godkjenning" isExecutable="true"><bpmn:extensionElements>'
        b'<spiffworkflow:properties><spiffworkflow:property name="retentionDays" value="10" />'
        b"</spiffworkflow:properties></bpmn:extensionElements>",
    )
    definitions.deploy(deployed.new_uow(), {"approval.bpmn": bpmn}, actor="eier", now=NOW)
    newer = finished(deployed, "SAK-3")
    with deployed.new_uow() as uow:
        definition = uow.definitions.get(uow.instances.get(newer).definition_id)
        assert retention.retention_days(uow, definition, 365) == 10
    later = NOW + timedelta(days=11)
    assert retention.anonymise_expired(deployed.new_uow, now=later, default_days=365) == [newer]
    assert audit.verify(deployed.new_uow()).ok


def test_replay_gives_the_state_after_each_event(deployed: Wiring) -> None:
    instance_id = finished(deployed)
    states = replay.states_of(deployed.new_uow(), instance_id)
    started = states[0]
    assert started["event"]["type"] == "instance_started" and started["state"] == "running"
    ready = next(s for s in states if s["event"]["type"] == "task_ready")
    assert [t["element_id"] for t in ready["open_tasks"]] == ["submit"]
    assert ready["open_tasks"][0]["task_id"] == ready["event"]["task_id"]
    assert ready["tokens"] == ["submit"]
    submitted = next(s for s in states if s["event"]["type"] == "task_completed")
    assert submitted["data"]["reason"] == "Kurs i klarspråk" and "submit" in submitted["path"]
    assert states[-1]["state"] == "completed" and states[-1]["open_tasks"] == []
    with pytest.raises(Exception, match="not found"):
        replay.state_at(deployed.new_uow(), instance_id, len(states) + 1)


def test_login_failures_and_auditor_queries_go_to_the_system_stream(deployed: Wiring) -> None:
    audit.log_login_failure(
        deployed.new_uow(), "tl.baerum", NOW, channel="api", address="127.0.0.1"
    )
    audit.log_query(deployed.new_uow(), "revisor", NOW, "/api/v1/audit/verify", {})
    with deployed.new_uow() as uow:
        events = list(uow.history.stream(history.SYSTEM_STREAM))
    assert [(e.type, e.actor) for e in events[-2:]] == [
        ("login_failed", "anonymous"),
        ("audit_query", "revisor"),
    ]
    assert events[-2].data == {"username": "tl.baerum", "channel": "api", "address": "127.0.0.1"}
    assert audit.verify(deployed.new_uow()).ok


@pytest.mark.slow
def test_verify_100k_events(wiring: Wiring, capsys: pytest.CaptureFixture[str]) -> None:
    """Load: 1,000 instance streams of 100 chained events each; verify them all (target < 30 s)."""
    started = time.perf_counter()
    for _ in range(10):
        rows = []
        for _ in range(100):
            stream_id = uuid4()
            previous = history.GENESIS
            for seq in range(1, 101):
                event = HistoryEvent(
                    stream=str(stream_id),
                    seq=seq,
                    instance_id=stream_id,
                    type="task_completed",
                    actor="emp.asker",
                    at=NOW,
                    element_id="submit",
                    element_name="Send søknad",
                    task_id=str(uuid4()),
                    definition_key="approval",
                    definition_version=1,
                    data={"reason": "Kurs", "n": seq},
                    delta={"n": {"before": seq - 1, "after": seq}},
                    content_digest=None,
                    prev_hash=previous,
                )
                event.hash = previous = history.event_hash(previous, history.hashed_fields(event))
                rows.append({c.key: getattr(event, c.key) for c in EVENTS.columns if c.key != "id"})
        _bulk(wiring, rows)
    appended = time.perf_counter() - started
    report = audit.verify(wiring.new_uow())
    assert report.events == 100_000
    # No instance rows back these streams, so each is reported as orphaned; the chains hold.
    assert {b.reason for b in report.breaks} == {"the instance row is gone"}
    with capsys.disabled():
        print(
            f"\n[{wiring.engine.dialect.name}] wrote 100,000 chained events in {appended:.1f} s,"
            f" verified them in {report.seconds:.1f} s"
        )


def _bulk(wiring: Wiring, rows: list[dict[str, Any]]) -> None:
    with wiring.engine.begin() as connection:
        connection.execute(insert(EVENTS), rows)
