"""Retention: anonymise the personal data of instances that ended long enough ago.

The chain still verifies afterwards: an event's hash covers its data through a digest, so
anonymising keeps the digest (`content_digest`), drops data and delta, and appends an
`instance_anonymised` tombstone naming the events it emptied. Who acted, when, on which
element and version stays; what they entered goes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

from lxml import etree

from engine.services.errors import BadRequest
from engine.services.step import history, steps
from engine.store.errors import Conflict
from engine.store.models import ProcessDefinition, ProcessInstance
from engine.store.uow import UnitOfWork

SYSTEM_ACTOR = "system:retention"
PROPERTY = "retentionDays"
# Events whose data names no person: what the engine did, to whom a task was offered, timers.
KEEP_DATA = frozenset({"element_completed", "task_ready", "timer_fired", "instance_migrated"})


def retention_days(uow: UnitOfWork, definition: ProcessDefinition, default: int) -> int:
    """Return the process's retentionDays property, or the default."""
    files = {f.name: f.content for f in uow.definitions.files(definition.deployment_id)}
    content = files.get(definition.file_name)
    if content is None:
        return default
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(content, parser)
    for process in root.iter("{*}process"):
        if process.get("id") != definition.key:
            continue
        for prop in process.iterchildren("{*}extensionElements"):
            for item in prop.iter("{*}property"):
                if item.get("name") == PROPERTY and (item.get("value") or "").isdigit():
                    return int(item.get("value") or default)
    return default


def anonymise(
    uow: UnitOfWork, instance_id: UUID, *, actor: str, now: datetime, reason: str
) -> ProcessInstance:
    """Empty the personal data of one ended instance, keeping its chain verifiable."""
    with uow:
        instance = uow.instances.get(instance_id, lock=True)
        if instance.ended_at is None:
            raise BadRequest("only instances that have ended can be anonymised")
        if uow.audit.is_anonymised(instance_id):
            raise Conflict("instance_anonymised", "the instance is already anonymised")
        emptied: list[int] = []
        fields: set[str] = set()
        for event in uow.history.of_instance(instance_id):
            if event.type in KEEP_DATA or (event.data is None and event.delta is None):
                continue
            fields.update(_keys(event.data), _keys(event.delta))
            event.content_digest = history.content_digest(event.data, event.delta)
            event.data, event.delta = None, None
            emptied.append(event.seq)
        instance.data, instance.snapshot = {}, {}
        uow.audit.clear_drafts(instance_id)
        steps.record(
            uow,
            instance,
            history.ANONYMISED,
            actor,
            now,
            data={"events": emptied, "fields": sorted(fields), "reason": reason},
        )
        history.append(
            uow,
            stream=history.SYSTEM_STREAM,
            type="personal_data_removed",
            actor=actor,
            at=now,
            definition_key=instance.key,
            definition_version=instance.version,
            data={"instance_id": str(instance_id), "events": len(emptied), "reason": reason},
        )
        uow.commit()
    return instance


def anonymise_expired(
    new_uow: Callable[[], UnitOfWork], *, now: datetime, default_days: int
) -> list[UUID]:
    """Anonymise every ended instance past its process's retention period; return their ids."""
    with new_uow() as uow:
        candidates = [
            (i.id, i.ended_at, uow.definitions.get(i.definition_id))
            for i in uow.audit.ended_before(now - timedelta(days=_shortest(uow, default_days)))
            if not uow.audit.is_anonymised(i.id)
        ]
        due = []
        for instance_id, ended_at, definition in candidates:
            days = retention_days(uow, definition, default_days)
            if ended_at is not None and ended_at + timedelta(days=days) <= now:
                due.append((instance_id, days))
    for instance_id, days in due:
        reason = f"retention period of {days} days has passed"
        anonymise(new_uow(), instance_id, actor=SYSTEM_ACTOR, now=now, reason=reason)
    return [instance_id for instance_id, _ in due]


def _shortest(uow: UnitOfWork, default: int) -> int:
    """Return the shortest retention any deployed process asks for (to narrow the search)."""
    periods = [retention_days(uow, d, default) for d in uow.definitions.list(all_versions=True)]
    return min([default, *periods])


def _keys(value: object) -> list[str]:
    return [str(k) for k in value] if isinstance(value, dict) else []
