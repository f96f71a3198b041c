"""Reads the Camunda 7 door (`/engine-rest`) needs, under the same need-to-know rules.

Every rule is access.py's: open tasks are those the caller may work on (or, for admins and
auditors, all); an instance, its variables, its tasks and its history are readable by whoever
has a part in the case (`access.case_view`), its data as their view shows it; without a part
the case does not exist for them (NotFound). History comes from the history tables:
instances, the `element_completed`/`task_*` events and the human task rows. Nothing here loads
a workflow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select

from engine.services import access
from engine.services.access import CaseView
from engine.store.errors import NotFound
from engine.store.models import HistoryEvent, HumanTask, ProcessDefinition, ProcessInstance, User
from engine.store.states import InstanceState, TaskState
from engine.store.uow import UnitOfWork


@dataclass(frozen=True)
class TaskFilter:
    """The filters of Camunda's task query that saksflyt answers (None: not given)."""

    instance_id: UUID | None = None
    process_key: str | None = None
    element_id: str | None = None
    assignee: str | None = None
    candidate_groups: tuple[str, ...] | None = None
    candidate_user: str | None = None
    unassigned: bool | None = None
    business_key: str | None = None
    task_id: UUID | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)


def definitions(uow: UnitOfWork, *, key: str | None, latest: bool) -> Sequence[ProcessDefinition]:
    """Return the runnable definitions (the latest per key, or every version)."""
    with uow:
        found = uow.definitions.list(all_versions=not latest)
    return [d for d in found if key is None or d.key == key]


def definition(uow: UnitOfWork, definition_id: UUID) -> ProcessDefinition:
    """Return one definition version (NotFound for an unknown id)."""
    with uow:
        return uow.definitions.get(definition_id)


def readable_instance(
    uow: UnitOfWork, instance_id: UUID, user: User, *, open_fields: str
) -> tuple[ProcessInstance, dict[str, Any]]:
    """Return an instance the user has a part in and the data their view of it shows."""
    with uow:
        instance = uow.instances.get(instance_id)
        view = access.ensure_case_view(uow, instance, user, open_fields=open_fields)
    return instance, view.data


def running_instance(
    uow: UnitOfWork, instance_id: UUID, user: User, *, open_fields: str
) -> tuple[ProcessInstance, dict[str, Any]]:
    """As `readable_instance`, but an ended instance is NotFound (Camunda's runtime view, which
    holds suspended instances too)."""
    instance, data = readable_instance(uow, instance_id, user, open_fields=open_fields)
    if instance.state not in (InstanceState.RUNNING, InstanceState.SUSPENDED):
        raise NotFound("process instance", instance_id)
    return instance, data


def tasks(
    uow: UnitOfWork, user: User, given: TaskFilter, *, open_only: bool = True
) -> list[tuple[HumanTask, ProcessInstance]]:
    """Return the tasks the user may see that match the filter, oldest first.

    Open tasks (the runtime view) are those offered to the user; with `open_only=False` (the
    history view) also every task of an instance the user may read.
    """
    query = select(HumanTask, ProcessInstance).join(
        ProcessInstance, ProcessInstance.id == HumanTask.instance_id
    )
    if open_only:
        query = query.where(HumanTask.state == TaskState.OPEN)
    for column, value in (
        (HumanTask.instance_id, given.instance_id),
        (HumanTask.process_key, given.process_key),
        (HumanTask.element_id, given.element_id),
        (HumanTask.assignee, given.assignee),
        (HumanTask.business_key, given.business_key),
        (HumanTask.id, given.task_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if given.unassigned:
        query = query.where(HumanTask.assignee.is_(None))
    with uow:
        rows = uow.session.execute(query.order_by(HumanTask.created_at, HumanTask.id)).all()
    found = []
    views: dict[UUID, CaseView | None] = {}
    for task, instance in rows:
        if not (access.may_list_all_tasks(user) or access.may_work(task, user)):
            if open_only:
                continue
            if instance.id not in views:
                with uow:
                    views[instance.id] = access.case_view(uow, instance, user)
            if not access.may_read_task(views[instance.id], task, user):
                continue
        if not _offered(task, given) or not _has_values(instance.data or {}, given.variables):
            continue
        found.append((task, instance))
    return found


def task(uow: UnitOfWork, task_id: UUID, user: User) -> tuple[HumanTask, ProcessInstance]:
    """Return one task the user may see (NotFound otherwise, as Camunda answers)."""
    found = tasks(uow, user, TaskFilter(task_id=task_id), open_only=False)
    if not found:
        raise NotFound("task", task_id)
    return found[0]


def _offered(task: HumanTask, given: TaskFilter) -> bool:
    if given.candidate_groups is not None and not set(given.candidate_groups) & set(
        task.candidate_roles
    ):
        return False
    return given.candidate_user is None or given.candidate_user in task.candidate_users


def _has_values(data: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    return all(name in data and data[name] == value for name, value in wanted.items())


def instances(
    uow: UnitOfWork,
    user: User,
    *,
    instance_ids: Sequence[UUID] | None = None,
    key: str | None = None,
    business_key: str | None = None,
    finished: bool | None = None,
    started_after: datetime | None = None,
    started_before: datetime | None = None,
) -> list[ProcessInstance]:
    """Return the instances the user may read that match, oldest first (history)."""
    query = select(ProcessInstance)
    if instance_ids is not None:
        query = query.where(ProcessInstance.id.in_(list(instance_ids)))
    for column, value in ((ProcessInstance.key, key), (ProcessInstance.business_key, business_key)):
        if value is not None:
            query = query.where(column == value)
    if finished is not None:
        ended = ProcessInstance.ended_at.is_not(None)
        query = query.where(ended if finished else ~ended)
    if started_after is not None:
        query = query.where(ProcessInstance.created_at > started_after)
    if started_before is not None:
        query = query.where(ProcessInstance.created_at < started_before)
    with uow:
        rows = uow.session.scalars(query.order_by(ProcessInstance.created_at)).all()
        return [i for i in rows if _may_read(i, user, uow)]


def _may_read(instance: ProcessInstance, user: User, uow: UnitOfWork) -> bool:
    return access.case_view(uow, instance, user) is not None


def events(
    uow: UnitOfWork, instance_id: UUID, user: User
) -> tuple[ProcessInstance, Sequence[HistoryEvent]]:
    """Return a readable instance and its history events, in order."""
    with uow:
        instance = uow.instances.get(instance_id)
        if not _may_read(instance, user, uow):
            raise NotFound("process instance", instance_id)
        return instance, uow.history.of_instance(instance_id)
