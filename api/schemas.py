"""Marshmallow schemas: request bodies are strict (unknown fields refused)."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from api.language import DATA_TOO_LARGE
from engine.runtime import values
from engine.store.states import InstanceState, TaskState


class Strict(Schema):
    class Meta:
        unknown = RAISE


class LoginSchema(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(
        required=True, validate=validate.Length(min=1, max=200), load_only=True
    )


class TokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


class UserSchema(Schema):
    username = fields.String()
    full_name = fields.String()
    email = fields.String()
    roles = fields.List(fields.String())
    municipality_id = fields.String(allow_none=True)
    unit_id = fields.String(allow_none=True)
    leader_username = fields.String(allow_none=True)
    locale = fields.String()
    reminders_enabled = fields.Boolean()
    is_active = fields.Boolean()


class ActiveSchema(Strict):
    """Deactivate (false) or reactivate (true) a user."""

    is_active = fields.Boolean(required=True)


class PreferencesSchema(Schema):
    """What users change about themselves: mail language, reminder mails on or off."""

    locale = fields.String(validate=validate.OneOf(["nb", "en"]))
    reminders_enabled = fields.Boolean()


class ColleagueSchema(Schema):
    username = fields.String()
    full_name = fields.String()


class DefinitionSchema(Schema):
    id = fields.UUID()
    key = fields.String()
    version = fields.Integer()
    name = fields.String(allow_none=True)
    file_name = fields.String()
    is_executable = fields.Boolean()
    runnable = fields.Boolean()
    problems = fields.List(fields.String())
    deployed_by = fields.String()
    deployed_at = fields.DateTime()
    deployment_id = fields.UUID()
    startable = fields.Boolean()  # listing and reading: may the caller start it
    start_form = fields.Dict(allow_none=True)  # {"schema", "ui_schema"} when startable
    description = fields.String(allow_none=True)  # the start page's one line (startDescription)
    description_en = fields.String(allow_none=True)
    asks_business_key = fields.Boolean()  # false: the start takes no case number
    retired_at = fields.DateTime(allow_none=True)  # retired: no new instances start on it


class DefinitionListArgs(Strict):
    all = fields.Boolean(load_default=False)


class DeployResultSchema(Schema):
    deployment_id = fields.UUID()
    created = fields.List(fields.Nested(DefinitionSchema))
    unchanged = fields.List(fields.Nested(DefinitionSchema))
    warnings = fields.List(fields.Dict())


class CaseData(fields.Dict):
    """Data a request gives a case: a JSON object of at most values.MAX_REQUEST_DATA_BYTES."""

    def __init__(self) -> None:
        super().__init__(keys=fields.String(), load_default=dict)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        loaded = super()._deserialize(value, attr, data, **kwargs)  # type: ignore[no-untyped-call]
        _, size = values.measure(loaded)
        if size > values.MAX_REQUEST_DATA_BYTES:
            raise ValidationError(DATA_TOO_LARGE)
        return loaded


class StartSchema(Strict):
    data = CaseData()
    business_key = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=200)
    )


class TaskSummarySchema(Schema):
    id = fields.UUID()
    instance_id = fields.UUID()
    process_key = fields.String()
    business_key = fields.String(allow_none=True)
    element_id = fields.String()
    name = fields.String()
    lane = fields.String(allow_none=True)
    candidate_roles = fields.List(fields.String())
    candidate_users = fields.List(fields.String())
    municipality_id = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    state = fields.String()
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    is_overdue = fields.Boolean()
    working_days_left = fields.Integer(allow_none=True)
    municipality_name = fields.String(allow_none=True)
    assignee_name = fields.String(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)
    suspended = fields.Boolean()  # open, and its case is on hold: nobody can work on it now


class ApplicantNames(fields.Dict):
    """The names of applicants the caller reads anyway, by number ({"1": "Anne Berg"}): the
    pages show number and name where a value holds the number (`access.applicant_names`)."""

    def __init__(self) -> None:
        description = "Names of applicants the caller may read, by applicant number."
        super().__init__(
            keys=fields.String(), values=fields.String(), metadata={"description": description}
        )


class TaskDetailSchema(TaskSummarySchema):
    instructions = fields.String(allow_none=True)
    form = fields.Dict(allow_none=True)
    data = fields.Dict(metadata={"description": "The form's own fields: saved data, draft."})
    # `context` is a Schema attribute, hence the other name with the same key in the JSON.
    task_context = fields.Dict(
        attribute="context",
        data_key="context",
        metadata={"description": "The task's read-only case context (`contextFields`)."},
    )
    may_work = fields.Boolean()
    suspend_reason = fields.String(allow_none=True)  # why its case is on hold
    applicants = ApplicantNames()


class InstanceBaseSchema(Schema):
    """What every view of an instance shows first (the API's, the case page's, the auditors')."""

    id = fields.UUID()
    key = fields.String()
    version = fields.Integer()
    state = fields.String()
    business_key = fields.String(allow_none=True)
    started_by = fields.String(allow_none=True)
    created_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)


class InstanceSchema(InstanceBaseSchema):
    data = fields.Dict(metadata={"description": "Only the keys the caller may read."})
    my_part = fields.List(
        fields.String(),
        metadata={"description": "How the caller takes part: starter, participant, hr..."},
    )
    open_tasks = fields.List(fields.Nested(TaskSummarySchema))
    error = fields.String(allow_none=True)


