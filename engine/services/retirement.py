"""Retire a process version and undo it: the process owner's way to stop new instances.

As Camunda 7's suspended process definitions: a retired version starts no new instance (start
page, API, the Camunda door, message start events), while the instances already running on it
go on to their end. New instances always start on the newest version, as Camunda's start by key
does; it never falls back to an older one. So retiring the newest version takes the process off
everyone's start page until the owner makes another version current ("Gjør gjeldende") or
undoes the retirement. Each retirement and its undoing is recorded in the system history with
who, when and why; the version row holds the retirement in force.
"""

from __future__ import annotations

from datetime import datetime

from engine.services.step import history
from engine.store.errors import Conflict
from engine.store.models import ProcessDefinition
from engine.store.uow import UnitOfWork


def retire_version(
    uow: UnitOfWork, key: str, version: int, *, actor: str, reason: str, now: datetime
) -> ProcessDefinition:
    """Retire one version: no new instance starts on it; the reason goes in the history."""
    with uow:
        definition = uow.definitions.version(key, version)
        if definition.retired_at is not None:
            raise Conflict("version_retired", f"{key} v{version} is already retired")
        definition.retired_at, definition.retired_by = now, actor
        definition.retired_reason = reason
        _record(uow, definition, "definition_retired", actor, now, reason)
        uow.commit()
    return definition


def reinstate_version(
    uow: UnitOfWork, key: str, version: int, *, actor: str, reason: str, now: datetime
) -> ProcessDefinition:
    """Undo a retirement: the version starts instances again (if it is the newest)."""
    with uow:
        definition = uow.definitions.version(key, version)
        if definition.retired_at is None:
            raise Conflict("version_not_retired", f"{key} v{version} is not retired")
        definition.retired_at = definition.retired_by = definition.retired_reason = None
        _record(uow, definition, "definition_reinstated", actor, now, reason)
        uow.commit()
    return definition


def ensure_not_retired(definition: ProcessDefinition) -> None:
    """Refuse to start an instance on a retired version (409 `version_retired`)."""
    if definition.retired_at is not None:
        raise Conflict(
            "version_retired",
            f"process '{definition.key}' version {definition.version} is retired: "
            "no new instances start on it",
            {"process": definition.key, "version": definition.version},
            variant="start",
        )


def _record(
    uow: UnitOfWork,
    definition: ProcessDefinition,
    kind: str,
    actor: str,
    now: datetime,
    reason: str,
) -> None:
    history.append(
        uow,
        stream=history.SYSTEM_STREAM,
        type=kind,
        actor=actor,
        at=now,
        definition_key=definition.key,
        definition_version=definition.version,
        data={"reason": reason, "file": definition.file_name, "hash": definition.content_hash},
    )
