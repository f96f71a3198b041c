"""Human-task deadlines: reminder, overdue flag and mail, escalation to the assignee's leader."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import update

from engine.services import inbox, instances, organisation, tasks
from engine.services.wiring import Wiring
from engine.store.models import HumanTask, User
from engine.timezone import OSLO
from tests.conftest import NOW, user
from tests.deadlines.conftest import all_mail, all_timers, events, fire

MONDAY = datetime.fromisoformat("2026-11-23T10:00:00+01:00")  # due Wednesday 25th, 23:59:59


def _oslo(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=OSLO)


def _start(wiring: Wiring, people: list[str], starter: str = "emp.asker") -> tuple[UUID, HumanTask]:
    instance = instances.start_instance(
        wiring.new_uow(),
        "task_due",
        {"people": people, "days": 2},
        actor=user(wiring, starter),
        now=MONDAY,
        business_key="RAP-1",
    )
    with wiring.new_uow() as uow:
        [task] = uow.tasks.open_for_instance(instance.id)
    return instance.id, task


def _set_user(wiring: Wiring, username: str, **values: object) -> None:
    with wiring.new_uow() as uow:
        uow.session.execute(update(User).where(User.username == username).values(**values))
        uow.commit()


def test_reminder_overdue_and_escalation_fire_in_turn(processes: Wiring) -> None:
    instance_id, task = _start(processes, ["emp.asker"])
    assert task.due_at == _oslo("2026-11-25T23:59:59")
    assert {t.kind: t.due_at for t in all_timers(processes)} == {
        "reminder": _oslo("2026-11-24T08:00"),
        "overdue": _oslo("2026-11-25T23:59:59"),
        "escalation": _oslo("2026-11-30T08:00"),  # two full working days' grace: Thu, Fri
    }
    assert all_mail(processes) == []  # the starter made the task herself: no "new task" mail
    assert fire(processes, _oslo("2026-11-24T08:00")) == 1
    assert fire(processes, _oslo("2026-11-26T00:00")) == 1
    view = inbox.task_view(task, _oslo("2026-11-26T00:00"))
    assert view["is_overdue"] is True
    assert fire(processes, _oslo("2026-11-30T08:00:01")) == 1
    mails = [(m.kind, m.recipient) for m in all_mail(processes)]
    assert mails == [
        ("task_due_tomorrow", "emp.asker"),
        ("task_overdue", "emp.asker"),
        ("task_escalated", "leder.asker"),
    ]
    escalation = all_mail(processes)[-1]
    assert "Eva Holm" in escalation.body and "25. november 2026 kl. 23:59" in escalation.body
    types = [e.type for e in events(processes, instance_id)]
    assert [t for t in types if t.startswith("task_") and t != "task_ready"] == [
        "task_due_reminder",
        "task_overdue",
        "task_escalated",
    ]


def test_reminders_respect_the_users_choice_but_the_leader_is_still_told(
    processes: Wiring,
) -> None:
    # Each changes their own preferences (PATCH /api/v1/me calls this service).
    organisation.update_preferences(
        processes.new_uow(), "emp.asker", reminders_enabled=False, now=NOW
    )
    organisation.update_preferences(processes.new_uow(), "leder.asker", locale="en", now=NOW)
    _start(processes, ["emp.asker"])
    assert fire(processes, _oslo("2026-12-01T00:00")) == 3
    [mail] = all_mail(processes)
    assert (mail.kind, mail.recipient, mail.locale) == ("task_escalated", "leder.asker", "en")
    assert mail.subject == "Overdue task with Eva Holm: Lever rapport (RAP-1)"


def test_completing_the_task_cancels_its_reminders_in_the_same_step(processes: Wiring) -> None:
    _instance_id, task = _start(processes, ["emp.asker"])
    tasks.complete_task(
        processes.new_uow(), task.id, {}, actor=user(processes, "emp.asker"), now=MONDAY
    )
    assert {t.state for t in all_timers(processes)} == {"cancelled"}
    assert fire(processes, _oslo("2026-12-31T00:00")) == 0
    assert all_mail(processes) == []


def test_new_task_and_delegation_mail_the_people_concerned(processes: Wiring) -> None:
    _instance_id, task = _start(processes, ["emp.asker", "emp2.asker"], starter="leder.asker")
    assert sorted((m.kind, m.recipient) for m in all_mail(processes)) == [
        ("task_available", "emp.asker"),
        ("task_available", "emp2.asker"),
    ]
    first = all_mail(processes)[0]
    assert first.subject == "Ny oppgave: Lever rapport (RAP-1)"
    assert (
        f"/tasks/{task.id}" in first.body
        and "Fristen er 25. november 2026 kl. 23:59." in first.body
    )
    tasks.delegate_task(
        processes.new_uow(),
        task.id,
        "emp2.asker",
        actor=user(processes, "emp.asker"),
        now=MONDAY + timedelta(hours=1),
    )
    last = all_mail(processes)[-1]
    assert (last.kind, last.recipient) == ("task_assigned", "emp2.asker")
    assert last.subject == "Oppgave til deg: Lever rapport (RAP-1)"
