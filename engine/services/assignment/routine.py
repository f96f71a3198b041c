"""Plug the assignment routine in: its script function and its step follower."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from engine.rules.invoice import calculate_invoice
from engine.services.assignment import case_access, case_documents, invoices
from engine.services.configuration import Configuration


def _invoice_for(
    configuration: Configuration,
    start_date: str,
    end_date: str,
    monthly_salary: Any,
    position_percentage: Any = 100,
) -> dict[str, Any]:
    invoice = calculate_invoice(
        date.fromisoformat(start_date),
        date.fromisoformat(end_date),
        Decimal(str(monthly_salary)),
        Decimal(str(position_percentage)),
        configuration.rates,
    )
    return invoice.to_dict()


def register(configuration: Configuration) -> None:
    """Add `invoice_for`, keep each assignment's invoice row after every step, declare who
    reads what of its cases and list its documents on the case page."""
    configuration.registry.register_function("invoice_for", partial(_invoice_for, configuration))
    configuration.followers["assignment.invoices"] = invoices.project
    case_access.declare(configuration)
    configuration.documents["assignment"] = case_documents.documents