class PageArgs(Strict):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000_000))


class PageSchema(Schema):
    """One page of a list: `items` (each page schema names its own), the total, the window."""

    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class InstanceListArgs(PageArgs):
    key = fields.String()
    state = fields.String(validate=validate.OneOf([s.value for s in InstanceState]))
    business_key = fields.String()
    started_by = fields.String()


class InstancePageSchema(PageSchema):
    items = fields.List(fields.Nested(InstanceSchema))


class TaskListArgs(PageArgs):
    scope = fields.String(
        load_default="mine", validate=validate.OneOf(["mine", "group", "completed", "all"])
    )
    state = fields.String(validate=validate.OneOf([s.value for s in TaskState]))
    process_key = fields.String(validate=validate.Length(max=200))
    q = fields.String(validate=validate.Length(max=200))
    sort = fields.String(
        validate=validate.OneOf(["created_at", "-created_at", "due_at", "-due_at", "name", "-name"])
    )


class TaskPageSchema(PageSchema):
    items = fields.List(fields.Nested(TaskSummarySchema))


class CompleteSchema(Strict):
    data = CaseData()


class DelegateSchema(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))


class MessageSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    correlation = CaseData()
    data = CaseData()


class MessageResultSchema(Schema):
    delivered_to = fields.List(fields.UUID())


class HistoryEventSchema(Schema):
    seq = fields.Integer()
    type = fields.String()
    actor = fields.String(allow_none=True)  # the username: admins and auditors only
    actor_name = fields.String(allow_none=True)  # the person's name, for participants
    at = fields.DateTime()
    element_id = fields.String(allow_none=True)
    element_name = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    definition_key = fields.String(allow_none=True)
    definition_version = fields.Integer(allow_none=True)
    data = fields.Raw(allow_none=True)
    delta = fields.Raw(allow_none=True)
    prev_hash = fields.String()
    hash = fields.String()


class HistorySchema(Schema):
    instance_id = fields.UUID()
    events = fields.List(fields.Nested(HistoryEventSchema))
    chain_valid = fields.Boolean()
    first_broken_seq = fields.Integer(allow_none=True)


class HealthSchema(Schema):
    status = fields.String()
    database = fields.String()
    version = fields.String()


class AttachmentSchema(Schema):
    id = fields.UUID()
    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    instance_id = fields.UUID(allow_none=True)
    uploaded_by = fields.String()
    created_at = fields.DateTime()


class VacancySchema(Schema):
    id = fields.String()
    title = fields.String(allow_none=True)
    percentage = fields.Raw(allow_none=True)
    employer = fields.String(allow_none=True)
    qualification_requirements = fields.List(fields.String(), allow_none=True)
    area_of_work = fields.String(allow_none=True)
    duties = fields.String(allow_none=True)
    pay_and_pension = fields.String(allow_none=True)
    application_deadline_on = fields.String(allow_none=True)
    application_deadline_at = fields.String(allow_none=True)
    published_on = fields.String(allow_none=True)
    reservations = fields.List(fields.String(), allow_none=True)
    accepts_late_applications = fields.Boolean()
    is_open = fields.Boolean()
    is_internal = fields.Boolean()


class ApplicationReceiptSchema(Schema):
    receipt_number = fields.String()


class ApplicantSchema(Schema):
    applicant_no = fields.Integer(allow_none=True)
    application_id = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    motivation = fields.String(allow_none=True)
    documents = fields.List(fields.Dict(), allow_none=True)
    requests_exemption = fields.Boolean(allow_none=True)
    exemption_reason = fields.String(allow_none=True)
    submitted_at = fields.String(allow_none=True)
    received_at = fields.String(allow_none=True)
    round = fields.Integer(allow_none=True)
    late = fields.Boolean(allow_none=True)
    late_decision = fields.String(allow_none=True)
    age = fields.Integer(allow_none=True)
    occupation = fields.String(allow_none=True)
    home_municipality = fields.String(allow_none=True)
    internal_applicant = fields.String(allow_none=True)  # the employee's username, if any


class ApplicantListSchema(Schema):
    vacancy_id = fields.String()
    round = fields.Integer(allow_none=True)
    applicants = fields.List(fields.Nested(ApplicantSchema))


class PublicApplicantSchema(Schema):
    """Offentleglova § 25: name, age, position or occupation, municipality of residence."""

    name = fields.String(allow_none=True)
    age = fields.Integer(allow_none=True)
    occupation = fields.String(allow_none=True)
    home_municipality = fields.String(allow_none=True)


class PublicApplicantListSchema(Schema):
    vacancy_id = fields.String()
    title = fields.String(allow_none=True)
    is_published = fields.Boolean()
    applicants = fields.List(fields.Nested(PublicApplicantSchema))


class RemovedVersionSchema(Schema):
    key = fields.String()
    version = fields.Integer()
    removed = fields.Boolean()


class RetiredVersionSchema(Schema):
    key = fields.String()
    version = fields.Integer()
    retired_at = fields.DateTime(allow_none=True)  # none: new instances may start on it
    retired_by = fields.String(allow_none=True)
    retired_reason = fields.String(allow_none=True)
