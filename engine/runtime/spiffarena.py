"""SpiffArena's script conventions, in safe equivalents (issue 19).

SpiffArena models call `get_current_user()`, `get_env()` and
`get_url_for_task_with_bpmn_identifier(bpmn_id)`, and use `datetime`, `time`, `timedelta` and
`json` (`dumps`, `loads`) without importing them (or with `import datetime`). Here they read the
engine, never the host: `datetime.datetime.now()`, `datetime.date.today()` and `time.time()`
read the engine clock (`clock`), `time` has no `sleep`, and `import` reaches only these three
modules. The step's actor comes from the service that runs the step (`acting`), the environment
name and the public URL from the wiring's settings (`register` binds them into its registry),
the running task from the script engine.
"""

from __future__ import annotations

import builtins
import datetime as _datetime
import json as _json
import time as _time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import SimpleNamespace
from typing import Any

from SpiffWorkflow.util.task import TaskState

from engine.runtime import clock, registry
from engine.timezone import OSLO

_actor: ContextVar[str | None] = ContextVar("saksflyt_actor", default=None)
_task: ContextVar[Any] = ContextVar("saksflyt_script_task", default=None)
# In a script worker process (isolation.py): the task ids by element the parent looked up.
_task_ids: ContextVar[dict[str, str] | None] = ContextVar("saksflyt_task_ids", default=None)
URL_FUNCTION = "get_url_for_task_with_bpmn_identifier"
# Actors that are the engine itself (a timer, a routed message), not a person.
_SYSTEM_PREFIX = "system:"


def register(functions: registry.Registry, *, env: str, public_url: str) -> None:
    """Register SpiffArena's helpers in a wiring's registry, bound to its settings."""
    functions.register_function("get_current_user", get_current_user)
    functions.register_function("get_env", lambda: env)
    functions.register_function(
        "get_url_for_task_with_bpmn_identifier",
        lambda bpmn_identifier: task_url(public_url, bpmn_identifier),
    )


@contextmanager
def acting(actor: str | None) -> Iterator[None]:
    """Run the enclosed engine calls on behalf of `actor` (a username, or None for the engine)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


@contextmanager
def running(task: Any) -> Iterator[None]:
    """Mark `task` as the one whose script or expression runs (for task URLs)."""
    token = _task.set(task)
    try:
        yield
    finally:
        _task.reset(token)


def get_current_user() -> dict[str, str] | None:
    """Return the user on whose behalf the step runs, or None when the engine runs it."""
    actor = _actor.get()
    if not actor or actor.startswith(_SYSTEM_PREFIX):
        return None
    return {"username": actor}


def task_url(public_url: str, bpmn_identifier: str) -> str:
    """Return the page of the instance's task for element `bpmn_identifier` (the open one, or
    the one ahead on the path): SpiffArena's get_url_for_task_with_bpmn_identifier."""
    ids = _task_ids.get()
    task = _task.get()
    if ids is None:
        if task is None:
            raise ValueError("get_url_for_task_with_bpmn_identifier runs only in a process step")
        ids = _ids_by_element(task)
    if bpmn_identifier not in ids:
        raise ValueError(f"the instance has no task '{bpmn_identifier}'")
    return f"{public_url.rstrip('/')}/tasks/{ids[bpmn_identifier]}"


def _ids_by_element(task: Any) -> dict[str, str]:
    top = task.workflow.top_workflow
    found: dict[str, list[Any]] = {}
    for flow in [top, *top.subprocesses.values()]:
        for each in flow.get_tasks():
            found.setdefault(str(each.task_spec.bpmn_id), []).append(each)
    chosen = {}
    for element, tasks in found.items():
        live = [t for t in tasks if not t.has_state(TaskState.FINISHED_MASK)]
        chosen[element] = str((live or tasks)[-1].id)
    return chosen


Carried = tuple[str | None, dict[str, str] | None]


def carried(source: str) -> Carried:
    """What a script worker process needs of this call (isolation.py): the actor, and the task
    ids by element if the script asks for task URLs (the task tree stays here)."""
    task = _task.get()
    ids = _ids_by_element(task) if URL_FUNCTION in source and task is not None else None
    return _actor.get(), ids


@contextmanager
def carrying(state: Carried) -> Iterator[None]:
    """Run the enclosed call in a worker with what `carried` took from the caller."""
    actor, ids = state
    tokens = (_actor.set(actor), _task_ids.set(ids))
    try:
        yield
    finally:
        _task_ids.reset(tokens[1])
        _actor.reset(tokens[0])


class _EngineDatetime(_datetime.datetime):
    """`datetime` whose now() and today() read the engine clock."""

    @classmethod
    def now(cls, tz: _datetime.tzinfo | None = None) -> _EngineDatetime:
        moment = clock.now().astimezone(tz or OSLO)
        moment = moment if tz is not None else moment.replace(tzinfo=None)
        return cls.fromisoformat(moment.isoformat())

    @classmethod
    def today(cls) -> _EngineDatetime:
        return cls.now()

    @classmethod
    def utcnow(cls) -> _EngineDatetime:
        return cls.fromisoformat(clock.now().replace(tzinfo=None).isoformat())


class _EngineDate(_datetime.date):
    """`date` whose today() is the engine clock's date in Europe/Oslo."""

    @classmethod
    def today(cls) -> _EngineDate:
        return cls.fromisoformat(clock.now().astimezone(OSLO).date().isoformat())


DATETIME = SimpleNamespace(
    datetime=_EngineDatetime,
    date=_EngineDate,
    time=_datetime.time,
    timedelta=_datetime.timedelta,
    timezone=_datetime.timezone,
    MINYEAR=_datetime.MINYEAR,
    MAXYEAR=_datetime.MAXYEAR,
)
TIME = SimpleNamespace(
    time=lambda: clock.now().timestamp(),
    gmtime=_time.gmtime,
    localtime=_time.localtime,
    mktime=_time.mktime,
    strftime=_time.strftime,
    strptime=_time.strptime,
)
JSON = SimpleNamespace(dumps=_json.dumps, loads=_json.loads)
_MODULES = {"datetime": DATETIME, "time": TIME, "json": JSON}


def is_module(value: Any) -> bool:
    """Tell whether `value` is one of the sandbox's modules (never task data)."""
    return any(value is module for module in _MODULES.values())


def safe_import(
    name: str, globals: Any = None, locals: Any = None, fromlist: Any = None, level: int = 0
) -> Any:
    """Import `datetime`, `time` or `json` (the sandbox's own); other modules are refused.

    C code running under a script (`strftime`, `strptime`) imports through the frame's
    `__import__` too, always with a list as `fromlist`; an import statement passes None or a
    tuple, and scripts cannot call `__import__` themselves (RestrictedPython refuses the
    name), so those calls go to Python's own import.
    """
    if isinstance(fromlist, list):
        return builtins.__import__(name, globals, locals, fromlist, level)
    if name not in _MODULES or level:
        raise ImportError(f"scripts may import only datetime, time and json, not '{name}'")
    return _MODULES[name]


BUILTINS: dict[str, Any] = {
    "datetime": DATETIME,
    "time": TIME,
    "json": JSON,
    "timedelta": _datetime.timedelta,
    "__import__": safe_import,
}
"""Pre-imported names: builtins, so task data of the same name shadows them."""
