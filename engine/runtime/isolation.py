"""Scripts under hard limits: evaluated in worker processes that may be killed, never in the
request's own process (issue 16: `10**(10**7)` in a script froze the whole server for 9-21 s).

The sandbox's opcode tracer (`scripting._run_limited`) stops a Python loop after 2 s, but one
long C call (a huge power, a huge string) holds the interpreter lock until it ends, stalling
every other request thread. So a script runs in a worker process:

- RLIMIT_CPU: CPU_SECONDS of CPU per evaluation (the kernel kills the worker with SIGXCPU);
- RLIMIT_AS: MEMORY_BYTES of address space above what the worker had when it started
  (MemoryError in the worker, which then exits);
- the parent waits at most WALL_SECONDS for the answer (then kills the worker) and reads at
  most MAX_RESULT_BYTES of it.

While it waits, the parent's thread sits in `poll()`, which releases the interpreter lock, so
other requests run on. A worker that dies or breaks a limit is replaced; what it was running
fails as `ScriptLimitExceeded` (a ScriptFailed: the step fails naming the element, and a timer's
step becomes an incident). Workers are forked from the process (they inherit the registry of
script functions) and serve one evaluation at a time, each with the engine clock of the caller.
A worker serves the registry it was forked with (the wiring's, with its configuration); after
the registry changes (`Registry.generation`), a new worker is forked.

The fast path stays in-process: an expression built only from names, constants, comparisons,
boolean logic, +, -, /, //, subscripts, attributes, literals and calls of the registered script
functions (`is_bounded`) cannot build anything much larger than its inputs, whose sizes the
storage rules bound (engine/runtime/values.py), so it needs no worker.
"""

from __future__ import annotations

import ast
import multiprocessing
import os
import pickle
import resource
import signal
import threading
import traceback
from collections.abc import Callable
from contextlib import nullcontext, suppress
from datetime import datetime
from functools import lru_cache
from multiprocessing.connection import Connection
from typing import Any

from engine.runtime import clock, registry, spiffarena
from engine.runtime.errors import ScriptFailed

CPU_SECONDS = 2
WALL_SECONDS = 5.0
MEMORY_BYTES = 256 * 2**20
MAX_RESULT_BYTES = 20_000_000
MAX_IDLE = 4  # idle workers kept (across wirings: tests make many)

Job = tuple[str, str, dict[str, Any], dict[str, Any], datetime | None, spiffarena.Carried]
Runner = Callable[[str, str, dict[str, Any], dict[str, Any]], Any]


class ScriptLimitExceeded(ScriptFailed):
    """A script passed the CPU, memory, time or size limit of its worker."""


class _Worker:
    def __init__(self, runner: Runner, functions: registry.Registry) -> None:
        self.connection, child = multiprocessing.Pipe(duplex=True)
        # Forked inside the caller's work: the child keeps the registry (and the wiring's
        # configuration its functions read) active then; the reference keeps its id unique.
        self.functions, self.key = functions, _key(functions)
        self.exitcode: int | None = None
        self.pid = os.fork()  # a plain fork: also from a daemonic process (a scheduler worker)
        if self.pid == 0:
            try:
                self.connection.close()
                _serve(child, runner)
            finally:
                os._exit(0)
        child.close()

    def is_alive(self) -> bool:
        if self.exitcode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.exitcode = os.waitstatus_to_exitcode(status)
        return self.exitcode is None

    def stop(self) -> None:
        if self.is_alive():
            with suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            _, status = os.waitpid(self.pid, 0)
            self.exitcode = os.waitstatus_to_exitcode(status)
        self.connection.close()


def _key(functions: registry.Registry) -> tuple[int, int]:
    return id(functions), functions.generation


class _Pool:
    """Idle workers, at most MAX_IDLE, each for the registry (and generation) it was forked with."""

    def __init__(self) -> None:
        self.idle: list[_Worker] = []
        self.lock = threading.Lock()
        self.owner = os.getpid()

    def take(self, runner: Runner) -> _Worker:
        functions = registry.active()
        key = _key(functions)
        with self.lock:
            if self.owner != os.getpid():  # forked: the parent's workers are not ours
                self.idle, self.owner = [], os.getpid()
            for worker in reversed(self.idle):
                if worker.key == key and worker.functions is functions:
                    self.idle.remove(worker)
                    if worker.is_alive():
                        return worker
                    worker.stop()
                    break
        return _Worker(runner, functions)

    def give_back(self, worker: _Worker) -> None:
        with self.lock:
            self.idle.append(worker)
            keep = [w for w in self.idle if w.key == _key(w.functions)][-MAX_IDLE:]
            stale = [w for w in self.idle if w not in keep]
            self.idle = keep
        for old in stale:  # its registry changed since the fork, or too many are idle
            old.stop()


_pool = _Pool()


