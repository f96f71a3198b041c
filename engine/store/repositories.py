"""One small repository per aggregate; queries live here, never in views or services."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    union,
    update,
)
from sqlalchemy.orm import Session, defer

from engine.store.errors import NotFound
from engine.store.models import (
    EVERY_MUNICIPALITY,
    Attachment,
    Deployment,
    DeploymentFile,
    HistoryEvent,
    HumanTask,
    Invoice,
    MessageSubscription,
    Municipality,
    Outbox,
    ProcessDefinition,
    ProcessInstance,
    TaskCandidate,
    Timer,
    Unit,
    User,
)

# Timer kinds the engine projects; task reminders (reminder, overdue, escalation) are ours.
BPMN_TIMER_KINDS = ("date", "duration", "cycle")
_LIVE = ("waiting", "claimed")
_LIVE_TIMERS = "saksflyt_live_timers"  # Session.info key of timers preloaded under a lock


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, obj: Any) -> None:
        """Add a new row to the unit of work."""
        self.session.add(obj)

    def insert_now(self, objects: Sequence[Any]) -> None:
        """INSERT new rows of one table at once, in one statement, outside the ORM's flush.

        For the rows every engine step appends (history, tasks, their candidates): a plain
        INSERT costs a fraction of the flush's bookkeeping. The objects stay transient (not
        in the session); queries later in the transaction see the rows, which exist from now.
        Columns left unset take their defaults.
        """
        if objects:
            table = type(objects[0]).__table__
            columns = _column_keys(table)
            rows = [{k: v for k, v in vars(o).items() if k in columns} for o in objects]
            self.session.connection().execute(_insert(table), rows)


class Users(Repository):
    def get(self, username: str) -> User:
        """Return the user or raise NotFound."""
        user = self.find(username)
        if user is None:
            raise NotFound("user", username)
        return user

    def find(self, username: str) -> User | None:
        """Return the user or None (asked once per unit of work: a batch of timers shares it)."""
        known: dict[str, User] = self.session.info.setdefault("saksflyt_users", {})
        if username not in known:
            found = self.session.scalar(_user_by_name(), {"username": username})
            if found is None:
                return None
            known[username] = found
        return known[username]

    def find_for_update(self, username: str) -> User | None:
        """Return the user, its row locked until the unit of work ends (sign-in counters)."""
        return self.session.scalar(select(User).where(User.username == username).with_for_update())

    def list(self) -> Sequence[User]:
        """Return every user by username."""
        return self.session.scalars(select(User).order_by(User.username)).all()

    def municipality(self, municipality_id: str) -> Municipality | None:
        """Return a municipality by id."""
        return self.session.get(Municipality, municipality_id)

    def municipalities(self) -> Sequence[Municipality]:
        """Return every municipality."""
        return self.session.scalars(select(Municipality).order_by(Municipality.id)).all()

    def by_usernames(self, usernames: set[str]) -> Sequence[User]:
        """Return the users with these usernames."""
        if not usernames:
            return []
        return self.session.scalars(select(User).where(User.username.in_(usernames))).all()

    def with_role(self, role: str, municipality_id: str | None) -> Sequence[User]:
        """Return the active users holding a role, in one municipality if given."""
        return [
            u
            for u in self.list()
            if role in (u.roles or [])
            and u.is_active
            and (municipality_id is None or u.municipality_id == municipality_id)
        ]

    def unit(self, unit_id: str) -> Unit | None:
        """Return a unit by id."""
        return self.session.get(Unit, unit_id)


class Definitions(Repository):
    def find_deployment(self, content_hash: str) -> Deployment | None:
        """Return the deployment with this content hash, if any."""
        return self.session.scalar(
            select(Deployment).where(Deployment.content_hash == content_hash)
        )

    def files(self, deployment_id: UUID) -> Sequence[DeploymentFile]:
        """Return the files of one deployment."""
        query = select(DeploymentFile).where(DeploymentFile.deployment_id == deployment_id)
        return self.session.scalars(query.order_by(DeploymentFile.name)).all()

    def latest_files(self) -> dict[str, DeploymentFile]:
        """Return the newest deployed version of every file name."""
        rows = self.session.scalars(
            select(DeploymentFile)
            .join(Deployment, Deployment.id == DeploymentFile.deployment_id)
            .order_by(Deployment.deployed_at, DeploymentFile.id)
        ).all()
        return {row.name: row for row in rows}

    def latest(self, key: str) -> ProcessDefinition:
        """Return the newest version of a process or raise NotFound."""
        query = select(ProcessDefinition).where(ProcessDefinition.key == key)
        found = self.session.scalar(query.order_by(ProcessDefinition.version.desc()).limit(1))
        if found is None:
            raise NotFound("process definition", key)
        return found

    def version(self, key: str, version: int) -> ProcessDefinition:
        """Return one version of a process or raise NotFound."""
        found = self.session.scalar(
            select(ProcessDefinition).where(
                ProcessDefinition.key == key, ProcessDefinition.version == version
            )
        )
        if found is None:
            raise NotFound("process definition", f"{key} v{version}")
        return found

    def get(self, definition_id: UUID) -> ProcessDefinition:
        """Return a definition by id."""
        found = self.session.get(ProcessDefinition, definition_id)
        if found is None:
            raise NotFound("process definition", definition_id)
        return found

    def next_version(self, key: str) -> int:
        """Return the version number the next deploy of `key` gets."""
        current = self.session.scalar(
            select(func.max(ProcessDefinition.version)).where(ProcessDefinition.key == key)
        )
        return (current or 0) + 1

    def list(self, *, all_versions: bool = False) -> Sequence[ProcessDefinition]:
        """Return the latest version per key, or every version."""
        query = select(ProcessDefinition)
        if not all_versions:
            newest = (
                select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("v"))
                .group_by(ProcessDefinition.key)
                .subquery()
            )
            query = query.join(
                newest,
                and_(
                    ProcessDefinition.key == newest.c.key, ProcessDefinition.version == newest.c.v
                ),
            )
        return self.session.scalars(
            query.order_by(ProcessDefinition.key, ProcessDefinition.version)
        ).all()


_ENDED = ("completed", "cancelled")


class LockedTask(NamedTuple):
    """A human task and its instance, both locked, with the names a task view shows."""

    instance: ProcessInstance
    task: HumanTask
    municipality_name: str | None
    assignee_name: str | None


class Instances(Repository):
    def get(self, instance_id: UUID, *, lock: bool = False) -> ProcessInstance:
        """Return an instance; with lock, hold its row until commit (PostgreSQL FOR UPDATE)."""
        query = select(ProcessInstance).where(ProcessInstance.id == instance_id)
        if lock:
            query = query.with_for_update()
        found = self.session.scalar(query)
        if found is None:
            raise NotFound("process instance", instance_id)
        return found

    def lock_with_task(self, task_id: UUID) -> LockedTask:
        """Return and lock a human task's instance, with the task and its names, in one statement.

        Both rows are locked (PostgreSQL FOR UPDATE OF both), so a reader that waited for
        the lock gets the task as the previous holder left it, not as it was before the wait.
        NotFound if there is no such task.
        """
        found = self.session.execute(_instance_with_task(), {"task_id": task_id}).one_or_none()
        if found is None:
            raise NotFound("task", task_id)
        return LockedTask(*found)

    def open_with_business_key(self, key: str, business_key: str) -> bool:
        """Tell whether an open instance of the process has this business key.

        The process's definition rows are locked first (PostgreSQL FOR UPDATE), so two starts
        with one business key run one after the other and the second sees the first.
        """
        self.session.execute(
            select(ProcessDefinition.id).where(ProcessDefinition.key == key).with_for_update()
        ).all()
        query = select(ProcessInstance.id).where(
            ProcessInstance.key == key,
            ProcessInstance.business_key == business_key,
            ProcessInstance.state.not_in(_ENDED),
        )
        return self.session.scalar(query.limit(1)) is not None

    def lock_by_timers(self, timer_ids: Sequence[UUID]) -> Sequence[ProcessInstance]:
        """Return and lock the instances these timer rows belong to, in id order (no deadlocks)."""
        owners = select(Timer.instance_id).where(Timer.id.in_(timer_ids))
        query = select(ProcessInstance).where(ProcessInstance.id.in_(owners))
        return self.session.scalars(query.order_by(ProcessInstance.id).with_for_update()).all()

    def list(
        self,
        *,
        key: str | None = None,
        state: str | None = None,
        business_key: str | None = None,
        started_by: str | None = None,
        scope: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[Sequence[ProcessInstance], int]:
        """Return a page of instances, newest first, and the total count.

        `scope` keeps the instances that involve one municipality (`in_municipality`).
        """
        conditions = [
            column == value
            for column, value in (
                (ProcessInstance.key, key),
                (ProcessInstance.state, state),
                (ProcessInstance.business_key, business_key),
                (ProcessInstance.started_by, started_by),
            )
            if value is not None
        ]
        if scope is not None:
            conditions.append(in_municipality(scope))
        query = select(ProcessInstance).where(*conditions)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        page = query.order_by(ProcessInstance.created_at.desc()).limit(limit).offset(offset)
        return self.session.scalars(page).all(), total

    def count_running(self, definition_id: UUID) -> int:
        """Return how many instances of a definition are still running."""
        return (
            self.session.scalar(
                select(func.count()).where(
                    ProcessInstance.definition_id == definition_id,
                    ProcessInstance.state == "running",
                )
            )
            or 0
        )


class Tasks(Repository):
    def add(self, obj: Any) -> None:
        """Insert a new task now (a plain INSERT, see `insert_now`), before its candidates."""
        self.insert_now([obj])

    def get(self, task_id: UUID, *, lock: bool = False) -> HumanTask:
        """Return a human task or raise NotFound."""
        query = select(HumanTask).where(HumanTask.id == task_id)
        if lock:
            query = query.with_for_update()
        found = self.session.scalar(query)
        if found is None:
            raise NotFound("task", task_id)
        return found

    def get_named(self, task_id: UUID) -> tuple[HumanTask, str | None, str | None]:
        """Return a task with its municipality's and its assignee's names, in one statement."""
        found = self.session.execute(_named_task(), {"task_id": task_id}).one_or_none()
        if found is None:
            raise NotFound("task", task_id)
        return found[0], found[1], found[2]

    def open_for_instance(self, instance_id: UUID) -> Sequence[HumanTask]:
        """Return the open tasks of one instance."""
        return self.session.scalars(
            select(HumanTask)
            .where(HumanTask.instance_id == instance_id, HumanTask.state == "open")
            .order_by(HumanTask.created_at)
        ).all()

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

    def close(self, task_ids: Sequence[UUID], state: str, at: datetime) -> None:
        """Mark open tasks as completed or cancelled."""
        if task_ids:
            self.drop_candidates(task_ids)
            self.session.execute(
                update(HumanTask)
                .where(HumanTask.id.in_(task_ids), HumanTask.state == "open")
                .values(state=state, completed_at=at),
                execution_options={"synchronize_session": False},
            )

    def page(
        self, query: Select[tuple[HumanTask]], limit: int, offset: int
    ) -> tuple[Sequence[HumanTask], int]:
        """Run a task query, returning one page and the total."""
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(query.limit(limit).offset(offset)).all()
        return rows, total

    @staticmethod
    def mine(username: str) -> Select[tuple[HumanTask]]:
        """Open tasks assigned to the user."""
        return (
            select(HumanTask)
            .where(HumanTask.assignee == username, HumanTask.state == "open")
            .order_by(HumanTask.created_at)
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
            .where(HumanTask.completed_by == username, HumanTask.state == "completed")
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


def in_municipality(municipality_id: str) -> ColumnElement[bool]:
    """Started by one of its people, had a task offered there, or one of its people acted.

    So an assignment involves both the receiving and the lending municipality.
    """
    people = select(User.username).where(User.municipality_id == municipality_id)
    tasks = exists().where(
        HumanTask.instance_id == ProcessInstance.id, HumanTask.municipality_id == municipality_id
    )
    acted = exists().where(
        HistoryEvent.instance_id == ProcessInstance.id, HistoryEvent.actor.in_(people)
    )
    return or_(ProcessInstance.started_by.in_(people), tasks, acted)


@cache
def _column_keys(table: Any) -> frozenset[str]:
    return frozenset(table.columns.keys())


@cache
def _insert(table: Any) -> Any:
    return insert(table)


# The statements of a task completion, built once: building a statement and its cache key
# costs more than running it on SQLite (docs/architecture.md, "Where the time ... goes").
@cache
def _user_by_name() -> Select[tuple[User]]:
    return select(User).where(User.username == bindparam("username"))


@cache
def _instance_with_task() -> Select[tuple[ProcessInstance, HumanTask, str, str]]:
    query = select(ProcessInstance, HumanTask, Municipality.name, User.full_name).join(
        HumanTask, HumanTask.instance_id == ProcessInstance.id
    )
    return _with_names(query).with_for_update(of=(ProcessInstance, HumanTask))


@cache
def _named_task() -> Select[tuple[HumanTask, str, str]]:
    return _with_names(select(HumanTask, Municipality.name, User.full_name))


def _with_names(query: Select[Any]) -> Select[Any]:
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


class Waits(Repository):
    """Timers and message subscriptions: what instances wait for, indexed."""

    def timers_of(self, instance_id: UUID) -> Sequence[Timer]:
        """Return the waiting BPMN timers of an instance (not task reminders)."""
        return self.session.scalars(
            select(Timer).where(
                Timer.instance_id == instance_id,
                Timer.state == "waiting",
                Timer.kind.in_(BPMN_TIMER_KINDS),
            )
        ).all()

    def preload_live_timers(self, instance_ids: Sequence[UUID]) -> dict[UUID, list[Timer]]:
        """Load the live timers of many instances at once; live_timers() then reads these."""
        rows = self.session.scalars(
            select(Timer).where(Timer.instance_id.in_(instance_ids), Timer.state.in_(_LIVE))
        ).all()
        loaded: dict[UUID, list[Timer]] = {i: [] for i in instance_ids}
        for row in rows:
            loaded[row.instance_id].append(row)
        self.session.info.setdefault(_LIVE_TIMERS, {}).update(loaded)
        return loaded

    def add(self, obj: Any) -> None:
        """Add a row; a timer of a preloaded instance joins its preloaded list."""
        self.session.add(obj)
        preloaded = self.session.info.get(_LIVE_TIMERS, {})
        if isinstance(obj, Timer) and obj.instance_id in preloaded:
            preloaded[obj.instance_id].append(obj)

    def live_timers(self, instance_id: UUID, kinds: Sequence[str]) -> Sequence[Timer]:
        """Return an instance's timers of these kinds that have not fired or ended yet."""
        preloaded = self.session.info.get(_LIVE_TIMERS, {}).get(instance_id)
        if preloaded is not None:  # loaded under the instance lock, kept current in memory
            return [t for t in preloaded if t.state in _LIVE and t.kind in kinds]
        return self.session.scalars(
            select(Timer).where(
                Timer.instance_id == instance_id,
                Timer.state.in_(("waiting", "claimed")),
                Timer.kind.in_(kinds),
            )
        ).all()

    def timer(self, timer_id: UUID) -> Timer:
        """Return a timer row or raise NotFound."""
        found = self.session.get(Timer, timer_id, populate_existing=True)
        if found is None:
            raise NotFound("timer", timer_id)
        return found

    def due_timers(self, now: datetime, limit: int = 100) -> Sequence[Timer]:
        """Return waiting timers due at `now`, oldest first."""
        return self.session.scalars(
            select(Timer)
            .where(Timer.state == "waiting", Timer.due_at <= now)
            .order_by(Timer.due_at)
            .limit(limit)
        ).all()

    def claim_timers(
        self, now: datetime, worker: str, until: datetime, limit: int
    ) -> Sequence[UUID]:
        """Claim due timers and expired claims for `worker`; return the ids it now holds.

        PostgreSQL skips rows another transaction is claiming (FOR UPDATE SKIP LOCKED); on
        SQLite the write transaction is exclusive. The UPDATE repeats the condition, so it is
        also a compare-and-set.
        """
        claimable = or_(
            and_(Timer.state == "waiting", Timer.due_at <= now),
            and_(Timer.state == "claimed", Timer.claimed_until < now),
        )
        pick = select(Timer.id).where(claimable).order_by(Timer.due_at).limit(limit)
        ids = list(self.session.scalars(pick.with_for_update(skip_locked=True)))
        if not ids:
            return []
        claimed = self.session.scalars(
            update(Timer)
            .where(Timer.id.in_(ids), claimable)
            .values(
                state="claimed",
                claimed_by=worker,
                claimed_until=until,
                attempts=Timer.attempts + 1,
            )
            .returning(Timer.id),
            execution_options={"synchronize_session": False},
        )
        return list(claimed)

    def next_due(self) -> datetime | None:
        """Return when the next waiting timer falls due or the next claim expires."""
        due = self.session.scalar(select(func.min(Timer.due_at)).where(Timer.state == "waiting"))
        expiry = self.session.scalar(
            select(func.min(Timer.claimed_until)).where(Timer.state == "claimed")
        )
        return min((t for t in (due, expiry) if t is not None), default=None)

    def cancel_task_timers(self, kinds: Sequence[str], task_ids: Sequence[str]) -> None:
        """Cancel the pending timers of these kinds that belong to these human tasks."""
        self.session.execute(
            update(Timer)
            .where(
                Timer.task_id.in_(task_ids),
                Timer.kind.in_(kinds),
                Timer.state.in_(("waiting", "claimed")),
            )
            .values(state="cancelled", claimed_by=None, claimed_until=None),
            execution_options={"synchronize_session": "fetch"},
        )

    def timers_page(
        self, state: str | None, limit: int, offset: int
    ) -> tuple[Sequence[Timer], int]:
        """Return timers (admins), soonest due first, and the total."""
        query = select(Timer)
        if state:
            query = query.where(Timer.state == state)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(
            query.order_by(Timer.due_at.desc() if state == "fired" else Timer.due_at)
            .limit(limit)
            .offset(offset)
        ).all()
        return rows, total

    def timer_counts(self) -> dict[str, int]:
        """Return how many timers are in each state."""
        rows = self.session.execute(select(Timer.state, func.count()).group_by(Timer.state))
        return {state: count for state, count in rows}

    def subscriptions(self, message_name: str) -> Sequence[MessageSubscription]:
        """Return the instances waiting for a message name."""
        return self.session.scalars(
            select(MessageSubscription)
            .where(MessageSubscription.message_name == message_name)
            .order_by(MessageSubscription.id)
        ).all()

    def clear_instance(self, instance_id: UUID) -> None:
        """Remove an instance's message subscriptions (they are rewritten after every step)."""
        self.session.execute(
            delete(MessageSubscription).where(MessageSubscription.instance_id == instance_id)
        )


