"""Plug the assignment routine in: its script function, its step follower, its readers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from engine.rules.invoice import calculate_invoice
from engine.runtime import registry
from engine.services import cases, process_settings
from engine.services.assignment import case_access, case_documents, invoices
from engine.services.step import followers


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


def register() -> None:
    """Add `invoice_for`, keep each assignment's invoice row after every step, declare who
    reads what of its cases and list its documents on the case page."""
    registry.register_function("invoice_for", _invoice_for)
    followers.register("assignment.invoices", invoices.project)
    case_access.declare()
    cases.register_documents("assignment", case_documents.documents)
