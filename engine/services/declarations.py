"""The access declarations of deployed processes: who starts each and how, who may send what.

Read from each definition's BPMN file once per process (definitions never change after deploy),
with the start form's files resolved as the engine resolves task forms: the definition's own
deployment first, then the latest deployed file of that name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from engine.runtime import declarations as runtime
from engine.runtime.declarations import Declarations
from engine.services import access, forms
from engine.store.models import ProcessDefinition, User
from engine.store.uow import UnitOfWork


@dataclass(frozen=True)
class Declared:
    """A definition's declarations with its start form (JSON Schema and UI schema files)."""

    declarations: Declarations
    start_form: bytes | None = None
    start_ui_form: bytes | None = None
    forms: Mapping[str, bytes] = field(default_factory=dict)  # what the start form may $ref

    def start_form_view(self, options: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """Return the start form as the task page's forms are given: schema and UI schema,
        its choices of people filled from `options` (`starter_options`)."""
        if self.start_form is None:
            return None
        ui = json.loads(self.start_ui_form) if self.start_ui_form else None
        schema = json.loads(self.start_form)
        if forms.has_options(self.start_form):
            schema = forms.expand_options(schema, options or {})
        return {"schema": schema, "ui_schema": ui}


def starter_options(uow: UnitOfWork, user: User, form: bytes | None) -> dict[str, Any]:
    """Return the choices of people a start form offers this starter: for each role it names
    (`forms.STARTER_ROLE_PREFIX`), the active users of the starter's municipality holding it,
    as "Name (unit)" with the username as value. A starter of no municipality gets none."""
    options: dict[str, Any] = {}
    for role in forms.starter_roles(form or b""):
        people = uow.users.with_role(role, user.municipality_id) if user.municipality_id else []
        choices = []
        for person in sorted(people, key=lambda u: (u.full_name or u.username, u.username)):
            unit = uow.users.unit(person.unit_id) if person.unit_id else None
            name = person.full_name or person.username
            choices.append(
                {"value": person.username, "label": f"{name} ({unit.name})" if unit else name}
            )
        options[forms.STARTER_ROLE_PREFIX + role] = choices
    return options


# A pure cache, not configuration: keyed by definition id (a uuid4, unique in every database),
# of what a deployed definition version declares; deployed files never change.
_declared: dict[UUID, Declared] = {}


def of(uow: UnitOfWork, definition: ProcessDefinition) -> Declared:
    """Return one definition's declarations (read on first use)."""
    return of_many(uow, [definition])[definition.id]


def of_many(uow: UnitOfWork, found: Iterable[ProcessDefinition]) -> dict[UUID, Declared]:
    """Return the declarations of several definitions, reading each deployment once."""
    wanted = list(found)
    missing: dict[UUID, list[ProcessDefinition]] = {}
    for definition in wanted:
        if definition.id not in _declared:
            missing.setdefault(definition.deployment_id, []).append(definition)
    latest: dict[str, bytes] | None = None
    for deployment_id, group in missing.items():
        own = {f.name: f.content for f in uow.definitions.files(deployment_id)}
        for definition in group:
            read = _read(own, definition)
            names = [n for n in (read.start_form, read.start_ui_form) if n and n not in own]
            if names and latest is None:
                latest = {n: f.content for n, f in uow.definitions.latest_files().items()}
            files = {**(latest or {}), **own}
            _declared[definition.id] = Declared(
                read,
                _file(files, read.start_form),
                _file(files, read.start_ui_form),
                {n: c for n, c in files.items() if n.endswith(".json")},
            )
    return {d.id: _declared[d.id] for d in wanted}


def _read(files: dict[str, bytes], definition: ProcessDefinition) -> Declarations:
    content = files.get(definition.file_name, b"")
    found = runtime.read(definition.file_name, content).get(definition.key)
    return found or Declarations(key=definition.key)


def _file(files: dict[str, bytes], name: str | None) -> bytes | None:
    return None if name is None else files.get(name)


def called_processes(uow: UnitOfWork) -> frozenset[str]:
    """Return the processes a call activity of another deployed process (any version) calls."""
    every = of_many(uow, uow.definitions.list(all_versions=True)).values()
    return frozenset(called for declared in every for called in declared.declarations.calls)


def message_senders(uow: UnitOfWork, name: str) -> frozenset[str]:
    """Return the roles any deployed process (latest versions) lets send message `name`."""
    latest = uow.definitions.list()
    senders = (d.declarations.message_senders.get(name) for d in of_many(uow, latest).values())
    return frozenset(role for roles in senders if roles for role in roles)


def list_definitions(
    uow: UnitOfWork, user: User, *, all_versions: bool = False
) -> list[dict[str, Any]]:
    """Return the process definitions, each saying whether the user may start it (its latest
    version, from the start page or the API) and, if so, its start form."""
    with uow:
        found = uow.definitions.list(all_versions=all_versions)
        newest = uow.definitions.list() if all_versions else found
        return _views(uow, user, found, {d.id for d in newest})


def definition_view(uow: UnitOfWork, user: User, key: str) -> dict[str, Any]:
    """Return the latest version of a process, saying whether the user may start it."""
    with uow:
        definition = uow.definitions.latest(key)
        return _views(uow, user, [definition], {definition.id})[0]


def _views(
    uow: UnitOfWork, user: User, found: Sequence[ProcessDefinition], latest: set[UUID]
) -> list[dict[str, Any]]:
    declared = of_many(uow, found)
    called = called_processes(uow)
    views = []
    for definition in found:
        own = declared[definition.id]
        startable = (
            definition.id in latest
            and definition.runnable
            and definition.retired_at is None
            and access.may_start(user, own.declarations, called=definition.key in called)
        )
        view = {c.key: getattr(definition, c.key) for c in ProcessDefinition.__table__.columns}
        view["startable"] = startable
        options = starter_options(uow, user, own.start_form) if startable else {}
        view["start_form"] = own.start_form_view(options) if startable else None
        view["description"] = own.declarations.description
        view["description_en"] = own.declarations.description_en
        view["asks_business_key"] = own.declarations.business_key_asked
        views.append(view)
    return views
