"""Who a new human task is offered to: the modeller's rule resolved against the organisation.

`assignTo` (engine/runtime/assignment_rules.py) names the starter, the starter's leader, the
leader of a person named in the data, or the lane's role in a municipality; without it the
older properties decide (candidateUsers, candidateMunicipality, candidateRoles or the lane's
role, else the starter). A rule that cannot be resolved (no leader known, no municipality in
the data) fails the step with the reason, so the instance shows it instead of offering the task
to nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.runtime import assignment_rules
from engine.runtime.errors import ScriptFailed
from engine.runtime.model import ReadyTask
from engine.store.models import ProcessInstance, User
from engine.store.uow import UnitOfWork


@dataclass(frozen=True)
class Candidates:
    """The task's candidates: a role (within a municipality, or all) or named users."""

    roles: list[str]
    users: list[str]
    municipality_id: str | None


def resolve(
    uow: UnitOfWork, instance: ProcessInstance, item: ReadyTask, lane_role: str | None
) -> Candidates:
    """Return who the task goes to."""
    rule = assignment_rules.rule_of(item.assignment)
    if rule is None:
        offered = list(item.candidate_roles) or ([lane_role] if lane_role else [])
        users = list(item.candidate_users)
        if not users and not offered:
            users = [instance.started_by] if instance.started_by else []
        return Candidates(offered if not users else [], users, item.candidate_municipality)
    if rule.to == "starter":
        return Candidates([], [_starter(instance, item)], None)
    if rule.to == "starter_leader":
        return Candidates([], [_leader(uow, _starter(instance, item), item)], None)
    if rule.to == "leader_of":
        person = _data(item, rule.person_field)
        return Candidates([], [_leader(uow, person, item)], None)
    if lane_role is None:
        raise _failed(item, f"the lane '{item.lane}' is not a role")
    return Candidates([lane_role], [], _municipality(uow, instance, item, rule))


def _starter(instance: ProcessInstance, item: ReadyTask) -> str:
    if not instance.started_by:
        raise _failed(item, "the instance has no starter")
    return instance.started_by


def leader_of(uow: UnitOfWork, username: str) -> str | None:
    """Return a person's leader: the one named on them, else the leader of their unit."""
    person = uow.users.find(username)
    if person is None:
        return None
    return person.leader_username or _unit_leader(uow, person)


def _leader(uow: UnitOfWork, username: str, item: ReadyTask) -> str:
    if uow.users.find(username) is None:
        raise _failed(item, f"no user '{username}' is known")
    leader = leader_of(uow, username)
    if leader is None:
        raise _failed(item, f"no leader is known for '{username}'")
    return leader


def _unit_leader(uow: UnitOfWork, person: User) -> str | None:
    if person.unit_id is None:
        return None
    leaders = [
        u.username
        for u in uow.users.with_role("leader", person.municipality_id)
        if u.unit_id == person.unit_id and u.username != person.username
    ]
    return sorted(leaders)[0] if leaders else None


def _municipality(
    uow: UnitOfWork,
    instance: ProcessInstance,
    item: ReadyTask,
    rule: assignment_rules.Rule,
) -> str | None:
    if rule.where == "network":
        return None
    if rule.where == "data":
        return _data(item, rule.municipality_field)
    starter = uow.users.find(_starter(instance, item))
    if starter is None or starter.municipality_id is None:
        raise _failed(item, "the starter belongs to no municipality")
    return starter.municipality_id


def _data(item: ReadyTask, field: str | None) -> str:
    value = item.data.get(field or "")
    if value in (None, "") or not isinstance(value, str):
        raise _failed(item, f"the field '{field}' holds no username or id")
    return value


def _failed(item: ReadyTask, reason: str) -> ScriptFailed:
    return ScriptFailed(
        f"the task '{item.name}' cannot be assigned: {reason}", element_id=item.element_id
    )
