"""Errors of the use cases (the API maps each to a status and a stable code).

ServiceError
├── Forbidden        the actor lacks the right (403)
│   ├── StartForbidden    may not start this process: process key, reason (403 start_forbidden)
│   └── MessageForbidden  may not send this message from outside (403 message_forbidden)
├── FormInvalid      field -> [messages] (422)
│   ├── RuleRefused       a rule after the form sent the task back: its codes (422)
│   └── BusinessKeyInUse  a case number another case of the process has, at every start door
│                         (422 at the field; /engine-rest: 400 RestException)
├── BadRequest       a clear message about the input (422)
├── Unauthenticated  wrong username or password (401)
└── TooManyAttempts  sign-in slowed down after wrong passwords in a row (429)
MailTemplateRefused  a mail template names a field its kind does not declare (at wiring)
"""

from __future__ import annotations

import math


class ServiceError(Exception):
    """Base of the services' own errors."""

    code = "service_error"


class Forbidden(ServiceError):
    """The actor may not do this."""

    code = "forbidden"


class StartForbidden(Forbidden):
    """The actor may not start the process; `reason` says why (access.start_refusal)."""

    code = "start_forbidden"

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        self.reason = reason
        self.details = {"process": key, "reason": reason}
        super().__init__(f"you may not start process '{key}' ({reason})")


class MessageForbidden(Forbidden):
    """No deployed process lets the actor send this message from outside."""

    code = "message_forbidden"

    def __init__(self, name: str) -> None:
        self.name = name
        self.details = {"message": name}
        super().__init__(f"you may not send message '{name}'")


class Unauthenticated(ServiceError):
    """The credentials are wrong."""

    code = "unauthenticated"


class TooManyAttempts(ServiceError):
    """Too many wrong passwords in a row: the next attempt waits `retry_after` seconds."""

    code = "too_many_attempts"

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(
            f"too many wrong passwords in a row; try again in {self.retry_after} seconds"
        )


class BadRequest(ServiceError):
    """The input is well-formed but not acceptable."""

    code = "bad_request"

    def __init__(self, message: str, details: object = None) -> None:
        self.details = details
        super().__init__(message)


class FormInvalid(ServiceError):
    """Submitted form data fails its JSON Schema; details map field paths to messages."""

    code = "validation_failed"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("the form has errors")


class RuleRefused(FormInvalid):
    """A check after a valid form refused the submission (`<task>_errors`); nothing is kept."""

    def __init__(self, element_id: str, codes: list[str], errors: dict[str, list[str]]) -> None:
        self.element_id = element_id
        self.codes = codes
        super().__init__(errors)


class BusinessKeyInUse(FormInvalid):
    """A start gave a case number (business key) another instance of the process has, open or
    finished; `field` is where it was given (`business_key`, or the start data key the process
    takes it from)."""

    def __init__(self, key: str, business_key: str, field: str, *messages: str) -> None:
        self.key, self.business_key, self.field, self.messages = key, business_key, field, messages
        super().__init__({field: list(messages)})

    def __str__(self) -> str:
        return f"the business key '{self.business_key}' is used by another instance of '{self.key}'"


class MailTemplateRefused(ValueError):
    """Mail templates name fields their kinds do not declare (access.declare_mail): the wiring
    is not built, so no such template ever reaches a recipient."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("mail templates name undeclared fields: " + "; ".join(problems))
