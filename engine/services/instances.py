"""Start instances, complete and claim tasks, route messages: load → runtime → save."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import uuid4

from engine import catalogue
from engine.runtime import declarations as runtime_declarations
from engine.runtime import instances as runtime
from engine.runtime import spiffarena
from engine.runtime.model import Outcome, ThrownMessage
from engine.services import access, declarations, definitions, forms, retirement
from engine.services.errors import BadRequest, BusinessKeyInUse, FormInvalid
from engine.services.step import history, steps
from engine.store.errors import Conflict
from engine.store.models import ProcessInstance, User
from engine.store.states import InstanceState
from engine.store.uow import UnitOfWork
from engine.timezone import OSLO

MAX_MESSAGE_HOPS = 50
RESERVED_START_KEYS = ("instance_id", "started_by", "business_key")  # set by the engine
NO_START_FORM = b'{"type": "object", "additionalProperties": false}'  # no form: no start data


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
    form allows, and never under a business key another instance of the process has (open or
    finished: a field message, 422; `start_in` checks it at every door)."""
    with uow:
        definition = uow.definitions.latest(key)
        retirement.ensure_not_retired(definition)
        declared = declarations.of(uow, definition)
        called = key in declarations.called_processes(uow)
        access.ensure_may_start(actor, declared.declarations, called=called)
        options = declarations.starter_options(uow, actor, declared.start_form)
        _check_start_data(declared, data, locale, now.astimezone(OSLO).date(), options)
        instance = start_in(
            uow,
            key,
            data,
            actor=actor,
            now=now,
            business_key=business_key,
            step_budget=step_budget,
            locale=locale,
        )
        uow.commit()
    return instance


def _check_start_data(
    declared: declarations.Declared,
    data: Mapping[str, Any],
    locale: str,
    today: date,
    options: Mapping[str, Any] | None = None,
) -> None:
    """Refuse reserved keys and anything the start form does not allow (no form: no data);
    `options`: the starter's choices of people (`declarations.starter_options`)."""
    reserved = sorted(set(data) & set(RESERVED_START_KEYS))
    if reserved:
        text = catalogue.text(locale, "instances.reserved_key")
        raise FormInvalid({name: [text] for name in reserved})
    if declared.start_form is None and declared.declarations.any_start_data:
        return
    forms.validate(
        declared.start_form or NO_START_FORM,
        data,
        locale,
        today=today,
        task_data=options,
        forms=declared.forms,
    )


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
    locale: str = catalogue.DEFAULT,
) -> ProcessInstance:
    """Start an instance inside an open unit of work (no commit).

    With `message`, at the process's message start event of that name (the message's
    payload is the start data); `actor` is then whoever sent it. Every door starts here, so
    here a case number another instance of the process has is refused (`BusinessKeyInUse`).
    """
    username = actor if isinstance(actor, str) else actor.username
    definition = uow.definitions.latest(key)
    retirement.ensure_not_retired(definition)  # the board and the vacancy page start here too
    if not definition.runnable:
        reason = "; ".join(definition.problems) or "it is not executable"
        raise BadRequest(f"process '{key}' cannot be started: {reason}")
    declared = declarations.of(uow, definition).declarations
    business_key = _case_number(uow, declared, data, business_key, locale)
    built = definitions.built(uow, definition)
    instance_id = uuid4()
    start_data = {
        **data,
        "instance_id": str(instance_id),
        "started_by": username,
        "business_key": business_key,
    }
    caught = (message.name, message.payload) if message is not None else None
    with spiffarena.acting(username):
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
        on_hold = False
        for subscription in uow.waits.subscriptions(message.name):
            if not _correlates(subscription.correlation, message.correlation):
                continue
            instance = uow.instances.get(subscription.instance_id, lock=True)
            built = definitions.built_for(uow, instance.definition_id)
            senders = runtime_declarations.sender_roles(built, subscription.element_id)
            if sender is not None and not access.may_send(sender, senders):
                continue
            if instance.state == InstanceState.SUSPENDED:
                on_hold = True  # as Camunda 7: a suspended execution is not correlated
                continue
            with spiffarena.acting(actor):
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
                delta=history.data_delta(instance.process_data, outcome.data) or None,
            )
            steps.apply(uow, instance, built, outcome, actor=actor, now=now)
            uow.flush()
            reached.append(instance)
            route_messages(uow, outcome.thrown, actor=actor, now=now, hops=hops + 1)
            break
        else:
            if on_hold:
                # Refused, not kept: the waiting case is on hold. Nothing changes (the sender's
                # own step, if any, rolls back), and the message is sent again after resume.
                raise Conflict(
                    "instance_suspended",
                    f"the case waiting for message '{message.name}' is suspended; "
                    "send it again when the case is resumed",
                    {"message": message.name},
                    variant="message",
                )
            # nobody waits for it: a process that starts with this message, if one does
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
        if not definition.runnable or definition.retired_at is not None:
            continue
        built = definitions.built(uow, definition)
        if message.name in runtime.message_start_names(built):
            senders = runtime_declarations.message_start_senders(built, message.name)
            if sender is not None and not access.may_send(sender, senders):
                continue
            try:
                instance = start_in(
                    uow,
                    definition.key,
                    message.payload,
                    actor=actor,
                    now=now,
                    business_key=_business_key(message.correlation.get("business_key")),
                    message=message,
                    hops=hops,
                )
            except BusinessKeyInUse as used:  # the message's correlation named it
                field = f"correlation.{used.field}"
                raise BusinessKeyInUse(used.key, used.business_key, field, *used.messages) from None
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


def _case_number(
    uow: UnitOfWork,
    declared: runtime_declarations.Declarations,
    data: Mapping[str, Any],
    business_key: str | None,
    locale: str,
) -> str | None:
    """Return the new instance's business key: the one given, else the start data's
    `businessKeyFrom` key; refuse one another instance of the process has (open or finished),
    unless the process declares its instances share their case's (`businessKeyShared`)."""
    field = "business_key"
    if business_key is not None and not declared.business_key_asked:
        text = catalogue.text(locale, "instances.business_key_not_asked")
        raise FormInvalid({field: [text]})
    source = declared.business_key_from
    given = data.get(source) if source else None
    if source and isinstance(given, (str, int)) and not isinstance(given, bool) and given != "":
        if business_key is None:
            business_key, field = str(given), source
        elif business_key != str(given):
            text = catalogue.text(locale, "instances.business_key_mismatch")
            raise FormInvalid({source: [text]})
    if business_key is None or declared.business_key_shared:
        return business_key
    if uow.instances.has_business_key(declared.key, business_key):
        # A case number names one case for good: a finished case keeps its number.
        text = catalogue.text(locale, "instances.business_key_in_use")
        raise BusinessKeyInUse(declared.key, business_key, field, text)
    return business_key


MAX_BUSINESS_KEY = 200  # process_instance.business_key, as POST /process-definitions/{key}/start


def _text_at_most(limit: int) -> str:
    # A script's message, thrown with no request language at hand: the default language.
    return catalogue.text(catalogue.DEFAULT, "instances.business_key_text", limit=limit)


def _business_key(value: Any) -> str | None:
    """Return the business key a message's correlation names, as text; refuse anything else."""
    if value is None:
        return None
    is_text = isinstance(value, (str, int)) and not isinstance(value, bool)
    if is_text and len(str(value)) <= MAX_BUSINESS_KEY:
        return str(value)
    raise BadRequest(
        f"the correlation's business_key must be text of at most {MAX_BUSINESS_KEY} characters",
        {"correlation.business_key": [_text_at_most(MAX_BUSINESS_KEY)]},
    )
