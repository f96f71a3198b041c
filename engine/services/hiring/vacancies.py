"""Vacancies (Løten 4.5.2-4.5.3): the public board, applications from people who are not users.

A vacancy is a `hiring` instance whose announcement is published (`published_announcement`);
its id is the data `vacancy_id` (= business key). It is on the public board while the instance
runs, the announcement is external, its status is "collecting" and the application deadline
(`application_deadline_at`) has not passed.

Applying starts a `hiring_application` instance as the actor "applicant:<email>", which sends
`application_received` to the vacancy in the same transaction; the CV becomes an attachment
linked to the application instance, and a receipt goes to the applicant through the outbox.
After the deadline an application is refused unless the hiring authority accepts late ones
(`announcement.accept_late_applications` in settle_procedure) and the case still takes them
(until the shortlist); those come in marked late, for the authority to decide (4.5.2).
Nothing is stored when an application is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from babel.dates import format_date

from engine import catalogue
from engine.services import attachments, instances
from engine.services.errors import BadRequest, FormInvalid
from engine.store.errors import NotFound
from engine.store.models import Outbox, ProcessInstance, User
from engine.store.states import InstanceState, OutboxState
from engine.store.uow import UnitOfWork
from engine.timezone import OSLO

HIRING = "hiring"
APPLICATION = "hiring_application"
MESSAGE = "application_received"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL = 69  # "applicant:" + the address fits the 80 characters of an actor
PUBLIC_FIELDS = (
    "title",
    "percentage",
    "employer",
    "qualification_requirements",
    "area_of_work",
    "duties",
    "pay_and_pension",
    "application_deadline_on",
    "published_on",
    "reservations",
)

PUBLIC_LIST = ("name", "age", "occupation", "home_municipality")  # offentleglova § 25


@dataclass(frozen=True)
class Application:
    """What an applicant sends (the CV as a file name and its bytes)."""

    name: str
    email: str
    phone: str = ""
    motivation: str = ""
    requests_exemption_from_public_list: bool = False
    exemption_reason: str = ""
    cv: tuple[str, bytes] | None = None
    # What the public applicant list shows besides the name (offentleglova § 25).
    age: int | None = None
    occupation: str = ""
    home_municipality: str = ""


def list_vacancies(
    uow: UnitOfWork, *, now: datetime, user: User | None = None
) -> list[dict[str, Any]]:
    """Return the open vacancies, soonest deadline first: the external ones, and for a signed-in
    employee of the hiring municipality its internal ones too (Løten 4.4)."""
    with uow:
        cases = uow.announcements.instances_with_data(HIRING)
        views = [public_view(i, now, user) for i in cases]
    opened = [v for v in views if v is not None and v["is_open"]]
    return sorted(opened, key=lambda v: v["application_deadline_at"])


def get_vacancy(
    uow: UnitOfWork, vacancy_id: str, *, now: datetime, user: User | None = None
) -> dict[str, Any]:
    """Return one announced vacancy the user may see (open or not)."""
    with uow:
        view = public_view(vacancy_case(uow, vacancy_id, user=user), now, user)
    if view is None:
        raise NotFound("vacancy", vacancy_id)
    return view


def vacancy_case(
    uow: UnitOfWork, vacancy_id: str, *, lock: bool = False, user: User | None = None
) -> ProcessInstance:
    """Return the hiring case of a vacancy announced to the user (NotFound if none)."""
    if "\x00" in vacancy_id:  # no case number holds one (PostgreSQL refuses it in a query)
        raise NotFound("vacancy", vacancy_id)
    found = [
        i
        for i in uow.announcements.instances_with_data(HIRING, business_key=vacancy_id, lock=lock)
        if (i.data or {}).get("vacancy_id") == vacancy_id and _is_announced_to(i, user)
    ]
    if not found:
        raise NotFound("vacancy", vacancy_id)
    return found[-1]


def _is_announced_to(instance: ProcessInstance, user: User | None) -> bool:
    """An external announcement is for anyone; an internal one for the municipality's staff."""
    data = instance.data or {}
    announcement = data.get("published_announcement")
    channel = announcement.get("channel") if isinstance(announcement, dict) else None
    if channel == "internal":
        return user is not None and user.municipality_id == data.get("municipality")
    return channel == "external"


