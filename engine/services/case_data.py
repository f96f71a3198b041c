"""What a case's data holds for a form or a task: the pieces `access.case_view` reads.

No rules here (those are in access.py): the fields a form (JSON Schema) names, the start form's,
the data a task reads, every string of some data (to find a file's id).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from engine.runtime import instances as runtime
from engine.services import declarations, definitions
from engine.store.models import HumanTask, ProcessInstance
from engine.store.states import InstanceState, TaskState
from engine.store.uow import UnitOfWork


def task_source(
    built: definitions.Built, instance: ProcessInstance, task: HumanTask
) -> dict[str, Any]:
    """Return the data a task reads: its own scope while it waits, else the instance's."""
    if task.state == TaskState.OPEN and instance.state == InstanceState.RUNNING:
        own = runtime.task_data(built, instance.snapshot, task.id)
        if own is not None:
            return own
    return dict(instance.process_data)


def form_fields(built: definitions.Built, name: str | None) -> frozenset[str]:
    """Return the top-level fields (JSON Schema properties) of a form of a definition."""
    if not name or name not in built.forms:
        return frozenset()
    return schema_fields(built.forms[name])


@lru_cache(maxsize=1024)
def schema_fields(content: bytes) -> frozenset[str]:
    """Return the top-level properties of a JSON Schema file (none if it cannot be read)."""
    try:
        schema = json.loads(content)
    except ValueError:
        return frozenset()
    properties = schema.get("properties") if isinstance(schema, dict) else None
    return frozenset(properties) if isinstance(properties, dict) else frozenset()


def start_fields(uow: UnitOfWork, instance: ProcessInstance) -> frozenset[str]:
    """Return the fields of the start form of the instance's definition (none without one)."""
    definition = uow.definitions.get(instance.definition_id)
    start_form = declarations.of(uow, definition).start_form
    return frozenset() if start_form is None else schema_fields(start_form)


def strings(value: Any) -> Iterator[str]:
    """Yield every string inside some data (dicts and lists walked)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)
