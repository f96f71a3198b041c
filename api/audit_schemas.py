"""Marshmallow schemas of the auditors' endpoints (search, verify, replay, export)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schemas import HistoryEventSchema, InstanceBaseSchema, PageArgs, PageSchema, Strict
from engine.store.states import InstanceState

MAX_INT = 2**31 - 1


class AuditSearchArgs(PageArgs):
    key = fields.String(validate=validate.Length(max=200))
    version = fields.Integer(validate=validate.Range(min=1, max=MAX_INT))
    business_key = fields.String(validate=validate.Length(max=200))
    municipality = fields.String(validate=validate.Length(max=40))
    person = fields.String(validate=validate.Length(max=80))
    state = fields.String(validate=validate.OneOf([s.value for s in InstanceState]))
    started_from = fields.Date()
    started_to = fields.Date()


class AuditExportArgs(AuditSearchArgs):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "json"]))


class InstanceExportArgs(Strict):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "pdf"]))


class VerifyArgs(Strict):
    instance_id = fields.UUID()


class AuditInstanceSchema(InstanceBaseSchema):
    events = fields.Integer()
    anonymised = fields.Boolean()


class AuditPageSchema(PageSchema):
    items = fields.List(fields.Nested(AuditInstanceSchema))


class BreakSchema(Schema):
    stream = fields.String()
    seq = fields.Integer(allow_none=True)
    reason = fields.String()


class VerifySchema(Schema):
    ok = fields.Boolean()
    instance_id = fields.String(allow_none=True)
    streams = fields.Integer()
    events = fields.Integer()
    anchors = fields.Integer()
    last_anchor_at = fields.String(allow_none=True)
    breaks = fields.List(fields.Nested(BreakSchema))
    first_broken = fields.Nested(BreakSchema, allow_none=True)
    # Breaks in instances outside a scoped auditor's municipality: counted, not named.
    breaks_outside_scope = fields.Integer()
    seconds = fields.Float()


class AuditEventSchema(HistoryEventSchema):
    """A history event as auditors see it: marked when retention replaced its data."""

    anonymised = fields.Boolean()


class TimelineInstanceSchema(AuditInstanceSchema):
    data = fields.Dict()


class TimelineSchema(Schema):
    instance = fields.Nested(TimelineInstanceSchema)
    events = fields.List(fields.Nested(AuditEventSchema))
    verification = fields.Nested(VerifySchema)


class OpenTaskStateSchema(Schema):
    task_id = fields.String()
    element_id = fields.String()
    name = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    created_at = fields.DateTime()


class ReplayStateSchema(Schema):
    seq = fields.Integer()
    at = fields.DateTime()
    event = fields.Dict()
    state = fields.String()
    definition_key = fields.String(allow_none=True)
    definition_version = fields.Integer(allow_none=True)
    data = fields.Dict()
    open_tasks = fields.List(fields.Nested(OpenTaskStateSchema))
    timers = fields.List(fields.Dict())
    messages = fields.List(fields.Dict())
    tokens = fields.List(fields.String())
    path = fields.List(fields.String())


class AnchorSchema(Schema):
    seq = fields.Integer()
    at = fields.DateTime()
    stream_count = fields.Integer()
    event_count = fields.Integer()
    root = fields.String()
    prev_hash = fields.String()
    hash = fields.String()


class AnonymiseSchema(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
