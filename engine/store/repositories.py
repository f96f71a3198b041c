"""The repository base and the small repositories: users, definitions, history, attachments.

Every repository pages a query with its count through `Repository._page`, and turns a missing
row into NotFound with `require`. Tasks, instances, waits, the outbox queue and the assignment
routine's reads have modules of their own (`tasks.py`, `instances.py`, `waits.py`, `outbox.py`,
`assignments.py`); queries live in these modules, never in views or services.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import Select, and_, bindparam, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.orm import Session, defer

from engine.store.errors import NotFound
from engine.store.models import (
    Attachment,
    Deployment,
    DeploymentFile,
    HistoryEvent,
    Municipality,
    ProcessDefinition,
    ProcessInstance,
    SignInThrottle,
    Unit,
    User,
    UserSession,
)

T = TypeVar("T")


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

    def _page(
        self, query: Select[tuple[T]], limit: int, offset: int, *order_by: Any
    ) -> tuple[Sequence[T], int]:
        """Return one page of the query's rows (in `order_by` order if given) and the total."""
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        if order_by:
            query = query.order_by(*order_by)
        return self.session.scalars(query.limit(limit).offset(offset)).all(), total


def require(found: T | None, what: str, key: object) -> T:
    """Return what a lookup found, or raise NotFound(what, key) if it found nothing."""
    if found is None:
        raise NotFound(what, key)
    return found


class Users(Repository):
    def get(self, username: str) -> User:
        """Return the user or raise NotFound."""
        return require(self.find(username), "user", username)

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

    def session_row(self, session_id: str) -> UserSession | None:
        """Return a browser session by the hash of its secret."""
        return self.session.get(UserSession, session_id)

    def end_sessions(self, username: str) -> None:
        """Delete every browser session of the user (sign-out everywhere)."""
        self.session.execute(delete(UserSession).where(UserSession.username == username))

    def throttle_for_update(self, username: str, client: str) -> SignInThrottle:
        """Return the sign-in counter of an account and client, its row locked until the unit of
        work ends; created at zero if new (a racing creation by another process is waited for)."""
        key = {"username": username, "client": client}
        query = select(SignInThrottle).filter_by(**key).with_for_update()
        found = self.session.scalar(query)
        if found is None:
            new: Any
            if self.session.get_bind().dialect.name == "postgresql":
                new = postgresql_insert(SignInThrottle).on_conflict_do_nothing()
            else:  # SQLite: the writing transaction already holds the one write lock
                new = insert(SignInThrottle).prefix_with("OR IGNORE")
            self.session.execute(new.values(**key, attempts=0))
            found = self.session.scalar(query.execution_options(populate_existing=True))
        assert found is not None
        return found

    def clear_throttle(self, username: str, client: str) -> None:
        """Forget an account's attempts from a client (a successful sign-in)."""
        self.session.execute(delete(SignInThrottle).filter_by(username=username, client=client))

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

    def file(self, deployment_id: UUID, name: str) -> bytes:
        """Return the content of one file of a deployment or raise NotFound."""
        found = self.session.scalar(
            select(DeploymentFile.content).where(
                DeploymentFile.deployment_id == deployment_id, DeploymentFile.name == name
            )
        )
        return require(found, "file", name)

    def latest_files(self, *, as_of: UUID | None = None) -> dict[str, DeploymentFile]:
        """Return the newest deployed version of every file name.

        With `as_of` a deployment id: the newest as that deployment left them (its own files
        and those deployed before it), so a version keeps the forms it was deployed with.
        """
        rows = self.session.scalars(
            select(DeploymentFile)
            .join(Deployment, Deployment.id == DeploymentFile.deployment_id)
            .order_by(Deployment.deployed_at, DeploymentFile.id)
        ).all()
        if as_of is not None:
            own = [row.id for row in rows if row.deployment_id == as_of]
            last = max(own, default=None)
            if last is not None:
                position = next(i for i, row in enumerate(rows) if row.id == last)
                rows = rows[: position + 1]
        return {row.name: row for row in rows}

    def latest(self, key: str) -> ProcessDefinition:
        """Return the newest version of a process or raise NotFound."""
        query = select(ProcessDefinition).where(ProcessDefinition.key == key)
        found = self.session.scalar(query.order_by(ProcessDefinition.version.desc()).limit(1))
        return require(found, "process definition", key)

    def version(self, key: str, version: int) -> ProcessDefinition:
        """Return one version of a process or raise NotFound."""
        found = self.session.scalar(
            select(ProcessDefinition).where(
                ProcessDefinition.key == key, ProcessDefinition.version == version
            )
        )
        return require(found, "process definition", f"{key} v{version}")

    def get(self, definition_id: UUID) -> ProcessDefinition:
        """Return a definition by id."""
        found = self.session.get(ProcessDefinition, definition_id)
        return require(found, "process definition", definition_id)

    def next_version(self, key: str) -> int:
        """Return the version number the next deploy of `key` gets: never one a removed
        version had (its deploy stays in the system history)."""
        current = self.session.scalar(
            select(func.max(ProcessDefinition.version)).where(ProcessDefinition.key == key)
        )
        removed = self.session.scalar(
            select(func.max(HistoryEvent.definition_version)).where(
                HistoryEvent.stream == "system",
                HistoryEvent.type == "definition_removed",
                HistoryEvent.definition_key == key,
            )
        )
        return max(current or 0, removed or 0) + 1

    def has_run(self, definition: ProcessDefinition) -> bool:
        """Tell whether any instance ran on this version: one started on it or moved to it,
        or an instance history that names it (one migrated away keeps its past there)."""
        started = self.session.scalar(
            select(func.count())
            .select_from(ProcessInstance)
            .where(ProcessInstance.definition_id == definition.id)
        )
        named = self.session.scalar(
            select(func.count())
            .select_from(HistoryEvent)
            .where(
                HistoryEvent.instance_id.is_not(None),
                HistoryEvent.definition_key == definition.key,
                HistoryEvent.definition_version == definition.version,
            )
        )
        return bool(started or named)

    def remove(self, definition: ProcessDefinition) -> None:
        """Delete a version row (the caller has checked it never ran); its deployment's files
        stay, as the record of what was deployed."""
        self.session.delete(definition)

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


class Attachments(Repository):
    """Uploaded files; their content is only loaded when asked for."""

    def get(self, attachment_id: UUID, *, with_content: bool = False) -> Attachment:
        """Return the attachment (content deferred unless asked for) or raise NotFound."""
        query = select(Attachment).where(Attachment.id == attachment_id)
        if not with_content:
            query = query.options(defer(Attachment.content))
        return require(self.session.scalar(query), "attachment", attachment_id)

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
