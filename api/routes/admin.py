"""Operations for admins: timers, incidents and retries, the outbox, the demo clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from marshmallow import Schema, fields, validate

from api.auth import require_roles
from api.blueprint import Blueprint
from api.schemas import PageArgs, PageSchema, Strict
from api.wiring import services
from engine.services import access, demo_clock, external_tasks, outbox, timers
from engine.services.audit import chain as audit
from engine.store.states import OutboxState, TimerState

bp = Blueprint(
    "admin", __name__, url_prefix="/api/v1", description="Timers, incidents, outbox, demo clock"
)
TIMER_STATES = [s.value for s in TimerState]
MAIL_STATES = [s.value for s in OutboxState]


class TimerSchema(Schema):
    id = fields.UUID()
    instance_id = fields.UUID()
    task_id = fields.String()
    element_id = fields.String()
    kind = fields.String()
    state = fields.String()
    due_at = fields.DateTime(allow_none=True)
    claimed_by = fields.String(allow_none=True)
    claimed_until = fields.DateTime(allow_none=True)
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    fired_at = fields.DateTime(allow_none=True)


class MailSchema(Schema):
    id = fields.UUID()
    instance_id = fields.UUID(allow_none=True)
    task_id = fields.String(allow_none=True)
    kind = fields.String()
    recipient = fields.String(allow_none=True)
    to_address = fields.String()
    is_copy = fields.Boolean()
    locale = fields.String()
    subject = fields.String()
    body = fields.String()
    state = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime()
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)


class TimerListArgs(PageArgs):
    state = fields.String(validate=validate.OneOf(TIMER_STATES))


class MailListArgs(PageArgs):
    state = fields.String(validate=validate.OneOf(MAIL_STATES))


class TimerPageSchema(PageSchema):
    items = fields.List(fields.Nested(TimerSchema))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class MailPageSchema(PageSchema):
    items = fields.List(fields.Nested(MailSchema))


class ExternalTaskSchema(Schema):
    id = fields.UUID()
    instance_id = fields.UUID()
    process_key = fields.String()
    business_key = fields.String(allow_none=True)
    element_id = fields.String()
    topic = fields.String()
    state = fields.String()
    retries = fields.Integer(allow_none=True)
    error_message = fields.String(allow_none=True)
    error_details = fields.String(allow_none=True)
    created_at = fields.DateTime()


class IncidentsSchema(Schema):
    timers = fields.List(fields.Nested(TimerSchema))
    mails = fields.List(fields.Nested(MailSchema))
    external_tasks = fields.List(fields.Nested(ExternalTaskSchema))


class AdvanceSchema(Strict):
    advance = fields.String(required=True, validate=validate.Length(min=2, max=40))


class ClockSchema(Schema):
    enabled = fields.Boolean()
    now = fields.DateTime()
    offset_seconds = fields.Float()


@bp.get("/timers")
@bp.arguments(TimerListArgs, location="query")
@bp.response(200, TimerPageSchema)
def list_timers(args: dict[str, Any]) -> Any:
    """List timers (waiting, claimed, fired, failed, cancelled) with counts per state."""
    require_roles(*access.ADMINISTRATION)
    return timers.list_timers(
        services().new_uow(), args.get("state"), args["limit"], args["offset"]
    )


@bp.post("/timers/<uuid:timer_id>/retry")
@bp.response(200, TimerSchema)
def retry_timer(timer_id: UUID) -> Any:
    """Let a failed timer fire again; 409 if it has not failed."""
    user = require_roles(*access.ADMINISTRATION)
    return timers.retry(services().new_uow(), timer_id, actor=user.username, now=services().now())


@bp.get("/admin/incidents")
@bp.response(200, IncidentsSchema)
def incidents() -> Any:
    """List failed timers, failed mails and external tasks without retries, with their errors."""
    require_roles(*access.ADMINISTRATION)
    failed = external_tasks.incidents(services().new_uow(read_only=True))
    return {**timers.incidents(services().new_uow()), "external_tasks": failed}


@bp.post("/admin/external-tasks/<uuid:task_id>/retry")
@bp.response(200, ExternalTaskSchema)
def retry_external_task(task_id: UUID) -> Any:
    """Give an external task without retries one retry: workers fetch it again; 409 if it
    has not failed."""
    user = require_roles(*access.ADMINISTRATION)
    return external_tasks.retry(services().new_uow(), task_id, actor=user, now=services().now())


@bp.get("/admin/outbox")
@bp.arguments(MailListArgs, location="query")
@bp.response(200, MailPageSchema)
def list_mails(args: dict[str, Any]) -> Any:
    """List outgoing e-mails, newest first, with their text."""
    require_roles(*access.ADMINISTRATION)
    return outbox.list_mails(services().new_uow(), args.get("state"), args["limit"], args["offset"])


@bp.post("/admin/outbox/<uuid:mail_id>/retry")
@bp.response(200, MailSchema)
def retry_mail(mail_id: UUID) -> Any:
    """Send a failed mail again; 409 if it has not failed."""
    user = require_roles(*access.ADMINISTRATION)
    row = outbox.retry(services().new_uow(), mail_id, now=services().now())
    data = {"mail_id": str(mail_id), "kind": row.kind, "instance_id": row.instance_id}
    audit.log_system(services().new_uow(), "mail_retried", user.username, services().now(), data)
    return row


@bp.get("/admin/clock")
@bp.response(200, ClockSchema)
def clock() -> Any:
    """Return the engine time and how far the demo clock has moved it."""
    require_roles(*access.ADMINISTRATION)
    return _clock_view()


@bp.post("/admin/clock")
@bp.arguments(AdvanceSchema)
@bp.response(200, ClockSchema)
def advance_clock(body: dict[str, str]) -> Any:
    """Move engine time forward (`{"advance": "P21D"}`); demo mode only, never production."""
    user = require_roles(*access.ADMINISTRATION)
    wiring = services()
    demo_clock.advance(
        wiring.new_uow(), wiring.settings, body["advance"], actor=user, wall=datetime.now(UTC)
    )
    return _clock_view()


def _clock_view() -> dict[str, Any]:
    wiring = services()
    enabled = demo_clock.is_allowed(wiring.settings)
    if enabled:
        wiring.clock_offset = demo_clock.offset(wiring.new_uow())
    return {
        "enabled": enabled,
        "now": wiring.now(),
        "offset_seconds": wiring.clock_offset.total_seconds(),
    }
