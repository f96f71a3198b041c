"""Norwegian PDFs with WeasyPrint: the KV 5 invoice and the three-party assignment contract.

Both are rendered on demand from stored data, never kept as files: the invoice from its
`invoice` row, the contract from the assignment's instance data (`contract`, parties, rates)
and the hash-chained history of the three signing tasks. The same data gives the same
document, and nothing can drift between a stored PDF and the record it claims to show.

The documents are issued in bokmål; a reader who chose English gets the same document with its
texts in English, marked as a translation of the bokmål original (the record is the stored
data, which the language never touches; the EHF file is the standard's, in any language).
Amounts read "12 345,50 kr" and dates "17. mai 2026" (Babel, nb). Templates live in
document_templates/; user text is escaped, and the renderer fetches no URLs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn
from uuid import UUID

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from engine import catalogue
from engine.rules.invoice import DEFAULT_RATES, InvalidInvoiceInput, calculate_invoice
from engine.services import access
from engine.services.errors import BadRequest, Forbidden
from engine.store.errors import NotFound
from engine.store.models import HistoryEvent, ProcessInstance, User
from engine.store.uow import UnitOfWork
from engine.timezone import OSLO

TEMPLATES = Path(__file__).parent / "document_templates"
SIGNING_TASKS = {
    "sign_contract_employee": "employee",
    "sign_contract_lending_leader": "lending",
    "sign_contract_receiving": "receiving",
}
# KV 1 a-d and f, as the announcement gave them (e and g are the contract's own dates).
NEED = (
    "competence_requirements",
    "nature_of_work",
    "expected_results",
    "special_conditions",
    "contact_persons",
)


def kroner(amount: Any) -> str:
    """Format an amount as Norwegian kroner: 12 345,50 kr."""
    return str(format_currency(Decimal(str(amount)), "NOK", locale="nb_NO"))


def number(value: Any) -> str:
    """Format a number the Norwegian way, without trailing zeros: 12,5."""
    return str(format_decimal(Decimal(str(value)).normalize(), locale="nb_NO"))


def long_date(value: Any) -> str:
    """Format a date (or ISO string) as 17. mai 2026."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.astimezone(OSLO).date()
    return str(format_date(value, "d. MMMM y", locale="nb"))


def month_name(value: str) -> str:
    """Format a month (2026-12) as desember 2026."""
    return str(format_date(date.fromisoformat(f"{value}-01"), "LLLL y", locale="nb"))


def percent(value: Any) -> str:
    """Format a rate (0.25) as 25 %."""
    return f"{number(Decimal(str(value)) * 100)} %"


_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)
_env.filters.update(kr=kroner, tall=number, dato=long_date, maaned=month_name, prosent=percent)


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ValueError(f"documents fetch no resources ({url[:60]})")


def render_html(template: str, context: Mapping[str, Any], language: str = "nb") -> str:
    """Render a document template to HTML, its texts (`documents.*`) in the language."""

    def t(msgid: str, **values: object) -> str:
        return catalogue.text(language, msgid, **values)

    return _env.get_template(template).render(**context, t=t, lang=language)


def render_pdf(template: str, context: Mapping[str, Any], language: str = "nb") -> bytes:
    """Render an HTML template to PDF, its texts (`documents.*`) in the language; the documents
    are issued in bokmål, and dates and amounts are written the Norwegian way in both."""
    try:
        from weasyprint import HTML  # loads pango; only when a document is asked for
    except (ImportError, OSError) as error:  # OSError: the system library pango is missing
        raise BadRequest(f"PDFs need WeasyPrint and pango on the server: {error}") from error

    html = render_html(template, context, language)
    return bytes(HTML(string=html, url_fetcher=_no_fetching).write_pdf())


def invoice_pdf(view: Mapping[str, Any], language: str = "nb") -> bytes:
    """Render an invoice view (`assignment.invoices.invoice_view`) as a PDF in the language."""
    return render_pdf("invoice.html", {"invoice": view}, language)


