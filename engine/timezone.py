"""The engine's one time zone: dates, deadlines and timers count on the Oslo calendar.

Imports only the stdlib, so engine.runtime, engine.rules, engine.store and engine.services may
all import it (the lowest layer in pyproject.toml's import contract).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
