"""Register the domain rules as script functions, so BPMN scripts can call them by name.

Called once from the app's and worker's wiring; the runtime never imports engine.rules itself.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from engine.rules import calendar
from engine.rules.invoice import calculate_invoice
from engine.runtime import registry


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
    )
    return invoice.to_dict()


def _notify(context: Any, **params: Any) -> dict[str, Any]:
    """Record a notification request; delivery by e-mail is the outbox's job."""
    return {"notification": {k: v for k, v in params.items()}}


def register_all() -> None:
    """Register every domain function and service operator (idempotent)."""
    registry.register_function("working_days", _working_days)
    registry.register_function("add_working_days", _add_working_days)
    registry.register_function("invoice_for", _invoice_for)
    registry.register_operator("notify", _notify)


register_all()
