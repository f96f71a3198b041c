"""The case page: one instance as a participant sees it, and the list of their cases.

What a user reads of a case's data comes from `access.case_view` (the need-to-know model),
never the whole instance data. Routines add the documents of their cases (the assignment's
contract, invoice PDF and EHF, the report) in the wiring's configuration; the core names none.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from engine.runtime import instances as runtime
from engine.services import access, configuration, definitions
from engine.services.access import may_work
from engine.services.errors import Forbidden
from engine.services.inbox import task_view, with_names
from engine.services.step import steps, wakeups
from engine.store.errors import NotFound
from engine.store.models import HumanTask, ProcessInstance, User
from engine.store.states import InstanceState, TaskState
from engine.store.uow import UnitOfWork

# A document on the case page: {"kind", "title", "url"}; title in the reader's language.
# Routines list theirs in the wiring's configuration (`configuration.documents`).
Document = dict[str, str]
# BPMN timers that are a case's deadlines (the interest deadline, the application deadline, the
# offer's answer): a date or a duration, not a repeating cycle or an HTTP call's wait.
DEADLINE_TIMERS = ("date", "duration")


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
        page = with_deadline_timers(
            uow, instance, summary(instance, view.data, open_tasks, now, _names(user, view))
        )
        held = instance.state == InstanceState.SUSPENDED
        page["open_tasks"] = with_names(uow, [_task(t, user, view, now, held) for t in open_tasks])
        page["my_tasks"] = with_names(
            uow,
            [task_view(t, now, titled=True) for t in tasks if t.completed_by == user.username],
        )
        page["data"] = view.data
        page["applicants"] = access.applicant_names(view)  # named where they may
        page["documents"] = [
            document
            for source in configuration.current().documents.values()
            for document in source(uow, instance, user, view.data, locale)
        ]
        page["may_cancel"] = access.may_cancel(instance, user)
        page["may_suspend"] = access.may_suspend(instance, user)
        page["may_resume"] = access.may_resume(instance, user)
        page["cancel_reason"] = _cancel_reason(uow, instance)
        page["suspend_reason"] = _suspend_reason(uow, instance)
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
            items.append(
                with_deadline_timers(
                    uow, instance, summary(instance, data, open_tasks, now, _names(user, view))
                )
            )
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def summary(
    instance: ProcessInstance,
    data: dict[str, Any],
    open_tasks: list[HumanTask],
    now: datetime,
    name: Callable[[HumanTask], str] | None = None,
) -> dict[str, Any]:
    """Return a case's row in a list: its state, status, what it waits for, next deadline."""
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
        # The reader's names of the tasks (`_names`: titles where they may read them).
        "waiting_for": [name(t) if name else t.name for t in open_tasks],
        "open_elements": [t.element_id for t in open_tasks],
    }


def with_deadline_timers(
    uow: UnitOfWork, instance: ProcessInstance, row: dict[str, Any]
) -> dict[str, Any]:
    """Make a case's next deadline the earliest of its open tasks' and its deadline timers'
    (a case waiting for its interest deadline has no open task, but it has a deadline)."""
    timers = [t.due_at for t in uow.waits.live_timers(instance.id, DEADLINE_TIMERS) if t.due_at]
    row["next_due_at"] = min(
        [d for d in (row["next_due_at"], *timers) if d is not None], default=None
    )
    return row


def _names(user: User, view: access.CaseView | None) -> Callable[[HumanTask], str]:
    """Return how the user reads a task's name: its title where `may_read_title` allows."""

    def name(task: HumanTask) -> str:
        return task.title if task.title and access.may_read_title(task, user, view) else task.name

    return name


def _task(
    task: HumanTask, user: User, view: access.CaseView, now: datetime, held: bool
) -> dict[str, Any]:
    shown = task_view(task, now, titled=access.may_read_title(task, user, view))
    shown["suspended"] = held  # the case is on hold: nobody works on its tasks until resumed
    shown["may_work"] = may_work(task, user) and not held
    # Their task opens from the case page as from the inbox, on hold too (read-only, "På vent").
    shown["may_open"] = may_work(task, user)
    return shown