def run(
    kind: str, source: str, context: dict[str, Any], external: dict[str, Any], runner: Runner
) -> Any:
    """Run `runner(kind, source, context, external)` in a worker; return what it returns.

    `execute` jobs return the script's new task data (the caller copies it into the task's);
    an exception raised by the script is raised here again.
    """
    now = clock.now() if clock.is_frozen() else None
    job: Job = (kind, source, context, external, now, spiffarena.carried(source))
    try:
        request = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:
        raise ScriptFailed(f"the task data cannot be handed to the script: {error}") from error
    worker = _pool.take(runner)
    try:
        worker.connection.send_bytes(request)
        if not worker.connection.poll(WALL_SECONDS):
            raise ScriptLimitExceeded(f"the script ran longer than {WALL_SECONDS:g} s")
        answer = worker.connection.recv_bytes(MAX_RESULT_BYTES)
    except ScriptLimitExceeded:
        worker.stop()
        raise
    except (EOFError, OSError) as error:
        worker.stop()  # reaps it, so its exit code tells why
        raise ScriptLimitExceeded(_death(worker, error)) from None
    status, value = pickle.loads(answer)
    if status == "limit":
        worker.stop()
        raise ScriptLimitExceeded(str(value))
    _pool.give_back(worker)
    if status == "error":
        raise value
    return value


def _death(worker: _Worker, error: BaseException) -> str:
    code = worker.exitcode
    if code == -signal.SIGXCPU:
        return f"the script used more than {CPU_SECONDS} s of CPU time"
    if isinstance(error, OSError) and "bad message length" in str(error):
        return f"the script's data is larger than {MAX_RESULT_BYTES // 1_000_000} MB"
    return f"the script's worker process stopped (exit code {code})"


def _serve(connection: Connection, runner: Runner) -> None:
    """The worker's loop: one job at a time, each under the CPU limit, all under the memory one."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + MEMORY_BYTES
    if hard == resource.RLIM_INFINITY or limit < hard:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    while True:
        try:
            kind, source, context, external, now, state = pickle.loads(connection.recv_bytes())
        except (EOFError, OSError):
            os._exit(0)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        spent = int(usage.ru_utime + usage.ru_stime)
        _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
        resource.setrlimit(resource.RLIMIT_CPU, (spent + CPU_SECONDS, cpu_hard))
        failed = False
        try:
            with (
                clock.frozen_at(now) if now is not None else nullcontext(),
                spiffarena.carrying(state),
            ):
                result = runner(kind, source, context, external)
            try:
                answer = pickle.dumps(("ok", result), protocol=pickle.HIGHEST_PROTOCOL)
            except RecursionError:  # nested too deep to hand back: deeper than may be stored
                answer = pickle.dumps(("ok", _clip(result, 0)), protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            answer, failed = _limit(f"the script used more than {MEMORY_BYTES // 2**20} MB"), True
        except Exception as error:
            answer = _error(error)
        if len(answer) > MAX_RESULT_BYTES:
            size = MAX_RESULT_BYTES // 1_000_000
            answer, failed = _limit(f"the script's data is larger than {size} MB"), True
        connection.send_bytes(answer)
        if failed:
            os._exit(0)


CLIP_DEPTH = 40  # beyond values.MAX_DEPTH, so the step still refuses the value, naming it


def _clip(value: Any, depth: int) -> Any:
    """Cut lists and mappings nested deeper than CLIP_DEPTH (their depth still shows)."""
    if depth >= CLIP_DEPTH:
        return [] if isinstance(value, list | dict) else value
    if isinstance(value, dict):
        return {key: _clip(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_clip(item, depth + 1) for item in value]
    return value


def _limit(message: str) -> bytes:
    return pickle.dumps(("limit", message))


def _error(error: Exception) -> bytes:
    lines = [
        f.lineno for f in traceback.extract_tb(error.__traceback__) if f.filename == "<script>"
    ]
    if lines:
        with suppress(AttributeError):  # the traceback stays here: carry the script's line
            error.script_line = lines[-1]  # type: ignore[attr-defined]
    try:
        answer = pickle.dumps(("error", error), protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(answer)
        return answer
    except Exception:
        return pickle.dumps(("error", ScriptFailed(f"{type(error).__name__}: {error}")))


def _address_space() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[0])
    return pages * resource.getpagesize()


# The fast path: expressions that cannot grow much beyond their inputs.

_BOUNDED_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.Is,
    ast.IsNot,
    ast.In,
    ast.NotIn,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Attribute,
    ast.Subscript,
    ast.Slice,
    ast.IfExp,
    ast.Tuple,
    ast.List,
    ast.Dict,
    ast.Set,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Div,
    ast.FloorDiv,
    ast.Call,
    ast.keyword,
)
_BOUNDED_BUILTINS = frozenset({"len", "abs", "str", "int", "float", "bool", "min", "max"})


def is_bounded(source: str) -> bool:
    """Tell whether an expression may run in-process (see the module's docstring)."""
    return _is_bounded(source, frozenset(registry.functions()))


@lru_cache(maxsize=4096)
def _is_bounded(source: str, functions: frozenset[str]) -> bool:
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError:
        return False
    callable_names = _BOUNDED_BUILTINS | functions
    for node in ast.walk(tree):
        if not isinstance(node, _BOUNDED_NODES):
            return False
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and node.func.id in callable_names
        ):
            return False
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            return False
    return True
