"""The process owner's side of definitions: validate without storing, the library, files.

`validate` runs exactly the checks a deploy runs (every process built, forms, decisions and called
processes resolved against this upload and what is deployed, scripts and timers compiled), plus
the modeller's lint rules, after normalising diagrams from other tools (`runtime.normalise`).
Nothing is stored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from engine.runtime import normalise, specs
from engine.runtime.errors import InvalidProcess, Problem
from engine.services import definitions, lint
from engine.store.errors import NotFound
from engine.store.models import ProcessDefinition
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
    kinds = {name: definitions.kind_of(name) for name in files}
    with uow:
        known = {n: f.content for n, f in uow.definitions.latest_files().items()}
    forms = _form_names(files, kinds, known)
    models = {n: c for n, c in files.items() if kinds[n] != "form"}
    fixed, notes = normalise.normalise_files(models)
    known_models = {n: c for n, c in known.items() if not n.endswith(".json") and n not in models}
    try:
        parsed = specs.parse_deployment(fixed, available_forms=forms, known_files=known_models)
    except InvalidProcess as error:
        raise InvalidProcess([*error.problems, *lint.check(fixed, forms)]) from error
    return ValidationReport(
        processes=[_process(info) for info in parsed.processes.values()],
        warnings=[*parsed.warnings, *lint.check(fixed, forms)],
        normalised=notes,
        files={n: c.decode("utf-8") for n, c in fixed.items() if c != models[n]},
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


def _form_names(
    files: Mapping[str, bytes], kinds: Mapping[str, str], known: Mapping[str, bytes]
) -> set[str]:
    """Return the form files a deploy could use; raise InvalidProcess for unreadable JSON."""
    problems = []
    for name, content in files.items():
        if kinds[name] != "form":
            continue
        try:
            json.loads(content)
        except (ValueError, UnicodeDecodeError) as error:
            problems.append(Problem(name, None, None, None, f"the form is not valid JSON: {error}"))
    if problems:
        raise InvalidProcess(problems)
    return {n for n in files if kinds[n] == "form"} | {n for n in known if n.endswith(".json")}


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
        return _file(uow, definition.deployment_id, name)


def latest_file(uow: UnitOfWork, name: str) -> bytes:
    """Return the newest deployed content of a file name (forms for the preview)."""
    with uow:
        found = uow.definitions.latest_files().get(name)
        if found is None:
            raise NotFound("file", name)
        return found.content


def _file(uow: UnitOfWork, deployment_id: UUID, name: str) -> bytes:
    for row in uow.definitions.files(deployment_id):
        if row.name == name:
            return row.content
    raise NotFound("file", name)
