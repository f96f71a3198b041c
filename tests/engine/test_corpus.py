"""The BPMN MIWG corpus (150 files, 34 tools + reference): each imports or is refused clearly,
and each runnable process is driven to its end (`bench.conformance`, which also measures bare
SpiffWorkflow on the same files: `python -m bench.conformance`).

Each file's outcome is compared with `corpus_expectations.json`, so a change in what imports,
runs or is refused shows up as a failing test. Regenerate the expectations after a deliberate
change with `SAKSFLYT_UPDATE_CORPUS=1 pytest tests/engine/test_corpus.py`.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bench.conformance import drive_saksflyt, time_limit
from engine.runtime.errors import InvalidProcess
from engine.runtime.specs import BuiltProcess, parse_deployment
from tests.conftest import SHARED, needs_shared

CORPUS = SHARED / "corpus" / "miwg"
# A mark, not a skip at import: the other corpus tests import this module.
pytestmark = [pytest.mark.slow, needs_shared(CORPUS)]

EXPECTATIONS = Path(__file__).with_name("corpus_expectations.json")
SECONDS_PER_FILE = 10
STEP_BUDGET = 1000
UNCLEAR = ("0x", "<Element", "Traceback")

FILES = sorted(str(path.relative_to(CORPUS)) for path in CORPUS.rglob("*.bpmn"))


def run(built: BuiltProcess) -> str:
    """Drive an instance with no input to its end: completed, waiting, budget or failed.

    Ready tasks are completed with empty data, timers fired, awaited messages delivered, each
    through the runtime and its snapshots (`bench.conformance.drive_saksflyt`); "waiting" means
    it waits for something no driver gives (a signal from outside).
    """
    return drive_saksflyt(built)


@cache
def outcome(name: str) -> dict[str, Any]:
    """Deploy one corpus file alone and start what is runnable; describe what happened."""
    with time_limit(SECONDS_PER_FILE):
        try:
            deployment = parse_deployment({name: (CORPUS / name).read_bytes()})
        except InvalidProcess as error:
            for found in error.problems:
                assert found.file, found
                assert not any(marker in found.message for marker in UNCLEAR), found
            return {"class": "rejected", "runnable": 0, "runs": {}}
        runs = {key: run(built) for key, built in sorted(deployment.built.items())}
    for found in deployment.warnings:
        assert found.file and not any(marker in found.message for marker in UNCLEAR), found
    kind = "runnable" if deployment.built else "not_runnable"
    return {"class": kind, "runnable": len(deployment.built), "runs": runs}


@cache
def expectations() -> dict[str, Any]:
    return json.loads(EXPECTATIONS.read_text()) if EXPECTATIONS.exists() else {}


@pytest.mark.parametrize("name", FILES)
def test_file_imports_or_is_refused_clearly(name: str) -> None:
    started = time.monotonic()
    found = outcome(name)
    assert time.monotonic() - started < SECONDS_PER_FILE
    if not os.environ.get("SAKSFLYT_UPDATE_CORPUS"):
        assert found == expectations().get(name), f"{name} changed; see the module docstring"


def test_summary(capsys: pytest.CaptureFixture[str]) -> None:
    results = {name: outcome(name) for name in FILES}
    if os.environ.get("SAKSFLYT_UPDATE_CORPUS"):
        EXPECTATIONS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    classes = Counter(result["class"] for result in results.values())
    runs = Counter(state for result in results.values() for state in result["runs"].values())
    imported = classes["runnable"] + classes["not_runnable"]
    with capsys.disabled():
        print(
            f"\nMIWG corpus, {len(FILES)} files: imported {imported} "
            f"(runnable {classes['runnable']}, model only {classes['not_runnable']}), "
            f"rejected with a clear error {classes['rejected']}, unclear/crash/timeout 0; "
            f"started {sum(runs.values())} processes: {dict(sorted(runs.items()))}"
        )
    assert set(results) == set(expectations()) or os.environ.get("SAKSFLYT_UPDATE_CORPUS")
