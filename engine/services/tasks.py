"""Task commands: claim, unclaim, delegate, save a draft, complete (and run the instance on)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from engine import catalogue
from engine.runtime import instances as runtime
from engine.runtime import spiffarena
from engine.services import definitions, forms, refusals
from engine.services.access import may_unclaim, may_work
from engine.services.errors import BadRequest, Forbidden, RuleRefused
from engine.services.instances import route_messages
from engine.services.step import history, steps
from engine.store.errors import Conflict
from engine.store.instances import LockedTask
from engine.store.models import HumanTask, ProcessInstance, User
from engine.store.states import InstanceState, TaskState
from engine.store.uow import UnitOfWork
from engine.timezone import OSLO


@dataclass(frozen=True)
class Completed:
    """A completed task, its instance as the step left it, and what the task view shows."""

    instance: ProcessInstance
    task: HumanTask
    built: definitions.Built
    municipality_name: str | None
    assignee_name: str | None


def complete_task(
    uow: UnitOfWork,
    task_id: UUID,
    data: Mapping[str, Any],
    *,
    actor: User,
    now: datetime,
    locale: str = "nb",
) -> Completed:
    """Validate the form data, complete the task and run the instance on."""
    with uow:
        instance, task, municipality_name, assignee_name = _locked_task(uow, task_id)
        _ensure_may_work(task, actor)
        built = definitions.built_for(uow, instance.definition_id)
        if task.form_schema:
            today = now.astimezone(OSLO).date()
            schema = built.forms[task.form_schema]
            own = (
                runtime.task_data(built, instance.snapshot, task_id)
                if forms.has_options(schema)
                else None
            )
            forms.validate(schema, data, locale, today=today, task_data=own, forms=built.forms)
        with spiffarena.acting(actor.username):
            outcome = runtime.complete_task(built, instance.snapshot, task_id, data, now=now)
        refused = refusals.codes(outcome, task.element_id)
        if refused:  # a rule after the form sent the task back: refuse it like a form error
            form = built.forms.get(task.form_schema) if task.form_schema else None
            errors = refusals.messages(form, refused, locale)
            raise RuleRefused(task.element_id, refused, errors)
        _link_attachments(uow, data, instance.id, actor)
        # What this path held before: a field another branch set is not "removed" by this one.
        before, paths = runtime.task_data_and_paths(built, instance.snapshot, task_id)
        known = {**paths, **(instance.data or {})}
        uow.tasks.drop_candidates([task.id])  # first: nothing is dirty yet, so nothing flushes
        task.state, task.completed_at, task.completed_by = TaskState.COMPLETED, now, actor.username
        if task.assignee is None:
            task.assignee, assignee_name = actor.username, actor.full_name
        _record(
            uow,
            instance,
            task,
            "task_completed",
            actor.username,
            now,
            data=dict(data),
            delta=history.path_delta(known if before is None else before, outcome.data, known)
            or None,
        )
        steps.apply(
            uow,
            instance,
            built,
            outcome,
            actor=actor.username,
            now=now,
            skip_first=True,
            closed=frozenset({str(task.id)}),
        )
        route_messages(uow, outcome.thrown, actor=actor.username, now=now, hops=0)
        uow.commit()
    return Completed(instance, task, built, municipality_name, assignee_name)


def claim_task(uow: UnitOfWork, task_id: UUID, *, actor: User, now: datetime) -> HumanTask:
    """Take an open task as your own; someone else's claim is a conflict; one's own, a no-op."""
    with uow:
        instance, task, *_ = _locked_task(uow, task_id)
        if task.assignee and task.assignee != actor.username:
            raise Conflict(
                "task_already_claimed", f"the task is already claimed by {task.assignee}"
            )
        _ensure_may_work(task, actor)
        if task.assignee == actor.username:
            return task  # claiming what one holds changes nothing and logs nothing
        task.assignee = actor.username
        uow.tasks.drop_candidates([task.id])
        _record(uow, instance, task, "task_claimed", actor.username, now)
        uow.commit()
    return task


def unclaim_task(uow: UnitOfWork, task_id: UUID, *, actor: User, now: datetime) -> HumanTask:
    """Give a claimed task back to its group."""
    with uow:
        instance, task, *_ = _locked_task(uow, task_id)
        if not may_unclaim(task, actor):
            raise Forbidden("only the assignee (or an admin) can unclaim the task")
        if task.assignee is not None:
            task.assignee = None
            uow.tasks.offer(task)
        _record(uow, instance, task, "task_unclaimed", actor.username, now)
        uow.commit()
    return task


def save_draft(
    uow: UnitOfWork, task_id: UUID, data: Mapping[str, Any], *, actor: User, now: datetime
) -> HumanTask:
    """Keep unfinished form data on an open task (no validation; the engine is not run)."""
    with uow:
        instance, task, *_ = _locked_task(uow, task_id)
        _ensure_may_work(task, actor)
        task.draft = dict(data)
        _record(uow, instance, task, "task_draft_saved", actor.username, now)
        uow.commit()
    return task


def delegate_task(
    uow: UnitOfWork,
    task_id: UUID,
    username: str,
    *,
    actor: User,
    now: datetime,
    locale: str = catalogue.DEFAULT,
) -> HumanTask:
    """Assign the task to a colleague who is among its candidates."""
    with uow:
        instance, task, *_ = _locked_task(uow, task_id)
        _ensure_may_work(task, actor)
        target = uow.users.find(username)
        if target is None:
            raise BadRequest(
                f"no user named {username}",
                {"username": [catalogue.text(locale, "tasks.unknown_user")]},
            )
        task.assignee = None
        if not may_work(task, target):
            raise BadRequest(
                f"{username} is not among the people this task is offered to",
                {"username": [catalogue.text(locale, "tasks.not_offered")]},
            )
        task.assignee = username
        uow.tasks.drop_candidates([task.id])
        _record(uow, instance, task, "task_delegated", actor.username, now, data={"to": username})
        uow.commit()
    return task


def _record(
    uow: UnitOfWork,
    instance: ProcessInstance,
    task: HumanTask,
    event_type: str,
    actor: str,
    now: datetime,
    **fields: Any,
) -> None:
    """Append an event about one human task to its instance's history."""
    steps.record(
        uow,
        instance,
        event_type,
        actor,
        now,
        element_id=task.element_id,
        element_name=task.name,
        task_id=str(task.id),
        **fields,
    )