def cancel_case(
    uow: UnitOfWork, instance_id: UUID, reason: str, *, actor: User, now: datetime
) -> None:
    """Cancel a running case: every open task and timer ends; the reason goes in its history."""
    with uow:
        instance = uow.instances.get(instance_id, lock=True)
        _ensure(uow, instance, actor, access.may_cancel(instance, actor), "cancel it")
        built = definitions.built_for(uow, instance.definition_id)
        outcome = runtime.cancel(built, instance.snapshot, now=now)
        steps.record(
            uow, instance, "case_cancel_requested", actor.username, now, data={"reason": reason}
        )
        steps.apply(uow, instance, built, outcome, actor=actor.username, now=now)
        uow.commit()


def case_state(uow: UnitOfWork, instance_id: UUID) -> dict[str, Any]:
    """Return a case's id, process and state only: what a life-cycle command answers someone
    who may act on the case without reading it."""
    with uow:
        instance = uow.instances.get(instance_id)
        return {"id": instance.id, "key": instance.key, "state": instance.state}


def suspend_case(
    uow: UnitOfWork, instance_id: UUID, reason: str, *, actor: User, now: datetime
) -> None:
    """Put a running case on hold: its timers wait and its tasks cannot be completed until it
    is resumed; the reason goes in its history (`instance_suspended`)."""
    _hold(uow, instance_id, reason, actor=actor, now=now, resume=False)


def resume_case(
    uow: UnitOfWork, instance_id: UUID, reason: str, *, actor: User, now: datetime
) -> None:
    """Let a suspended case run again; timers that fell due meanwhile fire at the next poll."""
    _hold(uow, instance_id, reason, actor=actor, now=now, resume=True)


def _hold(
    uow: UnitOfWork, instance_id: UUID, reason: str, *, actor: User, now: datetime, resume: bool
) -> None:
    with uow:
        instance = uow.instances.get(instance_id, lock=True)
        allowed = access.may_resume if resume else access.may_suspend
        _ensure(uow, instance, actor, allowed(instance, actor), "resume" if resume else "suspend")
        instance.state = InstanceState.RUNNING if resume else InstanceState.SUSPENDED
        kind = "instance_resumed" if resume else "instance_suspended"
        steps.record(uow, instance, kind, actor.username, now, data={"reason": reason})
        if resume:
            wakeups.hint(uow.session, "timers", None)
        uow.commit()


def _ensure(
    uow: UnitOfWork, instance: ProcessInstance, actor: User, allowed: bool, what: str
) -> None:
    """Let a life-cycle command through; a case the actor takes no part in is not found.

    Process owners and admins act on any case's life cycle without reading its data; others
    only on what their part in the case allows (a starter cancels their own case)."""
    if allowed:
        return
    keeper = access.holds(actor, access.LIFECYCLE_KEEPERS)
    if not keeper and access.case_view(uow, instance, actor) is None:
        raise NotFound("case", instance.id)
    raise Forbidden(f"you may not {what} this case in its state ({instance.state})")


def _suspend_reason(uow: UnitOfWork, instance: ProcessInstance) -> str | None:
    """Return why the case is on hold (its history's last `instance_suspended`)."""
    if instance.state != InstanceState.SUSPENDED:
        return None
    held = [e for e in uow.history.of_instance(instance.id) if e.type == "instance_suspended"]
    return str((held[-1].data or {}).get("reason") or "") or None if held else None


def _cancel_reason(uow: UnitOfWork, instance: ProcessInstance) -> str | None:
    """Return why the case was cancelled (its history's `case_cancel_requested`), for everyone
    with a part in it: whoever may see the case may see why it stopped."""
    if instance.state != InstanceState.CANCELLED:
        return None
    asked = [e for e in uow.history.of_instance(instance.id) if e.type == "case_cancel_requested"]
    return str((asked[-1].data or {}).get("reason") or "") or None if asked else None
