"""Read side of instances: the instance view, the listing, one instance, its history and a
replayed state, each with only what the reader may read of it (`access.case_view`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from engine.services import access
from engine.services.access import CaseView
from engine.services.audit.access import BOOKKEEPING
from engine.services.audit.views import event_view
from engine.services.inbox import task_view, with_names
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
    """Return a page of the instances the user may list (their own; an auditor's scope; every
    one for admins), each with only the data the user may read of it."""
    if not {"admin", "auditor"} & set(user.roles):
        filters["started_by"] = user.username
    scope = access.task_scope(user)
    with uow:
        rows, total = uow.instances.list(**filters, scope=scope, limit=limit, offset=offset)
        items = []
        for row in rows:
            view = access.case_view(uow, row, user, open_fields=open_fields)
            if view is not None:
                items.append({**instance_view(uow, row, now), "data": view.data})
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def read_instance(
    uow: UnitOfWork, instance_id: UUID, user: User, *, now: datetime, open_fields: str
) -> dict[str, Any]:
    """Return one instance the user has a part in, with only the data they may read."""
    with uow:
        instance = uow.instances.get(instance_id)
        return readable_view(uow, instance, user, now=now, open_fields=open_fields)


def readable_view(
    uow: UnitOfWork, instance: ProcessInstance, user: User, *, now: datetime, open_fields: str
) -> dict[str, Any]:
    """Return the instance view (in an open unit of work) with only what the user may read."""
    view = access.ensure_case_view(uow, instance, user, open_fields=open_fields)
    return {**instance_view(uow, instance, now), "data": view.data, "my_part": sorted(view.roles)}


def instance_history(
    uow: UnitOfWork, instance_id: UUID, user: User, *, open_fields: str
) -> dict[str, Any]:
    """Return an instance's events, each with only the data the reader may read (masked as
    their rights say), and the chain check. Participants read the case's story with people by
    name (`access.participant_history`); admins and auditors the history as recorded."""
    with uow:
        instance = uow.instances.get(instance_id)
        view = access.ensure_case_view(uow, instance, user, open_fields=open_fields)
        events = list(uow.history.of_instance(instance_id))
        views: list[Any] = list(events)
        if not access.reads_full_history(view):
            views = access.participant_history(
                uow, view, user, [event_view(event, {}) for event in events]
            )
    broken = history.verify(events)
    if access.reads_full_history(view) and not (view.sees_everything and view.sees_personal_data):
        views = [_shown_event(event_view(event, {}), view) for event in events]
    return {
        "instance_id": instance_id,
        "events": views,
        "chain_valid": broken is None,
        "first_broken_seq": broken,
    }


def _shown_event(event: dict[str, Any], view: CaseView) -> dict[str, Any]:
    data = event.get("data")
    if event.get("type") not in BOOKKEEPING:
        data = view.shows(data) if isinstance(data, dict) else data
    return {**event, "data": data, "delta": view.shows_delta(event.get("delta"))}


def shown_state(state: dict[str, Any], view: CaseView) -> dict[str, Any]:
    """Return a replayed state (`audit.replay.state_at`) with what the reader may read of it."""
    event = state.get("event") or {}
    return {**state, "data": view.shows(state.get("data")), "event": _shown_event(event, view)}


def readable_state(
    uow: UnitOfWork, state: dict[str, Any], view: CaseView, user: User
) -> dict[str, Any]:
    """Return a replayed state as the reader may read it: the record (masked as their rights
    say) for admins and auditors, a participant's history row and names for the others."""
    shown = shown_state(state, view)
    if access.reads_full_history(view):
        return shown
    with uow:
        return access.participant_state(uow, view, user, {**shown, "event": state.get("event")})
