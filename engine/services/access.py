"""Every "who may do or see what" rule, in one place.

So far: who may start a process and who may send a message from outside, as the process
declares it (`engine/runtime/declarations.py`, docs/bpmn-conventions.md). The other `may_*`
predicates (tasks, instances, attachments, invoices) move here with the "need to know" model.

Starting (the start page, `POST /api/v1/process-definitions/{key}/start`):

- never a process that a call activity of another process calls (it expects its caller's
  data), one without a none start event (messages start it), or one declared
  `startedBy="service"` (the board, the public vacancy page: their own checks come first);
- with `startRoles`, users holding one of those roles; without, only process owners and
  admins (to try a new model);
- with `startMunicipalities`, only users of one of those municipalities.

Messages from outside (`POST /api/v1/messages`) reach only catching events whose
`messageSenderRoles` include one of the sender's roles; messages the engine routes between
instances are not checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.runtime import declarations
from engine.runtime import instances as runtime
from engine.runtime.declarations import Declarations
from engine.services.errors import MessageForbidden, StartForbidden
from engine.store.models import HumanTask, ProcessInstance, User
from engine.store.states import InstanceState, TaskState
from engine.store.uow import UnitOfWork

TRYING_ROLES = frozenset({"process_owner", "admin"})  # start what declares no startRoles


def start_refusal(
    user: User, declared: Declarations, *, called: bool, by_service: bool = False
) -> str | None:
    """Return why the user may not start the process (a stable reason), or None if they may.

    `by_service` is true when a saksflyt service (the board) starts it for the user.
    """
    roles = set(user.roles)
    if called:
        return "called_process"
    if not declared.has_none_start:
        return "started_by_message"
    if declared.started_by_service and not by_service:
        return "started_by_service"
    allowed = TRYING_ROLES if declared.start_roles is None else declared.start_roles
    if not roles & allowed:
        return "role"
    municipalities = declared.start_municipalities
    if municipalities is not None and user.municipality_id not in municipalities:
        return "municipality"
    return None


def may_start(user: User, declared: Declarations, *, called: bool) -> bool:
    """Tell whether the user may start the process from the start page or the API."""
    return start_refusal(user, declared, called=called) is None


def ensure_may_start(
    user: User, declared: Declarations, *, called: bool, by_service: bool = False
) -> None:
    """Raise StartForbidden unless the user may start the process."""
    reason = start_refusal(user, declared, called=called, by_service=by_service)
    if reason is not None:
        raise StartForbidden(declared.key, reason)


def may_send(user: User, sender_roles: frozenset[str]) -> bool:
    """Tell whether the user may send a message a catching event lets these roles send."""
    return bool(sender_roles & set(user.roles))


def ensure_may_send(user: User, name: str, sender_roles: frozenset[str]) -> None:
    """Raise MessageForbidden unless some deployed process lets the user send `name`."""
    if not may_send(user, sender_roles):
        raise MessageForbidden(name)


# --- The case a participant reads (issue 17). Provisional until the need-to-know model
# (branch need/access) replaces these two with its own; the pages call only these names.
EVERYTHING_ROLES = frozenset({"admin", "process_owner"})
CASE_KEYS = ("status",)  # what every participant of a case sees of its data


@dataclass(frozen=True)
class CaseView:
    """What one user may read of an instance: its data cut to the keys they may read."""

    instance: ProcessInstance
    data: dict[str, Any]


def case_view(uow: UnitOfWork, instance: ProcessInstance, user: User) -> CaseView | None:
    """Return the user's view of a case, or None if they take no part in it (404)."""
    from engine.services import definitions  # noqa: PLC0415 (definitions imports this module)
    from engine.services.tasks import may_work  # noqa: PLC0415

    data = instance.data or {}
    if EVERYTHING_ROLES & set(user.roles):
        return CaseView(instance, dict(data))
    tasks = [
        t
        for t in uow.tasks.of_instance(instance.id)
        if (t.state == TaskState.OPEN and may_work(t, user)) or t.completed_by == user.username
    ]
    if not tasks and instance.started_by != user.username:
        return None
    built = definitions.built_for(uow, instance.definition_id)
    keys = set(CASE_KEYS)
    for task in tasks:
        keys.update(declarations.context_fields(built, task.element_id))
    return CaseView(instance, {k: v for k, v in data.items() if k in keys})


def task_context(uow: UnitOfWork, task: HumanTask, user: User) -> dict[str, Any]:
    """Return the case data a task shows read-only above its form (its `contextFields`)."""
    from engine.services import definitions  # noqa: PLC0415

    instance = uow.instances.get(task.instance_id)
    built = definitions.built_for(uow, instance.definition_id)
    keys = declarations.context_fields(built, task.element_id)
    if not keys:
        return {}
    own = None
    if task.state == TaskState.OPEN and instance.state == InstanceState.RUNNING:
        own = runtime.task_data(built, instance.snapshot, task.id)
    data = own if own is not None else instance.data or {}
    return {key: data[key] for key in keys if key in data}
