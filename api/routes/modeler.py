"""The process owner's API: validate without deploying, the library, files, diffs, migration."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from marshmallow import fields, validate

from api.auth import require_roles
from api.blueprint import Blueprint
from api.language import problem_dict, request_locale
from api.schemas import Strict
from api.wiring import services
from engine.runtime.errors import InvalidProcess, Problem
from engine.services import access, definitions, diffs, migration, modeler

MAX_VERSION = 2**31 - 1

bp = Blueprint(
    "modeler",
    __name__,
    url_prefix="/api/v1",
    description="Validate, compare and migrate process versions (process owners)",
)


class DiffArgs(Strict):
    from_ = fields.Integer(
        data_key="from", required=True, validate=validate.Range(min=1, max=MAX_VERSION)
    )
    to = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_VERSION))


class MigrationSchema(Strict):
    to_version = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_VERSION))
    instance_ids = fields.List(fields.UUID(), load_default=None, validate=validate.Length(max=1000))


def _uploads() -> dict[str, bytes]:
    """Read the multipart field `files` with the deploy's size limit."""
    uploads = request.files.getlist("files")
    if not uploads:
        message = "send one or more files in the multipart field 'files'"
        raise InvalidProcess([Problem(None, None, None, None, message)])
    limit = services().settings.max_upload_bytes
    files: dict[str, bytes] = {}
    for upload in uploads:
        content = upload.read(limit + 1)
        name = upload.filename or "unnamed"
        if len(content) > limit:
            message = f"the file is larger than {limit} bytes"
            raise InvalidProcess([Problem(name, None, None, None, message)])
        files[name] = content
    return files


@bp.post("/process-definitions/validate")
@bp.response(200)
def validate_files() -> Any:
    """Check BPMN, DMN and form files as a deploy would (multipart `files`); store nothing."""
    require_roles(*access.MODEL_EDITORS)
    report = modeler.validate(services().new_uow(), _uploads())
    return {
        "valid": True,
        "processes": report.processes,
        "warnings": [problem_dict(w, request_locale()) for w in report.warnings],
        "normalised": [problem_dict(n, request_locale()) for n in report.normalised],
        "files": report.files,
    }


@bp.get("/process-library")
@bp.response(200)
def library() -> Any:
    """List every process with all versions, running instances per version and files."""
    require_roles(*access.MODEL_READERS)
    return modeler.library(services().new_uow())


@bp.get("/process-library/forms")
@bp.response(200)
def form_files() -> Any:
    """List the deployed form files a user task can use."""
    require_roles(*access.MODEL_READERS)
    return modeler.form_files(services().new_uow())


@bp.get("/process-library/forms/<string:name>")
def form_file(name: str) -> Response:
    """Return the newest deployed content of a form file."""
    require_roles(*access.MODEL_READERS)
    content = modeler.latest_file(services().new_uow(), name)
    return Response(content, mimetype="application/json")


@bp.get("/process-definitions/<string:key>/versions/<int:version>/files/<string:name>")
def version_file(key: str, version: int, name: str) -> Response:
    """Download one file of the deployment that created a version."""
    require_roles(*access.MODEL_READERS)
    content = modeler.version_file(services().new_uow(), key, min(version, MAX_VERSION), name)
    mimetype = "application/json" if name.endswith(".json") else "application/xml"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content, mimetype=mimetype, headers=headers)


@bp.get("/process-definitions/<string:key>/diff")
@bp.arguments(DiffArgs, location="query")
@bp.response(200)
def diff(args: dict[str, int], key: str) -> Any:
    """Compare two versions by element id: added, removed and changed elements."""
    require_roles(*access.MODEL_READERS)
    return diffs.diff_versions(services().new_uow(), key, args["from_"], args["to"])


@bp.post("/process-definitions/<string:key>/migrations/dry-run")
@bp.arguments(MigrationSchema)
@bp.response(200)
def migration_dry_run(body: dict[str, Any], key: str) -> Any:
    """Tell, per running instance of older versions, whether it can move to `to_version`."""
    require_roles(*access.MODEL_EDITORS)
    plans = migration.dry_run(services().new_uow(), key, body["to_version"], body["instance_ids"])
    return {"key": key, "to_version": body["to_version"], "instances": plans}


@bp.post("/process-definitions/<string:key>/migrations")
@bp.arguments(MigrationSchema)
@bp.response(200)
def migrate(body: dict[str, Any], key: str) -> Any:
    """Move the chosen running instances to `to_version`; each move is a history event."""
    user = require_roles(*access.MODEL_EDITORS)
    wiring = services()
    results = migration.migrate(
        wiring.new_uow(),
        key,
        body["to_version"],
        body["instance_ids"],
        actor=user.username,
        now=wiring.now(),
    )
    return {"key": key, "to_version": body["to_version"], "instances": results}


@bp.post("/process-definitions/<string:key>/versions/<int:version>/make-current")
@bp.response(201)
def make_current(key: str, version: int) -> Any:
    """Deploy this version's files again as the newest version (undo a wrong deploy)."""
    user = require_roles(*access.MODEL_EDITORS)
    wiring = services()
    created = definitions.make_current(
        wiring.new_uow(), key, min(version, MAX_VERSION), actor=user.username, now=wiring.now()
    )
    return {"key": created.key, "version": created.version, "restores_version": version}
