"""The /engine-rest blueprint: HTTP Basic (or our tokens), Camunda's error shape, the routes."""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
import time
from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from api.auth import current_user
from api.c7 import convert
from api.wiring import services
from engine.runtime.errors import (
    EngineError,
    ErrorNotCaught,
    InvalidProcess,
    MessageNotCaught,
    TaskNotReady,
)
from engine.services import camunda_reads, organisation
from engine.services.errors import (
    BadRequest,
    BusinessKeyInUse,
    Forbidden,
    FormInvalid,
    ServiceError,
    TooManyAttempts,
    Unauthenticated,
)
from engine.store.errors import Conflict, NotFound
from engine.store.models import ProcessInstance, User

bp = Blueprint("engine_rest", __name__, url_prefix="/engine-rest")

# A worker authenticates on every call; checking its password hash each time would cost more
# than the call. A verified (user, password) pair is trusted for a short while, by its digest.
TRUSTED_SECONDS = 60.0
_trusted: dict[str, tuple[str, float]] = {}
_trusted_lock = threading.Lock()


def caller() -> User:
    """Return the authenticated user: HTTP Basic against our users, or our own tokens."""
    if "user" in g:
        return g.user  # type: ignore[no-any-return]
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return current_user()
    try:
        username, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise Unauthenticated("the Basic credentials cannot be read") from error
    g.user = _basic_user(username, password)
    return g.user  # type: ignore[no-any-return]


def caller_instance(
    instance_id: str, *, running: bool = False
) -> tuple[ProcessInstance, dict[str, Any]]:
    """Return an instance the caller may read and the data their view of it shows; with
    `running`, an ended instance is not found (Camunda's runtime view)."""
    read = camunda_reads.running_instance if running else camunda_reads.readable_instance
    return read(
        services().new_uow(read_only=True),
        convert.uuid_of(instance_id, "process instance"),
        caller(),
        open_fields=services().settings.audit_open_fields,
    )


def _basic_user(username: str, password: str) -> User:
    digest = hashlib.sha256(f"{username}\0{password}".encode()).hexdigest()
    with _trusted_lock:
        known = _trusted.get(digest)
    if known is not None and known[1] > time.monotonic():
        with services().new_uow(read_only=True) as uow:
            user = uow.users.find(known[0])
        if user is not None and user.is_active:
            return user
    user = organisation.authenticate(
        services().new_uow,
        username,
        password,
        now=services().now(),
        max_delay_seconds=services().settings.login_delay_max_seconds,
    )
    with _trusted_lock:
        _trusted[digest] = (user.username, time.monotonic() + TRUSTED_SECONDS)
    return user


def error(status: int, kind: str, message: str) -> tuple[Response, int]:
    """Return Camunda's error answer: `{type, message}` with the status."""
    return jsonify({"type": kind, "message": message}), status


def _conflict(e: Conflict) -> tuple[Response, int]:
    # Camunda answers a claim of a task someone else holds with 500; never a 500 here, and the
    # clients take any status >= 400 as the error it is (docs/camunda7.md).
    if e.code == "task_already_claimed":
        return error(409, "TaskAlreadyClaimedException", str(e))
    details = e.details if isinstance(e.details, dict) else {}
    if e.code == "instance_suspended" and e.variant == "message":
        # Camunda correlates no suspended execution: to its clients the message matches nothing.
        return error(
            400,
            "RestException",
            f"Cannot correlate message '{details.get('message')}': No process definition or "
            "execution matches the parameters (the waiting process instance is suspended)",
        )
    if e.code == "version_retired" and e.variant == "start":
        # Camunda's words for a suspended definition (its door answers 500; a refusal is a 400).
        return error(
            400,
            "RestException",
            f"Cannot instantiate process definition {details.get('process')}: Cannot start "
            f"process instance. Process definition {details.get('process')} version "
            f"{details.get('version')} is suspended",
        )
    return error(400, "BadUserRequestException", str(e))


def _unauthenticated(e: Exception) -> tuple[Response, int]:
    answer, status = error(401, "AuthenticationException", str(e))
    answer.headers["WWW-Authenticate"] = 'Basic realm="saksflyt"'
    return answer, status


def _invalid_process(e: InvalidProcess) -> tuple[Response, int]:
    lines = [
        f"{p.file}: {p.element_id or '-'} (line {p.line or '-'}): {p.message}" for p in e.problems
    ]
    answer, status = error(400, "ParseException", "; ".join(lines))
    body: dict[str, Any] = answer.get_json()
    body["details"] = {
        str(p.file): {
            "errors": [{"message": p.message, "line": p.line, "mainElementId": p.element_id}]
        }
        for p in e.problems
    }
    return jsonify(body), status


HANDLERS: list[tuple[type[Exception], Any]] = [
    (InvalidProcess, _invalid_process),
    (NotFound, lambda e: error(404, "InvalidRequestException", str(e))),
    (Conflict, _conflict),
    (Unauthenticated, _unauthenticated),
    (TooManyAttempts, lambda e: error(429, "AuthenticationException", str(e))),
    (Forbidden, lambda e: error(403, "AuthorizationException", str(e))),
    # Camunda clients read a start refused for its business key as a RestException.
    (BusinessKeyInUse, lambda e: error(400, "RestException", f"Cannot start: {e}")),
    (FormInvalid, lambda e: error(400, "InvalidRequestException", f"{e}: {e.errors}")),
    (BadRequest, lambda e: error(400, "InvalidRequestException", str(e))),
    (MessageNotCaught, lambda e: error(400, "RestException", f"Cannot correlate message: {e}")),
    # Nothing is changed: the worker keeps the task and may complete it or report a failure.
    (ErrorNotCaught, lambda e: error(400, "RestException", f"BPMN error not caught: {e}")),
    (ServiceError, lambda e: error(400, "RestException", str(e))),
    # Camunda's 500 for an instance that cannot go on; here, as in /api/v1, what the model and
    # the data did: a task not ready is 409, a failing script or expression 422.
    (TaskNotReady, lambda e: error(409, "ProcessEngineException", str(e))),
    (EngineError, lambda e: error(422, "ProcessEngineException", str(e))),
]
for _kind, _handler in HANDLERS:
    bp.register_error_handler(_kind, _handler)


def no_content() -> Response:
    """Return 204 No Content, as Camunda answers commands."""
    return Response(status=204)


@bp.get("/version")
def version() -> Any:
    """Return the Camunda REST API version this door follows (the Modeler asks)."""
    return {"version": "7.24.0"}


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE"])
def not_supported(rest: str) -> Any:
    """Answer what saksflyt's door leaves out in Camunda's shape (docs/camunda7.md)."""
    return error(404, "RestException", f"/engine-rest/{rest} is not supported by saksflyt")
