"""KV 5 invoices as a resource: projected from an assignment's `invoice` data, read, rendered.

Projection. `calculate_invoice` in assignment.bpmn writes `invoice_for(...)` to the process
data object `invoice_record` ({invoice}), and `send_invoice` rewrites it with the form's
`invoice_dispatch` ({invoice, invoice_dispatch}); a data object, because the task data of that
parallel branch only reaches the instance data at the join. (Top-level `invoice` and
`invoice_dispatch` are read too, for instances that ended before the data object existed.)
`project` keeps one `invoice` row per
assignment instance in step with that data: a *draft* from the calculation on, *sent* (and
frozen) once `invoice_dispatch` is there. Its number is `F-<assignment_id>` (one invoice per
assignment, `frequency: end_of_assignment`, AMB-11), unique per seller by construction; the
number finance types into `send_invoice` (their ledger's) is kept in `dispatch`. Until
`steps.apply` calls `project` after every step, reads call `catch_up` first, which projects
what the steps have not; drafts are refreshed on every read either way, so a municipality's
address or bank account added later shows on invoices that are not yet sent.

Parties: the lending municipality is the seller, the receiving one the buyer (KV 5), from the
municipality table (name, organisation number) and its `settings`: `address` {street,
postal_code, city}, `bank_account` and `payment_terms_days` (T4 Assumption: 30).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID, uuid4

from engine import catalogue
from engine.rules.invoice import InvalidInvoiceInput, calculate_invoice
from engine.services import access, process_settings
from engine.services.audit.access import AuditAccess, mask_data
from engine.services.errors import Forbidden, FormInvalid
from engine.settings import AUDIT_OPEN_FIELDS
from engine.store.models import Invoice as InvoiceRow
from engine.store.models import ProcessInstance, User
from engine.store.uow import UnitOfWork
from engine.timezone import OSLO

ASSIGNMENT = "assignment"
PAYMENT_TERMS_DAYS = 30  # T4 (Assumption): KV 5 names no payment terms
MAX_PERIOD_DAYS = 3660  # a preview longer than ten years is a typing error, not an assignment


def project(uow: UnitOfWork, instance: ProcessInstance, now: datetime) -> InvoiceRow | None:
    """Create or refresh the invoice row of an assignment whose data has `invoice`."""
    data = instance.process_data
    record = invoice_record(data)
    if instance.key != ASSIGNMENT or record is None:
        return None
    row = uow.invoices.for_instance(instance.id)
    if row is not None and row.status == "sent":
        return row
    try:
        fields = _fields(uow, data, record, now)
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return None  # not an invoice this service understands; never fail the engine step
    if row is None:
        assignment_id = fields["assignment_id"]
        row = InvoiceRow(
            id=uuid4(),
            instance_id=instance.id,
            number=_number(uow, fields["seller_municipality_id"], assignment_id),
            created_at=now,
            issue_date=fields.pop("issue_date"),
        )
        uow.invoices.add(row)
    elif fields["status"] == "draft":
        fields.pop("issue_date")  # a draft keeps the date it was first calculated
    for name, value in fields.items():
        setattr(row, name, value)
    terms = int(row.seller.get("payment_terms_days") or PAYMENT_TERMS_DAYS)
    row.due_date = row.issue_date + timedelta(days=terms)
    row.updated_at = now
    return row


def catch_up(uow: UnitOfWork, now: datetime) -> None:
    """Project every assignment whose invoice data has no row yet or a stale draft (no commit)."""
    for instance in uow.invoices.unprojected(ASSIGNMENT):
        project(uow, instance, now)
    uow.flush()


def invoice_record(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return {invoice, invoice_dispatch?} from an assignment's data, if it has an invoice."""
    record = (data.get("data_objects") or {}).get("invoice_record")
    if isinstance(record, dict) and isinstance(record.get("invoice"), dict):
        return record
    if isinstance(data.get("invoice"), dict):
        return {"invoice": data["invoice"], "invoice_dispatch": data.get("invoice_dispatch")}
    return None