def _locked_task(uow: UnitOfWork, task_id: UUID) -> LockedTask:
    locked = uow.instances.lock_with_task(task_id)
    if locked.task.state != TaskState.OPEN:
        raise Conflict("task_already_completed", f"the task is already {locked.task.state}")
    if locked.instance.state == InstanceState.SUSPENDED:
        raise Conflict("instance_suspended", "the case is suspended; its tasks wait until resumed")
    return locked


def _ensure_may_work(task: HumanTask, user: User) -> None:
    if not may_work(task, user):
        raise Forbidden("you are not among the people this task is offered to")


def _link_attachments(uow: UnitOfWork, data: Any, instance_id: UUID, user: User) -> int:
    """Link the submitter's own unlinked uploads named in submitted data to the instance.

    An upload (`POST /attachments`) belongs to no case until a form naming it is submitted;
    from then on whoever may see the instance may read it (the leaders a report goes to).
    """
    linked = 0
    for attachment in uow.attachments.many(set(_uuids(data))):
        if attachment.instance_id is None and attachment.uploaded_by == user.username:
            attachment.instance_id = instance_id
            linked += 1
    return linked


def _uuids(value: Any) -> Iterator[UUID]:
    if isinstance(value, str) and len(value) == 36:
        try:
            yield UUID(value)
        except ValueError:
            return
    elif isinstance(value, dict):
        for item in value.values():
            yield from _uuids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _uuids(item)
