"""Read side of tasks: inbox pages, one task with its form and its context.

The read side of instances (views, listing, history) is `instance_views`; who may read what is
`access`.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from engine.rules import calendar
from engine.services import access, case_data, definitions, forms
from engine.services.access import CaseView, may_work
from engine.services.errors import Forbidden
from engine.services.tasks import Completed
from engine.settings import AUDIT_OPEN_FIELDS
from engine.store.audit import Audit
from engine.store.errors import NotFound
from engine.store.models import HumanTask, ProcessInstance, User
from engine.store.states import InstanceState, TaskState
from engine.store.tasks import Tasks
from engine.store.uow import UnitOfWork
from engine.timezone import OSLO


def task_view(task: HumanTask, now: datetime, *, titled: bool = False) -> dict[str, Any]:
    """Return the API's summary of a task; `titled`: its `name` is its title, the name filled
    with case data (for a reader `access.may_read_title` allows)."""
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
    view["suspended"] = False  # its case is on hold (`with_holds`, the task detail)
    if titled and task.title:
        view["name"] = task.title
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


def with_holds(uow: UnitOfWork, views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark the open tasks whose case is on hold (one query per page): the inbox shows them
    as waiting, without an action, as Camunda's Tasklist marks a suspended task."""
    held = uow.instances.suspended_among(
        {v["instance_id"] for v in views if v["state"] == TaskState.OPEN}
    )
    for view in views:
        view["suspended"] = view["state"] == TaskState.OPEN and view["instance_id"] in held
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
            items = with_holds(uow, with_names(uow, [_titled(t, user, now) for t in rows]))
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
        items = with_holds(uow, with_names(uow, [_titled(t, user, now) for t in rows]))
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def _titled(task: HumanTask, user: User, now: datetime) -> dict[str, Any]:
    return task_view(task, now, titled=access.may_read_title(task, user))


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
        names = municipality_name, assignee_name
        reason = _suspend_reason(uow, instance)
        return _detail(task, *names, instance, built, user, now, view, reason)


def completed_detail(
    uow: UnitOfWork, done: Completed, user: User, *, now: datetime
) -> dict[str, Any]:
    """Return the task `user` just completed, its names from the step (nothing else is read)."""
    names = done.municipality_name, done.assignee_name
    with uow:
        view = access.case_view(uow, done.instance, user)
    if view is None:  # cannot happen: completing it made them a participant
        raise NotFound("task", done.task.id)
    return _detail(done.task, *names, done.instance, done.built, user, now, view)


def _detail(
    task: HumanTask,
    municipality_name: str | None,
    assignee_name: str | None,
    instance: ProcessInstance,
    built: definitions.Built,
    user: User,
    now: datetime,
    view: CaseView,
    suspend_reason: str | None = None,
) -> dict[str, Any]:
    detail = task_view(task, now, titled=access.may_read_title(task, user, view))
    detail["municipality_name"], detail["assignee_name"] = municipality_name, assignee_name
    detail["instructions"] = task.instructions
    # The form shows its own fields only (what its data holds of them, and the draft); the
    # task's contextFields come apart, read-only.
    fields = case_data.form_fields(built, task.form_schema)
    source = case_data.task_source(built, instance, task)
    data = {k: v for k, v in {**source, **(task.draft or {})}.items() if k in fields}
    detail["data"] = view.shows(data)
    detail["context"] = access.context_of(view, built, task, source)
    # A case on hold: its tasks wait, shown without their form's actions, with the reason.
    held = task.state == TaskState.OPEN and instance.state == InstanceState.SUSPENDED
    detail["suspended"], detail["suspend_reason"] = held, suspend_reason if held else None
    detail["may_work"] = task.state == TaskState.OPEN and may_work(task, user) and not held
    options = view.masked(source)  # dynamic choices: part of the form, masked for auditors
    detail["form"] = (
        {
            "schema": forms.expand_options(_form(built.forms, task.form_schema), options),
            "ui_schema": _form(built.forms, task.form_uischema),
        }
        if task.form_schema
        else None
    )
    # Applicant numbers read with their names where the reader reads that name anyway.
    form_schema = detail["form"]["schema"] if detail["form"] else None
    detail["applicants"] = access.applicant_names(view, detail["context"], form_schema)
    return detail


def _suspend_reason(uow: UnitOfWork, instance: ProcessInstance) -> str | None:
    """Return why a case on hold is held (its last `instance_suspended`): everyone who reads
    one of its tasks has a part in the case, and the case page shows them the reason too."""
    if instance.state != InstanceState.SUSPENDED:
        return None
    held = uow.history.last_of_type(str(instance.id), "instance_suspended")
    return str((held.data or {}).get("reason") or "") or None if held is not None else None


def _form(forms: dict[str, bytes], name: str | None) -> dict[str, Any] | None:
    if not name or name not in forms:
        return None
    return json.loads(forms[name])  # type: ignore[no-any-return]
