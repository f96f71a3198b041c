"""The case page: one instance as a participant sees it, and the list of their cases.

What a user reads of a case's data comes from `access.case_view` (the need-to-know model),
never the whole instance data. Routines add the documents of their cases (the assignment's
contract, invoice PDF and EHF, the report) with `register_documents`; the core names none.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from engine.services import access
from engine.services.access import may_work
from engine.services.inbox import task_view, with_names
from engine.store.errors import NotFound
from engine.store.models import ProcessInstance, User
from engine.store.states import InstanceState, TaskState
from engine.store.uow import UnitOfWork

# A document on the case page: {"kind", "title", "url"}; title in the reader's language.
Document = dict[str, str]
DocumentSource = Callable[[UnitOfWork, ProcessInstance, User, dict[str, Any], str], list[Document]]

_sources: dict[str, DocumentSource] = {}


def register_documents(name: str, source: DocumentSource) -> None:
    """List `source(uow, instance, user, data, locale)`'s documents on every case page."""
    _sources[name] = source


def case_detail(
    uow: UnitOfWork, instance_id: UUID, user: User, *, now: datetime, locale: str = "nb"
) -> dict[str, Any]:
    """Return one case as the user may see it; NotFound if they take no part in it."""
    with uow:
        instance = uow.instances.get(instance_id)
        view = access.case_view(uow, instance, user)
        if view is None:
            raise NotFound("case", instance_id)
        tasks = list(uow.tasks.of_instance(instance.id))
        open_tasks = [t for t in tasks if t.state == TaskState.OPEN]
        page = _summary(instance, view.data, open_tasks, now)
        page["open_tasks"] = with_names(uow, [_task(t, user, now) for t in open_tasks])
        page["my_tasks"] = with_names(
            uow,
            [task_view(t, now) for t in tasks if t.completed_by == user.username],
        )
        page["data"] = view.data
        page["documents"] = [
            document
            for source in _sources.values()
            for document in source(uow, instance, user, view.data, locale)
        ]
        page["may_cancel"] = may_cancel(instance, user)
    return page


def my_cases(
    uow: UnitOfWork, user: User, *, now: datetime, limit: int, offset: int
) -> dict[str, Any]:
    """Return a page of the cases the user started or takes part in, newest first."""
    with uow:
        ids = uow.tasks.case_ids(user.username, user.roles, user.municipality_id)
        rows, total = uow.instances.cases(user.username, ids, limit=limit, offset=offset)
        items = []
        for instance in rows:
            view = access.case_view(uow, instance, user)
            data = view.data if view is not None else {}
            open_tasks = list(uow.tasks.open_for_instance(instance.id))
            items.append(_summary(instance, data, open_tasks, now))
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def may_cancel(instance: ProcessInstance, user: User) -> bool:
    """Tell whether the user may cancel the case: its starter or an admin, while it runs."""
    running = instance.state == InstanceState.RUNNING
    return running and (instance.started_by == user.username or "admin" in user.roles)


def _summary(
    instance: ProcessInstance, data: dict[str, Any], open_tasks: list[Any], now: datetime
) -> dict[str, Any]:
    due = sorted(t.due_at for t in open_tasks if t.due_at is not None)
    return {
        "id": instance.id,
        "key": instance.key,
        "version": instance.version,
        "business_key": instance.business_key,
        "state": instance.state,
        "status": data.get("status"),
        "started_by": instance.started_by,
        "created_at": instance.created_at,
        "ended_at": instance.ended_at,
        "next_due_at": due[0] if due else None,
        "waiting_for": [t.name for t in open_tasks],
        "open_elements": [t.element_id for t in open_tasks],
    }


def _task(task: Any, user: User, now: datetime) -> dict[str, Any]:
    view = task_view(task, now)
    view["may_work"] = may_work(task, user)
    return view
