"""The clock of every Python process a test run starts, loaded by Python at start-up.

tests/conftest.py puts this directory on PYTHONPATH, so pytest-xdist workers and the processes
tests start (`saksflyt serve`, `saksflyt worker`, scripts) import this module first.

The suite runs with the wall clock SAKSFLYT_TEST_CLOCK_AHEAD_DAYS ahead (tests/conftest.py
says why); a child moves its clock by the same days, so it agrees with the test that started it.
"""

from __future__ import annotations

import os
from datetime import timedelta

_ahead = int(os.environ.get("SAKSFLYT_TEST_CLOCK_AHEAD_DAYS") or 0)
if _ahead:
    import time_machine  # only then: a Python without it may start here too

    if not time_machine.escape_hatch.is_travelling():
        time_machine.travel(timedelta(days=_ahead), tick=True).start()
