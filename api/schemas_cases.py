"""Schemas of the case page and the list of one's cases (issue 17 §1)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schemas import InstanceBaseSchema, PageSchema, Strict, TaskSummarySchema


class CaseTaskSchema(TaskSummarySchema):
    may_work = fields.Boolean()


class DocumentSchema(Schema):
    kind = fields.String()
    title = fields.String()
    url = fields.String()


class CaseSummarySchema(InstanceBaseSchema):
    status = fields.String(allow_none=True)
    next_due_at = fields.DateTime(allow_none=True)
    waiting_for = fields.List(fields.String())
    open_elements = fields.List(fields.String())


class CaseSchema(CaseSummarySchema):
    data = fields.Dict()
    open_tasks = fields.List(fields.Nested(CaseTaskSchema))
    my_tasks = fields.List(fields.Nested(TaskSummarySchema))
    documents = fields.List(fields.Nested(DocumentSchema))
    may_cancel = fields.Boolean()
    may_suspend = fields.Boolean()
    may_resume = fields.Boolean()
    cancel_reason = fields.String(allow_none=True)
    suspend_reason = fields.String(allow_none=True)


class CasePageSchema(PageSchema):
    items = fields.List(fields.Nested(CaseSummarySchema))


class CancelSchema(Strict):
    reason = fields.String(required=True, validate=validate.Length(max=2000))  # blank: the route
