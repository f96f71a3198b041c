"""Reads of the assignment routine: its KV 5 invoices, its instances read as announcements."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.orm import defer

from engine.store.models import Invoice, ProcessDefinition, ProcessInstance
from engine.store.repositories import Repository, require


class Invoices(Repository):
    """KV 5 invoices, and the assignment instances they are projected from."""

    def get(self, invoice_id: UUID) -> Invoice:
        """Return an invoice or raise NotFound."""
        return require(self.session.get(Invoice, invoice_id), "invoice", invoice_id)

    def for_instance(self, instance_id: UUID) -> Invoice | None:
        """Return the invoice of an instance, if it has one."""
        return self.session.scalar(select(Invoice).where(Invoice.instance_id == instance_id))

    def numbers_like(self, seller_municipality_id: str, prefix: str) -> set[str]:
        """Return the seller's invoice numbers that start with `prefix`."""
        return set(
            self.session.scalars(
                select(Invoice.number).where(
                    Invoice.seller_municipality_id == seller_municipality_id,
                    Invoice.number.startswith(prefix, autoescape=True),
                )
            )
        )

    def page(
        self,
        *,
        municipality_id: str | None,
        status: str | None,
        assignment_id: str | None,
        limit: int,
        offset: int,
    ) -> tuple[Sequence[Invoice], int]:
        """Return a page of invoices, newest first; `municipality_id` = seller or buyer."""
        query = select(Invoice)
        if municipality_id is not None:
            query = query.where(
                or_(
                    Invoice.seller_municipality_id == municipality_id,
                    Invoice.buyer_municipality_id == municipality_id,
                )
            )
        if status is not None:
            query = query.where(Invoice.status == status)
        if assignment_id is not None:
            query = query.where(Invoice.assignment_id == assignment_id)
        order = (Invoice.issue_date.desc(), Invoice.created_at.desc(), Invoice.id)
        return self._page(query, limit, offset, *order)

    def unprojected(self, key: str) -> Sequence[ProcessInstance]:
        """Return instances whose data has `invoice` but no invoice row, or only a draft."""
        has_invoice = or_(
            ProcessInstance.data["invoice"].as_string().is_not(None),
            ProcessInstance.data[("data_objects", "invoice_record")].as_string().is_not(None),
        )
        drafts = select(Invoice.instance_id).where(Invoice.status == "draft")
        query = (
            select(ProcessInstance)
            .options(defer(ProcessInstance.snapshot))
            .where(
                ProcessInstance.key == key,
                has_invoice,
                or_(
                    ~ProcessInstance.id.in_(select(Invoice.instance_id)),
                    ProcessInstance.id.in_(drafts),
                ),
            )
        )
        return self.session.scalars(query).all()


class Announcements(Repository):
    """Assignment instances read as announcements, and their interest registrations (KV 1-2)."""

    def instances_with_data(
        self,
        key: str,
        *,
        business_key: str | None = None,
        started_by: str | None = None,
        lock: bool = False,
    ) -> Sequence[ProcessInstance]:
        """Return the instances of a process with their data but not their snapshot."""
        query = select(ProcessInstance).options(defer(ProcessInstance.snapshot))
        query = query.where(ProcessInstance.key == key)
        if business_key is not None:
            query = query.where(ProcessInstance.business_key == business_key)
        if started_by is not None:
            query = query.where(ProcessInstance.started_by == started_by)
        if lock:
            query = query.with_for_update()
        return self.session.scalars(query.order_by(ProcessInstance.created_at)).all()

    def lock_numbering(self, key: str) -> None:
        """Serialise business-key numbering for a process on its definition rows."""
        self.session.execute(
            select(ProcessDefinition.id).where(ProcessDefinition.key == key).with_for_update()
        ).all()

    def business_keys_like(self, key: str, prefix: str) -> list[str]:
        """Return the business keys of a process's instances that start with `prefix`."""
        return [
            value
            for value in self.session.scalars(
                select(ProcessInstance.business_key).where(
                    ProcessInstance.key == key,
                    ProcessInstance.business_key.startswith(prefix, autoescape=True),
                )
            )
            if value is not None
        ]