class OutboxQueue(Repository):
    """E-mails waiting to be sent, being sent, sent or given up."""

    def get(self, mail_id: UUID) -> Outbox:
        """Return an outbox row or raise NotFound."""
        found = self.session.get(Outbox, mail_id, populate_existing=True)
        if found is None:
            raise NotFound("mail", mail_id)
        return found

    def claim(self, now: datetime, worker: str, until: datetime, limit: int) -> Sequence[Outbox]:
        """Claim pending mails whose attempt is due; return the rows `worker` now holds."""
        ready = and_(Outbox.state == "pending", Outbox.next_attempt_at <= now)
        pick = select(Outbox.id).where(ready).order_by(Outbox.next_attempt_at).limit(limit)
        ids = list(self.session.scalars(pick.with_for_update(skip_locked=True)))
        if not ids:
            return []
        return self.session.scalars(
            update(Outbox)
            .where(Outbox.id.in_(ids), ready)
            .values(state="sending", claimed_by=worker, claimed_until=until)
            .returning(Outbox),
            execution_options={"synchronize_session": False},
        ).all()

    def give_up_interrupted(self, now: datetime, error: str) -> int:
        """Fail mails whose sender vanished mid-send: resending could deliver them twice."""
        result = self.session.execute(
            update(Outbox)
            .where(Outbox.state == "sending", Outbox.claimed_until < now)
            .values(state="failed", last_error=error),
            execution_options={"synchronize_session": False},
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def finish(self, mail_id: UUID, worker: str, **values: Any) -> bool:
        """Record the outcome of `worker`'s send; False if the row was never its own."""
        result = self.session.execute(
            update(Outbox)
            .where(Outbox.id == mail_id, Outbox.claimed_by == worker)
            .values(claimed_until=None, **values),
            execution_options={"synchronize_session": False},
        )
        return bool(getattr(result, "rowcount", 0))

    def mark_sent(self, mail_ids: Sequence[UUID], worker: str, at: datetime) -> None:
        """Record that `worker` sent these mails."""
        if mail_ids:
            self.session.execute(
                update(Outbox)
                .where(Outbox.id.in_(mail_ids), Outbox.claimed_by == worker)
                .values(state="sent", sent_at=at, attempts=Outbox.attempts + 1, claimed_until=None),
                execution_options={"synchronize_session": False},
            )

    def next_attempt(self) -> datetime | None:
        """Return when the next pending mail may be sent or the next send claim expires."""
        due = self.session.scalar(
            select(func.min(Outbox.next_attempt_at)).where(Outbox.state == "pending")
        )
        expiry = self.session.scalar(
            select(func.min(Outbox.claimed_until)).where(Outbox.state == "sending")
        )
        return min((t for t in (due, expiry) if t is not None), default=None)

    def page(self, state: str | None, limit: int, offset: int) -> tuple[Sequence[Outbox], int]:
        """Return outbox rows, newest first, and the total."""
        query = select(Outbox)
        if state:
            query = query.where(Outbox.state == state)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(
            query.order_by(Outbox.created_at.desc(), Outbox.id).limit(limit).offset(offset)
        ).all()
        return rows, total


class History(Repository):
    def add(self, obj: Any) -> None:
        """Append an event (a plain INSERT, see `insert_now`)."""
        self.insert_now([obj])

    def head(self, stream: str) -> HistoryEvent | None:
        """Return the last event of a stream."""
        return self.session.scalar(
            select(HistoryEvent)
            .where(HistoryEvent.stream == stream)
            .order_by(HistoryEvent.seq.desc())
            .limit(1)
        )

    def of_instance(self, instance_id: UUID) -> Sequence[HistoryEvent]:
        """Return an instance's events in order."""
        return self.session.scalars(
            select(HistoryEvent)
            .where(HistoryEvent.stream == str(instance_id))
            .order_by(HistoryEvent.seq)
        ).all()

    def stream(self, stream: str) -> Sequence[HistoryEvent]:
        """Return any stream's events in order."""
        return self.session.scalars(
            select(HistoryEvent).where(HistoryEvent.stream == stream).order_by(HistoryEvent.seq)
        ).all()

    def last_of_type(self, stream: str, type: str) -> HistoryEvent | None:
        """Return the newest event of one type in a stream."""
        return self.session.scalar(
            select(HistoryEvent)
            .where(HistoryEvent.stream == stream, HistoryEvent.type == type)
            .order_by(HistoryEvent.seq.desc())
            .limit(1)
        )


class Invoices(Repository):
    """KV 5 invoices, and the assignment instances they are projected from."""

    def get(self, invoice_id: UUID) -> Invoice:
        """Return an invoice or raise NotFound."""
        found = self.session.get(Invoice, invoice_id)
        if found is None:
            raise NotFound("invoice", invoice_id)
        return found

    def for_instance(self, instance_id: UUID) -> Invoice | None:
        """Return the invoice of an instance, if it has one."""
        return self.session.scalar(select(Invoice).where(Invoice.instance_id == instance_id))

    def numbers_like(self, seller_municipality_id: str, prefix: str) -> set[str]:
        """Return the seller's invoice numbers that start with `prefix`."""
        return set(
            self.session.scalars(
                select(Invoice.number).where(
                    Invoice.seller_municipality_id == seller_municipality_id,
                    Invoice.number.startswith(prefix, autoescape=True),
                )
            )
        )

    def page(
        self,
        *,
        municipality_id: str | None,
        status: str | None,
        assignment_id: str | None,
        limit: int,
        offset: int,
    ) -> tuple[Sequence[Invoice], int]:
        """Return a page of invoices, newest first; `municipality_id` = seller or buyer."""
        query = select(Invoice)
        if municipality_id is not None:
            query = query.where(
                or_(
                    Invoice.seller_municipality_id == municipality_id,
                    Invoice.buyer_municipality_id == municipality_id,
                )
            )
        if status is not None:
            query = query.where(Invoice.status == status)
        if assignment_id is not None:
            query = query.where(Invoice.assignment_id == assignment_id)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        page = query.order_by(Invoice.issue_date.desc(), Invoice.created_at.desc(), Invoice.id)
        return self.session.scalars(page.limit(limit).offset(offset)).all(), total

    def unprojected(self, key: str) -> Sequence[ProcessInstance]:
        """Return instances whose data has `invoice` but no invoice row, or only a draft."""
        has_invoice = or_(
            ProcessInstance.data["invoice"].as_string().is_not(None),
            ProcessInstance.data[("data_objects", "invoice_record")].as_string().is_not(None),
        )
        drafts = select(Invoice.instance_id).where(Invoice.status == "draft")
        query = (
            select(ProcessInstance)
            .options(defer(ProcessInstance.snapshot))
            .where(
                ProcessInstance.key == key,
                has_invoice,
                or_(
                    ~ProcessInstance.id.in_(select(Invoice.instance_id)),
                    ProcessInstance.id.in_(drafts),
                ),
            )
        )
        return self.session.scalars(query).all()


class Announcements(Repository):
    """Assignment instances read as announcements, and their interest registrations (KV 1-2)."""

    def instances_with_data(
        self,
        key: str,
        *,
        business_key: str | None = None,
        started_by: str | None = None,
        lock: bool = False,
    ) -> Sequence[ProcessInstance]:
        """Return the instances of a process with their data but not their snapshot."""
        query = select(ProcessInstance).options(defer(ProcessInstance.snapshot))
        query = query.where(ProcessInstance.key == key)
        if business_key is not None:
            query = query.where(ProcessInstance.business_key == business_key)
        if started_by is not None:
            query = query.where(ProcessInstance.started_by == started_by)
        if lock:
            query = query.with_for_update()
        return self.session.scalars(query.order_by(ProcessInstance.created_at)).all()

    def lock_numbering(self, key: str) -> None:
        """Serialise business-key numbering for a process on its definition rows."""
        self.session.execute(
            select(ProcessDefinition.id).where(ProcessDefinition.key == key).with_for_update()
        ).all()

    def business_keys_like(self, key: str, prefix: str) -> list[str]:
        """Return the business keys of a process's instances that start with `prefix`."""
        return [
            value
            for value in self.session.scalars(
                select(ProcessInstance.business_key).where(
                    ProcessInstance.key == key,
                    ProcessInstance.business_key.startswith(prefix, autoescape=True),
                )
            )
            if value is not None
        ]


class Attachments(Repository):
    """Uploaded files; their content is only loaded when asked for."""

    def get(self, attachment_id: UUID, *, with_content: bool = False) -> Attachment:
        """Return the attachment (content deferred unless asked for) or raise NotFound."""
        query = select(Attachment).where(Attachment.id == attachment_id)
        if not with_content:
            query = query.options(defer(Attachment.content))
        found = self.session.scalar(query)
        if found is None:
            raise NotFound("attachment", attachment_id)
        return found

    def many(self, ids: set[UUID]) -> Sequence[Attachment]:
        """Return the attachments with these ids, without content."""
        if not ids:
            return []
        query = select(Attachment).options(defer(Attachment.content))
        return self.session.scalars(query.where(Attachment.id.in_(ids))).all()

    def of_instance(self, instance_id: UUID) -> Sequence[Attachment]:
        """Return the attachments linked to an instance, oldest first, without content."""
        query = (
            select(Attachment)
            .options(defer(Attachment.content))
            .where(Attachment.instance_id == instance_id)
            .order_by(Attachment.created_at)
        )
        return self.session.scalars(query).all()
