"""The scheduler's daily audit job anchors every stream head in the global chain."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.deadlines.scheduler import daily_audit
from engine.services import instances
from engine.services.wiring import Wiring
from engine.store.models import AuditAnchor
from tests.conftest import NOW, user


def test_daily_audit_writes_an_anchor(deployed: Wiring) -> None:
    instances.start_instance(
        deployed.new_uow(),
        "approval",
        {"municipality": "asker"},
        actor=user(deployed, "emp.asker"),
        now=NOW,
    )
    daily_audit(deployed)
    daily_audit(deployed)
    with deployed.new_uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(AuditAnchor)) == 2