def contract_pdf(
    uow: UnitOfWork, instance_id: UUID, user: User, *, now: datetime, language: str = "nb"
) -> tuple[str, bytes]:
    """Return the file name and the PDF of an assignment's contract, its texts in the
    language (bokmål, the original, by default)."""
    with uow:
        instance = uow.instances.get(instance_id)
        data = instance.data or {}
        if instance.key != "assignment" or not isinstance(data.get("contract"), dict):
            raise NotFound("contract of assignment", instance_id)
        if not access.may_read_contract(uow, instance, user):
            raise Forbidden("only the parties to the contract may read it")
        view = contract_view(uow, instance, now)
    name = f"kontrakt-{view['assignment_id']}.pdf"
    return name, render_pdf("contract.html", {"contract": view}, language)


def contract_view(uow: UnitOfWork, instance: ProcessInstance, now: datetime) -> dict[str, Any]:
    """Gather the three parties, the terms, the rates and the signatures of a contract."""
    data = instance.data or {}
    contract = data["contract"]
    employee = uow.users.find(str(data.get("selected_username")))
    leader = uow.users.find(str(data.get("selected_leader")))
    rates = (data.get("invoice") or {}).get("rates") or DEFAULT_RATES_VIEW
    return {
        "assignment_id": data.get("assignment_id") or instance.business_key,
        "receiving": _municipality(uow, data.get("receiving_municipality")),
        "lending": _municipality(uow, data.get("lending_municipality")),
        "lending_unit": data.get("lending_unit"),
        "employee": _person(employee, data.get("selected_username")),
        "lending_leader": _person(leader, data.get("selected_leader")),
        "terms": contract,
        "need": {key: data.get(key) for key in NEED},
        "rates": rates,
        "estimate": _estimate(contract),
        "signatures": _signatures(uow, instance),
        "signed_on": data.get("contract_signed_on"),
        "printed_on": now,
    }


DEFAULT_RATES_VIEW = {
    "social_cost_rate": str(DEFAULT_RATES.social_cost_rate),
    "daily_fee": str(DEFAULT_RATES.daily_fee),
    "employee_share": str(DEFAULT_RATES.employee_share),
    "lending_unit_share": str(DEFAULT_RATES.lending_unit_share),
    "replacement_rate": str(DEFAULT_RATES.replacement_rate),
}


def _municipality(uow: UnitOfWork, municipality_id: Any) -> dict[str, Any]:
    found = uow.users.municipality(str(municipality_id)) if municipality_id else None
    return {
        "id": municipality_id,
        "name": found.name if found else municipality_id,
        "organisation_number": found.organisation_number if found else None,
    }


def _person(user: User | None, username: Any) -> dict[str, Any]:
    return {"username": username, "full_name": user.full_name if user else username}


def _estimate(contract: Mapping[str, Any]) -> dict[str, Any] | None:
    try:
        invoice = calculate_invoice(
            date.fromisoformat(contract["start_date"]),
            date.fromisoformat(contract["end_date"]),
            Decimal(str(contract["monthly_salary"])),
            Decimal(str(contract["position_percentage"])),
        )
    except (KeyError, TypeError, ValueError, InvalidOperation, InvalidInvoiceInput):
        return None
    return invoice.to_dict()


def _signatures(uow: UnitOfWork, instance: ProcessInstance) -> dict[str, dict[str, Any]]:
    """Return who completed each signing task of the current contract draft, and when."""
    events: list[HistoryEvent] = [
        e for e in uow.history.of_instance(instance.id) if e.type == "task_completed"
    ]
    drafted = max((e.seq for e in events if e.element_id == "draw_up_contract"), default=0)
    signed: dict[str, dict[str, Any]] = {}
    for event in events:
        party = SIGNING_TASKS.get(event.element_id or "")
        if party and event.seq > drafted and _is_signature(event.data or {}):
            signer = uow.users.find(event.actor)
            signed[party] = {
                "username": event.actor,
                "full_name": signer.full_name if signer else event.actor,
                "at": event.at,
            }
    return signed


def _is_signature(data: Mapping[str, Any]) -> bool:
    decision = data.get("employee_decision", data.get("lending_leader_decision"))
    return decision == "sign" or data.get("is_signed_by_receiving_leader") is True
