"""Human-task deadlines as timer rows: reminder the day before, overdue, escalation to the leader.

When a task with a due date opens, up to three rows join the `timer` table in the same
transaction (kinds below, `task_id` = the human task): `reminder` at 08:00 Europe/Oslo on the
working day before the due date (if that is still ahead), `overdue` at the due time, and
`escalation` at 08:00 on the working day after `escalation_grace_working_days` full working days
past the due date. They are claimed and fired like BPMN timers (`timers.py` hands them here);
firing writes mails and returns the history event to append. When the task completes or is
cancelled (the `task_completed` or `task_cancelled` event), its rows are cancelled in the same
transaction.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from uuid import UUID

from engine.rules.calendar import add_working_days
from engine.services.step import notifications, wakeups
from engine.store.models import HumanTask, ProcessInstance, Timer, User
from engine.store.states import TaskState, TimerState
from engine.store.uow import UnitOfWork
from engine.timezone import OSLO

KINDS = ("reminder", "overdue", "escalation")
_MAIL = {"reminder": "task_due_tomorrow", "overdue": "task_overdue", "escalation": "task_escalated"}
_EVENT = {
    "reminder": "task_due_reminder",
    "overdue": "task_overdue",
    "escalation": "task_escalated",
}


def _moments(due_at: datetime, now: datetime, grace_days: int, hour: int) -> dict[str, datetime]:
    """Return when each reminder of a task due at `due_at` falls, leaving out those past."""
    due_day = due_at.astimezone(OSLO).date()
    found = {
        "reminder": _at(add_working_days(due_day, -1), hour),
        "overdue": due_at,
        "escalation": _at(add_working_days(due_day, grace_days + 1), hour),
    }
    if not now < found["reminder"] < due_at:
        del found["reminder"]
    return found


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=OSLO)


def schedule(uow: UnitOfWork, instance: ProcessInstance, task: HumanTask, now: datetime) -> None:
    """Add the reminder, overdue and escalation timers of a task that has a due date."""
    if task.due_at is None:
        return
    policy = notifications.policy()
    found = _moments(task.due_at, now, policy.escalation_grace_working_days, policy.reminder_hour)
    for kind, at in found.items():
        uow.waits.add(
            Timer(
                instance_id=instance.id,
                task_id=str(task.id),
                element_id=task.element_id,
                kind=kind,
                due_at=at,
                state=TimerState.WAITING,
                attempts=0,
                created_at=now,
            )
        )
    wakeups.hint(uow.session, "timers", min(found.values()))


def cancel(uow: UnitOfWork, task_id: str) -> None:
    """Cancel a closed task's pending reminders (no query if it is known to have no due date)."""
    key = uow.session.identity_key(HumanTask, UUID(task_id))
    known = uow.session.identity_map.get(key)
    if isinstance(known, HumanTask) and known.due_at is None:
        return
    uow.waits.cancel_task_timers(KINDS, [task_id])


def fire(
    uow: UnitOfWork, instance: ProcessInstance, timer: Timer, now: datetime
) -> tuple[str, dict[str, Any]] | None:
    """Send a task reminder; return (event type, data) for the history, None if the task is done."""
    task = uow.tasks.get(UUID(timer.task_id))
    if task.state != TaskState.OPEN:
        return None
    people = notifications.offered_to(uow, task)
    # An escalation goes to the leaders of those it is offered to: they read its name only.
    escalates = timer.kind == "escalation"
    params = notifications.task_params(uow, instance, task, titled=not escalates)
    if escalates:
        params["assignee"] = ", ".join(u.full_name or u.username for u in people) or "-"
        people = _leaders(uow, people)
    sent = [
        u.username
        for u in people
        if notifications.enqueue(
            uow, u, _MAIL[timer.kind], params, now=now, instance=instance, task_id=str(task.id)
        )
    ]
    data = {"due_at": task.due_at.isoformat() if task.due_at else None, "to": sent}
    if timer.kind == "escalation":
        data["leaders"] = [u.username for u in people]
    return _EVENT[timer.kind], data


def _leaders(uow: UnitOfWork, people: list[User]) -> list[User]:
    names = dict.fromkeys(u.leader_username for u in people if u.leader_username)
    return [leader for name in names if name and (leader := uow.users.find(name))]
