"""What the hiring routine declares about reading its cases (docs/access.md).

HR of the vacancy's municipality and the hiring authority (`hiring_authority_users`) run the
case (Løten 4.5): they read all of it, the applications (`hiring_application`, their CVs)
too. Service leaders of the unit head's unit follow their unit's vacancies (role
`service_leader`: the shared keys). Everyone else with a part reads the vacancy's number,
status, position and published announcement, and what their own steps show (their forms
and the tasks' `contextFields`): the unit head their assessment and recommendation, union
representatives what they comment on, an interview panel member their candidate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.services import access
from engine.services.configuration import Configuration
from engine.store.models import ProcessInstance, User
from engine.store.uow import UnitOfWork

HIRING, APPLICATION = "hiring", "hiring_application"
SHARED = frozenset(
    {
        "vacancy_id",
        "business_key",
        "status",
        "municipality",
        "unit",
        "position",
        "positions",
        "published_announcement",
        "application_deadline_on",
        "hiring_authority_name",
    }
)


def hiring_roles(
    uow: UnitOfWork, instance: ProcessInstance, user: User
) -> Mapping[str, frozenset[str] | None]:
    """Return the roles the routine gives the user in a hiring case (None: every key)."""
    data = instance.process_data
    roles: dict[str, frozenset[str] | None] = {}
    if "hr" in user.roles and user.municipality_id in (None, data.get("municipality")):
        roles["hr"] = None
    if user.username in (data.get("hiring_authority_users") or []):
        roles["hiring_authority"] = None
    if "service_leader" in user.roles and _in_unit_of(uow, data.get("unit_head"), user):
        roles["service_leader"] = frozenset()  # their unit's vacancy: what everyone reads
    return roles


def _in_unit_of(uow: UnitOfWork, unit_head: object, user: User) -> bool:
    """Tell whether the user works in the unit of the vacancy's unit head (or is its head)."""
    if not isinstance(unit_head, str) or not unit_head:
        return False
    if unit_head == user.username:
        return True
    head = uow.users.find(unit_head)
    return head is not None and user.unit_id is not None and head.unit_id == user.unit_id


def hiring_title(data: Mapping[str, Any]) -> str | None:
    """Return a hiring case's title in the role overviews: the position's title."""
    position = data.get("position")
    title = position.get("title") if isinstance(position, dict) else None
    return str(title) if title else None


def application_roles(
    uow: UnitOfWork, instance: ProcessInstance, user: User
) -> Mapping[str, frozenset[str] | None]:
    """Return the user's roles in an application: those they hold in its vacancy's case."""
    vacancies = uow.announcements.instances_with_data(HIRING, business_key=instance.business_key)
    for vacancy in vacancies:
        roles = hiring_roles(uow, vacancy, user)
        if roles:
            return roles
    return {}


# What the routine's mails print besides the case's name, number and links (access.declare_mail):
# each field with the data key a recipient must read to get it. Applicants (`applicant.*`) get
# what their application flow addresses to them and what the vacancy page publishes.
APPLICANT_LETTER = {"title": access.PUBLISHED}
MAILS: dict[str, dict[str, str]] = {
    "hiring.announcement_published": {
        "round": "announcement_round",
        "application_deadline_on": "application_deadline_on",
    },
    "start_blocked_missing_certificates": {"employee": "hire", "start_date": "start_date"},
    "probation_reminder": {"employee": "hire", "probation_ends_on": "probation_ends_on"},
    "probation_passed": {"employee": "hire"},
    "applicant.interview_invitation": {
        **APPLICANT_LETTER,
        "interview_at": access.ADDRESSEE,
        "place": access.ADDRESSEE,
        "panel": access.ADDRESSEE,
    },
    "applicant.offer_letter": {**APPLICANT_LETTER, "answer_deadline_on": access.ADDRESSEE},
    "applicant.position_filled": APPLICANT_LETTER,
    "applicant.exemption_refused": APPLICANT_LETTER,
}


def declare(configuration: Configuration) -> None:
    """Declare the hiring routine's processes and mails to the access model."""
    for kind, fields in MAILS.items():
        access.declare_mail(configuration, kind, fields)
    access.declare_case(
        configuration, HIRING, shared=SHARED, roles=hiring_roles, title=hiring_title
    )
    access.declare_case(
        configuration, APPLICATION, shared={"vacancy_id", "business_key"}, roles=application_roles
    )
