"""The one registry of script functions and service-task operators.

Built-ins (clock and date arithmetic) register here; engine.services adds the domain functions
(working days, invoice) at start-up, so the runtime never imports engine.rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from typing import Any

from engine.runtime import clock
from engine.timezone import OSLO

ScriptFunction = Callable[..., Any]

_functions: dict[str, ScriptFunction] = {}
_operators: dict[str, ScriptFunction] = {}
# Deploy-time checks of an operator's parameters: {parameter id: expression} -> problems.
OperatorCheck = Callable[[str, Mapping[str, str]], list[str]]
_checks: dict[str, OperatorCheck] = {}
# Operators that call other systems run in a step of their own (see `instances._advance`).
_deferred: set[str] = set()


def register_function(name: str, function: ScriptFunction) -> None:
    """Make `function` callable by `name` in every script and expression."""
    _functions[name] = function


def register_operator(
    name: str,
    function: ScriptFunction,
    check: OperatorCheck | None = None,
    *,
    own_step: bool = False,
) -> None:
    """Make `function` the handler of service tasks whose operator is `name`; `check` says
    at deploy why a task's parameters would be refused; `own_step` runs each such task in a
    step of its own, so its failure is an incident that leaves the step before it stored."""
    _operators[name] = function
    if check is not None:
        _checks[name] = check
    if own_step:
        _deferred.add(name)


_recorded: ContextVar[Mapping[str, Any] | None] = ContextVar("saksflyt_recorded", default=None)


@contextmanager
def replaying(results: Mapping[str, Any]) -> Iterator[None]:
    """Answer own-step service tasks from `results` (variable -> value) instead of calling
    out: an audit replay must never call another system again."""
    token = _recorded.set(results)
    try:
        yield
    finally:
        _recorded.reset(token)


def recorded_results() -> Mapping[str, Any] | None:
    """Return the results a replay answers own-step service tasks with, if replaying."""
    return _recorded.get()


def runs_in_own_step(name: str | None) -> bool:
    """Tell whether service tasks of operator `name` run in a step of their own."""
    return name in _deferred


def operator_check(name: str) -> OperatorCheck | None:
    """Return the deploy-time parameter check of an operator, if it has one."""
    return _checks.get(name)


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
