"""The announcement board (KV 1-2): publish an assignment, browse it, register interest.

An announcement is an `assignment` instance whose `describe_need` task is done: its data has
`published_at` and the fields a-g. Its id is the assignment id (= business key,
`OPPDRAG-<year>-<nnnn>`). It is *open* while the instance runs, `status` is "published" and
the interest deadline (`interest_deadline_at`, 23:59:59 Europe/Oslo on date g) has not passed.

Registering interest starts an `assignment_interest` instance with the same business key and
the employee's data from the organisation (leader = `leader_username`, KV 2). Refused with
field messages: an employee of the receiving municipality (AMB-P14), a user without a leader,
a closed announcement, a registration after the deadline (unless `accept_late_registrations`
is set on the announcement data or the receiving municipality's settings, AMB-P05; the
BPMN still turns away messages that reach it after T1), and a second registration by the same
employee in the same announcement round.

Nomination (G2, KV-13, AMB-P04): a registration gets `needs_nomination = true` when another
employee of the same unit has a registration for the same announcement round that is still
waiting for their leader or was put forward (not refused, not "not nominated"). The leader
then decides, in consultation with the receiving municipality, whether this one is put forward
too; the first registration of a unit goes straight on once approved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from engine import catalogue
from engine.services import access, declarations, instances, process_settings
from engine.services.documents import long_date
from engine.services.errors import Forbidden, FormInvalid
from engine.store.errors import NotFound
from engine.store.models import ProcessInstance, User
from engine.store.states import InstanceState
from engine.store.uow import UnitOfWork
from engine.timezone import OSLO

ASSIGNMENT = "assignment"
INTEREST = "assignment_interest"
KEY_PREFIX = "OPPDRAG"
FIELDS = (
    "competence_requirements",  # a
    "nature_of_work",  # b
    "expected_results",  # c
    "special_conditions",  # d
    "duration",  # e
    "contact_persons",  # f
    "interest_deadline",  # g
)
NOT_PUT_FORWARD = frozenset({"refused", "not_nominated"})
GONE = frozenset({InstanceState.CANCELLED, InstanceState.ERROR})


def create_announcement(uow: UnitOfWork, *, actor: User, now: datetime) -> dict[str, Any]:
    """Start an assignment for the actor's municipality; its first task is describe_need.

    Who may: the roles `assignment` declares (`startRoles`, a service leader), of a
    municipality; the process is started only here (`startedBy="service"`), never by the
    start page, since the board numbers it and applies the municipality's settings.
    """
    with uow:
        declared = declarations.of(uow, uow.definitions.latest(ASSIGNMENT)).declarations
        called = ASSIGNMENT in declarations.called_processes(uow)
        access.ensure_may_start(actor, declared, called=called, by_service=True)
        if not actor.municipality_id:
            raise Forbidden("only a service leader of a municipality can announce an assignment")
        uow.announcements.lock_numbering(ASSIGNMENT)
        assignment_id = _next_assignment_id(uow, now)
        municipality = uow.users.municipality(actor.municipality_id)
        settings = dict(municipality.settings or {}) if municipality else {}
        data: dict[str, Any] = {
            "assignment_id": assignment_id,
            "receiving_municipality": actor.municipality_id,
            "union_rep_in_review": bool(settings.get("union_rep_in_review", False)),  # G4
        }
        if isinstance(settings.get("report_due_days_after_end"), int):
            data["report_due_days_after_end"] = settings["report_due_days_after_end"]  # T3
        if settings.get("not_selected_notice_at") in ("selection", "signature"):
            data["not_selected_notice_at"] = settings["not_selected_notice_at"]  # AMB-P08
        instance = instances.start_in(
            uow, ASSIGNMENT, data, actor=actor, now=now, business_key=assignment_id
        )
        uow.commit()
        view = announcement_view(uow, instance, actor, now, mine=[])
        view["describe_need_task_id"] = next(
            (t.id for t in uow.tasks.open_for_instance(instance.id)), None
        )
    return view


def _next_assignment_id(uow: UnitOfWork, now: datetime) -> str:
    prefix = f"{KEY_PREFIX}-{now.astimezone(OSLO).year}-"
    numbers = [
        int(key.removeprefix(prefix))
        for key in uow.announcements.business_keys_like(ASSIGNMENT, prefix)
        if key.removeprefix(prefix).isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def list_announcements(
    uow: UnitOfWork,
    user: User,
    *,
    now: datetime,
    only_open: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Return one page of the board: open ones first (soonest deadline first), then closed."""
    access.ensure_may_use_board(user)
    with uow:
        published = [i for i in uow.announcements.instances_with_data(ASSIGNMENT) if _published(i)]
        mine = uow.announcements.instances_with_data(INTEREST, started_by=user.username)
        views = [announcement_view(uow, i, user, now, mine=mine) for i in published]
    if only_open:
        views = [v for v in views if v["is_open"]]
    opened = sorted((v for v in views if v["is_open"]), key=lambda v: v["interest_deadline_at"])
    closed = sorted(
        (v for v in views if not v["is_open"]),
        key=lambda v: v["interest_deadline_at"] or "",
        reverse=True,
    )
    ordered = opened + closed
    return {
        "items": ordered[offset : offset + limit],
        "total": len(ordered),
        "limit": limit,
        "offset": offset,
    }


