"""Read side of tasks: inbox pages, one task with its form, who may read an instance.

The read side of instances (views, listing, history) is `instance_views`.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from engine.rules import calendar
from engine.runtime import instances as runtime
from engine.services import definitions, forms
from engine.services.errors import Forbidden
from engine.services.tasks import Completed, may_work
from engine.store.errors import NotFound
from engine.store.models import HumanTask, ProcessInstance, User
from engine.store.states import InstanceState, TaskState
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
    if scope == "all" and not {"admin", "auditor"} & set(user.roles):
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
    with uow:
        rows, total = uow.tasks.page(query, limit, offset)
        items = with_names(uow, [task_view(t, now) for t in rows])
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def task_detail(uow: UnitOfWork, task_id: UUID, user: User, *, now: datetime) -> dict[str, Any]:
    """Return a task with its form (JSON Schema, UI schema) and the data it shows."""
    with uow:
        task, municipality_name, assignee_name = uow.tasks.get_named(task_id)
        instance = uow.instances.get(task.instance_id)
        allowed = may_work(task, user) or task.completed_by == user.username
        if not allowed and not {"admin", "auditor"} & set(user.roles):
            raise Forbidden("this task is not offered to you")
        built = definitions.built_for(uow, instance.definition_id)
        return _detail(task, municipality_name, assignee_name, instance, built, user, now)


def completed_detail(done: Completed, user: User, *, now: datetime) -> dict[str, Any]:
    """Return the task `user` just completed, from the step itself: nothing is read again."""
    names = done.municipality_name, done.assignee_name
    return _detail(done.task, *names, done.instance, done.built, user, now)


def _detail(
    task: HumanTask,
    municipality_name: str | None,
    assignee_name: str | None,
    instance: ProcessInstance,
    built: definitions.Built,
    user: User,
    now: datetime,
) -> dict[str, Any]:
    view = task_view(task, now)
    view["municipality_name"], view["assignee_name"] = municipality_name, assignee_name
    view["instructions"] = task.instructions
    own = None
    # its own scope, e.g. a candidate
    if task.state == TaskState.OPEN and instance.state == InstanceState.RUNNING:
        own = runtime.task_data(built, instance.snapshot, task.id)
    case_data = own if own is not None else instance.process_data
    view["data"] = {**case_data, **(task.draft or {})}
    view["may_work"] = task.state == TaskState.OPEN and may_work(task, user)
    view["form"] = (
        {
            "schema": forms.expand_options(_form(built.forms, task.form_schema), case_data),
            "ui_schema": _form(built.forms, task.form_uischema),
        }
        if task.form_schema
        else None
    )
    return view


def _form(forms: dict[str, bytes], name: str | None) -> dict[str, Any] | None:
    if not name or name not in forms:
        return None
    return json.loads(forms[name])  # type: ignore[no-any-return]


# What makes a user a participant who may read the instance: their own work on its tasks.
# Sending it a message does not (the engine's steps that follow are recorded in the sender's
# name too): a message reaches a case without showing it to the sender.
PARTICIPATION = frozenset(
    {
        "task_completed",
        "task_claimed",
        "task_unclaimed",
        "task_delegated",
        "task_draft_saved",
    }
)


def may_read_instance(instance: ProcessInstance, user: User, uow: UnitOfWork) -> bool:
    """Tell whether the user may see the instance (starter, participant, admin, auditor).

    An auditor scoped to one municipality (`audit_municipality_id`) sees only the instances
    that involve it; others are NotFound to them, as on the audit pages (no existence leak).
    """
    roles = set(user.roles)
    if {"admin", "process_owner"} & roles or instance.started_by == user.username:
        return True
    if "auditor" in roles:
        scope = user.audit_municipality_id
        if scope is None or uow.audit.involves(instance.id, scope):
            return True
        raise NotFound("process instance", instance.id)
    return any(may_work(t, user) for t in uow.tasks.open_for_instance(instance.id)) or any(
        e.actor == user.username and e.type in PARTICIPATION
        for e in uow.history.of_instance(instance.id)
    )