def _fields(
    uow: UnitOfWork, data: Mapping[str, Any], record: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    calculation = record["invoice"]
    dispatch = record.get("invoice_dispatch")
    sent = isinstance(dispatch, dict)
    seller, buyer = str(data["lending_municipality"]), str(data["receiving_municipality"])
    issued = now.astimezone(OSLO).date()
    if isinstance(dispatch, dict):
        issued = date.fromisoformat(dispatch["sent_on"])
    contacts = data.get("contact_persons") or [{}]
    return {
        "assignment_id": str(data["assignment_id"]),
        "status": "sent" if sent else "draft",
        "seller_municipality_id": seller,
        "buyer_municipality_id": buyer,
        "seller": _party(uow, seller),
        "buyer": {**_party(uow, buyer), "contact": _contact(contacts[0])},
        "period_start": date.fromisoformat(calculation["period_start"]),
        "period_end": date.fromisoformat(calculation["period_end"]),
        "issue_date": issued,
        "currency": "NOK",
        "total_ore": int(Decimal(calculation["total"]) * 100),
        "calculation": dict(calculation),
        "dispatch": dict(dispatch) if isinstance(dispatch, dict) else None,
    }


def _party(uow: UnitOfWork, municipality_id: str) -> dict[str, Any]:
    municipality = uow.users.municipality(municipality_id)
    settings = dict(municipality.settings or {}) if municipality else {}
    address = settings.get("address")
    if not isinstance(address, dict):
        address = {}
    return {
        "municipality_id": municipality_id,
        "name": municipality.name if municipality else municipality_id,
        "organisation_number": municipality.organisation_number if municipality else None,
        "street": address.get("street"),
        "postal_code": address.get("postal_code"),
        "city": address.get("city"),
        "country_code": address.get("country_code", "NO"),
        "bank_account": settings.get("bank_account"),
        "payment_terms_days": settings.get("payment_terms_days"),
    }


def _contact(person: Any) -> dict[str, Any] | None:
    if not isinstance(person, dict) or not person.get("name"):
        return None
    return {"name": person.get("name"), "email": person.get("email"), "phone": person.get("phone")}


def _number(uow: UnitOfWork, seller: str, assignment_id: str) -> str:
    base = f"F-{assignment_id}"
    taken = uow.invoices.numbers_like(seller, base)
    suffix = 1
    number = base
    while number in taken:  # only when two instances share an assignment id
        suffix += 1
        number = f"{base}-{suffix}"
    return number


def list_invoices(
    uow: UnitOfWork,
    user: User,
    *,
    now: datetime,
    status: str | None = None,
    assignment_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
    open_fields: str = AUDIT_OPEN_FIELDS,
) -> dict[str, Any]:
    """Return one page of the invoices the user may read, newest first (an auditor without the
    personal-data right reads the amounts masked)."""
    allowed, municipality = access.invoice_scope(user)
    if not allowed:
        raise Forbidden("invoices are for finance, admins and auditors")
    masking = access.reader_access(user, open_fields)
    with uow:
        catch_up(uow, now)
        uow.commit()
        rows, total = uow.invoices.page(
            municipality_id=municipality,
            status=status,
            assignment_id=assignment_id,
            limit=limit,
            offset=offset,
        )
        items = [_masked(invoice_view(row), masking) for row in rows]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def get_invoice(
    uow: UnitOfWork,
    invoice_id: UUID,
    user: User,
    *,
    now: datetime,
    as_file: bool = False,
    open_fields: str = AUDIT_OPEN_FIELDS,
) -> dict[str, Any]:
    """Return one invoice with its parties, lines, working days and totals; `as_file` for a
    download (PDF, EHF), which shows the salary, so never masked: refused instead."""
    with uow:
        catch_up(uow, now)
        uow.commit()
        row = uow.invoices.get(invoice_id)
        readable = access.may_read_invoice_file if as_file else access.may_read_invoice
        if not readable(uow, user, row):
            raise Forbidden("only finance of the two municipalities may read this invoice")
        return _masked(invoice_view(row), access.reader_access(user, open_fields))


# What an invoice tells of one employee's pay: masked for an auditor without that right.
PERSONAL = (
    "monthly_salary",
    "position_percentage",
    "lines",
    "months",
    "employee_share",
    "lending_unit_share",
    "replacement_budget",
    "total",
)


def _masked(view: dict[str, Any], masking: AuditAccess) -> dict[str, Any]:
    if masking.sees_personal_data:
        return view
    return {**view, **mask_data({key: view[key] for key in PERSONAL}, masking)}


def invoice_view(row: InvoiceRow) -> dict[str, Any]:
    """Return the API's view of an invoice."""
    calculation = row.calculation
    view = {
        column: getattr(row, column)
        for column in (
            "id",
            "number",
            "status",
            "assignment_id",
            "instance_id",
            "seller",
            "buyer",
            "period_start",
            "period_end",
            "issue_date",
            "due_date",
            "currency",
            "dispatch",
            "created_at",
            "updated_at",
        )
    }
    for key in (
        "working_days",
        "monthly_salary",
        "position_percentage",
        "lines",
        "months",
        "employee_share",
        "lending_unit_share",
        "replacement_budget",
        "rates",
        "total",
    ):
        view[key] = calculation.get(key)
    return view


def preview(
    start_date: date,
    end_date: date,
    monthly_salary: Decimal,
    position_percentage: Decimal,
    *,
    locale: str = "nb",
) -> dict[str, Any]:
    """Return the KV 5 calculation for a period without an instance (field messages on errors)."""
    if (end_date - start_date).days > MAX_PERIOD_DAYS:
        raise FormInvalid({"end_date": [message(locale, "period")]})
    try:
        rates = process_settings.rates()
        invoice = calculate_invoice(
            start_date, end_date, monthly_salary, position_percentage, rates
        )
    except InvalidInvoiceInput as error:
        raise FormInvalid({error.field: [message(locale, error.field)]}) from error
    return invoice.to_dict()


def message(locale: str, key: str) -> str:
    """Return a field message of the catalogue in the locale."""
    texts = catalogue.section(locale, "invoices.")
    return texts.get(key, texts["other"])
