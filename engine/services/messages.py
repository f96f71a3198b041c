"""Messages from outside (`POST /api/v1/messages`): who may send which, what the answer names.

A user may send a message only where a deployed process declares it (`messageSenderRoles` on
the catching event, `access.ensure_may_send`); it reaches only the waiting instances (or message
start events) whose catching event lets the user's roles send it, and the answer names only
the instances the user may read. Messages the engine routes between instances are not checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from engine.runtime.errors import MessageNotCaught
from engine.runtime.model import ThrownMessage
from engine.services import access, declarations, instances
from engine.store.models import ProcessInstance, User
from engine.store.uow import UnitOfWork


def deliver_message(
    uow: UnitOfWork,
    name: str,
    correlation: Mapping[str, Any],
    data: Mapping[str, Any],
    *,
    actor: User,
    now: datetime,
) -> list[ProcessInstance]:
    """Deliver a user's message to the instances waiting for it with that correlation (or
    start one); return those of the reached instances the user may read."""
    with uow:
        access.ensure_may_send(actor, name, declarations.message_senders(uow, name))
        message = ThrownMessage(
            name=name, payload={**correlation, **data}, correlation=dict(correlation)
        )
        reached = instances.route_messages(
            uow, [message], actor=actor.username, now=now, hops=0, sender=actor
        )
        if not reached:
            raise MessageNotCaught(name)
        readable = [instance for instance in reached if _may_read(instance, actor, uow)]
        uow.commit()
    return readable


def _may_read(instance: ProcessInstance, user: User, uow: UnitOfWork) -> bool:
    return access.case_view(uow, instance, user) is not None
