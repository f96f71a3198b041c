"""The hiring case's documents on its case page: the applicant list, the CVs, the offer letter.

Applicant data is personal data: each is listed only for HR of the hiring municipality and
the hiring authority (`access.may_read_applicants`); the links are the pages' and the API's
own addresses, which check the same rule again.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from engine import catalogue
from engine.services import access
from engine.services.cases import Document
from engine.services.hiring.vacancies import HIRING
from engine.store.models import ProcessInstance, User
from engine.store.uow import UnitOfWork


def documents(
    uow: UnitOfWork, instance: ProcessInstance, user: User, _seen: dict[str, Any], locale: str
) -> list[Document]:
    """List the hiring case's documents the user may open."""
    if instance.key != HIRING or not access.may_read_applicants(uow, instance, user):
        return []
    titles = catalogue.section(locale, "hiring.documents.")
    data = instance.data or {}
    vacancy = "/".join(quote(p, safe="") for p in str(data.get("vacancy_id") or "").split("/"))
    rows = list(data.get("previous_applications") or []) + list(data.get("applications") or [])
    found: list[Document] = []
    if rows and vacancy:
        found.append(
            {"kind": "applicants", "title": titles["applicants"], "url": f"/soknader/{vacancy}"}
        )
    if isinstance(data.get("public_applicant_list"), list) and vacancy:
        url = f"/sokerlister/{vacancy}"
        found.append({"kind": "public_list", "title": titles["public_list"], "url": url})
    if isinstance(data.get("offer_letter"), dict):
        url = f"/api/v1/process-instances/{instance.id}/offer-letter.pdf"
        found.append({"kind": "offer_letter", "title": titles["offer_letter"], "url": url})
    for row in rows:
        for item in row.get("documents") or []:
            if isinstance(item, dict) and item.get("attachment_id"):
                title = titles["cv"].format(name=row.get("name"), number=row.get("applicant_no"))
                url = f"/api/v1/attachments/{item['attachment_id']}/content"
                found.append({"kind": "cv", "title": title, "url": url})
    return found
