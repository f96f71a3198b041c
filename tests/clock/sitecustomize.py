"""The clock of every Python process a test run starts, loaded by Python at start-up.

tests/conftest.py puts this directory on PYTHONPATH, so pytest-xdist workers and the processes
tests start (`saksflyt serve`, `saksflyt worker`, scripts) import this module first.

1. The suite runs with the wall clock SAKSFLYT_TEST_CLOCK_AHEAD_DAYS ahead (tests/conftest.py
   says why); a child moves its clock by the same days, so it agrees with the test that
   started it.
2. Under libfaketime (`make test-future`, which also puts this directory on PYTHONPATH) the
   monotonic clock stays real: faked, it hangs every timed thread wait, since glibc's
   `sem_clockwait` is not intercepted. But libfaketime 0.9.10 (Debian 12) also shifts the
   absolute monotonic deadline that Python 3.11's `time.sleep` hands to
   `clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)`, so every sleep fails with EINVAL
   (libfaketime issue 426); here sleep waits on a relative `select` timeout instead.
"""

from __future__ import annotations

import os
import select
import time
from datetime import timedelta


def _sleep(seconds: float) -> None:
    """Sleep like `time.sleep`, counting on the real monotonic clock."""
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    deadline = time.monotonic() + seconds
    while True:  # at least once, so that sleep(0) still lets other threads run
        select.select([], [], [], max(deadline - time.monotonic(), 0))
        if time.monotonic() >= deadline:
            return


_ahead = int(os.environ.get("SAKSFLYT_TEST_CLOCK_AHEAD_DAYS") or 0)
if _ahead:
    import time_machine  # only then: a Python without it may start here too

    if not time_machine.escape_hatch.is_travelling():
        time_machine.travel(timedelta(days=_ahead), tick=True).start()

if "faketime" in os.environ.get("LD_PRELOAD", "") and os.environ.get(
    "FAKETIME_DONT_FAKE_MONOTONIC"
):
    time.sleep = _sleep
