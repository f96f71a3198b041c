"""Failures inside a step, in words a process owner can act on, with the element (and line).

SpiffWorkflow wraps script errors in `WorkflowTaskException`, whose `str()` repeats its notes
(a "Did you mean" among them) and whose line is 0 for our compiled scripts; some library paths
raise raw `TypeError`s from deep inside a task (a multi-instance task over `None`). Both become
`ScriptFailed` naming the element; the sandbox's guard names (`_apply_`, `_getattr_`) never
reach the message.
"""

from __future__ import annotations

import re
import traceback
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask

from engine.runtime.errors import EngineError, ScriptFailed

_INTERNAL_NAME = re.compile(r"name '_\w+_' is not defined")


def script_failed(error: Exception) -> ScriptFailed:
    """Translate a SpiffWorkflow exception raised while a task ran."""
    task = getattr(error, "task", None)
    element_id = task.task_spec.bpmn_id if task is not None else None
    inner = getattr(error, "error", None) or getattr(error, "exception", None)
    if isinstance(inner, EngineError):
        return ScriptFailed(str(inner), element_id=element_id)
    cause = inner or error.__cause__ or error.__context__
    line = getattr(error, "line_number", None) or _script_line(cause) or None
    return ScriptFailed(_readable(error, cause), element_id=element_id, line=line)


def step_failed(error: Exception) -> ScriptFailed:
    """Translate an exception the library raised outside a script, naming the task it was at."""
    task = _failing_task(error)
    if task is None:
        return ScriptFailed(f"{type(error).__name__}: {error}")
    spec = task.task_spec
    inner = task.workflow.spec.task_specs.get(getattr(spec, "task_spec", None) or "")
    name = spec.bpmn_name or getattr(inner, "bpmn_name", None) or spec.bpmn_id
    data_input = getattr(spec, "data_input", None)
    if isinstance(spec, MultiInstanceTask) and data_input is not None:
        value = task.data.get(data_input.bpmn_id)
        if value is None or isinstance(error, TypeError):
            message = (
                f"'{name}' runs once for each item of '{data_input.bpmn_id}', which is "
                f"{_kind(value)}; give it a list (an empty list runs it no times)"
            )
            return ScriptFailed(message, element_id=spec.bpmn_id)
    return ScriptFailed(f"'{name}' failed: {error}", element_id=spec.bpmn_id)


def correlation_failed(message: str, element_id: str | None, error: Exception) -> ScriptFailed:
    """Say that a message's correlation cannot be read from its payload, and why."""
    missing = re.search(r"name '(\w+)' is not defined", str(error))
    reason = f"it has no '{missing[1]}'" if missing else f"{type(error).__name__}: {error}"
    text = (
        f"the message '{message}' cannot be matched to a waiting instance: its correlation "
        f"is read from the message's data, and {reason}"
    )
    return ScriptFailed(text, element_id=element_id)


def _kind(value: Any) -> str:
    if value is None:
        return "missing or empty (None)"
    return f"a {type(value).__name__}, not a list"


def _failing_task(error: BaseException) -> Any:
    """Return the innermost SpiffWorkflow task on the error's traceback, if any."""
    found = None
    frame = error.__traceback__
    while frame is not None:
        candidate = frame.tb_frame.f_locals.get("my_task")
        if candidate is not None and hasattr(candidate, "task_spec"):
            found = candidate
        frame = frame.tb_next
    return found


def _readable(error: Exception, cause: BaseException | None = None) -> str:
    """Say what failed once: the library's message, its notes (a "Did you mean" among them)
    once each, never the sandbox's own guard names."""
    text = str(error.args[0]) if error.args else type(error).__name__
    if text.startswith("Error evaluating expression") and cause is not None:
        text = f"{text.rstrip('.')}: {type(cause).__name__}: {cause}"
    if _INTERNAL_NAME.search(text):
        return "the script uses a construct the sandbox does not allow"
    text = re.sub(r"^(\w+Error):(?=\S)", r"\1: ", text)
    notes = getattr(error, "notes", None) or getattr(error, "__notes__", None) or []
    extra = [n for n in dict.fromkeys(str(n).strip() for n in notes) if n and n not in text]
    extra = [n for n in extra if not n.startswith("Python script error on line")]
    return " ".join([text.rstrip(".") + ".", *extra]) if extra else text


def _script_line(inner: BaseException | None) -> int | None:
    """Return the line of the script (compiled as `<script>`) where `inner` was raised."""
    if inner is None:
        return None
    carried = getattr(inner, "script_line", None)  # raised in a script worker (isolation.py)
    if isinstance(carried, int):
        return carried
    lines = [
        frame.lineno
        for frame in traceback.extract_tb(inner.__traceback__)
        if frame.filename == "<script>"
    ]
    return lines[-1] if lines else None
