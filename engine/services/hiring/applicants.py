"""The applicants of a hiring case: the applicant list for HR and the hiring authority, the
public applicant list (offentleglova § 25), the offer letter PDF, HR's overview of its cases."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from engine.services import access, documents
from engine.services.errors import Forbidden
from engine.services.hiring.vacancies import HIRING, PUBLIC_LIST, vacancy_case
from engine.store.errors import NotFound
from engine.store.models import User
from engine.store.uow import UnitOfWork


def applicants(uow: UnitOfWork, vacancy_id: str, user: User) -> dict[str, Any]:
    """Return the applicant list (søkerliste) for hr and the hiring authority (Løten 4.5.3)."""
    with uow:
        vacancy = vacancy_case(uow, vacancy_id, user=user)
        data = vacancy.data or {}
        if not access.may_read_applicants(uow, vacancy, user):
            raise Forbidden("only hr and the hiring authority may read the applicant list")
        rows = list(data.get("previous_applications") or []) + list(data.get("applications") or [])
    return {
        "vacancy_id": vacancy_id,
        "round": data.get("announcement_round"),
        "applicants": [_applicant(row) for row in rows],
    }


def _applicant(row: Mapping[str, Any]) -> dict[str, Any]:
    keys = (
        "applicant_no",
        "application_id",
        "name",
        "email",
        "phone",
        "motivation",
        "documents",
        "requests_exemption",
        "exemption_reason",
        "submitted_at",
        "received_at",
        "round",
        "late",
        "late_decision",
        "age",
        "occupation",
        "home_municipality",
        "internal_applicant",
    )
    return {key: row.get(key) for key in keys}


def public_applicant_list(uow: UnitOfWork, vacancy_id: str) -> dict[str, Any]:
    """Return the public applicant list without granted exemptions: name, age, position or
    occupation and municipality of residence (offentleglova § 25)."""
    with uow:
        data = vacancy_case(uow, vacancy_id).data or {}
    published = data.get("public_applicant_list")
    return {
        "vacancy_id": vacancy_id,
        "title": (data.get("published_announcement") or {}).get("title"),
        "is_published": isinstance(published, list),
        "applicants": [{key: a.get(key) for key in PUBLIC_LIST} for a in published or []],
    }


def offer_letter_pdf(
    uow: UnitOfWork, instance_id: UUID, user: User, *, now: datetime, language: str = "nb"
) -> tuple[str, bytes]:
    """Return the file name and the PDF of a hiring case's current offer (4.5.6), its texts in
    the language (bokmål, the original, by default)."""
    with uow:
        instance = uow.instances.get(instance_id)
        data = instance.data or {}
        letter = data.get("offer_letter")
        if instance.key != HIRING or not isinstance(letter, dict):
            raise NotFound("offer letter of hiring case", instance_id)
        if not access.may_read_applicants(uow, instance, user):
            raise Forbidden("only hr and the hiring authority may read the offer letter")
    offer = {
        **letter,
        "vacancy_id": data.get("vacancy_id") or instance.business_key,
        "email": (data.get("current_offer") or {}).get("email"),
        "answer_days": _days_inclusive(letter["printed_on"], letter["answer_deadline_on"]),
    }
    number = (data.get("current_offer") or {}).get("applicant_no", "")
    name = f"tilbudsbrev-{offer['vacancy_id']}-{number}.pdf"
    return name, documents.render_pdf("offer_letter.html", {"offer": offer}, language)


def _days_inclusive(first: str, last: str) -> int:
    return (date.fromisoformat(str(last)[:10]) - date.fromisoformat(str(first)[:10])).days + 1


def overview(uow: UnitOfWork, user: User) -> list[dict[str, Any]]:
    """Return the hiring cases the user may follow as HR or hiring authority, newest first."""
    with uow:
        found = [
            i
            for i in uow.announcements.instances_with_data(HIRING)
            if access.may_read_applicants(uow, i, user)
        ]
    rows = []
    for instance in reversed(found):
        data = instance.data or {}
        position = data.get("position") if isinstance(data.get("position"), dict) else {}
        rows.append(
            {
                "instance_id": str(instance.id),
                "vacancy_id": data.get("vacancy_id") or instance.business_key,
                "title": (position or {}).get("title"),
                "state": str(instance.state),
                "status": data.get("status"),
                "application_deadline_at": data.get("application_deadline_at"),
                "applicants": len(data.get("applications") or []),
            }
        )
    return rows
