"""Schemas of the case page and the list of one's cases (issue 17 §1)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schemas import (
    ApplicantNames,
    InstanceBaseSchema,
    PageArgs,
    PageSchema,
    Strict,
    TaskSummarySchema,
)
from engine.services.overviews import SORTS
from engine.store.states import InstanceState


class CaseTaskSchema(TaskSummarySchema):
    may_work = fields.Boolean()
    may_open = fields.Boolean()  # the reader's task: its page opens, read-only while on hold


class DocumentSchema(Schema):
    kind = fields.String()
    title = fields.String()
    url = fields.String()


class CaseSummarySchema(InstanceBaseSchema):
    status = fields.String(allow_none=True)
    next_due_at = fields.DateTime(allow_none=True)
    waiting_for = fields.List(fields.String())
    open_elements = fields.List(fields.String())


class RoleCaseSchema(CaseSummarySchema):
    title = fields.String(allow_none=True)
    covered_as = fields.List(fields.String())  # hr, service_leader, finance
    invoice_status = fields.String(allow_none=True)  # draft, sent
    invoice_total = fields.String(allow_none=True)  # "12345.50": only for who reads the salary


class CaseListArgs(PageArgs):
    """`scope=mine` (default): the cases you started or take part in, newest first.
    `scope=role`: the cases your role covers (HR, service leaders, finance), filtered by
    `process` and `state`, sorted by next deadline (`sort`)."""

    scope = fields.String(load_default="mine", validate=validate.OneOf(("mine", "role")))
    process = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    state = fields.String(
        load_default=None, validate=validate.OneOf([str(s) for s in InstanceState])
    )
    sort = fields.String(load_default="deadline", validate=validate.OneOf(SORTS))


class CaseSchema(CaseSummarySchema):
    data = fields.Dict()
    applicants = ApplicantNames()
    open_tasks = fields.List(fields.Nested(CaseTaskSchema))
    my_tasks = fields.List(fields.Nested(TaskSummarySchema))
    documents = fields.List(fields.Nested(DocumentSchema))
    may_cancel = fields.Boolean()
    may_suspend = fields.Boolean()
    may_resume = fields.Boolean()
    cancel_reason = fields.String(allow_none=True)
    suspend_reason = fields.String(allow_none=True)


class CasePageSchema(PageSchema):
    items = fields.List(fields.Nested(RoleCaseSchema))  # role fields only with scope=role


class CancelSchema(Strict):
    reason = fields.String(required=True, validate=validate.Length(max=2000))  # blank: the route
