"""Read side of tasks and instances: inbox pages, one task with its form, instance views."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from engine.rules import calendar
from engine.services import access, definitions, forms
from engine.services.access import CaseView, may_work
from engine.services.audit.access import BOOKKEEPING
from engine.services.audit.views import event_view
from engine.services.errors import Forbidden
from engine.services.step import history
from engine.services.tasks import Completed
from engine.settings import AUDIT_OPEN_FIELDS
from engine.store.audit import Audit
from engine.store.errors import NotFound
from engine.store.models import HumanTask, ProcessInstance, User
from engine.store.states import TaskState
from engine.store.tasks import Tasks
from engine.store.uow import UnitOfWork
from engine.timezone import OSLO


def task_view(task: HumanTask, now: datetime) -> dict[str, Any]:
    """Return the API's summary of a task."""
    view = {
        column: getattr(task, column)
        for column in (
            "id",
            "instance_id",
            "process_key",
            "business_key",
            "element_id",
            "name",
            "lane",
            "candidate_roles",
            "candidate_users",
            "municipality_id",
            "assignee",
            "state",
            "created_at",
            "due_at",
            "completed_at",
            "completed_by",
        )
    }
    view["is_overdue"] = bool(task.state == TaskState.OPEN and task.due_at and task.due_at < now)
    view["working_days_left"] = (
        _working_days_left(task.due_at, now) if task.state == TaskState.OPEN else None
    )
    return view


def _working_days_left(due_at: datetime | None, now: datetime) -> int | None:
    """Working days from today until the due date: 0 on the day, negative when overdue."""
    if due_at is None:
        return None
    today, due = now.astimezone(OSLO).date(), due_at.astimezone(OSLO).date()
    if due >= today:
        return calendar.working_days(today, due) - (1 if calendar.is_working_day(today) else 0)
    return -calendar.working_days(due + timedelta(days=1), today)


def summary(uow: UnitOfWork, task: HumanTask, now: datetime) -> dict[str, Any]:
    """Return one task's summary with names."""
    with uow:
        return with_names(uow, [task_view(task, now)])[0]


