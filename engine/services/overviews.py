"""The role overviews ("Saker for min rolle"): every case a person's role covers, with its
state, what it waits for and its next deadline (the soonest of its open tasks' due dates and
its waiting date or duration timers: the routines' deadlines are timers).

Which cases a role covers is `access.covering_roles` (HR its municipality's cases, service
leaders their unit's, finance those that wait for or hold an invoice, as the routines declare);
only processes a routine lists in the overviews (`access.declare_case(title=...)`) are read.
Rows are sorted and paged here, after the access check, so a page never counts a case its
reader may not open.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.services import access, cases, configuration
from engine.services.errors import Forbidden
from engine.store.models import ProcessInstance, User
from engine.store.states import InstanceState
from engine.store.uow import UnitOfWork

SORTS = ("deadline", "-deadline", "newest")  # next deadline soonest / latest first; newest case


def role_cases(
    uow: UnitOfWork,
    user: User,
    *,
    now: datetime,
    limit: int,
    offset: int,
    process: str | None = None,
    state: InstanceState | None = None,
    sort: str = "deadline",
) -> dict[str, Any]:
    """Return a page of the cases the user's roles cover; Forbidden without such a role."""
    if not access.has_overview(user):
        raise Forbidden("only HR, service leaders and finance have a role overview")
    with uow:
        keys = [k for k in access.overview_processes() if process in (None, k)]
        found: list[tuple[ProcessInstance, access.CaseView, frozenset[str]]] = []
        for instance in uow.instances.of_processes(keys, state):
            view = access.case_view(uow, instance, user)
            covering = access.covering_roles(view, user)
            if view is not None and covering:
                found.append((instance, view, covering))
        open_tasks = uow.tasks.open_of_instances([instance.id for instance, _, _ in found])
        rows = [
            _row(uow, user, instance, view, covering, open_tasks[instance.id], now)
            for instance, view, covering in found
        ]
    rows = _sorted(rows, sort)
    return {
        "items": rows[offset : offset + limit],
        "total": len(rows),
        "limit": limit,
        "offset": offset,
    }


def _row(
    uow: UnitOfWork,
    user: User,
    instance: ProcessInstance,
    view: access.CaseView,
    covering: frozenset[str],
    open_tasks: list[Any],
    now: datetime,
) -> dict[str, Any]:
    row = cases.with_deadline_timers(
        uow, instance, cases.summary(instance, view.data, open_tasks, now)
    )
    declared = configuration.current().cases[instance.key]
    row["title"] = declared.title(view.data) if declared.title is not None else None
    row["covered_as"] = sorted(covering)
    invoice = uow.invoices.for_instance(instance.id)
    row["invoice_status"] = invoice.status if invoice is not None else None
    shown = invoice is not None and access.may_see_invoice_amount(uow, user, invoice)
    row["invoice_total"] = f"{invoice.total_ore / 100:.2f}" if shown and invoice else None
    return row


def _sorted(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """Sort by next deadline (cases without one last, newest first among equals) or newest."""
    newest = sorted(rows, key=lambda row: row["created_at"], reverse=True)
    if sort == "newest":
        return newest
    dated = [row for row in newest if row["next_due_at"] is not None]
    undated = [row for row in newest if row["next_due_at"] is None]
    dated.sort(key=lambda row: row["next_due_at"], reverse=sort == "-deadline")
    return dated + undated
