"""Start instances, complete and claim tasks, route messages: load → runtime → save."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from engine.runtime import declarations as runtime_declarations
from engine.runtime import instances as runtime
from engine.runtime.model import Outcome, ThrownMessage
from engine.services import access, declarations, definitions, forms
from engine.services.errors import BadRequest, Forbidden, FormInvalid
from engine.services.step import history, steps
from engine.store.errors import Conflict
from engine.store.instances import LockedTask
from engine.store.models import HumanTask, ProcessInstance, User
from engine.store.states import InstanceState, TaskState
from engine.store.uow import UnitOfWork
from engine.timezone import OSLO

MAX_MESSAGE_HOPS = 50
RESERVED_START_KEYS = ("instance_id", "started_by", "business_key")  # set by the engine
NO_START_FORM = b'{"type": "object", "additionalProperties": false}'  # no form: no start data
RESERVED_KEY = {
    "nb": "Feltet settes av saksflyt og kan ikke gis som startdata.",
    "en": "This field is set by saksflyt and cannot be given as start data.",
}
BUSINESS_KEY_IN_USE = {
    "nb": "Saksnummeret brukes allerede av en åpen sak i denne prosessen.",
    "en": "The case number is already used by an open case of this process.",
}


def start_instance(
    uow: UnitOfWork,
    key: str,
    data: Mapping[str, Any],
    *,
    actor: User,
    now: datetime,
    business_key: str | None = None,
    step_budget: int = runtime.DEFAULT_STEP_BUDGET,
    locale: str = "nb",
) -> ProcessInstance:
    """Start the latest version of a process as a user: if they may, with what its start
    form allows, and never under the business key of an open instance of the process."""
    with uow:
        definition = uow.definitions.latest(key)
        declared = declarations.of(uow, definition)
        called = key in declarations.called_processes(uow)
        access.ensure_may_start(actor, declared.declarations, called=called)
        _check_start_data(declared, data, locale, now.astimezone(OSLO).date())
        if business_key is not None and uow.instances.open_with_business_key(key, business_key):
            text = BUSINESS_KEY_IN_USE.get(locale, BUSINESS_KEY_IN_USE["nb"])
            raise Conflict(
                "business_key_in_use",
                f"an open instance of '{key}' already has the business key {business_key}",
                {"business_key": [text]},
            )
        instance = start_in(
            uow, key, data, actor=actor, now=now, business_key=business_key, step_budget=step_budget
        )
        uow.commit()
    return instance


def _check_start_data(
    declared: declarations.Declared, data: Mapping[str, Any], locale: str, today: date
) -> None:
    """Refuse reserved keys and anything the start form does not allow (no form: no data)."""
    reserved = sorted(set(data) & set(RESERVED_START_KEYS))
    if reserved:
        text = RESERVED_KEY.get(locale, RESERVED_KEY["nb"])
        raise FormInvalid({name: [text] for name in reserved})
    forms.validate(declared.start_form or NO_START_FORM, data, locale, today=today)


def start_in(
    uow: UnitOfWork,
    key: str,
    data: Mapping[str, Any],
    *,
    actor: User | str,
    now: datetime,
    business_key: str | None = None,
    step_budget: int = runtime.DEFAULT_STEP_BUDGET,
    message: ThrownMessage | None = None,
    hops: int = 0,
) -> ProcessInstance:
    """Start an instance inside an open unit of work (no commit).

    With `message`, at the process's message start event of that name (the message's
    payload is the start data); `actor` is then whoever sent it.
    """
    username = actor if isinstance(actor, str) else actor.username
    definition = uow.definitions.latest(key)
    if not definition.runnable:
        reason = "; ".join(definition.problems) or "it is not executable"
        raise BadRequest(f"process '{key}' cannot be started: {reason}")
    built = definitions.built(uow, definition)
    instance_id = uuid4()
    start_data = {
        **data,
        "instance_id": str(instance_id),
        "started_by": username,
        "business_key": business_key,
    }
    caught = (message.name, message.payload) if message is not None else None
    outcome = runtime.start(built, start_data, now=now, step_budget=step_budget, message=caught)
    instance = ProcessInstance(
        id=instance_id,
        definition_id=definition.id,
        key=definition.key,
        version=definition.version,
        state=InstanceState(outcome.state),
        business_key=business_key,
        started_by=username,
        data={},
        snapshot={},
        created_at=now,
        updated_at=now,
        history_seq=0,
        history_head="",
    )
    uow.instances.add(instance)
    uow.flush()
    started = {**start_data, "message": message.name} if message is not None else start_data
    steps.record(
        uow,
        instance,
        "instance_started",
        username,
        now,
        data=dict(started),
        delta=history.data_delta({}, outcome.data) or None,
    )
    steps.apply(uow, instance, built, outcome, actor=username, now=now)
    route_messages(uow, outcome.thrown, actor=username, now=now, hops=hops)
    return instance


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
            forms.validate(built.forms[task.form_schema], data, locale, today=today)
        outcome = runtime.complete_task(built, instance.snapshot, task_id, data, now=now)
        _link_attachments(uow, data, instance.id, actor)
        before = dict(instance.data or {})
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
            delta=history.data_delta(before, outcome.data) or None,
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
    """Take an open task as your own; someone else's claim is a conflict."""
    with uow:
        instance, task, *_ = _locked_task(uow, task_id)
        if task.assignee and task.assignee != actor.username:
            raise Conflict(
                "task_already_claimed", f"the task is already claimed by {task.assignee}"
            )
        _ensure_may_work(task, actor)
        task.assignee = actor.username
        uow.tasks.drop_candidates([task.id])
        _record(uow, instance, task, "task_claimed", actor.username, now)
        uow.commit()
    return task


