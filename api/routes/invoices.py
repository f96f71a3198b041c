"""KV 5 invoices: list, read, PDF, EHF XML, and a preview without an instance."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from flask import Response

from api.auth import current_user
from api.blueprint import Blueprint
from api.language import reader_locale, request_locale
from api.schemas_assignment import (
    CalculationSchema,
    InvoiceListArgs,
    InvoicePageSchema,
    InvoiceSchema,
    PreviewSchema,
)
from api.wiring import services
from engine.services.assignment import invoice_files, invoices

bp = Blueprint(
    "invoices",
    __name__,
    url_prefix="/api/v1/invoices",
    description="KV 5 invoices from the lending to the receiving municipality",
)
BINARY = {"type": "string", "format": "binary"}


@bp.get("")
@bp.arguments(InvoiceListArgs, location="query")
@bp.response(200, InvoicePageSchema)
def list_invoices(args: dict[str, Any]) -> Any:
    """List invoices (finance of either party, admin, auditor), newest first."""
    return invoices.list_invoices(
        services().new_uow(),
        current_user(),
        now=services().now(),
        status=args.get("status"),
        assignment_id=args.get("assignment_id"),
        limit=args["limit"],
        offset=args["offset"],
    )


@bp.post("/preview")
@bp.arguments(PreviewSchema)
@bp.response(200, CalculationSchema)
def preview(body: dict[str, Any]) -> Any:
    """Calculate an invoice for a period and salary without an instance (any signed-in user)."""
    current_user()
    return invoices.preview(
        body["start_date"],
        body["end_date"],
        body["monthly_salary"],
        Decimal(body["position_percentage"]),
        locale=request_locale(),
    )


@bp.get("/<uuid:invoice_id>")
@bp.response(200, InvoiceSchema)
def get_invoice(invoice_id: UUID) -> Any:
    """Return one invoice: parties, period, lines, working days, totals."""
    return invoices.get_invoice(
        services().new_uow(), invoice_id, current_user(), now=services().now()
    )


@bp.get("/<uuid:invoice_id>.pdf")
@bp.response(200, BINARY, content_type="application/pdf")
def invoice_pdf(invoice_id: UUID) -> Response:
    """Download the invoice as a PDF in the reader's language (bokmål, the original, unless
    they chose English); the EHF file is the standard's."""
    name, pdf = invoice_files.invoice_pdf(
        services().new_uow(),
        invoice_id,
        current_user(),
        now=services().now(),
        language=reader_locale(),
    )
    return _file(pdf, "application/pdf", name)


@bp.get("/<uuid:invoice_id>.xml")
@bp.response(200, BINARY, content_type="application/xml")
def invoice_xml(invoice_id: UUID) -> Response:
    """Download the invoice as EHF (Peppol BIS Billing 3.0 UBL)."""
    name, xml = invoice_files.invoice_xml(
        services().new_uow(),
        invoice_id,
        current_user(),
        now=services().now(),
        locale=request_locale(),
    )
    return _file(xml, "application/xml", name)


def _file(content: bytes, mimetype: str, name: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response
