"""Register the generic script functions (working days, months, settings, `notify`).

The wiring registers them in its own registry; the runtime never imports engine.rules itself.
A routine's own functions (`invoice_for`, the hiring deadlines) register in its `register()`.
"""

from __future__ import annotations

import json
from datetime import date
from functools import partial
from typing import Any

from engine.rules import calendar, deadlines
from engine.services import process_settings
from engine.services.configuration import Configuration


def _working_days(start: str, end: str) -> int:
    return calendar.working_days(date.fromisoformat(start), date.fromisoformat(end))


def _add_working_days(day: str, days: int) -> str:
    return calendar.add_working_days(date.fromisoformat(day), int(days)).isoformat()


def _add_months(day: str, months: int) -> str:
    return deadlines.add_months(date.fromisoformat(day), int(months)).isoformat()


def _start_of_day(day: str) -> str:
    """Return 00:00:00 Europe/Oslo on `day` as an ISO datetime (date-only start times)."""
    midnight = deadlines.end_of_day_oslo(date.fromisoformat(day))
    return midnight.replace(hour=0, minute=0, second=0).isoformat()


def _notify(context: Any, **params: Any) -> str:
    """Append a message to the instance's `notifications`; the step writes it to the outbox.

    Parameters: `type` (the mail template), `to`/`cc` (usernames), `to_role`/`cc_role` with
    `municipality`, and any fields the text uses. See engine/services/step/process_mail.py.
    """
    entry = {k: v for k, v in params.items() if v is not None}
    context["notifications"] = [*(context.get("notifications") or []), entry]
    return json.dumps({"notification": entry}, default=str)


def _setting(configuration: Configuration, name: str, *default: Any) -> Any:
    return process_settings.value_in(configuration.settings, name, *default)


def register_all(configuration: Configuration) -> None:
    """Register the generic functions and service operators in a wiring's registry."""
    # The holidays package loads its country module on first use; under the sandbox's opcode
    # tracing that first load can pass a script's 2 s limit, so it happens here, at start-up.
    calendar.public_holidays(date.today().year)
    functions = configuration.registry
    functions.register_function("working_days", _working_days)
    functions.register_function("add_working_days", _add_working_days)
    functions.register_function("add_months", _add_months)
    functions.register_function("start_of_day", _start_of_day)
    functions.register_function("setting", partial(_setting, configuration))
    functions.register_operator("notify", _notify)
