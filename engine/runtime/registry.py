"""The one registry of script functions and service-task operators.

Built-ins (clock and date arithmetic) register here; engine.services adds the domain functions
(working days, invoice) at start-up, so the runtime never imports engine.rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from engine.runtime import clock
from engine.timezone import OSLO

ScriptFunction = Callable[..., Any]

_functions: dict[str, ScriptFunction] = {}
_operators: dict[str, ScriptFunction] = {}
_generation = [0]


def register_function(name: str, function: ScriptFunction) -> None:
    """Make `function` callable by `name` in every script and expression."""
    if _functions.get(name) is not function:
        _functions[name] = function
        changed()


def register_operator(name: str, function: ScriptFunction) -> None:
    """Make `function` the handler of service tasks whose operator is `name`."""
    _operators[name] = function


def changed() -> None:
    """Say that the functions, or what they read (process settings), changed: script worker
    processes forked before (engine/runtime/isolation.py) are replaced."""
    _generation[0] += 1


def generation() -> int:
    """Return how many times the functions changed."""
    return _generation[0]


def functions() -> Mapping[str, ScriptFunction]:
    """Return the script functions by name."""
    return _functions


def operator(name: str) -> ScriptFunction | None:
    """Return the service-task handler registered under `name`, if any."""
    return _operators.get(name)


def operator_names() -> frozenset[str]:
    """Return the names of all registered service-task operators."""
    return frozenset(_operators)


def _today() -> str:
    return clock.now().astimezone(OSLO).date().isoformat()


def _now_iso() -> str:
    return clock.now().astimezone(OSLO).isoformat()


def _add_days(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def _end_of_day(day: str) -> str:
    """Return 23:59:59 Europe/Oslo on `day` as an ISO datetime (date-only deadlines)."""
    moment = datetime.combine(date.fromisoformat(day), datetime.max.time().replace(microsecond=0))
    return moment.replace(tzinfo=OSLO).isoformat()


register_function("today", _today)
register_function("now", _now_iso)
register_function("add_days", _add_days)
register_function("end_of_day", _end_of_day)
