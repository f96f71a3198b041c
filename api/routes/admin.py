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
from engine.services import access, demo_clock, outbox, timers
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


class IncidentsSchema(Schema):
    timers = fields.List(fields.Nested(TimerSchema))
    mails = fields.List(fields.Nested(MailSchema))


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
    """List failed timers and failed mails with their errors."""
    require_roles(*access.ADMINISTRATION)
    return timers.incidents(services().new_uow())


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
