"""The task inbox: list, read with form, claim, unclaim, complete."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from api.auth import current_user
from api.blueprint import Blueprint
from api.language import request_locale
from api.schemas import (
    ColleagueSchema,
    CompleteSchema,
    DelegateSchema,
    TaskDetailSchema,
    TaskListArgs,
    TaskPageSchema,
    TaskSummarySchema,
)
from api.wiring import services
from engine.services import colleagues, inbox, tasks

bp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks", description="Task inbox")


@bp.get("")
@bp.arguments(TaskListArgs, location="query")
@bp.response(200, TaskPageSchema)
def list_tasks(args: dict[str, Any]) -> Any:
    """List tasks: mine, group (offered to my roles), completed, or all (admin)."""
    return inbox.list_tasks(
        services().new_uow(read_only=True),
        current_user(),
        args["scope"],
        now=services().now(),
        limit=args["limit"],
        offset=args["offset"],
        state=args.get("state"),
        process_key=args.get("process_key"),
        text=args.get("q"),
        sort=args.get("sort"),
    )


@bp.get("/<uuid:task_id>")
@bp.response(200, TaskDetailSchema)
def get_task(task_id: UUID) -> Any:
    """Return a task with its form (JSON Schema, UI schema) and current data."""
    return inbox.task_detail(
        services().new_uow(read_only=True),
        task_id,
        current_user(),
        now=services().now(),
        open_fields=services().settings.audit_open_fields,
    )


@bp.post("/<uuid:task_id>/claim")
@bp.response(200, TaskDetailSchema)
def claim(task_id: UUID) -> Any:
    """Claim an open task."""
    user = current_user()
    tasks.claim_task(services().new_uow(), task_id, actor=user, now=services().now())
    return inbox.task_detail(
        services().new_uow(read_only=True), task_id, user, now=services().now()
    )


@bp.post("/<uuid:task_id>/unclaim")
@bp.response(200, TaskDetailSchema)
def unclaim(task_id: UUID) -> Any:
    """Give a claimed task back to the group."""
    user = current_user()
    tasks.unclaim_task(services().new_uow(), task_id, actor=user, now=services().now())
    return inbox.task_detail(
        services().new_uow(read_only=True), task_id, user, now=services().now()
    )


@bp.post("/<uuid:task_id>/draft")
@bp.arguments(CompleteSchema)
@bp.response(200, TaskDetailSchema)
def save_draft(body: dict[str, Any], task_id: UUID) -> Any:
    """Save unfinished form data on the task without validating or completing it."""
    user = current_user()
    tasks.save_draft(services().new_uow(), task_id, body["data"], actor=user, now=services().now())
    return inbox.task_detail(
        services().new_uow(read_only=True), task_id, user, now=services().now()
    )


@bp.post("/<uuid:task_id>/delegate")
@bp.arguments(DelegateSchema)
@bp.response(200, TaskSummarySchema)
def delegate(body: dict[str, Any], task_id: UUID) -> Any:
    """Hand the task to a colleague who may also work on it."""
    task = tasks.delegate_task(
        services().new_uow(),
        task_id,
        body["username"],
        actor=current_user(),
        now=services().now(),
        locale=request_locale(),
    )
    return inbox.summary(services().new_uow(read_only=True), task, services().now())


@bp.get("/<uuid:task_id>/delegates")
@bp.response(200, ColleagueSchema(many=True))
def delegates(task_id: UUID) -> Any:
    """List the colleagues the task can be delegated to (same offer: role and municipality)."""
    return colleagues.delegation_candidates(
        services().new_uow(read_only=True), task_id, current_user()
    )


@bp.post("/<uuid:task_id>/complete")
@bp.arguments(CompleteSchema)
@bp.response(200, TaskDetailSchema)
def complete(body: dict[str, Any], task_id: UUID) -> Any:
    """Complete a task with form data; 422 with field messages, 409 if already completed."""
    user = current_user()
    done = tasks.complete_task(
        services().new_uow(),
        task_id,
        body["data"],
        actor=user,
        now=services().now(),
        locale=request_locale(),
    )
    return inbox.completed_detail(
        services().new_uow(read_only=True), done, user, now=services().now()
    )
