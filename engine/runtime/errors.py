"""Errors the runtime raises; every one carries what a process owner needs to find the cause.

EngineError
├── InvalidProcess      problems: [Problem(file, element id, name, line, message)]
├── TaskNotReady        task id
├── ScriptFailed        task/element id, line, message
├── StepBudgetExceeded  element id, budget
├── MessageNotCaught    message name
└── ErrorNotCaught      error code, element id
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a deployment, located as precisely as the source allows."""

    file: str | None
    element_id: str | None
    element_name: str | None
    line: int | None
    message: str
    severity: str = "error"
    # A message code (msgid `problems.<code>`) and its values: the edges put the message in
    # the reader's language; `message` is the English text for logs and other callers.
    code: str | None = None
    values: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, object]:
        """Return the JSON form used by the API's error details."""
        found: dict[str, object] = {
            "file": self.file,
            "element_id": self.element_id,
            "element_name": self.element_name,
            "line": self.line,
            "message": self.message,
            "severity": self.severity,
        }
        if self.code:
            found["code"] = self.code
            found |= {n: int(v) for n, v in self.values if n in ("row", "column") and v.isdigit()}
        return found


class EngineError(Exception):
    """Base of everything the runtime raises on purpose."""

    code = "engine_error"


class InvalidProcess(EngineError):
    """A deployment cannot be parsed, validated or built."""

    code = "invalid_process"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0].message if problems else "invalid process"
        super().__init__(f"{len(problems)} problem(s): {first}")


class TaskNotReady(EngineError):
    """The task is not ready to be completed (already done, cancelled or not reached)."""

    code = "task_not_ready"

    def __init__(self, task_id: object) -> None:
        self.task_id = task_id
        super().__init__(f"Task {task_id} is not ready")


class ScriptFailed(EngineError):
    """A script, condition or expression failed while the engine ran."""

    code = "script_failed"

    def __init__(
        self, message: str, *, element_id: str | None = None, line: int | None = None
    ) -> None:
        self.element_id = element_id
        self.line = line
        where = f" in {element_id}" if element_id else ""
        at = f" (line {line})" if line else ""
        super().__init__(f"Script failed{where}{at}: {message}")
        self.message = message


class StepBudgetExceeded(EngineError):
    """The engine ran more steps than allowed without waiting (an endless loop or recursion)."""

    code = "step_budget_exceeded"

    def __init__(self, budget: int, element_id: str | None) -> None:
        self.budget = budget
        self.element_id = element_id
        super().__init__(
            f"The process ran {budget} steps without waiting for a person, timer or message"
            f" (last element: {element_id}); it probably loops or calls itself forever"
        )


class MessageNotCaught(EngineError):
    """No waiting instance or message start event accepts the message."""

    code = "message_not_caught"

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"No process is waiting for the message '{name}'")


class ErrorNotCaught(EngineError):
    """A task ended with a BPMN error that no error boundary event on it catches."""

    code = "error_not_caught"

    def __init__(self, error_code: str, element_id: str | None) -> None:
        self.error_code = error_code
        self.element_id = element_id
        super().__init__(f"no error boundary event of '{element_id}' catches '{error_code}'")
