"""Conformance on models nobody here wrote: bare SpiffWorkflow 3.2.0 against saksflyt, end to end.

`python -m bench.conformance [folder]` (default: the MIWG corpus in ../shared/corpus/miwg) reads
every .bpmn file and, for each process it can run, drives one instance to its end with no input:
it completes every ready user or manual task with empty data, moves the clock past the next
timer, and delivers each message the instance waits for (its correlation as the payload).

- **bare**: SpiffWorkflow's own parser and script engine, no checks (`SpiffBpmnParser`, plain
  Python `eval`), the baseline a SpiffWorkflow user has;
- **saksflyt**: deploy's parse and checks (`parse_deployment`, normalised as the modeler does)
  and the runtime's start / complete / fire / deliver, serialised at every wait.

Each run ends `completed`, `waiting` (for something no driver can give: a signal from outside, a
call that never returns), `failed` (a clear error, or a raw exception for bare) or `budget`.
The figures print as one table; the exit status is 0 whatever they are. A run takes about a
minute on the 2-core machine; `tests/engine/test_corpus.py` runs the saksflyt driver on every
file in the normal suite.
"""

from __future__ import annotations

import signal
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "miwg"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ROUNDS = 40  # waits driven per instance
STEP_BUDGET = 1000
SECONDS_PER_FILE = 10


class StepBudgetSpent(Exception):
    """The engine ran more steps than the budget without waiting."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in the block after `seconds` (a hang must fail, not block the run)."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def drive_saksflyt(built: Any) -> str:
    """Run one instance of a built process to its end through the saksflyt runtime."""
    from engine.runtime import instances
    from engine.runtime.errors import EngineError, StepBudgetExceeded

    now = NOW
    try:
        outcome = instances.start(built, {}, now=now, step_budget=STEP_BUDGET)
        for _ in range(ROUNDS):
            if outcome.state != "running":
                return "completed" if outcome.state == "completed" else "failed"
            if outcome.ready_tasks:
                task = UUID(outcome.ready_tasks[0].id)
                outcome = instances.complete_task(
                    built, outcome.snapshot, task, {}, now=now, step_budget=STEP_BUDGET
                )
            elif due := [t.due_at for t in outcome.timers if t.due_at is not None]:
                now = max(now, min(due)) + timedelta(seconds=1)
                outcome = instances.fire_timers(
                    built, outcome.snapshot, now=now, step_budget=STEP_BUDGET
                )
            elif outcome.messages:
                wait = outcome.messages[0]
                payload = {k: v for k, v in wait.correlation.items() if v is not None}
                outcome = instances.deliver_message(
                    built, outcome.snapshot, wait.message_name, payload, now=now
                )
            else:
                return "waiting"
        return "completed" if outcome.state == "completed" else "waiting"
    except StepBudgetExceeded:
        return "budget"
    except EngineError:
        return "failed"


def saksflyt_file(path: Path) -> dict[str, str] | None:
    """Deploy one file as the modeler does; return each runnable process's end, or None."""
    from engine.runtime import normalise
    from engine.runtime.errors import InvalidProcess
    from engine.runtime.specs import parse_deployment

    files = {path.name: path.read_bytes()}
    forms = [form.name for form in path.parent.glob("*.json")]
    try:
        fixed, _ = normalise.normalise_files(files)
        deployment = parse_deployment(fixed, available_forms=forms)
    except InvalidProcess:
        return None
    return {key: drive_saksflyt(built) for key, built in sorted(deployment.built.items())}


def drive_bare(workflow: Any) -> str:
    """Run a bare SpiffWorkflow workflow to its end with the library's own API."""
    from SpiffWorkflow.bpmn.util import BpmnEvent
    from SpiffWorkflow.util.task import TaskState

    from engine.runtime import clock

    steps = 0

    def count(task: Any) -> None:
        nonlocal steps
        steps += 1
        if steps > STEP_BUDGET:
            raise StepBudgetSpent(task.task_spec.bpmn_id)

    now = NOW
    try:
        for _ in range(ROUNDS):
            with clock.frozen_at(now):  # the library's timers read this clock once imported
                workflow.refresh_timers()
                workflow.do_engine_steps(will_complete_task=count)
            if workflow.is_completed():
                return "completed"
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            waiting = workflow.get_tasks(state=TaskState.WAITING)
            if ready:
                ready[0].run()
            elif any("Timer" in _definition_name(t) for t in waiting):
                now += timedelta(days=400)  # past any duration or date of the corpus
            elif messages := [t for t in waiting if "Message" in _definition_name(t)]:
                definition = messages[0].task_spec.event_definition
                workflow.catch(BpmnEvent(definition, payload={}))
            else:
                return "waiting"
        return "completed" if workflow.is_completed() else "waiting"
    except StepBudgetSpent:
        return "budget"
    except Exception:  # the baseline has no error translation: any exception is a failure
        return "failed"


def _definition_name(task: Any) -> str:
    return type(getattr(task.task_spec, "event_definition", None)).__name__


def bare_file(path: Path) -> dict[str, str] | None:
    """Parse one file with bare SpiffWorkflow; return each executable process's end, or None."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

    parser = SpiffBpmnParser()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parser.add_bpmn_file(str(path))
            keys = parser.get_process_ids()
    except Exception:
        return None
    ends: dict[str, str] = {}
    for key in sorted(keys):
        try:
            spec = parser.get_spec(key)
            workflow = BpmnWorkflow(spec, parser.get_subprocess_specs(key))
        except Exception:
            ends[key] = "refused"
            continue
        ends[key] = drive_bare(workflow)
    return ends


def measure(files: list[Path], run: Callable[[Path], dict[str, str] | None]) -> dict[str, Any]:
    """Run one side over every file; count files read and process ends."""
    read, ends, each = 0, Counter[str](), {}
    for path in files:
        try:
            with time_limit(SECONDS_PER_FILE):
                found = run(path)
        except TimeoutError:
            ends["timeout"] += 1
            continue
        if found is not None:
            read += 1
            ends.update(found.values())
            each.update({f"{path}#{key}": end for key, end in found.items()})
    return {"files": len(files), "read": read, "ends": dict(sorted(ends.items())), "each": each}


def main(argv: list[str]) -> None:
    """Print bare SpiffWorkflow's and saksflyt's figures over a folder of models."""
    folder = Path(argv[0]) if argv else CORPUS
    files = sorted(folder.rglob("*.bpmn"))
    results = {}
    for side, run in (("bare SpiffWorkflow", bare_file), ("saksflyt", saksflyt_file)):
        result = results[side] = measure(files, run)
        ends = result["ends"]
        print(
            f"{side:20} files {result['files']}, read {result['read']}, processes run "
            f"{sum(v for k, v in ends.items() if k != 'refused')}: "
            + ", ".join(f"{k} {v}" for k, v in ends.items())
        )
    bare, ours = results["bare SpiffWorkflow"]["each"], results["saksflyt"]["each"]
    lost = sorted(k for k, end in bare.items() if end == "completed" and ours.get(k) != "completed")
    print(f"completed by bare SpiffWorkflow but not by saksflyt: {len(lost)}")
    for key in lost:
        print(f"  {key}: {ours.get(key, 'refused on deploy')}")


if __name__ == "__main__":
    main(sys.argv[1:])
