"""An invoice as files: the Norwegian PDF and the EHF (Peppol BIS Billing 3.0) UBL XML.

The XML is made from the stored calculation (`rebuild`), not a new one, so it shows exactly
the amounts of the invoice row. The buyer reference (Peppol R003) is the assignment id; a
party without a valid organisation number or a postal address is refused with a field
message naming it (422), since EHF cannot carry it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from engine.rules import ehf
from engine.rules.invoice import (
    DayBasis,
    InvalidInvoiceInput,
    Invoice,
    InvoiceLine,
    InvoiceRates,
    MonthBreakdown,
    ReplacementBudgetSource,
    Rounding,
    SalaryProration,
    SocialCostBase,
)
from engine.services import documents
from engine.services.assignment import invoices
from engine.services.errors import BadRequest
from engine.store.models import User
from engine.store.uow import UnitOfWork


def invoice_pdf(
    uow: UnitOfWork, invoice_id: UUID, user: User, *, now: datetime, language: str = "nb"
) -> tuple[str, bytes]:
    """Return the file name and the PDF of an invoice, its texts in the language (bokmål, the
    original, by default)."""
    view = invoices.get_invoice(uow, invoice_id, user, now=now, as_file=True)
    return f"faktura-{view['number']}.pdf", documents.invoice_pdf(view, language)


def invoice_xml(
    uow: UnitOfWork, invoice_id: UUID, user: User, *, now: datetime, locale: str = "nb"
) -> tuple[str, bytes]:
    """Return the file name and the EHF (Peppol BIS Billing 3.0) UBL XML of an invoice."""
    view = invoices.get_invoice(uow, invoice_id, user, now=now, as_file=True)
    seller = _ehf_party("seller", view["seller"], locale)
    buyer = _ehf_party("buyer", view["buyer"], locale)
    xml = ehf.invoice_ubl_xml(
        rebuild(view),
        invoice_number=view["number"],
        issue_date=view["issue_date"],
        due_date=view["due_date"],
        seller=seller,
        buyer=buyer,
        currency=view["currency"],
        buyer_reference=view["assignment_id"],
    )
    return f"faktura-{view['number']}.xml", xml


def _ehf_party(role: str, party: Mapping[str, Any], locale: str) -> ehf.Party:
    contact = party.get("contact") or {}
    try:
        return ehf.Party(
            name=party["name"],
            organisation_number=party.get("organisation_number") or "",
            street=party.get("street") or "",
            postal_code=party.get("postal_code") or "",
            city=party.get("city") or "",
            country_code=party.get("country_code") or "NO",
            contact=ehf.Contact(contact.get("name"), contact.get("phone"), contact.get("email"))
            if contact
            else None,
            bank_account=party.get("bank_account"),
        )
    except InvalidInvoiceInput as error:
        kind = "organisation_number" if error.field == "organisation_number" else "address"
        message = invoices.message(locale, kind).format(party=party["name"])
        raise BadRequest(
            f"the invoice cannot be made into EHF: {message}",
            {f"{role}.{error.field}": [message]},
        ) from error


def rebuild(view: Mapping[str, Any]) -> Invoice:
    """Return the rules' Invoice from a stored calculation, exactly as it was calculated."""
    rates = dict(view["rates"])
    return Invoice(
        period_start=view["period_start"],
        period_end=view["period_end"],
        monthly_salary=Decimal(view["monthly_salary"]),
        position_percentage=Decimal(view["position_percentage"]),
        rates=InvoiceRates(
            social_cost_rate=Decimal(rates["social_cost_rate"]),
            social_cost_base=SocialCostBase(rates["social_cost_base"]),
            salary_proration=SalaryProration(rates["salary_proration"]),
            daily_fee=Decimal(rates["daily_fee"]),
            employee_share=Decimal(rates["employee_share"]),
            lending_unit_share=Decimal(rates["lending_unit_share"]),
            daily_fee_day_basis=DayBasis(rates["daily_fee_day_basis"]),
            prorate_daily_amounts_by_position_pct=bool(
                rates["prorate_daily_amounts_by_position_pct"]
            ),
            half_days=tuple(rates["half_days"]),
            period_end_inclusive=bool(rates["period_end_inclusive"]),
            rounding=Rounding(rates["rounding"]),
            replacement_rate=Decimal(rates["replacement_rate"]),
            replacement_budget_source=ReplacementBudgetSource(rates["replacement_budget_source"]),
        ),
        working_days=int(view["working_days"]),
        months=tuple(_month(m) for m in view["months"]),
        lines=tuple(_line(line) for line in view["lines"]),
        employee_share=_line(view["employee_share"]),
        lending_unit_share=_line(view["lending_unit_share"]),
        replacement_budget=_line(view["replacement_budget"]),
        total=Decimal(view["total"]),
    )


def _line(data: Mapping[str, Any]) -> InvoiceLine:
    return InvoiceLine(
        code=data["code"],
        description_nb=data["description_nb"],
        description_en=data["description_en"],
        quantity=Decimal(data["quantity"]),
        unit_code=data["unit_code"],
        unit_price=Decimal(data["unit_price"]),
        amount=Decimal(data["amount"]),
    )


def _month(data: Mapping[str, Any]) -> MonthBreakdown:
    return MonthBreakdown(
        month=date.fromisoformat(f"{data['month']}-01"),
        working_days_in_period=int(data["working_days_in_period"]),
        working_days_in_month=int(data["working_days_in_month"]),
        salary=Decimal(data["salary"]),
        social_costs=Decimal(data["social_costs"]),
        daily_fee=Decimal(data["daily_fee"]),
    )
