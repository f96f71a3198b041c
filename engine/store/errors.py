"""Errors of the store.

StoreError
├── NotFound    what, key
└── Conflict    code, message (e.g. task_already_completed), optional field messages and
                the people's text's variant (`api.error.<code>.<variant>`)
"""

from __future__ import annotations


class StoreError(Exception):
    """Base of the store's errors."""


class NotFound(StoreError):
    """No row with that key."""

    def __init__(self, what: str, key: object) -> None:
        self.what = what
        self.key = key
        super().__init__(f"{what} {key} not found")


class Conflict(StoreError):
    """The row is not in a state that allows the change (someone else got there first)."""

    def __init__(
        self, code: str, message: str, details: object = None, *, variant: str | None = None
    ) -> None:
        self.code = code
        self.details = details
        self.variant = variant  # the same refusal said for another action (a message, a task)
        super().__init__(message)