def with_names(uow: UnitOfWork, views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add municipality and assignee names to task views (two queries per page)."""
    municipalities = {m.id: m.name for m in uow.users.municipalities()}
    usernames = {v["assignee"] for v in views if v["assignee"]}
    people = {u.username: u.full_name for u in uow.users.by_usernames(usernames)}
    for view in views:
        view["municipality_name"] = municipalities.get(view["municipality_id"] or "")
        view["assignee_name"] = people.get(view["assignee"] or "")
    return views


def list_tasks(
    uow: UnitOfWork,
    user: User,
    scope: str,
    *,
    now: datetime,
    limit: int,
    offset: int,
    state: str | None = None,
    process_key: str | None = None,
    text: str | None = None,
    sort: str | None = None,
) -> dict[str, Any]:
    """Return one page of the user's tasks for a scope: mine, group, completed or all."""
    if scope == "all" and not access.may_list_all_tasks(user):
        raise Forbidden("only admins and auditors can list all tasks")
    by_index = scope == "group" and not (process_key or text)
    if by_index and sort in (None, "created_at", "-created_at"):
        # The common inbox page: walk the candidate index in order and read only the page.
        newest_first = sort == "-created_at"
        with uow:
            rows, total = uow.tasks.group_page(
                user.username, user.roles, user.municipality_id, limit, offset, newest_first
            )
            items = with_names(uow, [task_view(t, now) for t in rows])
        return {"items": items, "total": total, "limit": limit, "offset": offset}
    query = {
        "mine": lambda: Tasks.mine(user.username),
        "group": lambda: Tasks.group(user.username, user.roles, user.municipality_id),
        "completed": lambda: Tasks.completed_by(user.username),
        "all": lambda: Tasks.all_tasks(state),
    }[scope]()
    query = Tasks.refine(query, process_key=process_key, text=text, sort=sort)
    limited_to = access.task_scope(user)
    if scope == "all" and limited_to is not None:
        query = Audit.tasks_within(query, limited_to)
    with uow:
        rows, total = uow.tasks.page(query, limit, offset)
        items = with_names(uow, [task_view(t, now) for t in rows])
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def task_detail(
    uow: UnitOfWork,
    task_id: UUID,
    user: User,
    *,
    now: datetime,
    open_fields: str = AUDIT_OPEN_FIELDS,
) -> dict[str, Any]:
    """Return a task with its form (JSON Schema, UI schema), the form's data and the task's
    read-only context, as much as the user may read of it."""
    with uow:
        task, municipality_name, assignee_name = uow.tasks.get_named(task_id)
        instance = uow.instances.get(task.instance_id)
        view = access.case_view(uow, instance, user, open_fields=open_fields)
        if view is None:
            raise NotFound("task", task_id)
        if not access.may_read_task(view, task, user):
            raise Forbidden("this task is not offered to you")
        built = definitions.built_for(uow, instance.definition_id)
        detail = _detail(task, municipality_name, assignee_name, instance, built, user, now, view)
        detail["context"] = access.task_context(uow, task, user, open_fields=open_fields)
        return detail


def completed_detail(
    uow: UnitOfWork, done: Completed, user: User, *, now: datetime
) -> dict[str, Any]:
    """Return the task `user` just completed, its names from the step (nothing else is read)."""
    names = done.municipality_name, done.assignee_name
    with uow:
        view = access.case_view(uow, done.instance, user)
        detail = _detail(done.task, *names, done.instance, done.built, user, now, view)
        detail["context"] = access.task_context(uow, done.task, user) if view else {}
    return detail


def _detail(
    task: HumanTask,
    municipality_name: str | None,
    assignee_name: str | None,
    instance: ProcessInstance,
    built: definitions.Built,
    user: User,
    now: datetime,
    view: CaseView | None,
) -> dict[str, Any]:
    view_of_task = task_view(task, now)
    view_of_task["municipality_name"], view_of_task["assignee_name"] = (
        municipality_name,
        assignee_name,
    )
    view_of_task["instructions"] = task.instructions
    # The form shows its own fields only: what the task's data holds of them, and the draft.
    fields = access.form_fields(built, task.form_schema)
    source = access.task_source(built, instance, task)
    data = {k: v for k, v in {**source, **(task.draft or {})}.items() if k in fields}
    view_of_task["data"] = view.shows(data) if view is not None else {}
    view_of_task["may_work"] = task.state == TaskState.OPEN and may_work(task, user)
    view_of_task["form"] = (
        {
            # Choices from the case (dynamic enums) come from the task's own data.
            "schema": forms.expand_options(_form(built.forms, task.form_schema), source),
            "ui_schema": _form(built.forms, task.form_uischema),
        }
        if task.form_schema
        else None
    )
    return view_of_task


def _form(forms: dict[str, bytes], name: str | None) -> dict[str, Any] | None:
    if not name or name not in forms:
        return None
    return json.loads(forms[name])  # type: ignore[no-any-return]


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
        view = access.ensure_case_view(uow, instance, user, open_fields=open_fields)
        return {
            **instance_view(uow, instance, now),
            "data": view.data,
            "my_part": sorted(view.roles),
        }


def instance_history(
    uow: UnitOfWork, instance_id: UUID, user: User, *, open_fields: str
) -> dict[str, Any]:
    """Return an instance's events, each with only the data the reader may read (masked as
    their rights say), and the chain check."""
    with uow:
        instance = uow.instances.get(instance_id)
        view = access.ensure_case_view(uow, instance, user, open_fields=open_fields)
        events = list(uow.history.of_instance(instance_id))
    broken = history.verify(events)
    views: list[Any] = list(events)
    if not (view.sees_everything and view.sees_personal_data):
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