def public_view(
    instance: ProcessInstance, now: datetime, user: User | None = None
) -> dict[str, Any] | None:
    """Return what the user (or anyone) may see of a vacancy, or None if not announced to them."""
    if not _is_announced_to(instance, user):
        return None
    data = instance.data or {}
    announcement = data["published_announcement"]
    return {
        "id": data.get("vacancy_id"),
        **{field: announcement.get(field) for field in PUBLIC_FIELDS},
        "application_deadline_at": data.get("application_deadline_at"),
        "accepts_late_applications": _accepts_late(data),
        "is_open": is_open(instance, now),
        "is_internal": announcement.get("channel") == "internal",
    }


def is_open(instance: ProcessInstance, now: datetime) -> bool:
    """Tell whether the vacancy takes timely applications now (Løten 4.5.2, D-02)."""
    data = instance.data or {}
    deadline = _deadline(data)
    return (
        instance.state == InstanceState.RUNNING
        and data.get("status") == "collecting"
        and deadline is not None
        and now <= deadline
    )


def _deadline(data: Mapping[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(data["application_deadline_at"]))
    except (KeyError, ValueError):
        return None


def _accepts_late(data: Mapping[str, Any]) -> bool:
    return bool((data.get("announcement") or {}).get("accept_late_applications"))


def apply(
    uow: UnitOfWork,
    vacancy_id: str,
    application: Application,
    *,
    now: datetime,
    locale: str = "nb",
    max_bytes: int = attachments.DEFAULT_MAX_BYTES,
    user: User | None = None,
) -> dict[str, Any]:
    """Take an application from the public, or from a signed-in employee (an internal
    applicant of the hiring municipality, Løten 2.7.5); return its receipt number only."""
    text = catalogue.section(locale, "vacancies.")
    _check_fields(application, text)
    with uow:
        vacancy = vacancy_case(uow, vacancy_id, lock=True, user=user)
        late = _check_open(uow, vacancy, now, text, locale)
        internal = user is not None and user.municipality_id == (vacancy.data or {}).get(
            "municipality"
        )
        actor = (
            user
            if user is not None and internal
            else User(username=f"applicant:{application.email}", full_name=application.name)
        )
        files: list[dict[str, Any]] = []
        cv = None
        if application.cv is not None:
            filename, content = application.cv
            cv = attachments.add(
                uow,
                filename=filename,
                content=content,
                uploaded_by=actor.username,
                now=now,
                allowed=attachments.DOCUMENTS,
                max_bytes=max_bytes,
                field="cv",
                locale=locale,
            )
            uow.flush()
            files.append(
                {
                    "attachment_id": str(cv.id),
                    "name": cv.filename,
                    "kind": "cv",
                    "media_type": cv.media_type,
                }
            )
        started = instances.start_in(
            uow,
            APPLICATION,
            {
                "vacancy_id": vacancy_id,
                "name": application.name,
                "email": application.email,
                "phone": application.phone,
                "motivation": application.motivation,
                "documents": files,
                "requests_exemption_from_public_list": (
                    application.requests_exemption_from_public_list
                ),
                "exemption_reason": application.exemption_reason,
                "age": application.age,
                "occupation": application.occupation,
                "home_municipality": application.home_municipality,
                "internal_applicant": actor.username if internal else "",
            },
            actor=actor,
            now=now,
            business_key=vacancy_id,
        )
        if cv is not None:
            cv.instance_id = started.id
        if _entry(vacancy, started.id) is None:  # nothing waited for it: store nothing
            raise BadRequest(text["not_received"], {"vacancy": [text["not_received"]]})
        receipt = str(started.id)
        _send_receipt(uow, vacancy, started, application, receipt, late, now, locale)
        uow.commit()
    return {"receipt_number": receipt}


def _check_fields(application: Application, text: Mapping[str, str]) -> None:
    errors: dict[str, list[str]] = {}
    limits = {
        "name": 200,
        "email": MAX_EMAIL,
        "phone": 30,
        "motivation": 5000,
        "exemption_reason": 2000,
        "occupation": 200,
        "home_municipality": 100,
    }
    for field, limit in limits.items():
        value = getattr(application, field)
        if len(value) > limit:
            errors[field] = [text["too_long"].format(limit=limit)]
    for field in ("name", "email"):
        if not getattr(application, field).strip():
            errors[field] = [text["required"]]
    if "email" not in errors and not EMAIL.match(application.email):
        errors["email"] = [text["email"]]
    if application.age is not None and not 15 <= application.age <= 100:
        errors["age"] = [text["age"]]
    if application.requests_exemption_from_public_list and not application.exemption_reason.strip():
        errors["exemption_reason"] = [text["exemption_reason"]]
    if errors:
        raise FormInvalid(errors)


def _check_open(
    uow: UnitOfWork, vacancy: ProcessInstance, now: datetime, text: Mapping[str, str], locale: str
) -> bool:
    """Return whether the application is late; refuse it when the vacancy does not take it."""
    data = vacancy.data or {}
    waiting = any(s.instance_id == vacancy.id for s in uow.waits.subscriptions(MESSAGE))
    deadline = _deadline(data)
    if vacancy.state != InstanceState.RUNNING or not waiting or deadline is None:
        raise FormInvalid({"vacancy": [text["closed"]]})
    late = now > deadline
    if late and not _accepts_late(data):
        when = _when(deadline, locale)
        raise FormInvalid({"application_deadline": [text["deadline"].format(deadline=when)]})
    return late


def _when(moment: datetime, locale: str) -> str:
    """Return "14. desember 2026 kl. 23.59" (nb) or "14 December 2026 at 23.59" (en)."""
    local = moment.astimezone(OSLO)
    day = format_date(local.date(), catalogue.gettext(locale, "dates.long"), locale=locale)
    return catalogue.text(locale, "dates.at_time", date=day, time=f"{local:%H.%M}")


def _entry(vacancy: ProcessInstance, application_id: UUID) -> dict[str, Any] | None:
    for entry in (vacancy.data or {}).get("applications") or []:
        if entry.get("application_id") == str(application_id):
            return dict(entry)
    return None


def _send_receipt(
    uow: UnitOfWork,
    vacancy: ProcessInstance,
    started: ProcessInstance,
    application: Application,
    receipt: str,
    late: bool,
    now: datetime,
    locale: str,
) -> None:
    announcement = (vacancy.data or {}).get("published_announcement") or {}
    deadline = _deadline(vacancy.data or {})
    subject, body = (
        catalogue.gettext(locale, f"vacancies.receipt_{p}") for p in ("subject", "body")
    )
    values = {
        "name": application.name,
        "title": announcement.get("title", ""),
        "employer": announcement.get("employer", ""),
        "receipt": receipt,
        "received": _when(now, locale),
        "deadline": _when(deadline, locale) if deadline else "",
        "late": catalogue.gettext(locale, "vacancies.receipt_late") if late else "",
        "exemption": catalogue.gettext(locale, "vacancies.receipt_exemption")
        if application.requests_exemption_from_public_list
        else "",
    }
    footer = catalogue.gettext(locale, "mail._footer")
    uow.outbox.add(
        Outbox(
            instance_id=started.id,
            kind="application_receipt",
            recipient=None,
            to_address=application.email,
            to_name=application.name[:200],
            locale=locale,
            subject=subject.format(**values)[:300],
            body=body.format(**values).rstrip() + "\n" + footer,
            state=OutboxState.PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
