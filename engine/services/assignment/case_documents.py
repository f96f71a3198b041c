"""The assignment's documents on its case page: contract, invoice PDF and EHF, the report.

Each is listed only for those who may open it (the contract's parties, finance of either
municipality, the report's readers); the links are the API's own document addresses.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from engine import catalogue
from engine.services import access
from engine.services.cases import Document
from engine.store.models import ProcessInstance, User
from engine.store.uow import UnitOfWork

ASSIGNMENT = "assignment"


def documents(
    uow: UnitOfWork, instance: ProcessInstance, user: User, _seen: dict[str, Any], locale: str
) -> list[Document]:
    """List the assignment's documents the user may open."""
    if instance.key != ASSIGNMENT:
        return []
    data = instance.data or {}
    found: list[Document] = []
    if isinstance(data.get("contract"), dict) and access.may_read_contract(uow, instance, user):
        url = f"/api/v1/process-instances/{instance.id}/contract.pdf"
        found.append(
            {
                "kind": "contract",
                "title": catalogue.text(locale, "case_documents.contract"),
                "url": url,
            }
        )
    row = uow.invoices.for_instance(instance.id)
    if row is not None and access.may_read_invoice_file(uow, user, row):
        number = row.number
        for kind, suffix in (("invoice_pdf", "pdf"), ("invoice_ehf", "xml")):
            url = f"/api/v1/invoices/{row.id}.{suffix}"
            found.append(
                {
                    "kind": kind,
                    "title": catalogue.text(locale, f"case_documents.{kind}", number=number),
                    "url": url,
                }
            )
    for item in uow.attachments.many(_report_attachment(data)):
        if access.may_read_attachment(uow, item, user):
            url = f"/api/v1/attachments/{item.id}/content"
            title = catalogue.text(locale, "case_documents.report", name=item.filename)
            found.append({"kind": "report", "title": title, "url": url})
    return found


def _report_attachment(data: dict[str, Any]) -> set[UUID]:
    report = data.get("report")
    value = report.get("attachment") if isinstance(report, dict) else None
    try:
        return {UUID(str(value))} if value else set()
    except ValueError:
        return set()
