"""Deadline fixtures: the test processes deployed, a real SMTP server, cloned waiting instances."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import insert, select

from engine.services import definitions, instances, timers
from engine.services.wiring import Wiring
from engine.store.models import HistoryEvent, Outbox, ProcessInstance, Timer
from tests.conftest import APPROVAL, NOW, fixture_files, user

HERE = Path(__file__).parent / "fixtures"


@pytest.fixture
def processes(demo: Wiring) -> Wiring:
    """Demo wiring with approval, notice (timer, notify), cycle and task_due deployed."""
    files = fixture_files(*APPROVAL)
    files.update({path.name: path.read_bytes() for path in HERE.iterdir() if path.is_file()})
    definitions.deploy(demo.new_uow(), files, actor="test", now=NOW)
    return demo


def start_notice(
    wiring: Wiring,
    delay: str = "PT1H",
    at: datetime = NOW,
    business_key: str = "SAK-7",
    **data: Any,
) -> UUID:
    """Start the notice process (a timer, then a receipt to the starter) as emp.asker."""
    instance = instances.start_instance(
        wiring.new_uow(),
        "notice",
        {"delay": delay, "copy_to": None, **data},
        actor=user(wiring, "emp.asker"),
        now=at,
        business_key=business_key,
    )
    return instance.id


def clone_instances(wiring: Wiring, instance_id: UUID, copies: int) -> list[UUID]:
    """Copy a waiting instance with its timers and history `copies` times (fast set-up)."""
    with wiring.new_uow() as uow:
        instance = _row(uow.session.get(ProcessInstance, instance_id))
        waiting = [_row(t) for t in uow.waits.timers_of(instance_id)]
        events = [_row(e) for e in uow.history.of_instance(instance_id)]
        ids = [uuid4() for _ in range(copies)]
        uow.session.execute(insert(ProcessInstance), [{**instance, "id": i} for i in ids])
        uow.session.execute(
            insert(Timer), [{**t, "id": uuid4(), "instance_id": i} for i in ids for t in waiting]
        )
        rows = [{**e, "stream": str(i), "instance_id": i} for i in ids for e in events]
        uow.session.execute(insert(HistoryEvent), rows)
        uow.commit()
    return ids


def _row(obj: Any) -> dict[str, Any]:
    skip = {"id"} if isinstance(obj, HistoryEvent) else set()
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns if c.key not in skip}


def fire(wiring: Wiring, at: datetime, worker: str = "w1") -> int:
    """Fire everything due at `at`."""
    return timers.fire_due_timers(wiring.new_uow, now=at, worker=worker)


def all_timers(wiring: Wiring) -> list[Timer]:
    """Return every timer row."""
    with wiring.new_uow() as uow:
        return list(uow.session.scalars(select(Timer).order_by(Timer.due_at)))


def all_mail(wiring: Wiring) -> list[Outbox]:
    """Return every outbox row, oldest first."""
    with wiring.new_uow() as uow:
        return list(uow.session.scalars(select(Outbox).order_by(Outbox.created_at, Outbox.kind)))


def events(wiring: Wiring, instance_id: UUID) -> list[HistoryEvent]:
    """Return an instance's history."""
    with wiring.new_uow() as uow:
        return list(uow.history.of_instance(instance_id))


@dataclass
class Inbox:
    """What the SMTP server received."""

    port: int
    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    refuse: bool = False


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.inbox.refuse:
            return "451 try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.inbox.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    """Return a TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port."""
    inbox = Inbox(port=free_port())
    controller = Controller(_Handler(inbox), hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


HOUR = timedelta(hours=1)
