"""The registry of script functions and service-task operators, one per wiring.

Built-ins (clock and date arithmetic) are in every registry; engine.services adds the domain
functions (working days, invoice) when it wires a registry up, so the runtime never imports
engine.rules. The runtime reads the registry made active for the running unit of work (`use`);
with none active it sees the built-ins only. Nothing here is shared between two wirings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from engine.runtime import clock
from engine.timezone import OSLO

ScriptFunction = Callable[..., Any]
# Deploy-time checks of an operator's parameters: (operator, {parameter id: expression}) ->
# the reasons they would be refused.
OperatorCheck = Callable[[str, Mapping[str, str]], list[str]]


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


def _built_ins() -> dict[str, ScriptFunction]:
    return {"today": _today, "now": _now_iso, "add_days": _add_days, "end_of_day": _end_of_day}


@dataclass
class Registry:
    """Script functions and service-task operators by name, starting with the built-ins."""

    functions: dict[str, ScriptFunction] = field(default_factory=_built_ins)
    operators: dict[str, ScriptFunction] = field(default_factory=dict)
    checks: dict[str, OperatorCheck] = field(default_factory=dict)
    own_step: set[str] = field(default_factory=set)  # operators that call other systems
    # Counts changes to the functions or what they read (process settings): script worker
    # processes forked before a change (engine/runtime/isolation.py) are not used after it.
    generation: int = 0

    def register_function(self, name: str, function: ScriptFunction) -> None:
        """Make `function` callable by `name` in every script and expression."""
        if self.functions.get(name) is not function:
            self.functions[name] = function
            self.changed()

    def register_operator(
        self,
        name: str,
        function: ScriptFunction,
        check: OperatorCheck | None = None,
        *,
        own_step: bool = False,
    ) -> None:
        """Make `function` the handler of service tasks whose operator is `name`; `check` says
        at deploy why a task's parameters would be refused; `own_step` runs each such task in
        a step of its own, so its failure is an incident that leaves the step before stored."""
        self.operators[name] = function
        if check is not None:
            self.checks[name] = check
        if own_step:
            self.own_step.add(name)

    def changed(self) -> None:
        """Say that the functions, or what they read, changed."""
        self.generation += 1


_active: ContextVar[Registry | None] = ContextVar("saksflyt_registry", default=None)


@contextmanager
def use(registry: Registry) -> Iterator[Registry]:
    """Let the runtime use `registry` until the block ends (in this thread or task only)."""
    token = _active.set(registry)
    try:
        yield registry
    finally:
        _active.reset(token)


def active() -> Registry:
    """Return the registry in use; with none in use, a registry of the built-ins only."""
    return _active.get() or Registry()


def functions() -> Mapping[str, ScriptFunction]:
    """Return the script functions by name."""
    return active().functions


def operator(name: str) -> ScriptFunction | None:
    """Return the service-task handler registered under `name`, if any."""
    return active().operators.get(name)


def operator_names() -> frozenset[str]:
    """Return the names of all registered service-task operators."""
    return frozenset(active().operators)


def operator_check(name: str) -> OperatorCheck | None:
    """Return the deploy-time parameter check of an operator, if it has one."""
    return active().checks.get(name)


def runs_in_own_step(name: str | None) -> bool:
    """Tell whether service tasks of operator `name` run in a step of their own."""
    return name in active().own_step


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