def unclaim_task(uow: UnitOfWork, task_id: UUID, *, actor: User, now: datetime) -> HumanTask:
    """Give a claimed task back to its group."""
    with uow:
        instance, task, *_ = _locked_task(uow, task_id)
        if task.assignee != actor.username and "admin" not in actor.roles:
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
    uow: UnitOfWork, task_id: UUID, username: str, *, actor: User, now: datetime
) -> HumanTask:
    """Assign the task to a colleague who is among its candidates."""
    with uow:
        instance, task, *_ = _locked_task(uow, task_id)
        _ensure_may_work(task, actor)
        target = uow.users.find(username)
        if target is None:
            raise BadRequest(f"no user named {username}", {"username": ["Ukjent bruker."]})
        task.assignee = None
        if not may_work(task, target):
            raise BadRequest(
                f"{username} is not among the people this task is offered to",
                {"username": ["Oppgaven er ikke tilbudt denne brukeren."]},
            )
        task.assignee = username
        uow.tasks.drop_candidates([task.id])
        _record(uow, instance, task, "task_delegated", actor.username, now, data={"to": username})
        uow.commit()
    return task


def route_messages(
    uow: UnitOfWork,
    messages: list[ThrownMessage],
    *,
    actor: str,
    now: datetime,
    hops: int,
    sender: User | None = None,
) -> list[ProcessInstance]:
    """Deliver thrown messages to matching waiting instances, in the same transaction.

    With `sender` (a message from outside, `messages.deliver_message`), only catching events
    that let the sender's roles send it take it; what the engine routes on is not checked.
    """
    reached: list[ProcessInstance] = []
    if hops > MAX_MESSAGE_HOPS:
        raise BadRequest("messages bounced between instances more than 50 times")
    for message in messages:
        for subscription in uow.waits.subscriptions(message.name):
            if not _correlates(subscription.correlation, message.correlation):
                continue
            instance = uow.instances.get(subscription.instance_id, lock=True)
            built = definitions.built_for(uow, instance.definition_id)
            senders = runtime_declarations.sender_roles(built, subscription.element_id)
            if sender is not None and not access.may_send(sender, senders):
                continue
            outcome = runtime.deliver_message(
                built, instance.snapshot, message.name, message.payload, now=now
            )
            steps.record(
                uow,
                instance,
                "message_received",
                actor,
                now,
                element_id=subscription.element_id,
                element_name=element_name(outcome, subscription.element_id),
                data={"name": message.name, "payload": message.payload},
                delta=history.data_delta(instance.data or {}, outcome.data) or None,
            )
            steps.apply(uow, instance, built, outcome, actor=actor, now=now)
            uow.flush()
            reached.append(instance)
            route_messages(uow, outcome.thrown, actor=actor, now=now, hops=hops + 1)
            break
        else:  # nobody waits for it: a process that starts with this message, if one does
            started = _start_by_message(
                uow, message, actor=actor, now=now, hops=hops + 1, sender=sender
            )
            reached.extend(started)
    return reached


def _start_by_message(
    uow: UnitOfWork,
    message: ThrownMessage,
    *,
    actor: str,
    now: datetime,
    hops: int,
    sender: User | None,
) -> list[ProcessInstance]:
    """Start the latest version of each process with a message start event of that name."""
    started = []
    for definition in uow.definitions.list():
        if not definition.runnable:
            continue
        built = definitions.built(uow, definition)
        if message.name in runtime.message_start_names(built):
            senders = runtime_declarations.message_start_senders(built, message.name)
            if sender is not None and not access.may_send(sender, senders):
                continue
            instance = start_in(
                uow,
                definition.key,
                message.payload,
                actor=actor,
                now=now,
                business_key=message.correlation.get("business_key"),
                message=message,
                hops=hops,
            )
            started.append(instance)
    return started


def element_name(outcome: Outcome, element_id: str) -> str | None:
    """Return the name of an element the step completed (for the history)."""
    return next((e.element_name for e in outcome.events if e.element_id == element_id), None)


def _correlates(expected: Mapping[str, Any], given: Mapping[str, Any]) -> bool:
    shared = [k for k in given if k in expected and expected[k] is not None]
    if not shared and any(v is not None for v in expected.values()):
        return False
    return all(str(expected[k]) == str(given[k]) for k in shared)


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
    return locked


def may_work(task: HumanTask, user: User) -> bool:
    """Tell whether the user may claim or complete the task."""
    if "admin" in user.roles:
        return True
    if task.assignee:
        return task.assignee == user.username
    if task.candidate_users:
        return user.username in task.candidate_users
    in_role = any(role in user.roles for role in task.candidate_roles)
    return in_role and (task.municipality_id in (None, user.municipality_id))


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
