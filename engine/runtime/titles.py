"""A user task's title as its participants read it (`taskTitle`, docs/bpmn-conventions.md).

The element's name says what kind of step it is ("Intervju"); a title template on the user
task says which one, from the task's data: `Intervju: {candidate.name}`. A placeholder is a
data key, with `.field` parts into objects. Deploy refuses a placeholder whose key is not in the
task's `contextFields` (`validation`), so whoever works on the task reads those values anyway;
a placeholder without a value (a missing key, an empty text, a list) leaves the element's
name, as Camunda leaves a task name whose expression gives nothing. Nothing here knows users:
who reads the title and who the element's name is `engine/services/access.py`'s rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

TASK_TITLE = "taskTitle"
MAX_TITLE = 300  # human_task.title
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")


class _NoValue(Exception):
    """A placeholder has nothing to show."""


def placeholders(template: str) -> list[str]:
    """Return the placeholders of a title template, in order (`candidate.name`)."""
    return [match.strip() for match in _PLACEHOLDER.findall(template)]


def bad_placeholders(template: str) -> list[str]:
    """Return the placeholders that are not a data key with `.field` parts."""
    return [path for path in placeholders(template) if not _PATH.match(path)]


def keys(template: str) -> list[str]:
    """Return the data keys a title template reads (the first part of each good placeholder)."""
    good = [path for path in placeholders(template) if _PATH.match(path)]
    return list(dict.fromkeys(path.split(".")[0] for path in good))


def render(template: str | None, data: Mapping[str, Any]) -> str | None:
    """Return the title filled from the task's data; None when a placeholder has no value."""
    if not template or not template.strip():
        return None
    try:
        text = _PLACEHOLDER.sub(lambda match: _value(data, match.group(1).strip()), template)
    except _NoValue:
        return None
    return " ".join(text.split())[:MAX_TITLE] or None


def _value(data: Mapping[str, Any], path: str) -> str:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise _NoValue(path)
        value = value[part]
    if value is None or isinstance(value, (Mapping, list, bool)):
        raise _NoValue(path)
    text = " ".join(str(value).split())
    if not text:
        raise _NoValue(path)
    return text
