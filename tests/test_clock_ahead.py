"""The guard of tests/conftest.py: the suite's wall clock runs CLOCK_AHEAD ahead of the
machine's, in the test process and in the processes it starts."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import time_machine

from tests.conftest import CLOCK_AHEAD


def test_the_test_process_runs_ahead() -> None:
    hatch = time_machine.escape_hatch
    assert hatch.is_travelling() == bool(CLOCK_AHEAD)
    real = hatch.time.time() if CLOCK_AHEAD else time.time()  # the hatch needs a journey
    assert abs(time.time() - real - CLOCK_AHEAD.total_seconds()) < 5


def test_a_child_process_runs_on_the_same_clock() -> None:
    child = subprocess.run(
        [sys.executable, "-c", "import time; print(time.time())"],
        env=os.environ,
        capture_output=True,
        text=True,
        check=True,
    )
    assert abs(float(child.stdout) - time.time()) < 10
