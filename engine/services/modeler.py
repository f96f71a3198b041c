"""The process owner's side of definitions: validate without storing, the library, files.

`validate` runs exactly the checks a deploy runs (every process built, forms, decisions and called
processes resolved against this upload and what is deployed, scripts and timers compiled, forms
checked as JSON Schema 2020-12), plus the modeller's lint rules, after normalising diagrams from
other tools (`definitions.prepare`, the deploy's own first step). Nothing is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.runtime import specs
from engine.runtime.errors import InvalidProcess, Problem
from engine.services import definitions, lint
from engine.store.errors import NotFound
from engine.store.models import ProcessDefinition
from engine.store.states import InstanceState
from engine.store.uow import UnitOfWork


@dataclass
class ValidationReport:
    """What a deploy of these files would do: processes, warnings, and what was normalised."""

    processes: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    normalised: list[Problem] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # normalised BPMN, only if changed


def validate(uow: UnitOfWork, files: Mapping[str, bytes]) -> ValidationReport:
    """Check files as a deploy would, storing nothing; raise InvalidProcess listing errors."""
    with uow:
        known = {n: f.content for n, f in uow.definitions.latest_files().items()}
    ready = definitions.prepare(files, known)
    try:
        parsed = specs.parse_deployment(
            ready.models, available_forms=ready.forms, known_files=ready.known_models
        )
    except InvalidProcess as error:
        raise InvalidProcess([*error.problems, *lint.check(ready.models, ready.forms)]) from error
    return ValidationReport(
        processes=[_process(info) for info in parsed.processes.values()],
        warnings=[*parsed.warnings, *lint.check(ready.models, ready.forms)],
        normalised=ready.normalised,
        files={n: c.decode("utf-8") for n, c in ready.models.items() if c != files[n]},
    )


def _process(info: specs.ProcessInfo) -> dict[str, Any]:
    return {
        "key": info.key,
        "name": info.name,
        "file": info.file,
        "is_executable": info.is_executable,
        "runnable": info.runnable,
        "problems": [p.to_dict() for p in info.problems],
    }


def library(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Return every process with all its versions, newest first, for the library page."""
    processes: dict[str, dict[str, Any]] = {}
    with uow:
        for definition in uow.definitions.list(all_versions=True):
            entry = processes.setdefault(
                definition.key, {"key": definition.key, "name": None, "versions": []}
            )
            entry["name"] = definition.name or entry["name"]
            entry["versions"].insert(0, _version(uow, definition))
    return sorted(processes.values(), key=lambda p: (p["name"] or p["key"]).lower())


def _version(uow: UnitOfWork, definition: ProcessDefinition) -> dict[str, Any]:
    files = uow.definitions.files(definition.deployment_id)
    return {
        "id": definition.id,
        "version": definition.version,
        "name": definition.name,
        "file_name": definition.file_name,
        "runnable": definition.runnable,
        "is_executable": definition.is_executable,
        "problems": definition.problems,
        "deployed_by": definition.deployed_by,
        "deployed_at": definition.deployed_at,
        "running_instances": uow.instances.count_running(definition.id),
        # on hold (suspended): not running, not ended either; the library counts them apart
        "suspended_instances": uow.instances.count_in_state(definition.id, InstanceState.SUSPENDED),
        "has_run": uow.definitions.has_run(definition),  # if not, it can be removed
        "retired_at": definition.retired_at,  # no new instances start on it
        "retired_by": definition.retired_by,
        "retired_reason": definition.retired_reason,
        "files": [{"name": f.name, "kind": f.kind, "size": len(f.content)} for f in files],
    }


def form_files(uow: UnitOfWork) -> list[str]:
    """Return the names of the deployed form files (newest of each name), sorted."""
    with uow:
        return sorted(n for n in uow.definitions.latest_files() if n.endswith(".json"))


def version_file(uow: UnitOfWork, key: str, version: int, name: str) -> bytes:
    """Return one file of the deployment that created a version; raise NotFound."""
    with uow:
        definition = uow.definitions.version(key, version)
        return uow.definitions.file(definition.deployment_id, name)


def latest_file(uow: UnitOfWork, name: str) -> bytes:
    """Return the newest deployed content of a file name (forms for the preview)."""
    with uow:
        found = uow.definitions.latest_files().get(name)
        if found is None:
            raise NotFound("file", name)
        return found.content
