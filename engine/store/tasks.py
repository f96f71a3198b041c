"""Human tasks and the group inbox: its candidate rows, its statements, built once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    union,
    update,
)

from engine.store.models import (
    EVERY_MUNICIPALITY,
    HumanTask,
    Municipality,
    TaskCandidate,
    User,
)
from engine.store.repositories import Repository, require
from engine.store.states import TaskState


class Tasks(Repository):
    def add(self, obj: Any) -> None:
        """Insert a new task now (a plain INSERT, see `insert_now`), before its candidates."""
        self.insert_now([obj])

    def get(self, task_id: UUID, *, lock: bool = False) -> HumanTask:
        """Return a human task or raise NotFound."""
        query = select(HumanTask).where(HumanTask.id == task_id)
        if lock:
            query = query.with_for_update()
        return require(self.session.scalar(query), "task", task_id)

    def get_named(self, task_id: UUID) -> tuple[HumanTask, str | None, str | None]:
        """Return a task with its municipality's and its assignee's names, in one statement."""
        found = self.session.execute(_named_task(), {"task_id": task_id}).one_or_none()
        named = require(found, "task", task_id)
        return named[0], named[1], named[2]

    def open_for_instance(self, instance_id: UUID) -> Sequence[HumanTask]:
        """Return the open tasks of one instance."""
        return self.session.scalars(
            select(HumanTask)
            .where(HumanTask.instance_id == instance_id, HumanTask.state == TaskState.OPEN)
            .order_by(HumanTask.created_at)
        ).all()

    def open_of_instances(self, instance_ids: Sequence[UUID]) -> dict[UUID, list[HumanTask]]:
        """Return the open tasks of several instances at once, by instance, oldest first."""
        found: dict[UUID, list[HumanTask]] = {i: [] for i in instance_ids}
        if not instance_ids:
            return found
        query = (
            select(HumanTask)
            .where(HumanTask.instance_id.in_(list(instance_ids)), HumanTask.state == TaskState.OPEN)
            .order_by(HumanTask.created_at)
        )
        for task in self.session.scalars(query):
            found[task.instance_id].append(task)
        return found

    def of_instance(self, instance_id: UUID) -> Sequence[HumanTask]:
        """Return every task of one instance, open, completed or cancelled, oldest first."""
        return self.session.scalars(
            select(HumanTask)
            .where(HumanTask.instance_id == instance_id)
            .order_by(HumanTask.created_at, HumanTask.id)
        ).all()

    def case_ids(
        self, username: str, roles: Sequence[str], municipality_id: str | None
    ) -> set[UUID]:
        """Return the instances a user takes part in: tasks done, held or offered to them."""
        done = select(HumanTask.instance_id).where(
            or_(HumanTask.completed_by == username, HumanTask.assignee == username)
        )
        mine = Tasks.mine(username).with_only_columns(HumanTask.instance_id).order_by(None)
        group = (
            Tasks.group(username, roles, municipality_id)
            .with_only_columns(HumanTask.instance_id)
            .order_by(None)
        )
        return set(self.session.scalars(union(done, mine, group)).all())

    def offer(self, task: HumanTask) -> None:
        """Put an open, unclaimed task in the group inbox of its candidate users or role.

        Rows exist only while the task can be claimed: claiming or completing drops them,
        unclaiming offers the task again.
        """
        users = [("user", username, EVERY_MUNICIPALITY) for username in task.candidate_users]
        where = task.municipality_id or EVERY_MUNICIPALITY
        offered = users or [("role", role, where) for role in task.candidate_roles]
        self.insert_now(
            [
                TaskCandidate(
                    task_id=task.id,
                    kind=kind,
                    value=value,
                    municipality_id=municipality_id,
                    created_at=task.created_at,
                )
                for kind, value, municipality_id in offered
            ]
        )

    def drop_candidates(self, task_ids: Sequence[UUID]) -> None:
        """Withdraw tasks from every group inbox.

        A plain DELETE on the transaction's connection: no candidate row is ever loaded into
        the session, and the ORM's bulk-delete path cost 0.4 ms more per completion.
        """
        if task_ids:
            self.session.connection().execute(_drop_candidates(), {"task_ids": list(task_ids)})

    def close(self, task_ids: Sequence[UUID], state: TaskState, at: datetime) -> None:
        """Mark open tasks as completed or cancelled."""
        if task_ids:
            self.drop_candidates(task_ids)
            self.session.execute(
                update(HumanTask)
                .where(HumanTask.id.in_(task_ids), HumanTask.state == TaskState.OPEN)
                .values(state=state, completed_at=at),
                execution_options={"synchronize_session": False},
            )

    def page(
        self, query: Select[tuple[HumanTask]], limit: int, offset: int
    ) -> tuple[Sequence[HumanTask], int]:
        """Run a task query, returning one page and the total."""
        return self._page(query, limit, offset)

    @staticmethod
    def mine(username: str) -> Select[tuple[HumanTask]]:
        """Open tasks assigned to the user, or offered to them by name and not yet claimed.

        A task whose `candidateUsers` names the user waits for them alone (or for them among a
        few named people): it is theirs to act on now, as its "tildelt deg" e-mail says.
        """
        named = select(TaskCandidate.task_id).where(
            TaskCandidate.kind == "user", TaskCandidate.value == username
        )
        return (
            select(HumanTask)
            .where(
                or_(
                    HumanTask.assignee == username,
                    and_(HumanTask.assignee.is_(None), HumanTask.id.in_(named)),
                ),
                HumanTask.state == TaskState.OPEN,
            )
            .order_by(HumanTask.created_at, HumanTask.id)
        )

    @staticmethod
    def group(
        username: str, roles: Sequence[str], municipality_id: str | None
    ) -> Select[tuple[HumanTask]]:
        """Open, unclaimed tasks offered to the user by name or through one of their roles."""
        offered = or_(*(_in_range(*r) for r in _group_ranges(username, roles, municipality_id)))
        ids = select(TaskCandidate.task_id).where(offered)
        return (
            select(HumanTask)
            .where(HumanTask.id.in_(ids), HumanTask.assignee.is_(None))
            .order_by(HumanTask.created_at, HumanTask.id)
        )

    def group_page(
        self,
        username: str,
        roles: Sequence[str],
        municipality_id: str | None,
        limit: int,
        offset: int,
        newest_first: bool = False,
    ) -> tuple[Sequence[HumanTask], int]:
        """Return one page of the group inbox by creation time, and the total.

        Each range of `ix_task_candidate_inbox` (one role in the user's municipality, one role
        network-wide, the user by name) is walked in order and stops after `offset + limit`
        entries; the ranges merge and only the page's tasks are read. The statements are
        built once per number of ranges (building them costs more than running them).
        """
        ranges = _group_ranges(username, roles, municipality_id)
        page, count = _group_statements(len(ranges), newest_first)
        params: dict[str, Any] = {"limit": limit, "offset": offset, "window": limit + offset}
        for n, (kind, value, where) in enumerate(ranges):
            params |= {f"kind_{n}": kind, f"value_{n}": value, f"municipality_{n}": where}
        rows = self.session.scalars(page, params).all()
        return rows, int(self.session.scalar(count, params) or 0)

    @staticmethod
    def completed_by(username: str) -> Select[tuple[HumanTask]]:
        """Tasks the user completed, newest first."""
        return (
            select(HumanTask)
            .where(HumanTask.completed_by == username, HumanTask.state == TaskState.COMPLETED)
            .order_by(HumanTask.completed_at.desc())
        )

    @staticmethod
    def all_tasks(state: str | None) -> Select[tuple[HumanTask]]:
        """Every task (admins), optionally by state."""
        query = select(HumanTask)
        if state:
            query = query.where(HumanTask.state == state)
        return query.order_by(HumanTask.created_at)

    @staticmethod
    def refine(
        query: Select[tuple[HumanTask]],
        *,
        process_key: str | None = None,
        text: str | None = None,
        sort: str | None = None,
    ) -> Select[tuple[HumanTask]]:
        """Filter by process and free text (task name, business key); sort by a column."""
        if process_key:
            query = query.where(HumanTask.process_key == process_key)
        if text:
            pattern = f"%{text.lower()}%"
            query = query.where(
                or_(
                    func.lower(HumanTask.name).like(pattern),
                    func.lower(HumanTask.business_key).like(pattern),
                )
            )
        if sort:
            column = {
                "created_at": HumanTask.created_at,
                "due_at": HumanTask.due_at,
                "name": HumanTask.name,
            }[sort.lstrip("-")]
            query = query.order_by(None).order_by(
                column.desc() if sort.startswith("-") else column.asc(), HumanTask.id
            )
        return query

    def candidates(self, task_id: UUID) -> Sequence[TaskCandidate]:
        """Return who a task is offered to."""
        return self.session.scalars(
            select(TaskCandidate).where(TaskCandidate.task_id == task_id)
        ).all()


Range = tuple[str, str, str]  # kind, value, municipality_id: an equality prefix of the index


def _group_ranges(username: str, roles: Sequence[str], municipality_id: str | None) -> list[Range]:
    """The index ranges of a user's group inbox: by name, and per role here and network-wide."""
    ranges: list[Range] = [("user", username, EVERY_MUNICIPALITY)]
    for role in sorted(set(roles)):
        ranges.append(("role", role, EVERY_MUNICIPALITY))
        if municipality_id is not None and municipality_id != EVERY_MUNICIPALITY:
            ranges.append(("role", role, municipality_id))
    return ranges


