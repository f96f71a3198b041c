"""The script sandbox: RestrictedPython for scripts, conditions and expressions.

No imports, no dunder attributes, no open/exec/eval, a time limit per script, and only the
functions of `registry` plus a few safe builtins. ISO-8601 timer literals written by modelers
(`PT4S`, `R3/PT10M`) evaluate to themselves instead of failing as Python (ENGINE-NOTES 4).
"""

from __future__ import annotations

import ast
import copy
import json
import re
import sys
import time
from collections.abc import Mapping, MutableMapping
from functools import lru_cache
from types import CodeType, FrameType
from typing import Any, cast

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.runtime import isolation, registry, spiffarena
from engine.runtime.errors import ScriptFailed

TIME_LIMIT_SECONDS = 2.0

ISO_LITERAL = re.compile(
    r"^(R\d*/)?("
    r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
    r"|\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?"
    r")(/(P\S+|\d{4}-\S+))?$"
)

_EXTRA_BUILTINS: dict[str, Any] = {
    name: __builtins__[name] if isinstance(__builtins__, dict) else getattr(__builtins__, name)
    for name in (
        "min",
        "max",
        "sum",
        "any",
        "all",
        "enumerate",
        "sorted",
        "reversed",
        "dict",
        "list",
        "set",
        "map",
        "filter",
        "round",
        "abs",
        "len",
        "range",
        "zip",
    )
}


class ScriptTimeout(Exception):
    """A script ran past its time limit."""


def is_iso_literal(text: str) -> bool:
    """Tell whether `text` is a bare ISO-8601 duration, date-time or repeating interval."""
    return bool(ISO_LITERAL.match(text.strip()))


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> CodeType:
    """Compile an expression in the sandbox, raising SyntaxError with a readable message."""
    result = compile_restricted_eval(source.strip(), "<expression>")
    if result.errors:
        raise SyntaxError("; ".join(result.errors))
    assert result.code is not None
    return cast(CodeType, result.code)


class _Policy(RestrictingNodeTransformer):  # type: ignore[misc]
    """RestrictedPython's policy, plus `d["k"] += 1` (SpiffArena's scripts use it): the item
    is read and written through the same guards as `d["k"] = d["k"] + 1`."""

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        if not isinstance(node.target, ast.Subscript):
            return super().visit_AugAssign(node)  # type: ignore[no-any-return]
        read = copy.deepcopy(node.target)
        read.ctx = ast.Load()
        assign = ast.Assign(
            targets=[node.target], value=ast.BinOp(left=read, op=node.op, right=node.value)
        )
        ast.fix_missing_locations(ast.copy_location(assign, node))
        return self.visit(assign)  # type: ignore[no-any-return]


@lru_cache(maxsize=4096)
def compile_script(source: str) -> CodeType:
    """Compile a script in the sandbox, raising SyntaxError with a readable message."""
    result = compile_restricted_exec(source, "<script>", policy=_Policy)
    if result.errors:
        raise SyntaxError("; ".join(result.errors))
    assert result.code is not None
    return cast(CodeType, result.code)


def check_script(source: str, *, expression: bool = False) -> str | None:
    """Return why `source` would be refused by the sandbox, or None if it compiles."""
    try:
        if expression:
            if is_iso_literal(source):
                return None
            compile_expression(source)
        else:
            compile_script(source)
    except SyntaxError as error:
        return str(error)
    return None


def known_names() -> frozenset[str]:
    """Return every name a script can call without defining it: builtins and functions."""
    return (
        frozenset(safe_builtins)
        | set(_EXTRA_BUILTINS)
        | set(spiffarena.BUILTINS)
        | set(registry.functions())
    )


def _write_guard(obj: Any) -> Any:
    return obj


