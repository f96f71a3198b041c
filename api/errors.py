"""The one error mapping: engine, store and service errors to a status and a stable code.

`message` is for people, in the request's language, from the catalogues (`api.error.<code>`);
where it replaces the exception's own (English, technical) text, that text is kept as `reason`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from api.language import error_message, localise, problem_dict, request_locale
from api.payloads import InputRefused
from engine.runtime.errors import (
    EngineError,
    InvalidProcess,
    MessageNotCaught,
    ScriptFailed,
    StepBudgetExceeded,
    TaskNotReady,
)
from engine.services.errors import (
    BadRequest,
    Forbidden,
    FormInvalid,
    RuleRefused,
    TooManyAttempts,
    Unauthenticated,
)
from engine.settings import SettingsError
from engine.store.errors import Conflict, NotFound


def error_body(
    status: int, code: str, message: str, details: Any = None, variant: str | None = None
) -> ResponseReturnValue:
    """Return the JSON error document (field names as text: JSON sorts its keys).

    With `variant`, the people's text is `api.error.<code>.<variant>` where there is one."""
    if isinstance(details, dict):
        details = {str(key): value for key, value in details.items()}
    error = {"code": code, "message": message, "details": details}
    people = variant and error_message(f"{code}.{variant}", request_locale())
    people = people or error_message(code, request_locale())
    if people is not None and people != message:
        error.update(message=people, reason=message)
    return jsonify({"error": error}), status


def _http(error: HTTPException) -> ResponseReturnValue:
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if error.code == 422 and messages:
        # webargs nests by location ({"json": {...}}); callers want field -> messages.
        flat: dict[str, Any] = {}
        for value in messages.values():
            flat.update(value if isinstance(value, dict) else {"_body": value})
        return error_body(
            422, "validation_failed", "the request has errors", localise(flat, request_locale())
        )
    code = (error.name or "error").lower().replace(" ", "_")
    return error_body(error.code or 500, code, error.description or error.name or "error")


def _input_refused(error: InputRefused) -> ResponseReturnValue:
    message = "the request is too large" if error.status == 413 else "the request has errors"
    return error_body(error.status, error.code, message, error.details(request_locale()))


def _rule_refused(error: RuleRefused) -> ResponseReturnValue:
    """422 at the fields, with the rules' stable codes beside the messages."""
    body = {"code": "rule_refused", "message": "the submission breaks a rule of the process"}
    details = {str(key): value for key, value in error.errors.items()}
    return jsonify({"error": {**body, "details": details, "rules": error.codes}}), 422


def _too_many_attempts(error: TooManyAttempts) -> ResponseReturnValue:
    details = {"retry_after_seconds": error.retry_after}
    message = error_message(error.code, request_locale(), seconds=error.retry_after) or str(error)
    response = jsonify({"error": {"code": error.code, "message": message, "details": details}})
    response.status_code = 429
    response.headers["Retry-After"] = str(error.retry_after)
    return response


def _forbidden(error: Forbidden) -> ResponseReturnValue:
    """403 with the error's stable code (`forbidden`, `start_forbidden`, `message_forbidden`)."""
    return error_body(403, error.code, str(error), getattr(error, "details", None))


def register(app: Flask) -> None:
    """Install the handlers on the app."""
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(InputRefused, _input_refused)
    app.register_error_handler(
        ValidationError,
        lambda e: error_body(
            422,
            "validation_failed",
            "the request has errors",
            localise(e.messages, request_locale()),
        ),
    )
    app.register_error_handler(RuleRefused, _rule_refused)
    app.register_error_handler(
        FormInvalid, lambda e: error_body(422, "validation_failed", "the form has errors", e.errors)
    )
    app.register_error_handler(
        InvalidProcess,
        lambda e: error_body(
            422,
            "invalid_process",
            str(e),
            [problem_dict(p, request_locale()) for p in e.problems],
        ),
    )
    app.register_error_handler(
        BadRequest, lambda e: error_body(422, "bad_request", str(e), e.details)
    )
    app.register_error_handler(TaskNotReady, lambda e: error_body(409, "task_not_ready", str(e)))
    app.register_error_handler(
        MessageNotCaught, lambda e: error_body(404, "message_not_caught", str(e))
    )
    app.register_error_handler(
        ScriptFailed,
        lambda e: error_body(
            422, "script_failed", str(e), {"element_id": e.element_id, "line": e.line}
        ),
    )
    app.register_error_handler(
        StepBudgetExceeded,
        lambda e: error_body(422, "step_budget_exceeded", str(e), {"element_id": e.element_id}),
    )
    app.register_error_handler(EngineError, lambda e: error_body(422, e.code, str(e)))
    app.register_error_handler(NotFound, lambda e: error_body(404, "not_found", str(e)))
    app.register_error_handler(
        Conflict, lambda e: error_body(409, e.code, str(e), e.details, e.variant)
    )
    app.register_error_handler(Forbidden, _forbidden)
    app.register_error_handler(
        Unauthenticated, lambda e: error_body(401, "unauthenticated", str(e))
    )
    app.register_error_handler(TooManyAttempts, _too_many_attempts)
    app.register_error_handler(SettingsError, lambda e: error_body(500, "configuration", str(e)))
