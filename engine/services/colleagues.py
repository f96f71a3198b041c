"""Who a task can be delegated to: colleagues who may also work on it."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from engine.services.access import may_work
from engine.services.errors import Forbidden
from engine.store.models import HumanTask, User
from engine.store.states import TaskState
from engine.store.uow import UnitOfWork


def delegation_candidates(uow: UnitOfWork, task_id: UUID, user: User) -> Sequence[User]:
    """List the active users besides `user` that the task is offered to (role, municipality)."""
    with uow:
        task = uow.tasks.get(task_id)
        if task.state != TaskState.OPEN or not may_work(task, user):
            raise Forbidden("you are not among the people this task is offered to")
        # The same offer without its assignee: who else may the task be handed to?
        offer = HumanTask(
            candidate_roles=task.candidate_roles,
            candidate_users=task.candidate_users,
            municipality_id=task.municipality_id,
            assignee=None,
        )
        found = [
            other
            for other in uow.users.list()
            if other.is_active
            and other.username != user.username
            and "admin" not in other.roles
            and may_work(offer, other)
        ]
    return found
