"""The tables: organisation, definitions, instances and their projections, history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar
from uuid import UUID, uuid4

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from engine.store.states import (
    ExternalTaskState,
    InstanceState,
    OutboxState,
    TaskState,
    TimerState,
)
from engine.store.types import StateType, UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}


def utcnow() -> datetime:
    """Return the wall clock as aware UTC (for audit columns, not engine time)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


class Municipality(Base):
    __tablename__ = "municipality"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_number: Mapped[str | None] = mapped_column(String(9))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Unit(Base):
    __tablename__ = "unit"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    municipality_id: Mapped[str] = mapped_column(ForeignKey("municipality.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(default=list)
    municipality_id: Mapped[str | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("unit.id"), index=True)
    leader_username: Mapped[str | None] = mapped_column(String(80))
    # Auditors: the one municipality whose instances they may read (None: every one), and
    # whether exports and timelines show them personal data (docs/audit.md, Access).
    audit_municipality_id: Mapped[str | None] = mapped_column(String(40))
    audit_personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str] = mapped_column(String(5), default="nb")
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class SignInThrottle(Base):
    """Sign-in attempts of one account from one client address (organisation.authenticate).

    Counted per account AND client, so a stranger guessing from elsewhere slows only
    themselves and never locks the real user out; `attempts` counts every attempt since the
    last success (claimed before the password is read), `delay_until` refuses the next one
    unread until then (SAKSFLYT_LOGIN_DELAY_MAX_SECONDS).
    """

    __tablename__ = "sign_in_throttle"

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delay_until: Mapped[datetime | None] = mapped_column()


class UserSession(Base):
    """A signed-in browser: the cookie holds a secret, this row its hash (engine/services/sessions).

    Signing out, deactivating the user or changing their password deletes the rows, so the
    cookie stops working at once; `last_seen_at` ends a session left idle.
    """

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the secret
    username: Mapped[str] = mapped_column(String(80), index=True)
    created_at: Mapped[datetime] = mapped_column()
    last_seen_at: Mapped[datetime] = mapped_column()


class Deployment(Base):
    __tablename__ = "deployment"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    deployed_by: Mapped[str] = mapped_column(String(80))
    deployed_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeploymentFile(Base):
    __tablename__ = "deployment_file"
    __table_args__ = (UniqueConstraint("deployment_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deployment_id: Mapped[UUID] = mapped_column(ForeignKey("deployment.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class ProcessDefinition(Base):
    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(300))
    deployment_id: Mapped[UUID] = mapped_column(ForeignKey("deployment.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    is_executable: Mapped[bool] = mapped_column(Boolean)
    runnable: Mapped[bool] = mapped_column(Boolean)
    problems: Mapped[list[str]] = mapped_column(default=list)
    deployed_by: Mapped[str] = mapped_column(String(80))
    deployed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Retired: no new instance starts on it; running ones go on (Camunda's suspended
    # definition). Who, when and why; cleared when the retirement is undone.
    retired_at: Mapped[datetime | None] = mapped_column()
    retired_by: Mapped[str | None] = mapped_column(String(80))
    retired_reason: Mapped[str | None] = mapped_column(Text)


class ProcessInstance(Base):
    __tablename__ = "process_instance"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    definition_id: Mapped[UUID] = mapped_column(ForeignKey("process_definition.id"), index=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[InstanceState] = mapped_column(StateType(InstanceState), index=True)
    business_key: Mapped[str | None] = mapped_column(String(200), index=True)
    started_by: Mapped[str | None] = mapped_column(String(80), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()
    history_seq: Mapped[int] = mapped_column(Integer, default=0)
    history_head: Mapped[str] = mapped_column(String(64), default="")

    @property
    def process_data(self) -> dict[str, Any]:
        """Return the process data; empty (never None) before the first step stores any."""
        return self.data or {}


class HumanTask(Base):
    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_assignee_state", "assignee", "state"),
        Index("ix_human_task_state_created", "state", "created_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    instance_id: Mapped[UUID] = mapped_column(ForeignKey("process_instance.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(200))
    business_key: Mapped[str | None] = mapped_column(String(200))
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    # The name filled with case data (`taskTitle`: "Intervju: Kari Nordmann"), for the readers
    # `access.may_read_title` allows; the others read `name`.
    title: Mapped[str | None] = mapped_column(String(300))
    lane: Mapped[str | None] = mapped_column(String(200))
    candidate_roles: Mapped[list[str]] = mapped_column(default=list)
    candidate_users: Mapped[list[str]] = mapped_column(default=list)
    municipality_id: Mapped[str | None] = mapped_column(String(40))
    assignee: Mapped[str | None] = mapped_column(String(80))
    state: Mapped[TaskState] = mapped_column(StateType(TaskState))
    form_schema: Mapped[str | None] = mapped_column(String(200))
    form_uischema: Mapped[str | None] = mapped_column(String(200))
    instructions: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    completed_at: Mapped[datetime | None] = mapped_column()
    completed_by: Mapped[str | None] = mapped_column(String(80))
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ExternalTask(Base):
    """A service task a worker does (`camunda:type="external"`), locked by one worker at a time.

    Lockable: state open and `locked_until` empty or past. A worker's lock and a failure's
    retry timeout both live in `locked_until`, so one index finds what a topic can lock.
    """

    __tablename__ = "external_task"
    __table_args__ = (Index("ix_external_task_lockable", "topic", "state", "locked_until"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    instance_id: Mapped[UUID] = mapped_column(ForeignKey("process_instance.id"), index=True)
    definition_id: Mapped[UUID] = mapped_column(ForeignKey("process_definition.id"))
    process_key: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    business_key: Mapped[str | None] = mapped_column(String(200))
    element_id: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(200))
    state: Mapped[ExternalTaskState] = mapped_column(StateType(ExternalTaskState))
    worker_id: Mapped[str | None] = mapped_column(String(255))
    locked_until: Mapped[datetime | None] = mapped_column()
    retries: Mapped[int | None] = mapped_column(Integer)
    error_message: Mapped[str | None] = mapped_column(Text)
    error_details: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    # the task's own data when it became ready (input mappings included), over instance data
    variables: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()


class TaskCandidate(Base):
    """Who may see an open, unclaimed task in their group inbox.

    Rows leave when the task is claimed, delegated or closed, and come back on unclaim, so the
    inbox index holds only claimable tasks, each range in creation order. `municipality_id`
    is EVERY_MUNICIPALITY rather than NULL for rows that hold anywhere: PostgreSQL reads an
    index in order only below equalities, and `IS NULL` is not one.
    """

    __tablename__ = "task_candidate"
    __table_args__ = (
        Index(
            "ix_task_candidate_inbox", "kind", "value", "municipality_id", "created_at", "task_id"
        ),
    )

    task_id: Mapped[UUID] = mapped_column(ForeignKey("human_task.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[str] = mapped_column(String(80), primary_key=True)
    municipality_id: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


EVERY_MUNICIPALITY = "*"  # task_candidate.municipality_id of a user row or network-wide role


class Timer(Base):
    __tablename__ = "timer"
    __table_args__ = (Index("ix_timer_state_due", "state", "due_at"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    instance_id: Mapped[UUID] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    element_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime | None] = mapped_column()
    state: Mapped[TimerState] = mapped_column(StateType(TimerState))
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    fired_at: Mapped[datetime | None] = mapped_column()


class Outbox(Base):
    """One e-mail to one recipient, written with the step that caused it; sent at most once."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_next_attempt", "state", "next_attempt_at"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    instance_id: Mapped[UUID | None] = mapped_column(index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(80))
    recipient: Mapped[str | None] = mapped_column(String(80))
    to_address: Mapped[str] = mapped_column(String(200))
    to_name: Mapped[str | None] = mapped_column(String(200))
    is_copy: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[OutboxState] = mapped_column(StateType(OutboxState))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column()
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class MessageSubscription(Base):
    __tablename__ = "message_subscription"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    instance_id: Mapped[UUID] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(200))
    message_name: Mapped[str] = mapped_column(String(200), index=True)
    correlation: Mapped[dict[str, Any]] = mapped_column(default=dict)


class HistoryEvent(Base):
    """One appended fact; `hash` chains it to the previous event of the same stream."""

    __tablename__ = "history_event"
    __table_args__ = (UniqueConstraint("stream", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    stream: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(Integer)
    instance_id: Mapped[UUID | None] = mapped_column(index=True)
    type: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column()
    element_id: Mapped[str | None] = mapped_column(String(200))
    element_name: Mapped[str | None] = mapped_column(String(300))
    task_id: Mapped[str | None] = mapped_column(String(36))
    definition_key: Mapped[str | None] = mapped_column(String(200))
    definition_version: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    delta: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Set when the event's data and delta were anonymised: the digest the hash covered.
    content_digest: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditAnchor(Base):
    """A periodic digest over the head of every history stream, chained to the previous one.

    `heads` holds only the streams whose head moved since the previous anchor ({stream:
    [seq, hash]}); `root` is the Merkle root over every stream's head at `at`.
    """

    __tablename__ = "audit_anchor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column()
    heads: Mapped[dict[str, Any]] = mapped_column(default=dict)
    stream_count: Mapped[int] = mapped_column(Integer)
    event_count: Mapped[int] = mapped_column(Integer)
    root: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Invoice(Base):
    """An assignment's KV 5 invoice, projected from its instance data `invoice` (one each).

    Parties are snapshots of the municipality rows, refreshed while the invoice is a draft and
    frozen once `invoice_dispatch` says it was sent. No foreign keys to municipalities: a
    projection must never fail the engine step that produced it.
    """

    __tablename__ = "invoice"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    instance_id: Mapped[UUID] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    assignment_id: Mapped[str] = mapped_column(String(200), index=True)
    number: Mapped[str] = mapped_column(String(220), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    seller_municipality_id: Mapped[str] = mapped_column(String(40), index=True)
    buyer_municipality_id: Mapped[str] = mapped_column(String(40), index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    issue_date: Mapped[date]
    due_date: Mapped[date | None]
    currency: Mapped[str] = mapped_column(String(3), default="NOK")
    total_ore: Mapped[int] = mapped_column(BigInteger)
    calculation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    seller: Mapped[dict[str, Any]] = mapped_column(default=dict)
    buyer: Mapped[dict[str, Any]] = mapped_column(default=dict)
    dispatch: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(Base):
    """An uploaded file (a CV, a scanned letter, an image), kept whole in the database.

    `uploaded_by` is a username or "applicant:<email>" for the public application page;
    `instance_id` links it to the instance it belongs to (no foreign key: the file outlives
    nothing, and retention handles instances on its own).
    """

    __tablename__ = "attachment"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(300), index=True)
    instance_id: Mapped[UUID | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
