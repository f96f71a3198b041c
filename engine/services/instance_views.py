"""Read side of instances: the instance view, the listing, one instance, its history, and
who may read it (starter, participant, admin, process owner, auditor in scope)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from engine.services.audit.access import EVERYTHING, AuditAccess, access_of, mask_data, mask_event
from engine.services.audit.views import event_view
from engine.services.errors import Forbidden
from engine.services.inbox import may_read_instance, task_view, with_names
from engine.services.step import history
from engine.store.models import ProcessInstance, User
from engine.store.uow import UnitOfWork


def instance_view(uow: UnitOfWork, instance: ProcessInstance, now: datetime) -> dict[str, Any]:
    """Return the API's view of an instance with its open tasks."""
    view = {
        column: getattr(instance, column)
        for column in (
            "id",
            "key",
            "version",
            "state",
            "business_key",
            "started_by",
            "data",
            "created_at",
            "ended_at",
            "error",
        )
    }
    view["open_tasks"] = with_names(
        uow, [task_view(t, now) for t in uow.tasks.open_for_instance(instance.id)]
    )
    return view


def reader_access(user: User, open_fields: str) -> AuditAccess:
    """What an instance reader may see of it.

    Admins and process owners see everything, and so does everyone else of the instances they
    may read (their own); auditors see what their audit rights allow (`audit_access`): their
    municipality's instances, and personal data masked unless they hold that right.
    """
    if {"admin", "process_owner"} & set(user.roles):
        return EVERYTHING
    return access_of(user, open_fields)


def list_instances(
    uow: UnitOfWork,
    user: User,
    *,
    now: datetime,
    open_fields: str,
    limit: int,
    offset: int,
    **filters: Any,
) -> dict[str, Any]:
    """Return a page of the instances the user may list: their own, or an auditor's scope."""
    if not {"admin", "auditor", "process_owner"} & set(user.roles):
        filters["started_by"] = user.username
    access = reader_access(user, open_fields)
    with uow:
        rows, total = uow.instances.list(
            **filters, scope=access.municipality, limit=limit, offset=offset
        )
        items = [_masked(instance_view(uow, row, now), access) for row in rows]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def read_instance(
    uow: UnitOfWork, instance_id: UUID, user: User, *, now: datetime, open_fields: str
) -> dict[str, Any]:
    """Return one instance the user may read, its data masked as their rights say."""
    with uow:
        instance = uow.instances.get(instance_id)
        if not may_read_instance(instance, user, uow):
            raise Forbidden("you may not read this instance")
        view = instance_view(uow, instance, now)
    return _masked(view, reader_access(user, open_fields))


def _masked(view: dict[str, Any], access: AuditAccess) -> dict[str, Any]:
    return {**view, "data": mask_data(view["data"], access)}


def instance_history(
    uow: UnitOfWork, instance_id: UUID, user: User, *, open_fields: str
) -> dict[str, Any]:
    """Return an instance's events (masked as the reader's rights say) and the chain check."""
    access = reader_access(user, open_fields)
    with uow:
        instance = uow.instances.get(instance_id)
        if not may_read_instance(instance, user, uow):
            raise Forbidden("you may not read this instance")
        events = list(uow.history.of_instance(instance_id))
    broken = history.verify(events)
    views: list[Any] = list(events)
    if not access.sees_personal_data:
        views = [mask_event(event_view(event, {}), access) for event in events]
    return {
        "instance_id": instance_id,
        "events": views,
        "chain_valid": broken is None,
        "first_broken_seq": broken,
    }