def get_announcement(
    uow: UnitOfWork, assignment_id: str, user: User, *, now: datetime
) -> dict[str, Any]:
    """Return one published announcement by its assignment id."""
    access.ensure_may_use_board(user)
    with uow:
        instance = _published_instance(uow, assignment_id)
        mine = uow.announcements.instances_with_data(
            INTEREST, business_key=assignment_id, started_by=user.username
        )
        return announcement_view(uow, instance, user, now, mine=mine)


def _published(instance: ProcessInstance) -> bool:
    return bool((instance.data or {}).get("published_at"))


def _published_instance(
    uow: UnitOfWork, assignment_id: str, *, lock: bool = False
) -> ProcessInstance:
    found = [
        i
        for i in uow.announcements.instances_with_data(
            ASSIGNMENT, business_key=assignment_id, lock=lock
        )
        if _published(i)
    ]
    if not found:
        raise NotFound("announcement", assignment_id)
    return found[-1]


def announcement_view(
    uow: UnitOfWork,
    instance: ProcessInstance,
    user: User,
    now: datetime,
    *,
    mine: Sequence[ProcessInstance],
) -> dict[str, Any]:
    """Return the board's view of an assignment instance, with what the user may do."""
    data = instance.data or {}
    receiving = data.get("receiving_municipality")
    municipality = uow.users.municipality(str(receiving)) if receiving else None
    own = [i for i in _this_round(mine, instance) if i.business_key == instance.business_key]
    view: dict[str, Any] = {
        "id": data.get("assignment_id") or instance.business_key,
        "instance_id": instance.id,
        "status": data.get("status"),
        "is_open": is_open(instance, now),
        "round": data.get("announcement_round"),
        "receiving_municipality": {
            "id": receiving,
            "name": municipality.name if municipality else receiving,
        },
        "published_at": data.get("published_at"),
        "interest_deadline_at": data.get("interest_deadline_at"),
        **{field: data.get(field) for field in FIELDS},
        "my_registration": registration_view(own[-1]) if own else None,
    }
    view["may_register"] = bool(
        view["is_open"]
        and not own
        and user.municipality_id not in (None, receiving)
        and user.leader_username
    )
    return view


def is_open(instance: ProcessInstance, now: datetime) -> bool:
    """Tell whether the announcement takes registrations now (KV 1 g, T1)."""
    data = instance.data or {}
    deadline = _deadline(data)
    return (
        instance.state == InstanceState.RUNNING
        and data.get("status") == "published"
        and deadline is not None
        and now <= deadline
    )


