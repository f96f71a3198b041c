"""Attachments: upload a file, read its description, download it."""

from __future__ import annotations

import io
from contextlib import suppress
from typing import Any
from uuid import UUID

from flask import Response, g, request, send_file
from flask.typing import ResponseReturnValue

from api.auth import current_user
from api.blueprint import Blueprint
from api.errors import error_body
from api.language import request_locale
from api.schemas import AttachmentSchema
from api.wiring import services
from engine import catalogue
from engine.services import attachments, forms
from engine.services.errors import BadRequest, Forbidden, Unauthenticated

bp = Blueprint("attachments", __name__, url_prefix="/api/v1", description="Attachments")
BINARY = {"type": "string", "format": "binary"}
UPLOAD = {
    "multipart/form-data": {
        "schema": {"type": "object", "required": ["file"], "properties": {"file": BINARY}}
    }
}
MAX_IDS = 200  # UUIDs looked up per request body


def read_file(field: str, *, required: bool = True) -> tuple[str, bytes] | None:
    """Return (filename, bytes) of a multipart file field, reading one byte past the limit."""
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        if not required:
            return None
        message = catalogue.text(request_locale(), "attachments.no_file")
        raise BadRequest(message, {field: [message]})
    limit = services().settings.max_upload_bytes
    return upload.filename, upload.stream.read(limit + 1)


@bp.post("/attachments")
@bp.doc(requestBody={"content": UPLOAD, "required": True})
@bp.response(201, AttachmentSchema)
def upload() -> Any:
    """Upload a file (multipart field `file`): PDF, Word, PNG or JPEG up to the size limit."""
    user = current_user()
    filename, content = read_file("file")  # type: ignore[misc]
    return attachments.store(
        services().new_uow(),
        filename=filename,
        content=content,
        uploaded_by=user.username,
        now=services().now(),
        max_bytes=services().settings.max_upload_bytes,
        locale=request_locale(),
    )


@bp.get("/attachments/<uuid:attachment_id>")
@bp.response(200, AttachmentSchema)
def describe(attachment_id: UUID) -> Any:
    """Return an attachment's name, type, size and checksum (uploader and case readers)."""
    return attachments.describe(services().new_uow(), attachment_id, current_user())


@bp.get("/attachments/<uuid:attachment_id>/content")
@bp.response(200, BINARY, content_type="application/octet-stream")
def download(attachment_id: UUID) -> Response:
    """Download an attachment's bytes, as a file (never shown inline).

    The type and the name's extension come from the bytes (`attachments.sniff`), never from what
    the uploader said, so a PDF/HTML polyglot uploaded as `evil.html` leaves as `evil.pdf`.
    """
    meta, content = attachments.content(services().new_uow(), attachment_id, current_user())
    media_type = attachments.sniff(content) or "application/octet-stream"
    response = send_file(
        io.BytesIO(content),
        mimetype=media_type,
        as_attachment=True,
        download_name=attachments.safe_filename(meta["filename"], media_type),
        etag=meta["sha256"],
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_errorhandler(attachments.FileTooLarge)
def too_large(error: attachments.FileTooLarge) -> ResponseReturnValue:
    """Answer 413 with the field message."""
    return error_body(413, error.code, str(error), error.details)


@bp.before_app_request
def check_attachments_as_caller() -> None:
    """Let form validation check `"format": "attachment"` values against the caller.

    The ids are resolved here, before the use case opens its transaction (SQLite has one
    writer, and validation runs inside that writer's transaction): every UUID in a JSON body.
    """
    usable: frozenset[str] = frozenset()
    ids = _uuids(request.get_json(silent=True)) if request.is_json else set()
    if ids:
        try:
            user = current_user()
        except (Unauthenticated, Forbidden):
            user = None  # the view answers 401/403 itself
        if user is not None:
            usable = attachments.usable_ids(services().new_uow(read_only=True), ids, user)
    g.attachment_check_token = forms.attachment_check.set(lambda value: _same(value) in usable)


def _uuids(value: Any, found: set[UUID] | None = None) -> set[UUID]:
    found = set() if found is None else found
    if isinstance(value, str) and len(value) == 36 and len(found) < MAX_IDS:
        with suppress(ValueError):
            found.add(UUID(value))
    elif isinstance(value, dict):
        for item in value.values():
            _uuids(item, found)
    elif isinstance(value, list):
        for item in value:
            _uuids(item, found)
    return found


def _same(value: str) -> str:
    try:
        return str(UUID(value))
    except ValueError:
        return ""


@bp.teardown_app_request
def forget_caller(_error: BaseException | None) -> None:
    """Drop the request's attachment check."""
    token = g.pop("attachment_check_token", None)
    if token is not None:
        try:
            forms.attachment_check.reset(token)
        except ValueError:  # set in another context: leave nothing behind either way
            forms.attachment_check.set(None)