def _in_range(kind: Any, value: Any, municipality_id: Any) -> ColumnElement[bool]:
    return and_(
        TaskCandidate.kind == kind,
        TaskCandidate.value == value,
        TaskCandidate.municipality_id == municipality_id,
    )


# The statements of a task completion, built once: building a statement and its cache key
# costs more than running it on SQLite (docs/architecture.md, "Where the time ... goes").
@cache
def _named_task() -> Select[tuple[HumanTask, str, str]]:
    return with_names(select(HumanTask, Municipality.name, User.full_name))


def with_names(query: Select[Any]) -> Select[Any]:
    """One task (`task_id`) with its municipality's and its assignee's names, if any."""
    return (
        query.outerjoin(Municipality, Municipality.id == HumanTask.municipality_id)
        .outerjoin(User, User.username == HumanTask.assignee)
        .where(HumanTask.id == bindparam("task_id"))
    )


@cache
def _drop_candidates() -> Any:
    return delete(TaskCandidate).where(
        TaskCandidate.task_id.in_(bindparam("task_ids", expanding=True))
    )


@cache
def _group_statements(
    ranges: int, newest_first: bool
) -> tuple[Select[tuple[HumanTask]], Select[tuple[int]]]:
    """Build the group page and count statements over `ranges` index ranges.

    The count is a sum of scalar subqueries, not a UNION ALL: PostgreSQL would run that as a
    parallel append, whose worker start-up costs more than the counting. A task is in one
    range per user (one role row, or one row per named user), so the sum counts it once.
    """
    conditions = [
        _in_range(bindparam(f"kind_{n}"), bindparam(f"value_{n}"), bindparam(f"municipality_{n}"))
        for n in range(ranges)
    ]

    def ordered(*columns: Any) -> list[Any]:
        return [column.desc() if newest_first else column for column in columns]

    heads = [
        select(TaskCandidate.created_at, TaskCandidate.task_id)
        .where(condition)
        .order_by(*ordered(TaskCandidate.created_at, TaskCandidate.task_id))
        .limit(bindparam("window"))
        .subquery()
        for condition in conditions
    ]
    merged = union(*(select(head.c.created_at, head.c.task_id) for head in heads)).subquery()
    page = (
        select(merged.c.created_at, merged.c.task_id)
        .order_by(*ordered(merged.c.created_at, merged.c.task_id))
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery()
    )
    tasks = (
        select(HumanTask)
        .join(page, HumanTask.id == page.c.task_id)
        .order_by(*ordered(page.c.created_at, page.c.task_id))
    )
    counts = [select(func.count()).where(condition).scalar_subquery() for condition in conditions]
    return tasks, select(sum(counts[1:], counts[0]))
