"""Deploy BPMN, DMN and form files as immutable, versioned process definitions.

Deploy and the modeller's validate share `prepare`: diagrams from other tools are normalised
(`runtime.normalise`) and forms checked the same way, so what validates as runnable deploys as
runnable, and the normalised files are what is stored and run. A process gets a new version when
its BPMN file or a form it references changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree

from engine.runtime import camunda, normalise, specs, validation, xmlsafe
from engine.runtime.errors import InvalidProcess, Problem
from engine.services import forms as form_schemas
from engine.services.forms import expand_options
from engine.services.roles import ROLES
from engine.services.step import history
from engine.store.errors import Conflict, NotFound
from engine.store.models import Deployment, DeploymentFile, ProcessDefinition
from engine.store.uow import UnitOfWork

KINDS = {".bpmn": "bpmn", ".dmn": "dmn", ".json": "form"}
# Other tools' names for the same files (Activiti and Flowable write `.bpmn20.xml`).
MODEL_SUFFIXES = (".bpmn", ".dmn", ".bpmn20.xml", ".dmn11.xml", ".dmn13.xml")
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass
class DeployResult:
    """What a deploy did: the definitions it created and those it found unchanged."""

    deployment_id: UUID
    created: list[ProcessDefinition] = field(default_factory=list)
    unchanged: list[ProcessDefinition] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Built(specs.BuiltProcess):
    """A runnable definition: its specs (what the runtime runs), lane roles and form files."""

    lane_roles: dict[str, str]
    forms: dict[str, bytes]


# A pure cache, not configuration: keyed by definition id (a uuid4, unique in every database),
# of what a deployed definition version builds to; deployed files never change.
_built: dict[UUID, Built] = {}


@dataclass(frozen=True)
class Prepared:
    """Files made ready for the deploy checks: BPMN normalised, forms read, what is deployed."""

    models: dict[str, bytes]  # BPMN and DMN of the upload, normalised
    forms: set[str]  # form files a user task may reference (uploaded or deployed before)
    known_models: dict[str, bytes]  # deployed BPMN and DMN this upload does not replace
    normalised: list[Problem]  # what normalising changed, as warnings
    made_forms: dict[str, bytes] = field(default_factory=dict)  # from camunda:formData


def prepare(files: Mapping[str, bytes], known: Mapping[str, bytes]) -> Prepared:
    """Check form files and normalise BPMN; raise InvalidProcess for unreadable forms."""
    kinds = {name: kind_of(name) for name in files}
    models, made = _from_camunda({n: c for n, c in files.items() if kinds[n] != "form"})
    forms = _check_forms({**files, **made}, {**kinds, **dict.fromkeys(made, "form")}, known)
    fixed, notes = normalise.normalise_files(models)
    known_models = {n: c for n, c in known.items() if kind_of(n) != "form" and n not in models}
    return Prepared(fixed, forms, known_models, notes, made)


def _from_camunda(models: Mapping[str, bytes]) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Rewrite Camunda 7 diagrams into our conventions (`runtime.camunda`); refuse what cannot
    run, naming the element and the expression. Return the models and the forms made from
    `camunda:formData`."""
    result, forms, problems = dict(models), dict[str, bytes](), list[Problem]()
    for name, content in models.items():
        if not name.lower().endswith(".bpmn"):
            continue
        root = xmlsafe.read_xml(name, content).root
        if root is None or not camunda.uses_camunda(root):
            continue
        problems += camunda.translate(name, root, ROLES, forms)
        result[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    if problems:
        raise InvalidProcess(problems)
    return result, forms


def kind_of(name: str) -> str:
    """Return bpmn, dmn or form for a file name; raise InvalidProcess otherwise."""
    kind = KINDS.get(Path(name).suffix.lower())
    if kind is None and name.lower().endswith(MODEL_SUFFIXES):
        kind = "bpmn" if ".bpmn" in name.lower() else "dmn"
    if kind is None:
        message = "only .bpmn (or .bpmn20.xml), .dmn and .json form files can be deployed"
        raise InvalidProcess([Problem(name, None, None, None, message)])
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
        ready = prepare(files, known)
        parsed = specs.parse_deployment(
            ready.models, available_forms=ready.forms, known_files=ready.known_models
        )
        stored = {**files, **ready.models, **ready.made_forms}
        kinds.update(dict.fromkeys(ready.made_forms, "form"))
        pinned = _pinned_forms(ready.models, stored, known)
        every = {n: (kinds.get(n, "form"), c) for n, c in {**stored, **pinned}.items()}
        deployment = _store_deployment(uow, digest, every, actor, now)
        changed_forms = {n for n, c in files.items() if kinds[n] == "form" and known.get(n) != c}
        result = DeployResult(deployment.id, warnings=[*ready.normalised, *parsed.warnings])
        for info in parsed.processes.values():
            _version(uow, result, info, stored, changed_forms, deployment, actor, now)
        uow.commit()
    return result


def _version(
    uow: UnitOfWork,
    result: DeployResult,
    info: Any,
    files: Mapping[str, bytes],
    changed_forms: set[str],
    deployment: Deployment,
    actor: str,
    now: datetime,
) -> None:
    content_hash = hashlib.sha256(files[info.file]).hexdigest()
    try:
        latest = uow.definitions.latest(info.key)
    except NotFound:
        latest = None
    same_forms = not changed_forms or not changed_forms & _forms_of(info.file, files[info.file])
    if latest is not None and latest.content_hash == content_hash and same_forms:
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
    _add_version(uow, definition)
    result.created.append(definition)
    uow.flush()


def make_current(
    uow: UnitOfWork, key: str, version: int, *, actor: str, now: datetime
) -> ProcessDefinition:
    """Deploy an earlier version's files again as the newest version of its process.

    Undoes a deploy that should not have happened: new instances start on the copy; running
    ones stay where they are (migration moves them). The version's deployment, with the forms
    pinned to it, is copied whole; the history says which version it restores.
    """
    with uow:
        source = uow.definitions.version(key, version)
        if source.retired_at is not None:  # undo the retirement first, saying why
            raise Conflict(
                "version_retired", f"{key} v{version} is retired", variant="make_current"
            )
        latest = uow.definitions.latest(key)
        files = {f.name: (f.kind, f.content) for f in uow.definitions.files(source.deployment_id)}
        digest = hashlib.sha256(
            f"{_hash_files({n: c for n, (_, c) in files.items()})}:restore:{key}:{version}:"
            f"{latest.version}".encode()
        ).hexdigest()
        deployment = _store_deployment(uow, digest, files, actor, now)
        definition = ProcessDefinition(
            key=key,
            version=latest.version + 1,
            name=source.name,
            deployment_id=deployment.id,
            file_name=source.file_name,
            content_hash=source.content_hash,
            is_executable=source.is_executable,
            runnable=source.runnable,
            problems=list(source.problems or []),
            deployed_by=actor,
            deployed_at=now,
        )
        _add_version(uow, definition, restores_version=version)
        uow.commit()
    return definition


def _add_version(uow: UnitOfWork, definition: ProcessDefinition, **noted: Any) -> None:
    """Add a new version of a process and note its deploy in the system history."""
    uow.definitions.add(definition)
    history.append(
        uow,
        stream=history.SYSTEM_STREAM,
        type="definition_deployed",
        actor=definition.deployed_by,
        at=definition.deployed_at,
        definition_key=definition.key,
        definition_version=definition.version,
        data={
            "deployment_id": str(definition.deployment_id),
            "file": definition.file_name,
            "hash": definition.content_hash,
            **noted,
        },
    )


def _pinned_forms(
    models: Mapping[str, bytes], files: Mapping[str, bytes], known: Mapping[str, bytes]
) -> dict[str, bytes]:
    """Return the deployed forms the uploaded processes use but the upload does not carry.

    They are stored with the deployment, so the version shows and keeps the forms it ran with.
    """
    used: set[str] = set()
    for name, content in models.items():
        if name.lower().endswith(".bpmn"):
            used |= _forms_of(name, content)
    return {n: known[n] for n in sorted(used) if n not in files and n in known}


def _forms_of(name: str, content: bytes) -> set[str]:
    """Return the form files the processes of one BPMN file reference."""
    root = xmlsafe.read_xml(name, content).root
    if root is None:
        return set()
    return {f for p in root.iterfind("bpmn:process", xmlsafe.NS) for f in validation.forms_of(p)}


def _definitions_of(uow: UnitOfWork, deployment_id: UUID) -> list[ProcessDefinition]:
    return [d for d in uow.definitions.list(all_versions=True) if d.deployment_id == deployment_id]


def _hash_files(files: Mapping[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def _store_deployment(
    uow: UnitOfWork,
    digest: str,
    files: Mapping[str, tuple[str, bytes]],
    actor: str,
    now: datetime,
) -> Deployment:
    """Add a deployment with its files (name → kind, content)."""
    deployment = Deployment(content_hash=digest, deployed_by=actor, deployed_at=now)
    uow.definitions.add(deployment)
    uow.flush()
    for name, (kind, content) in files.items():
        uow.definitions.add(
            DeploymentFile(
                deployment_id=deployment.id,
                name=name,
                kind=kind,
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
            )
        )
    return deployment


def _check_forms(
    files: Mapping[str, bytes], kinds: Mapping[str, str], known: Mapping[str, bytes]
) -> set[str]:
    problems = []
    names = {n for n in files if kinds[n] == "form"} | {n for n in known if n.endswith(".json")}
    for name, content in files.items():
        if kinds[name] == "form":
            try:
                document = json.loads(content)
            except (ValueError, UnicodeDecodeError) as error:
                problems.append(
                    Problem(name, None, None, None, f"the form is not valid JSON: {error}")
                )
                continue
            problems += _form_problems(name, document)
            problems += [
                Problem(name, None, None, None, text)
                for text in form_schemas.ref_problems(document, names)
            ]
    if problems:
        raise InvalidProcess(problems)
    return names


def _form_problems(name: str, document: Any) -> list[Problem]:
    """Check a form: a JSON object; unless a UI schema (`*.uischema.json`), JSON Schema 2020-12."""
    if not isinstance(document, dict):
        return [Problem(name, None, None, None, "the form must be a JSON object")]
    if name.lower().endswith(".uischema.json"):
        return []
    try:
        # A dynamic enum's marker is no schema; its expansion is (engine/services/forms.py).
        Draft202012Validator.check_schema(expand_options(document, {}))
    except SchemaError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "the top level"
        message = f"the form is not a valid JSON Schema (2020-12) at {where}: {error.message}"
        return [Problem(name, None, None, None, message)]
    return []


def built_for(uow: UnitOfWork, definition_id: UUID) -> Built:
    """Return the cached specs of a definition id, reading the definition only on a miss."""
    cached = _built.get(definition_id)
    if cached is not None:
        return cached
    return built(uow, uow.definitions.get(definition_id))


def remove_version(
    uow: UnitOfWork, key: str, version: int, *, actor: str, reason: str, now: datetime
) -> None:
    """Delete a version no instance ever ran (a junk import, a wrong deploy): it leaves the
    library and the start page, the version before it becomes current, and its number is not
    given again. The removal, with its reason, is recorded in the system history."""
    with uow:
        definition = uow.definitions.version(key, version)
        if uow.definitions.has_run(definition):
            raise Conflict("version_has_run", f"{key} v{version} has run; it cannot be removed")
        _built.pop(definition.id, None)
        uow.definitions.remove(definition)
        history.append(
            uow,
            stream=history.SYSTEM_STREAM,
            type="definition_removed",
            actor=actor,
            at=now,
            definition_key=key,
            definition_version=version,
            data={"reason": reason, "file": definition.file_name, "hash": definition.content_hash},
        )
        uow.commit()


def built(uow: UnitOfWork, definition: ProcessDefinition) -> Built:
    """Return the cached specs of a definition version, building them on first use."""
    cached = _built.get(definition.id)
    if cached is not None:
        return cached
    own = {f.name: f.content for f in uow.definitions.files(definition.deployment_id)}
    # Forms as this version's deployment left them: a form deployed later with another
    # version does not reach the tasks of this one (issue 18).
    pinned = uow.definitions.latest_files(as_of=definition.deployment_id)
    latest = {n: f.content for n, f in uow.definitions.latest_files().items()}
    pinned_forms = {n: f.content for n, f in pinned.items() if n.endswith(".json")}
    models = {n: c for n, c in own.items() if not n.endswith(".json")}
    known = {n: c for n, c in latest.items() if not n.endswith(".json") and n not in own}
    forms = {n: c for n, c in {**pinned_forms, **own}.items() if n.endswith(".json")}
    processes = specs.build_processes(models, known_files=known)
    if definition.key not in processes:  # deployed valid, so a library change broke it
        message = "the process can no longer be built from its deployed files"
        raise InvalidProcess([Problem(definition.file_name, definition.key, None, None, message)])
    process = processes[definition.key]
    result = Built(
        process.key,
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
        if path.name.lower().endswith(MODEL_SUFFIXES):
            files[path.name] = path.read_bytes()
    for path in sorted(forms_dir.glob("*.json")):
        files[path.name] = path.read_bytes()
    return deploy(uow, files, actor=actor, now=now)
