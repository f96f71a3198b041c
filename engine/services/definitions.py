"""Deploy BPMN, DMN and form files as immutable, versioned process definitions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from lxml import etree

from engine.runtime import specs
from engine.runtime.errors import InvalidProcess, Problem
from engine.services import history
from engine.services.roles import ROLES
from engine.store.errors import NotFound
from engine.store.models import Deployment, DeploymentFile, ProcessDefinition
from engine.store.uow import UnitOfWork

KINDS = {".bpmn": "bpmn", ".dmn": "dmn", ".json": "form"}
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass
class DeployResult:
    """What a deploy did: the definitions it created and those it found unchanged."""

    deployment_id: UUID
    created: list[ProcessDefinition] = field(default_factory=list)
    unchanged: list[ProcessDefinition] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Built:
    """A runnable definition: its specs, lane roles and form files, cached per version."""

    spec: Any
    subprocess_specs: dict[str, Any]
    lane_roles: dict[str, str]
    forms: dict[str, bytes]


_built: dict[UUID, Built] = {}


def kind_of(name: str) -> str:
    """Return bpmn, dmn or form for a file name; raise InvalidProcess otherwise."""
    kind = KINDS.get(Path(name).suffix.lower())
    if kind is None:
        raise InvalidProcess(
            [
                Problem(
                    name, None, None, None, "only .bpmn, .dmn and .json form files can be deployed"
                )
            ]
        )
    return kind


def deploy(
    uow: UnitOfWork, files: Mapping[str, bytes], *, actor: str, now: datetime
) -> DeployResult:
    """Validate and store a set of files; create a new version of each changed process."""
    kinds = {name: kind_of(name) for name in files}
    digest = _hash_files(files)
    with uow:
        existing = uow.definitions.find_deployment(digest)
        if existing is not None:
            return DeployResult(existing.id, unchanged=_definitions_of(uow, existing.id))
        known = {n: f.content for n, f in uow.definitions.latest_files().items()}
        forms = _check_forms(files, kinds, known)
        models = {n: c for n, c in files.items() if kinds[n] != "form"}
        known_models = {n: c for n, c in known.items() if kind_of(n) != "form" and n not in models}
        parsed = specs.parse_deployment(models, available_forms=forms, known_files=known_models)
        deployment = Deployment(content_hash=digest, deployed_by=actor, deployed_at=now)
        uow.definitions.add(deployment)
        uow.flush()
        for name, content in files.items():
            uow.definitions.add(_file_row(deployment.id, name, kinds[name], content))
        result = DeployResult(deployment.id, warnings=list(parsed.warnings))
        for info in parsed.processes.values():
            _version(uow, result, info, files, deployment, actor, now)
        uow.commit()
    return result


def _version(
    uow: UnitOfWork,
    result: DeployResult,
    info: Any,
    files: Mapping[str, bytes],
    deployment: Deployment,
    actor: str,
    now: datetime,
) -> None:
    content_hash = hashlib.sha256(files[info.file]).hexdigest()
    try:
        latest = uow.definitions.latest(info.key)
    except NotFound:
        latest = None
    if latest is not None and latest.content_hash == content_hash:
        result.unchanged.append(latest)
        return
    definition = ProcessDefinition(
        key=info.key,
        version=uow.definitions.next_version(info.key),
        name=info.name,
        deployment_id=deployment.id,
        file_name=info.file,
        content_hash=content_hash,
        is_executable=info.is_executable,
        runnable=info.runnable,
        problems=[p.message for p in info.problems],
        deployed_by=actor,
        deployed_at=now,
    )
    uow.definitions.add(definition)
    result.created.append(definition)
    history.append(
        uow,
        stream=history.SYSTEM_STREAM,
        type="definition_deployed",
        actor=actor,
        at=now,
        definition_key=info.key,
        definition_version=definition.version,
        data={"deployment_id": str(deployment.id), "file": info.file, "hash": content_hash},
    )
    uow.flush()


def _definitions_of(uow: UnitOfWork, deployment_id: UUID) -> list[ProcessDefinition]:
    return [d for d in uow.definitions.list(all_versions=True) if d.deployment_id == deployment_id]


def _hash_files(files: Mapping[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def _file_row(deployment_id: UUID, name: str, kind: str, content: bytes) -> DeploymentFile:
    return DeploymentFile(
        deployment_id=deployment_id,
        name=name,
        kind=kind,
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )


def _check_forms(
    files: Mapping[str, bytes], kinds: Mapping[str, str], known: Mapping[str, bytes]
) -> set[str]:
    problems = []
    for name, content in files.items():
        if kinds[name] == "form":
            try:
                json.loads(content)
            except (ValueError, UnicodeDecodeError) as error:
                problems.append(
                    Problem(name, None, None, None, f"the form is not valid JSON: {error}")
                )
    if problems:
        raise InvalidProcess(problems)
    return {n for n in files if kinds[n] == "form"} | {n for n in known if n.endswith(".json")}


def built_for(uow: UnitOfWork, definition_id: UUID) -> Built:
    """Return the cached specs of a definition id, reading the definition only on a miss."""
    cached = _built.get(definition_id)
    if cached is not None:
        return cached
    return built(uow, uow.definitions.get(definition_id))


def built(uow: UnitOfWork, definition: ProcessDefinition) -> Built:
    """Return the cached specs of a definition version, building them on first use."""
    cached = _built.get(definition.id)
    if cached is not None:
        return cached
    own = {f.name: f.content for f in uow.definitions.files(definition.deployment_id)}
    latest = {n: f.content for n, f in uow.definitions.latest_files().items()}
    models = {n: c for n, c in own.items() if not n.endswith(".json")}
    known = {n: c for n, c in latest.items() if not n.endswith(".json") and n not in own}
    forms = {n: c for n, c in {**latest, **own}.items() if n.endswith(".json")}
    processes = specs.build_processes(models, known_files=known)
    process = processes[definition.key]
    result = Built(
        process.spec,
        process.subprocess_specs,
        lane_roles([*models.values(), *known.values()]),
        forms,
    )
    _built[definition.id] = result
    return result


def lane_roles(documents: Any) -> dict[str, str]:
    """Map lane names to lane ids (our roles) across BPMN documents."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    mapping: dict[str, str] = {}
    for content in documents:
        try:
            root = etree.fromstring(content, parser)
        except etree.XMLSyntaxError:
            continue
        for lane in root.iter(f"{{{BPMN_NS}}}lane"):
            lane_id, name = lane.get("id"), lane.get("name")
            if lane_id in ROLES:
                mapping[name or lane_id] = lane_id
                mapping[lane_id] = lane_id
    return mapping


def deploy_directory(
    uow: UnitOfWork, processes_dir: Path, forms_dir: Path, *, actor: str, now: datetime
) -> DeployResult:
    """Deploy every BPMN/DMN under processes_dir and every form under forms_dir together."""
    files: dict[str, bytes] = {}
    for path in sorted(processes_dir.glob("*/*")):
        if path.suffix in (".bpmn", ".dmn"):
            files[path.name] = path.read_bytes()
    for path in sorted(forms_dir.glob("*.json")):
        files[path.name] = path.read_bytes()
    return deploy(uow, files, actor=actor, now=now)
