"""Marshmallow schemas of the assignment routine: announcements, registrations, invoices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate

from api.schemas import PageArgs, PageSchema, Strict

# Dates outside this range are typing errors, and the calendar arithmetic has to stop somewhere.
EARLIEST, LATEST = date(1990, 1, 1), date(2199, 12, 31)


class MunicipalityRefSchema(Schema):
    id = fields.String(allow_none=True)
    name = fields.String(allow_none=True)


class RegistrationSchema(Schema):
    instance_id = fields.UUID()
    assignment_id = fields.String(allow_none=True)
    employee_username = fields.String(allow_none=True)
    employee_leader = fields.String(allow_none=True)
    employee_unit = fields.String(allow_none=True)
    needs_nomination = fields.Boolean()
    state = fields.String()
    outcome = fields.String(allow_none=True)
    created_at = fields.DateTime()


class AnnouncementSchema(Schema):
    id = fields.String()
    instance_id = fields.UUID()
    status = fields.String(allow_none=True)
    is_open = fields.Boolean()
    may_register = fields.Boolean()
    round = fields.Integer(allow_none=True)
    receiving_municipality = fields.Nested(MunicipalityRefSchema)
    published_at = fields.String(allow_none=True)
    interest_deadline = fields.String(allow_none=True, metadata={"description": "KV 1 g"})
    interest_deadline_at = fields.String(
        allow_none=True, metadata={"description": "23:59:59 Europe/Oslo on the deadline date"}
    )
    competence_requirements = fields.Raw(allow_none=True, metadata={"description": "KV 1 a"})
    nature_of_work = fields.String(allow_none=True, metadata={"description": "KV 1 b"})
    expected_results = fields.String(allow_none=True, metadata={"description": "KV 1 c"})
    special_conditions = fields.String(allow_none=True, metadata={"description": "KV 1 d"})
    duration = fields.Raw(allow_none=True, metadata={"description": "KV 1 e"})
    contact_persons = fields.Raw(allow_none=True, metadata={"description": "KV 1 f"})
    my_registration = fields.Nested(RegistrationSchema, allow_none=True)
    describe_need_task_id = fields.UUID(allow_none=True)


class AnnouncementListArgs(PageArgs):
    open = fields.Boolean(load_default=False)


class AnnouncementPageSchema(PageSchema):
    items = fields.List(fields.Nested(AnnouncementSchema))


class CreateAnnouncementSchema(Strict):
    """No fields: the service sets the assignment id and the receiving municipality."""


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Missing data for required field.")  # api/language translates


class InterestSchema(Strict):
    motivation = fields.String(
        required=True, validate=[validate.Length(min=1, max=4000), _not_blank]
    )


class InvoiceLineSchema(Schema):
    code = fields.String()
    description_nb = fields.String()
    description_en = fields.String()
    quantity = fields.String()
    unit_code = fields.String()
    unit_price = fields.String()
    amount = fields.String()


class MonthSchema(Schema):
    month = fields.String()
    working_days_in_period = fields.Integer()
    working_days_in_month = fields.Integer()
    salary = fields.String()
    social_costs = fields.String()
    daily_fee = fields.String()
    total = fields.String()


class CalculationSchema(Schema):
    period_start = fields.String()
    period_end = fields.String()
    monthly_salary = fields.String()
    position_percentage = fields.String()
    working_days = fields.Integer()
    months = fields.List(fields.Nested(MonthSchema))
    lines = fields.List(fields.Nested(InvoiceLineSchema))
    employee_share = fields.Nested(InvoiceLineSchema)
    lending_unit_share = fields.Nested(InvoiceLineSchema)
    replacement_budget = fields.Nested(InvoiceLineSchema)
    rates = fields.Dict()
    total = fields.String()


class PartySchema(Schema):
    municipality_id = fields.String()
    name = fields.String()
    organisation_number = fields.String(allow_none=True)
    street = fields.String(allow_none=True)
    postal_code = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    country_code = fields.String(allow_none=True)
    bank_account = fields.String(allow_none=True)
    contact = fields.Dict(allow_none=True)


class InvoiceSchema(CalculationSchema):
    id = fields.UUID()
    number = fields.String()
    status = fields.String(metadata={"description": "draft, then sent (frozen)"})
    assignment_id = fields.String()
    instance_id = fields.UUID()
    seller = fields.Nested(PartySchema, metadata={"description": "the lending municipality"})
    buyer = fields.Nested(PartySchema, metadata={"description": "the receiving municipality"})
    period_start = fields.Date()  # type: ignore[assignment]
    period_end = fields.Date()  # type: ignore[assignment]
    issue_date = fields.Date()
    due_date = fields.Date(allow_none=True)
    currency = fields.String()
    dispatch = fields.Dict(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class InvoiceListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(["draft", "sent"]))
    assignment_id = fields.String(validate=validate.Length(max=200))


class InvoicePageSchema(PageSchema):
    items = fields.List(fields.Nested(InvoiceSchema))


def _amount(limit: int) -> Callable[[Decimal], None]:
    """Refuse more than two decimals and values above `limit` (Range would put a string
    maximum into the OpenAPI document for a Decimal field)."""

    def check(value: Decimal) -> None:
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -2:
            raise ValidationError("At most two decimals.")
        if value > limit:
            raise ValidationError(f"Can be at most {limit}.")

    return check


class PreviewSchema(Strict):
    """The KV 5 inputs; the rules refuse negative salaries, percentages outside 1-100, etc."""

    start_date = fields.Date(required=True, validate=validate.Range(min=EARLIEST, max=LATEST))
    end_date = fields.Date(required=True, validate=validate.Range(min=EARLIEST, max=LATEST))
    monthly_salary = fields.Decimal(required=True, validate=_amount(10_000_000))
    position_percentage = fields.Decimal(
        load_default=100, validate=_amount(1000), metadata={"default": 100}
    )
