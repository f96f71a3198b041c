"""Rule refusals: a check after a valid form sends the same task back with error codes.

A process checks a submission in a script after the form (`check_<task>` sets `<task>_errors`
to stable codes) and a gateway sends the task back when the list is not empty (Løten: a police
certificate too old, an exemption request undecided, a panel without a political
representative). The submission is then refused like a form error, at once and at a field,
and nothing of it is kept: the form declares a message and a field per code,

    "x-refusals": {
      "police_certificate_too_old": {
        "field": "certificates",
        "message": "Politiattesten er eldre enn 3 måneder før tiltredelsen.",
        "x-message-en": "The police certificate is older than 3 months before the start."
      }
    }

and a code it does not declare is shown above the form with a general message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from engine import catalogue
from engine.runtime.model import Outcome

KEYWORD = "x-refusals"


def codes(outcome: Outcome, element_id: str) -> list[str]:
    """Return the error codes with which the step sent the task `element_id` back, if it did."""
    key = f"{element_id}_errors"
    for ready in outcome.ready_tasks:
        found = ready.data.get(key) if ready.element_id == element_id else None
        if isinstance(found, list) and found:
            return [str(code) for code in found]
    return []


def messages(schema_content: bytes | None, found: list[str], locale: str) -> dict[str, list[str]]:
    """Return field -> messages for the codes, from the form's `x-refusals` (else `_form`)."""
    declared: Mapping[str, Any] = {}
    if schema_content:
        declared = json.loads(schema_content).get(KEYWORD) or {}
    errors: dict[str, list[str]] = {}
    for code in found:
        entry = declared.get(code)
        if isinstance(entry, Mapping):
            text = entry.get(f"x-message-{locale}") or entry.get("message")
            field = str(entry.get("field") or "_form")
        else:
            text, field = catalogue.text(locale, "refusals.unknown"), "_form"
        bucket = errors.setdefault(field, [])
        if text not in bucket:
            bucket.append(str(text))
    return errors
