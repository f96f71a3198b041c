"""Keep the external_task table in step with the external tasks an instance waits on.

A step that readies a `camunda:type="external"` task adds its row (lockable at once) and rings
the "external" wake-up channel, so a worker's long poll answers; a task the step ended without
a worker (a boundary event, a cancel) is cancelled.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from engine.runtime.model import ExternalWork
from engine.services.step import waits, wakeups
from engine.store.models import ExternalTask, ProcessInstance
from engine.store.states import ExternalTaskState
from engine.store.uow import UnitOfWork

CHANNEL = "external"


def sync(
    uow: UnitOfWork,
    instance: ProcessInstance,
    current: list[ExternalWork],
    previous: dict[str, str],
    closed: frozenset[str],
    now: datetime,
) -> None:
    """Add rows for new external tasks, cancel the ones that are gone (not `closed`)."""
    ended, added = waits.changes(current, previous, closed)
    gone = {UUID(task_id) for task_id in ended}
    if gone:
        for row in uow.external_tasks.open_for_instance(instance.id):
            if row.id in gone:
                row.state, row.worker_id, row.ended_at = ExternalTaskState.CANCELLED, None, now
    for work in added:
        uow.external_tasks.add(
            ExternalTask(
                id=UUID(work.id),
                instance_id=instance.id,
                definition_id=instance.definition_id,
                process_key=instance.key,
                version=instance.version,
                business_key=instance.business_key,
                element_id=work.element_id,
                topic=work.topic,
                state=ExternalTaskState.OPEN,
                priority=work.priority,
                variables=work.data,
                created_at=now,
            )
        )
        wakeups.hint(uow.session, CHANNEL, None)
