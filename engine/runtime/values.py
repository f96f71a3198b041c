"""What a process data value may be, so that SQLite and PostgreSQL store it and clients read it.

JSON only: objects, arrays, text, numbers, true, false and null. The API's request parser
(`api/payloads.py`) holds every request to these rules and every engine run holds the snapshot
it produced to them (`engine/runtime/instances.py`), so no write of an instance can fail:

- nested at most MAX_DEPTH levels (deeper documents overflow JSON parsers' recursion);
- text of at most MAX_TEXT_CHARS characters, without NUL (PostgreSQL's text refuses it) and
  without lone surrogates (they have no UTF-8);
- integers of at most MAX_INT_DIGITS digits, finite floats (JSON has no NaN or Infinity);
- a snapshot of at most about MAX_SNAPSHOT_BYTES as JSON.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 32
MAX_TEXT_CHARS = 100_000
MAX_INT_DIGITS = 100
MAX_SNAPSHOT_BYTES = 10_000_000
# The data one request may give a case (start, task completion or draft, message), as JSON: a
# request stores it a few times over (task data, history, the snapshot), so this bounds what
# one request can store; form data is kilobytes, files go as attachments.
MAX_REQUEST_DATA_BYTES = 256_000
# Levels a snapshot adds above a variable: subprocesses.<id>.tasks.<id>.delta.updates.<name>
SNAPSHOT_NESTING = 8

_INT_BOUND = 10**MAX_INT_DIGITS
_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")
_NUMBER_BYTES = 12  # a guess per number for the size estimate


@dataclass(frozen=True)
class Unstorable:
    """Where a value breaks one of the rules, and which: `code` and its `limit`."""

    path: tuple[str, ...]
    code: str  # nested_too_deep, text_too_long, nul, surrogate, number_too_long, not_finite,
    # not_json (detail: the type), too_large
    limit: int | None = None
    detail: str = ""

    @property
    def where(self) -> str:
        """Return the dotted path (`data.items.3.name`); empty for the whole value."""
        return ".".join(self.path)

    def reason(self) -> str:
        """Say what is wrong, in English (the API words requests' problems in nb and en)."""
        return {
            "nested_too_deep": f"it is nested more than {self.limit} levels deep",
            "text_too_long": f"the text is longer than {self.limit} characters",
            "nul": "the text contains the NUL character (\\u0000)",
            "surrogate": "the text contains a lone surrogate (\\ud800-\\udfff), which is not UTF-8",
            "number_too_long": f"the integer has more than {self.limit} digits",
            "not_finite": "the number is NaN or infinite, which JSON cannot hold",
            "not_json": f"a {self.detail} is not a JSON value (text, number, list, object)",
            "too_large": f"the instance's data would be more than {self.limit} bytes as JSON",
        }[self.code]


class Refused:
    """Stands in for a number the JSON parser would not take (NaN, 1e999, 5,000 digits), so
    that the check after parsing can say where it was."""

    __slots__ = ("code",)

    def __init__(self, code: str) -> None:
        self.code = code


def check_text(text: str, path: tuple[str, ...] = ()) -> Unstorable | None:
    """Return the first rule a text breaks, or None."""
    if len(text) > MAX_TEXT_CHARS:
        return Unstorable(path, "text_too_long", MAX_TEXT_CHARS)
    bad = _BAD_CHARACTER.search(text)
    if bad is None:
        return None
    return Unstorable(path, "nul" if bad.group() == "\x00" else "surrogate")


def first_unstorable(
    value: Any,
    *,
    path: tuple[str, ...] = (),
    max_depth: int = MAX_DEPTH,
    max_bytes: int | None = None,
) -> Unstorable | None:
    """Return where `value` first breaks the rules (depth-first), or None if it may be stored.

    With `max_bytes`, a value whose JSON would be larger (estimated) is refused as a whole.
    """
    return measure(value, path=path, max_depth=max_depth, max_bytes=max_bytes)[0]


def measure(
    value: Any,
    *,
    path: tuple[str, ...] = (),
    max_depth: int = MAX_DEPTH,
    max_bytes: int | None = None,
) -> tuple[Unstorable | None, int]:
    """Return `first_unstorable` and an estimate of the JSON size of what was looked at."""
    fast = _Fast(max_depth, max_bytes)
    if fast.is_storable(value, 0):  # the usual case, about three times faster than `_Walk`
        return None, fast.size
    walk = _Walk(max_depth, max_bytes)  # find and name the problem
    found = walk.check(value, list(path), 0)
    if found is None and max_bytes is not None and walk.size > max_bytes:
        found = Unstorable((), "too_large", max_bytes)
    return found, walk.size


class _Fast:
    """Tell whether a value keeps the rules, as quickly as plain Python can; no paths."""

    def __init__(self, max_depth: int, max_bytes: int | None) -> None:
        self.max_depth = max_depth
        self.max_bytes = max_bytes if max_bytes is not None else math.inf
        self.size = 0

    def is_storable(self, value: Any, depth: int) -> bool:
        kind = type(value)
        if kind is str:
            self.size += len(value) + 3
            return _is_plain_text(value)
        if kind is dict:
            if depth >= self.max_depth:
                return False
            self.size += 2
            for key, item in value.items():
                if type(key) is not str or not _is_plain_text(key):
                    return False
                self.size += len(key) + 4
                if not self.is_storable(item, depth + 1):
                    return False
            return self.size <= self.max_bytes
        if kind is list:
            if depth >= self.max_depth:
                return False
            self.size += 2
            return all(self.is_storable(item, depth + 1) for item in value)
        if kind is int:
            self.size += _NUMBER_BYTES
            return bool(-_INT_BOUND < value < _INT_BOUND)
        if kind is float:
            self.size += _NUMBER_BYTES
            return math.isfinite(value)
        self.size += 5
        return value is None or kind is bool


def _is_plain_text(text: str) -> bool:
    if len(text) > MAX_TEXT_CHARS:
        return False
    return "\x00" not in text if text.isascii() else _BAD_CHARACTER.search(text) is None


class _Walk:
    """A depth-first check that also estimates the JSON size of what it saw."""

    def __init__(self, max_depth: int, max_bytes: int | None = None) -> None:
        self.max_depth = max_depth
        self.max_bytes = max_bytes
        self.size = 0

    def check(self, value: Any, path: list[str], depth: int) -> Unstorable | None:
        if isinstance(value, str):
            self.size += len(value) + 3
            return check_text(value, tuple(path))
        if value is None or isinstance(value, bool):
            self.size += 5
            return None
        if isinstance(value, int):
            self.size += _NUMBER_BYTES
            if -_INT_BOUND < value < _INT_BOUND:
                return None
            return Unstorable(tuple(path), "number_too_long", MAX_INT_DIGITS)
        if isinstance(value, float):
            self.size += _NUMBER_BYTES
            return None if math.isfinite(value) else Unstorable(tuple(path), "not_finite")
        if isinstance(value, Refused):
            limit = MAX_INT_DIGITS if value.code == "number_too_long" else None
            return Unstorable(tuple(path), value.code, limit)
        if isinstance(value, (dict, list, tuple)):
            if depth >= self.max_depth:
                return Unstorable(tuple(path), "nested_too_deep", self.max_depth)
            return self._container(value, path, depth + 1)
        return Unstorable(tuple(path), "not_json", detail=type(value).__name__)

    def _container(
        self, value: dict[Any, Any] | list[Any] | tuple[Any, ...], path: list[str], depth: int
    ) -> Unstorable | None:
        self.size += 2
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if self.max_bytes is not None and self.size > self.max_bytes:
                return Unstorable((), "too_large", self.max_bytes)  # no need to look further
            path.append(key if isinstance(key, str) else str(key))
            found = self._key(key, path) if isinstance(value, dict) else None
            found = found or self.check(item, path, depth)
            path.pop()
            if found is not None:
                return found
        return None

    def _key(self, key: Any, path: list[str]) -> Unstorable | None:
        if isinstance(key, str):
            self.size += len(key) + 4
            return check_text(key, tuple(path))
        if key is None or isinstance(key, (int, float)):  # JSON writes them as text
            return self.check(key, path, 0)
        return Unstorable(tuple(path), "not_json", detail=f"{type(key).__name__} key")
