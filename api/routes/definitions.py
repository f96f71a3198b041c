"""Process definitions: list, deploy, read, download, start."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from api.auth import current_user, require_roles
from api.blueprint import Blueprint
from api.language import problem_dict, request_locale
from api.schemas import (
    DefinitionListArgs,
    DefinitionSchema,
    DeployResultSchema,
    InstanceSchema,
    RemovedVersionSchema,
    RetiredVersionSchema,
    StartSchema,
)
from api.schemas_cases import CancelSchema
from api.wiring import services
from engine import catalogue
from engine.runtime.errors import InvalidProcess, Problem
from engine.services import (
    access,
    declarations,
    definitions,
    instance_views,
    instances,
    retirement,
)
from engine.services.errors import FormInvalid
from engine.store.errors import NotFound

MAX_VERSION = 2**31 - 1

bp = Blueprint(
    "definitions",
    __name__,
    url_prefix="/api/v1/process-definitions",
    description="Deploy and start processes",
)


@bp.get("")
@bp.arguments(DefinitionListArgs, location="query")
@bp.response(200, DefinitionSchema(many=True))
def list_definitions(args: dict[str, Any]) -> Any:
    """List the latest version of every process (`all=true`: every version), each saying
    whether you may start it (`startable`) and, if so, its start form."""
    user = current_user()
    return declarations.list_definitions(
        services().new_uow(read_only=True), user, all_versions=args["all"]
    )


@bp.post("")
@bp.response(201, DeployResultSchema)
def deploy() -> Any:
    """Deploy BPMN, DMN and form files (multipart field `files`)."""
    user = require_roles(*access.MODEL_EDITORS)
    uploads = request.files.getlist("files")
    if not uploads:
        raise InvalidProcess(
            [
                Problem(
                    None, None, None, None, "send one or more files in the multipart field 'files'"
                )
            ]
        )
    limit = services().settings.max_upload_bytes
    files: dict[str, bytes] = {}
    for upload in uploads:
        content = upload.read(limit + 1)
        name = upload.filename or "unnamed"
        if len(content) > limit:
            raise InvalidProcess(
                [Problem(name, None, None, None, f"the file is larger than {limit} bytes")]
            )
        files[name] = content
    result = definitions.deploy(
        services().new_uow(), files, actor=user.username, now=services().now()
    )
    return {
        "deployment_id": result.deployment_id,
        "created": result.created,
        "unchanged": result.unchanged,
        "warnings": [problem_dict(w, request_locale()) for w in result.warnings],
    }


@bp.get("/<string:key>")
@bp.response(200, DefinitionSchema)
def get_definition(key: str) -> Any:
    """Return the latest version of a process, saying whether you may start it."""
    user = current_user()
    return declarations.definition_view(services().new_uow(read_only=True), user, key)


@bp.get("/<string:key>/versions/<int:version>/xml")
def definition_xml(key: str, version: int) -> Response:
    """Download the BPMN file of one version."""
    current_user()
    if version > MAX_VERSION:
        raise NotFound("process definition", f"{key} v{version}")
    with services().new_uow() as uow:
        definition = uow.definitions.version(key, version)
        content = uow.definitions.file(definition.deployment_id, definition.file_name)
    return Response(content, mimetype="application/xml")


@bp.post("/<string:key>/start")
@bp.arguments(StartSchema)
@bp.response(201, InstanceSchema)
def start(body: dict[str, Any], key: str) -> Any:
    """Start the latest version of a process with data its start form allows and an optional
    business key; only if you may start it (`startable`)."""
    user = current_user()
    wiring = services()
    instance = instances.start_instance(
        wiring.new_uow(),
        key,
        body["data"],
        actor=user,
        now=wiring.now(),
        business_key=body["business_key"],
        step_budget=wiring.settings.step_budget,
        locale=request_locale(),
    )
    with wiring.new_uow(read_only=True) as uow:
        return instance_views.readable_view(
            uow, instance, user, now=wiring.now(), open_fields=wiring.settings.audit_open_fields
        )


@bp.post("/<string:key>/versions/<int:version>/remove")
@bp.arguments(CancelSchema)
@bp.response(200, RemovedVersionSchema)
def remove_version(body: dict[str, Any], key: str, version: int) -> Any:
    """Remove a version no instance ever ran, with a reason (process owners): it leaves the
    library and everyone's start page; 409 `version_has_run` otherwise."""
    user = require_roles(*access.MODEL_EDITORS)
    reason = body["reason"].strip()
    if not reason:
        raise FormInvalid({"reason": [catalogue.text(request_locale(), "library.remove_reason")]})
    if version > MAX_VERSION:
        raise NotFound("process definition", f"{key} v{version}")
    definitions.remove_version(
        services().new_uow(), key, version, actor=user.username, reason=reason, now=services().now()
    )
    return {"key": key, "version": version, "removed": True}


@bp.post("/<string:key>/versions/<int:version>/retire")
@bp.arguments(CancelSchema)
@bp.response(200, RetiredVersionSchema)
def retire_version(body: dict[str, Any], key: str, version: int) -> Any:
    """Retire a version, with a reason (process owners): no new instance starts on it (409
    `version_retired`), running ones go on. Retiring the newest version takes the process off
    the start page until another version is made current or the retirement is undone."""
    user = require_roles(*access.MODEL_EDITORS)
    reason = _reason(body, "library.retire_reason")
    if version > MAX_VERSION:
        raise NotFound("process definition", f"{key} v{version}")
    return retirement.retire_version(
        services().new_uow(), key, version, actor=user.username, reason=reason, now=services().now()
    )


@bp.post("/<string:key>/versions/<int:version>/reinstate")
@bp.arguments(CancelSchema)
@bp.response(200, RetiredVersionSchema)
def reinstate_version(body: dict[str, Any], key: str, version: int) -> Any:
    """Undo a version's retirement, with a reason (process owners)."""
    user = require_roles(*access.MODEL_EDITORS)
    reason = _reason(body, "library.reinstate_reason")
    if version > MAX_VERSION:
        raise NotFound("process definition", f"{key} v{version}")
    return retirement.reinstate_version(
        services().new_uow(), key, version, actor=user.username, reason=reason, now=services().now()
    )


def _reason(body: dict[str, Any], missing: str) -> str:
    """Return the body's reason, or a field message (422) when it is blank."""
    reason = str(body["reason"]).strip()
    if not reason:
        raise FormInvalid({"reason": [catalogue.text(request_locale(), missing)]})
    return reason