def _deadline(data: Mapping[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(data["interest_deadline_at"]))
    except (KeyError, ValueError):
        return None


def _this_round(
    registrations: Iterable[ProcessInstance], assignment: ProcessInstance
) -> list[ProcessInstance]:
    """Keep the live registrations made since the announcement's current round was published."""
    published = _published_at(assignment)
    return [
        r
        for r in registrations
        if r.state not in GONE and (published is None or r.created_at >= published)
    ]


def _published_at(assignment: ProcessInstance) -> datetime | None:
    try:
        return datetime.fromisoformat(str((assignment.data or {})["published_at"]))
    except (KeyError, ValueError):
        return None


def register_interest(
    uow: UnitOfWork,
    assignment_id: str,
    motivation: str,
    *,
    actor: User,
    now: datetime,
    locale: str = "nb",
) -> dict[str, Any]:
    """Start the actor's registration of interest (KV 2), or refuse it with field messages."""
    with uow:
        assignment = _published_instance(uow, assignment_id, lock=True)
        others = _this_round(
            uow.announcements.instances_with_data(INTEREST, business_key=assignment_id),
            assignment,
        )
        _check_registration(uow, assignment, others, actor, now, locale)
        unit = uow.users.unit(actor.unit_id) if actor.unit_id else None
        receiving_id = assignment.process_data.get("receiving_municipality")
        receiving = uow.users.municipality(str(receiving_id))
        data = {
            "assignment_id": assignment_id,
            "motivation": motivation,
            # What the leader decides on (approve_interest's contextFields): who, and for what.
            "employee_name": actor.full_name,
            "announcement": {
                "receiving_municipality": assignment.process_data.get("receiving_municipality"),
                "receiving_municipality_name": receiving.name if receiving else None,
                **{field: assignment.process_data.get(field) for field in FIELDS},
            },
            "employee_username": actor.username,
            "employee_leader": actor.leader_username,
            "employee_municipality": actor.municipality_id,
            "employee_unit": unit.name if unit else actor.unit_id,
            "employee_unit_id": actor.unit_id,
            "needs_nomination": needs_nomination([o.data or {} for o in others], actor),
        }
        instance = instances.start_in(
            uow, INTEREST, data, actor=actor, now=now, business_key=assignment_id
        )
        uow.commit()
        return registration_view(instance)


def needs_nomination(registrations: Iterable[Mapping[str, Any]], employee: User) -> bool:
    """G2: another employee of the same unit is waiting for, or has, their leader's yes."""
    return any(
        r.get("employee_unit_id") == employee.unit_id
        and employee.unit_id is not None
        and r.get("employee_username") != employee.username
        and r.get("outcome") not in NOT_PUT_FORWARD
        for r in registrations
    )


def _check_registration(
    uow: UnitOfWork,
    assignment: ProcessInstance,
    others: Sequence[ProcessInstance],
    actor: User,
    now: datetime,
    locale: str,
) -> None:
    text = catalogue.section(locale, "announcements.")
    data = assignment.data or {}
    receiving = data.get("receiving_municipality")
    errors: dict[str, list[str]] = {}
    if not actor.municipality_id:
        errors["employee_municipality"] = [text["no_municipality"]]
    elif actor.municipality_id == receiving:  # AMB-P14
        municipality = uow.users.municipality(str(receiving))
        name = municipality.name if municipality else str(receiving)
        errors["employee_municipality"] = [text["same_municipality"].format(name=name)]
    leader = uow.users.find(actor.leader_username) if actor.leader_username else None
    if leader is None or not leader.is_active:
        errors["employee_leader"] = [text["no_leader"]]
    deadline = _deadline(data)
    if (
        assignment.state != InstanceState.RUNNING
        or data.get("status") != "published"
        or deadline is None
    ):
        errors["interest_deadline"] = [text["closed"]]
    elif now > deadline and not _accepts_late(uow, data):  # AMB-P05
        errors["interest_deadline"] = [text["deadline"].format(deadline=_when(deadline, locale))]
    if any(o.started_by == actor.username for o in others):
        errors["employee_username"] = [text["duplicate"]]
    if errors:
        raise FormInvalid(errors)


def _accepts_late(uow: UnitOfWork, data: Mapping[str, Any]) -> bool:
    if data.get("accept_late_registrations") is True:
        return True
    municipality = uow.users.municipality(str(data.get("receiving_municipality")))
    own = (municipality.settings or {}) if municipality else {}
    if "accept_late_registrations" in own:
        return bool(own["accept_late_registrations"])
    return bool(process_settings.value("kv_assignment.interest.accept_late_registrations", False))


def _when(moment: datetime, locale: str) -> str:
    local = moment.astimezone(OSLO)
    if locale == "en":
        return f"{local:%H:%M} on {local:%Y-%m-%d}"
    return f"{long_date(local.date())} kl. {local:%H.%M}"


def registration_view(instance: ProcessInstance) -> dict[str, Any]:
    """Return the API's view of a registration of interest."""
    data = instance.data or {}
    return {
        "instance_id": instance.id,
        "assignment_id": data.get("assignment_id") or instance.business_key,
        "employee_username": data.get("employee_username"),
        "employee_leader": data.get("employee_leader"),
        "employee_unit": data.get("employee_unit"),
        "needs_nomination": bool(data.get("needs_nomination")),
        "state": instance.state,
        "outcome": data.get("outcome"),
        "created_at": instance.created_at,
    }
