"""Register the domain rules as script functions, so BPMN scripts can call them by name.

Called once from the app's and worker's wiring; the runtime never imports engine.rules itself.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from engine.rules import calendar
from engine.rules import deadlines as hiring_deadlines
from engine.rules.invoice import calculate_invoice
from engine.runtime import registry
from engine.services import process_settings


def _working_days(start: str, end: str) -> int:
    return calendar.working_days(date.fromisoformat(start), date.fromisoformat(end))


def _add_working_days(day: str, days: int) -> str:
    return calendar.add_working_days(date.fromisoformat(day), int(days)).isoformat()


def _invoice_for(
    start_date: str, end_date: str, monthly_salary: Any, position_percentage: Any = 100
) -> dict[str, Any]:
    invoice = calculate_invoice(
        date.fromisoformat(start_date),
        date.fromisoformat(end_date),
        Decimal(str(monthly_salary)),
        Decimal(str(position_percentage)),
        process_settings.rates(),
    )
    return invoice.to_dict()


def _application_deadline(published_on: str, days: int = 21) -> str:
    published = date.fromisoformat(published_on)
    return hiring_deadlines.application_deadline(published, int(days)).isoformat()


def _offer_answer_deadline(print_date: str, days: int = 10) -> str:
    printed = date.fromisoformat(print_date)
    return hiring_deadlines.offer_answer_deadline(printed, int(days)).isoformat()


def _probation_end(start_date: str, months: int = 6) -> str:
    return hiring_deadlines.probation_end(date.fromisoformat(start_date), int(months)).isoformat()


def _add_months(day: str, months: int) -> str:
    return hiring_deadlines.add_months(date.fromisoformat(day), int(months)).isoformat()


def _start_of_day(day: str) -> str:
    """Return 00:00:00 Europe/Oslo on `day` as an ISO datetime (date-only start times)."""
    midnight = hiring_deadlines.end_of_day_oslo(date.fromisoformat(day))
    return midnight.replace(hour=0, minute=0, second=0).isoformat()


def _notify(context: Any, **params: Any) -> str:
    """Append a message to the instance's `notifications`; the step writes it to the outbox.

    Parameters: `type` (the mail template), `to`/`cc` (usernames), `to_role`/`cc_role` with
    `municipality`, and any fields the text uses. See engine/services/notifications.py.
    """
    entry = {k: v for k, v in params.items() if v is not None}
    context["notifications"] = [*(context.get("notifications") or []), entry]
    return json.dumps({"notification": entry}, default=str)


def register_all() -> None:
    """Register every domain function and service operator (idempotent)."""
    # The holidays package loads its country module on first use; under the sandbox's opcode
    # tracing that first load can pass a script's 2 s limit, so it happens here, at start-up.
    calendar.public_holidays(date.today().year)
    registry.register_function("working_days", _working_days)
    registry.register_function("add_working_days", _add_working_days)
    registry.register_function("invoice_for", _invoice_for)
    registry.register_function("application_deadline", _application_deadline)
    registry.register_function("offer_answer_deadline", _offer_answer_deadline)
    registry.register_function("probation_end", _probation_end)
    registry.register_function("add_months", _add_months)
    registry.register_function("start_of_day", _start_of_day)
    registry.register_function("setting", process_settings.value)
    registry.register_operator("notify", _notify)


register_all()