def _apply_guard(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call with `*args`/`**kwargs` (RestrictedPython routes such calls here)."""
    return function(*args, **kwargs)


def _sandbox_globals() -> dict[str, Any]:
    builtins = dict(safe_builtins)
    builtins.update(_EXTRA_BUILTINS)
    builtins.update(spiffarena.BUILTINS)
    return {
        "__builtins__": builtins,
        "_getattr_": safer_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": _write_guard,
        "_apply_": _apply_guard,
        "_print_": PrintCollector,  # print() is accepted and goes nowhere
        "_inplacevar_": _inplace,
        **registry.functions(),
    }


def _inplace(op: str, x: Any, y: Any) -> Any:
    operations = {
        "+=": lambda: x + y,
        "-=": lambda: x - y,
        "*=": lambda: x * y,
        "/=": lambda: x / y,
        "//=": lambda: x // y,
        "%=": lambda: x % y,
        "|=": lambda: x | y,
        "&=": lambda: x & y,
    }
    if op not in operations:
        raise SyntaxError(f"operator {op} is not allowed")
    return operations[op]()


def _run_limited(code: CodeType, namespace: dict[str, Any], evaluate: bool) -> Any:
    deadline = time.monotonic() + TIME_LIMIT_SECONDS

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        # Opcode events: a one-line `while True: pass` emits no line events in 3.11.
        frame.f_trace_opcodes = True
        if time.monotonic() > deadline:
            raise ScriptTimeout(f"the script ran longer than {TIME_LIMIT_SECONDS:g} s")
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        return eval(code, namespace)
    finally:
        sys.settrace(previous)


def _evaluate_here(text: str, context: Mapping[str, Any], external: Mapping[str, Any]) -> Any:
    namespace = _sandbox_globals()
    namespace.update(external)
    namespace.update(context)
    return _run_limited(compile_expression(text), namespace, evaluate=True)


def _execute_here(
    script: str, context: MutableMapping[str, Any], external: Mapping[str, Any]
) -> MutableMapping[str, Any]:
    globals_ = _sandbox_globals()
    namespace: dict[str, Any] = {**globals_, **external, **context}
    _run_limited(compile_script(script), namespace, evaluate=False)
    for key in list(namespace):
        value = namespace[key]
        if key in globals_ or key.startswith("_") or callable(value):
            continue
        if spiffarena.is_module(value):
            continue
        context[key] = namespace[key]
    for key in [k for k in context if k not in namespace]:
        del context[key]
    return context


def run_job(kind: str, source: str, context: dict[str, Any], external: dict[str, Any]) -> Any:
    """Evaluate an expression or run a script (in a script worker process, `isolation`)."""
    if kind == "evaluate":
        return _evaluate_here(source, context, external)
    return _execute_here(source, context, external)


class SandboxEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Evaluate and execute task scripts with RestrictedPython over the task data.

    Scripts, and expressions that could build something huge, run in a worker process under
    hard CPU and memory limits (`isolation.run`); bounded expressions run here.
    """

    def evaluate(
        self, expression: str, context: Mapping[str, Any], external_context: Any = None
    ) -> Any:
        """Evaluate an expression over the task data."""
        text = expression.strip()
        if is_iso_literal(text) and text not in context:
            return text
        if isolation.is_bounded(text):
            return _evaluate_here(text, context, external_context or {})
        external = dict(external_context or {})
        return isolation.run("evaluate", text, dict(context), external, run_job)

    def execute(
        self, script: str, context: MutableMapping[str, Any], external_context: Any = None
    ) -> bool:
        """Run a script that reads and writes the task data."""
        clash = set(registry.functions()).intersection(context)
        if clash:
            raise ValueError(f"task data overwrites script functions: {sorted(clash)}")
        compile_script(script)  # a syntax error is reported here, with no worker involved
        external = dict(external_context or {})
        result = isolation.run("execute", script, dict(context), external, run_job)
        context.clear()
        context.update(result)
        return True

    def call_service(self, context: Mapping[str, Any], **kwargs: Any) -> Any:
        """Dispatch a service task to its registered operator."""
        name = kwargs.get("operation_name")
        handler = registry.operator(str(name))
        if handler is None:
            raise ScriptFailed(f"no service operator named '{name}' is registered")
        params = kwargs.get("operation_params") or {}
        values = {
            key: spec.get("value") if isinstance(spec, dict) else spec
            for key, spec in params.items()
        }
        return handler(context, **values)


class SandboxScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """SpiffWorkflow's script engine bound to the sandbox, with our own service dispatch."""

    def __init__(self) -> None:
        super().__init__(environment=SandboxEnvironment())

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        """Evaluate an expression over a task's data (the task is known to task URLs)."""
        with spiffarena.running(task):
            return super().evaluate(task, expression, external_context)

    def execute(self, task: Any, script: str, external_context: Any = None) -> Any:
        """Run a task's script (the task is known to task URLs)."""
        with spiffarena.running(task):
            return super().execute(task, script, external_context)

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        """Run a service task's operator (SpiffWorkflow has already evaluated its parameters)."""
        recorded = registry.recorded_results()
        if recorded is not None and registry.runs_in_own_step(kwargs.get("operation_name")):
            variable = task.task_spec.result_variable
            if variable not in recorded:
                message = f"the replay has no recorded result '{variable}' of this call"
                raise ScriptFailed(message, element_id=task.task_spec.bpmn_id)
            return json.dumps(recorded[variable])
        try:
            return self.environment.call_service(task.data, **kwargs)
        except ScriptFailed as error:
            if error.element_id:
                raise
            raise ScriptFailed(error.message, element_id=task.task_spec.bpmn_id) from error
        except Exception as error:
            raise ScriptFailed(
                f"{type(error).__name__}: {error}", element_id=task.task_spec.bpmn_id
            ) from error


SCRIPT_ENGINE = SandboxScriptEngine()
