"""What the assignment routine declares about reading its cases (docs/access.md).

Everyone with a part in an assignment reads its announcement (what the board shows anyway),
its number, status and the two municipalities. Besides the steps they take (their forms and
the tasks' `contextFields`), the routine gives: the employees who registered interest the role
*candidate* (the announcement only: never the others' motivations or interview notes); finance
of either party the contract and the invoice once a contract exists; HR of either party the
contract (HR of the receiving municipality follows the case from the start, reading what the
board shows); the receiving municipality's service leaders the contract and the report (KV 3:
the report goes to both leaders). In an interest registration (`assignment_interest`) the
employee reads their own registration and their leader's answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.services import access
from engine.services.configuration import Configuration
from engine.store.models import ProcessInstance, User
from engine.store.uow import UnitOfWork

ASSIGNMENT, INTEREST = "assignment", "assignment_interest"
ANNOUNCED = frozenset(
    {
        "assignment_id",
        "business_key",
        "status",
        "announcement_round",
        "receiving_municipality",
        "lending_municipality",
        "competence_requirements",
        "nature_of_work",
        "expected_results",
        "special_conditions",
        "duration",
        "contact_persons",
        "interest_deadline",
        "interest_deadline_at",
        "published_at",
    }
)
CONTRACT = frozenset(
    {"contract", "contract_signed_on", "assignment_ends_at", "selected_username", "lending_unit"}
)
INVOICE = CONTRACT | {"invoice", "invoice_dispatch"}
REPORT = frozenset({"report", "report_submitted_at", "report_due_date"})  # KV 3: to both leaders
OWN_REGISTRATION = frozenset(
    {
        "motivation",
        "employee_username",
        "employee_name",
        "employee_leader",
        "employee_municipality",
        "employee_unit",
        "announcement",
        "needs_nomination",
        "approved",
        "leader_comment",
        "registered_at",
    }
)


def assignment_roles(
    uow: UnitOfWork, instance: ProcessInstance, user: User
) -> Mapping[str, frozenset[str] | None]:
    """Return the roles the routine gives the user in an assignment, with their data keys."""
    data = instance.process_data
    roles: dict[str, frozenset[str] | None] = {}
    if user.username in (data.get("registered_usernames") or []):
        roles["candidate"] = frozenset()
    receiving = data.get("receiving_municipality")
    if "service_leader" in user.roles and receiving and user.municipality_id == receiving:
        roles["service_leader"] = CONTRACT | REPORT  # the receiving side's own case
    if data.get("selected_leader") and user.username == data.get("selected_leader"):
        roles["lending_leader"] = CONTRACT | REPORT  # the chosen employee's leader signs; KV 3
    parties = {receiving, data.get("lending_municipality")} - {None}
    if user.municipality_id in parties:
        if data.get("contract") and "finance" in user.roles:
            roles["finance"] = INVOICE
        if "hr" in user.roles:  # its municipality's case; the contract once there is one
            roles["hr"] = CONTRACT if data.get("contract") else frozenset()
    return roles


def assignment_title(data: Mapping[str, Any]) -> str | None:
    """Return an assignment's title in the role overviews: the start of its nature of work."""
    work = " ".join(str(data.get("nature_of_work") or "").split())
    return (work[:77] + "…" if len(work) > 80 else work) or None


def interest_roles(
    uow: UnitOfWork, instance: ProcessInstance, user: User
) -> Mapping[str, frozenset[str] | None]:
    """Return the employee's role in their own interest registration."""
    if instance.process_data.get("employee_username") == user.username:
        return {"candidate": OWN_REGISTRATION}
    return {}


# What the routine's mails print besides the case's name, number and links (access.declare_mail):
# each field with the data key a recipient must read to get it.
MAILS: dict[str, dict[str, str]] = {
    "announcement_published": {"round": access.PUBLISHED, "interest_deadline": access.PUBLISHED},
    "interest_request": {"employee": "employee_name", "assignment_id": "assignment_id"},
    "employee_selected": {"employee": "selected_username"},
    "contract_withdrawn": {"employee": "selected_username"},
    "registration_rejected": {"reason": access.ADDRESSEE},  # to the person it concerns
    "report_reminder": {"report_due_date": "report_due_date"},
    "report_submitted": {"employee": "selected_username", "text": "report"},
}


def declare(configuration: Configuration) -> None:
    """Declare the assignment routine's processes and mails to the access model."""
    for kind, fields in MAILS.items():
        access.declare_mail(configuration, kind, fields)
    access.declare_case(
        configuration,
        ASSIGNMENT,
        shared=ANNOUNCED,
        roles=assignment_roles,
        title=assignment_title,
    )
    access.declare_case(
        configuration,
        INTEREST,
        shared={"assignment_id", "business_key", "outcome"},
        roles=interest_roles,
    )
