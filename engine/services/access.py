"""Every "who may do or see what" rule, in one place (docs/access.md is the table).

Starting (the start page, `POST /api/v1/process-definitions/{key}/start`):

- never a process that a call activity of another process calls (it expects its caller's
  data), one without a none start event (messages start it), or one declared
  `startedBy="service"` (the board, the public vacancy page: their own checks come first);
- with `startRoles`, users holding one of those roles; without, only process owners and
  admins (to try a new model);
- with `startMunicipalities`, only users of one of those municipalities.

External tasks (`/engine-rest/external-task/...`, Camunda 7 workers) are done by service
accounts: users holding `process_owner` or `admin`; incidents are retried by admins.

Messages from outside (`POST /api/v1/messages`) reach only catching events whose
`messageSenderRoles` include one of the sender's roles; messages the engine routes between
instances are not checked.

Working on a task (`may_work`): its assignee, else its candidate users, else its candidate
roles in its municipality; admins always.

Reading a case ("need to know", `case_view`): a user has a part in a case as its starter, as
a participant of the user tasks they did or are offered, in a role the routine declares
(`declare_case`: the hiring case's HR, its hiring authority...), as an admin, as an auditor
whose municipality the case involves, or as the process owner who started it (their test
case). They read only the data keys of that part: the fields of their tasks' forms, the
`contextFields` those tasks declare, the start form's fields for the starter, the keys the
routine declares for their role and for everyone with a part (the case number, its status);
admins, auditors in scope and the roles a routine gives the whole case read every key.
Auditors read values masked unless they hold the personal-data right. Without a part the
case does not exist for them (404). Every door (tasks, instances, history, replayed states,
attachments, invoices, contracts, applicant lists, offer letters) asks this module.

E-mails (`declare_mail`, `mail_fields`): a template names only the case fields and those its
kind declares, each with the data key a recipient must read (refused at wiring otherwise); each
recipient gets a declared field only when their view of the case reads it (docs/access.md,
"E-mails"). History (`participant_history`): participants read the case's story with people by
name and the offers of their own tasks; admins and auditors the record as written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from string import Template
from typing import Any
from uuid import UUID

from engine.runtime import declarations as runtime_declarations
from engine.runtime.declarations import Declarations
from engine.services import case_data, definitions
from engine.services.audit.access import (
    EVERYTHING,
    AuditAccess,
    access_of,
    mask_data,
    mask_delta,
)
from engine.services.configuration import (
    CaseDeclaration,
    CaseRoles,
    CaseTitle,
    Configuration,
    current,
)
from engine.services.errors import (
    Forbidden,
    MailTemplateRefused,
    MessageForbidden,
    StartForbidden,
)
from engine.settings import AUDIT_OPEN_FIELDS
from engine.store.errors import NotFound
from engine.store.models import Attachment, HumanTask, Invoice, ProcessInstance, User
from engine.store.states import InstanceState, TaskState
from engine.store.uow import UnitOfWork

TRYING_ROLES = frozenset({"process_owner", "admin"})  # start what declares no startRoles
# How a user takes part in a case (CaseView.roles), besides the routines' own role names.
ADMIN, AUDITOR, PROCESS_OWNER = "admin", "auditor", "process_owner"
STARTER, PARTICIPANT = "starter", "participant"
APPLICANT_READERS = frozenset({ADMIN, "hr", "hiring_authority"})  # routine roles, see hiring
DASH = "\u2013"  # between an applicant's number and name in a form's choice (en dash)

# ---------------------------------------------------------------------------- start, send


def start_refusal(
    user: User, declared: Declarations, *, called: bool, by_service: bool = False
) -> str | None:
    """Return why the user may not start the process (a stable reason), or None if they may.

    `by_service` is true when a saksflyt service (the board) starts it for the user.
    """
    roles = set(user.roles)
    if called:
        return "called_process"
    if not declared.has_none_start:
        return "started_by_message"
    if declared.started_by_service and not by_service:
        return "started_by_service"
    allowed = TRYING_ROLES if declared.start_roles is None else declared.start_roles
    if not roles & allowed:
        return "role"
    municipalities = declared.start_municipalities
    if municipalities is not None and user.municipality_id not in municipalities:
        return "municipality"
    return None


def may_start(user: User, declared: Declarations, *, called: bool) -> bool:
    """Tell whether the user may start the process from the start page or the API."""
    return start_refusal(user, declared, called=called) is None


def ensure_may_start(
    user: User, declared: Declarations, *, called: bool, by_service: bool = False
) -> None:
    """Raise StartForbidden unless the user may start the process."""
    reason = start_refusal(user, declared, called=called, by_service=by_service)
    if reason is not None:
        raise StartForbidden(declared.key, reason)


def may_send(user: User, sender_roles: frozenset[str]) -> bool:
    """Tell whether the user may send a message a catching event lets these roles send."""
    return bool(sender_roles & set(user.roles))


def ensure_may_send(user: User, name: str, sender_roles: frozenset[str]) -> None:
    """Raise MessageForbidden unless some deployed process lets the user send `name`."""
    if not may_send(user, sender_roles):
        raise MessageForbidden(name)


# ---------------------------------------------------------------------------- tools

# Who may use which tool besides cases; admins may use them all (`holds`).
ADMINISTRATION = (ADMIN,)  # timers, incidents, the outbox, the demo clock, retention, users
MODEL_EDITORS = (PROCESS_OWNER,)  # deploy, the modeler, migrations
MODEL_READERS = (PROCESS_OWNER, AUDITOR)  # the library, diffs, validation
AUDIT_READERS = (AUDITOR,)  # audit search, timelines, exports, the log's verification
# The assignment board: employees register interest there, service leaders announce, union
# representatives follow what is announced in their municipality (and admins).
BOARD_USERS = (PARTICIPANT, "service_leader", "union_rep")


def holds(user: User, roles: Iterable[str]) -> bool:
    """Tell whether the user holds one of the roles (admins hold them all)."""
    return ADMIN in user.roles or bool(set(roles) & set(user.roles))


def ensure_may_use_board(user: User) -> None:
    """Raise Forbidden unless the user may read the assignment board (page and API alike)."""
    if not holds(user, BOARD_USERS):
        raise Forbidden("the assignment board is for employees, service leaders and union reps")


def is_read_only(roles: Iterable[str]) -> bool:
    """Tell whether the roles allow reading only (an auditor and nothing else)."""
    held = set(roles)
    return AUDITOR in held and not held - {AUDITOR}


# ---------------------------------------------------------------------------- tasks


def is_offered(task: HumanTask, user: User) -> bool:
    """Tell whether the task is the user's or offered to them (admins' right aside)."""
    if task.assignee:
        return task.assignee == user.username
    if task.candidate_users:
        return user.username in task.candidate_users
    in_role = any(role in user.roles for role in task.candidate_roles)
    return in_role and (task.municipality_id in (None, user.municipality_id))


def may_work(task: HumanTask, user: User) -> bool:
    """Tell whether the user may claim or complete the task."""
    return ADMIN in user.roles or is_offered(task, user)


def may_unclaim(task: HumanTask, user: User) -> bool:
    """Tell whether the user may give the task back: its assignee, or an admin."""
    return task.assignee == user.username or ADMIN in user.roles


def took_part(task: HumanTask, user: User) -> bool:
    """Tell whether the task is one the user did, holds or is offered (their step)."""
    if user.username in (task.completed_by, task.assignee):
        return True
    return task.state == TaskState.OPEN and is_offered(task, user)


def may_read_title(task: HumanTask, user: User, view: CaseView | None = None) -> bool:
    """Tell whether the user reads the task's title, its name filled with case data
    (`taskTitle`: "Intervju: Kari Nordmann"), or only its name ("Intervju").

    Those who did, hold or are offered the task read the keys it names (deploy holds them to
    its `contextFields`); others only when they read the whole case unmasked (`view`; without
    one, as a task list of every case reads it: admins, auditors with the personal-data right).
    A candidate never learns another candidate's name from the case's list of open tasks.
    """
    if not task.title:
        return False
    if took_part(task, user):
        return True
    if view is not None:
        return view.sees_everything and view.sees_personal_data
    if ADMIN in user.roles:
        return True
    return AUDITOR in user.roles and reader_access(user).sees_personal_data


def may_list_all_tasks(user: User) -> bool:
    """Tell whether the user may list every task (`scope=all`): admins, auditors (in scope)."""
    return bool({ADMIN, AUDITOR} & set(user.roles))


def task_scope(user: User) -> str | None:
    """Return the municipality an auditor's task list is limited to (None: no limit)."""
    if ADMIN in user.roles or AUDITOR not in user.roles:
        return None
    return user.audit_municipality_id


# ---------------------------------------------------------------------------- cases


def declare_case(
    configuration: Configuration,
    process_key: str,
    *,
    shared: Iterable[str] = (),
    roles: CaseRoles | None = None,
    title: CaseTitle | None = None,
) -> None:
    """Declare what a routine's process shows: keys for everyone with a part, role rules, and
    (`title`) that its cases are listed in the role overviews under that title."""
    configuration.cases[process_key] = CaseDeclaration(frozenset(shared), roles, title)


def declared_cases() -> dict[str, CaseDeclaration]:
    """Return the running wiring's routines' declarations, by process key."""
    return dict(current().cases)


@dataclass(frozen=True)
class CaseView:
    """What one user may read of one case, and how they take part in it."""

    instance_id: UUID
    process_key: str
    roles: frozenset[str]  # admin, auditor, process_owner, starter, participant, routine roles
    tasks: frozenset[str]  # element ids of the user tasks they did, hold or are offered
    fields: frozenset[str] | None  # the data keys they read; None: every key
    data: dict[str, Any]  # the instance data they read, masked as `audit` says
    audit: AuditAccess = field(default=EVERYTHING)

    @property
    def sees_everything(self) -> bool:
        """Tell whether every data key is readable (values may still be masked)."""
        return self.fields is None

    @property
    def sees_personal_data(self) -> bool:
        """Tell whether values are shown unmasked (files: whether they may be read at all)."""
        return self.audit.sees_personal_data

    def sees(self, key: str) -> bool:
        """Tell whether the data key is readable."""
        return self.fields is None or key in self.fields

    def shows(self, data: Mapping[str, Any] | None) -> dict[str, Any]:
        """Return the readable keys of some case data (an event's, a task's), masked."""
        kept = {k: v for k, v in (data or {}).items() if self.sees(k)}
        return dict(mask_data(kept, self.audit))

    def masked(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Return data masked as the reader's audit rights say, every key kept (a form's own
        option lists, which the reader of the task sees as part of its form)."""
        return dict(mask_data(data, self.audit))

    def shows_delta(self, delta: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """Return the readable keys of a history delta ({key: {before, after}}), masked."""
        if delta is None:
            return None
        kept = {k: v for k, v in delta.items() if self.sees(k)}
        return dict(mask_delta(kept, self.audit))


def in_audit_scope(uow: UnitOfWork, instance_id: UUID, user: User) -> bool:
    """Tell whether an auditor's municipality scope holds the instance (no scope: all)."""
    scope = user.audit_municipality_id
    return scope is None or uow.audit.involves(instance_id, scope)


def case_view(
    uow: UnitOfWork, instance: ProcessInstance, user: User, *, open_fields: str = AUDIT_OPEN_FIELDS
) -> CaseView | None:
    """Return what the user may read of the case, or None if they have no part in it."""
    roles: set[str] = set()
    fields: set[str] = set()
    everything = False
    audit = EVERYTHING
    if ADMIN in user.roles:
        roles.add(ADMIN)
        everything = True
    elif AUDITOR in user.roles and in_audit_scope(uow, instance.id, user):
        roles.add(AUDITOR)
        everything = True
        audit = access_of(user, open_fields)
    if instance.started_by == user.username:
        roles.add(STARTER)
        fields |= case_data.start_fields(uow, instance)
        if PROCESS_OWNER in user.roles:
            roles.add(PROCESS_OWNER)  # their own test case
            everything = True
    if everything:  # admins, auditors in scope, owners' test cases: nothing more to find out
        return _view(instance, roles, frozenset(), None, audit)
    own = [task for task in uow.tasks.of_instance(instance.id) if took_part(task, user)]
    if own:
        roles.add(PARTICIPANT)
        built = definitions.built_for(uow, instance.definition_id)
        for task in own:
            fields |= case_data.form_fields(built, task.form_schema)
            fields |= set(runtime_declarations.context_fields(built, task.element_id))
    declared = current().cases.get(instance.key, CaseDeclaration())
    if declared.roles is not None:
        for name, keys in declared.roles(uow, instance, user).items():
            roles.add(name)
            everything = everything or keys is None
            fields |= keys or frozenset()
    if not roles:
        return None
    visible = None if everything else frozenset(fields | declared.shared)
    return _view(instance, roles, frozenset(task.element_id for task in own), visible, audit)


def _view(
    instance: ProcessInstance,
    roles: set[str],
    tasks: frozenset[str],
    visible: frozenset[str] | None,
    audit: AuditAccess,
) -> CaseView:
    data = {k: v for k, v in instance.process_data.items() if visible is None or k in visible}
    masked = dict(mask_data(data, audit))
    return CaseView(instance.id, instance.key, frozenset(roles), tasks, visible, masked, audit)


def ensure_case_view(
    uow: UnitOfWork, instance: ProcessInstance, user: User, *, open_fields: str = AUDIT_OPEN_FIELDS
) -> CaseView:
    """Return the user's view of the case; NotFound (404) when they have no part in it."""
    view = case_view(uow, instance, user, open_fields=open_fields)
    if view is None:
        raise NotFound("process instance", instance.id)
    return view


def may_read_task(view: CaseView | None, task: HumanTask, user: User) -> bool:
    """Tell whether a user with this view of the task's case may read the task."""
    if view is None:
        return False
    return view.sees_everything or took_part(task, user)


def task_context(
    uow: UnitOfWork, task: HumanTask, user: User, *, open_fields: str = AUDIT_OPEN_FIELDS
) -> dict[str, Any]:
    """Return the values of the task's `contextFields` this user may see (masked as needed)."""
    instance = uow.instances.get(task.instance_id)
    view = case_view(uow, instance, user, open_fields=open_fields)
    if not may_read_task(view, task, user) or view is None:
        return {}
    built = definitions.built_for(uow, instance.definition_id)
    return context_of(view, built, task, case_data.task_source(built, instance, task))


def context_of(
    view: CaseView, built: definitions.Built, task: HumanTask, source: Mapping[str, Any]
) -> dict[str, Any]:
    """Return a task's `contextFields` from its data (`case_data.task_source`), masked for
    the reader (one who may read the task: `may_read_task`)."""
    names = runtime_declarations.context_fields(built, task.element_id)
    return dict(mask_data({k: source[k] for k in names if k in source}, view.audit))


def applicant_names(view: CaseView, *shown: Any) -> dict[str, str]:
    """Return the names of the case's applicants that the reader already reads, by number
    ({"1": "Anne Berg"}), so the pages show the number with the name where a value holds only
    the number (the qualified, a recommendation, a decision).

    Never a name more than the reader reads: only those in their view's data and in `shown`
    (what the task page shows them besides: its context, its form's choices). An applicant is
    named by an object with `applicant_no` and `name` (the applications, interview notes,
    candidates) or by a form choice labelled number, dash, name. Values masked for the reader
    (an auditor without the personal-data right) name nobody.
    """
    names: dict[str, str] = {}
    if view.sees_personal_data:
        for value in (view.data, *shown):
            _collect_applicants(value, names)
    return names


def _collect_applicants(value: Any, names: dict[str, str]) -> None:
    if isinstance(value, list | tuple):
        for item in value:
            _collect_applicants(item, names)
        return
    if not isinstance(value, Mapping):
        return
    number, name = value.get("applicant_no"), value.get("name")
    if _is_number(number) and isinstance(name, str) and name.strip():
        names.setdefault(str(number), name.strip())
    choices, labels = value.get("enum"), value.get("enumNames")
    if isinstance(choices, list) and isinstance(labels, list):
        for choice, text in zip(choices, labels, strict=False):
            prefix = f"{choice} {DASH} "
            if _is_number(choice) and isinstance(text, str) and text.startswith(prefix):
                names.setdefault(str(choice), text.removeprefix(prefix).strip())
    for item in value.values():
        _collect_applicants(item, names)


def _is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def reader_access(user: User, open_fields: str = AUDIT_OPEN_FIELDS) -> AuditAccess:
    """Return the masking that applies to what the user reads (auditors' rights; else none)."""
    return access_of(user, open_fields)


# ---------------------------------------------------------------------------- files, resources


def may_read_attachment(
    uow: UnitOfWork, attachment: Attachment, user: User, *, open_fields: str = AUDIT_OPEN_FIELDS
) -> bool:
    """Tell whether the user may read (and refer to) a file: its uploader, an admin, or one
    whose view of its case names it (files are personal data: auditors need that right)."""
    if attachment.uploaded_by == user.username or ADMIN in user.roles:
        return True
    if attachment.instance_id is None:
        return False
    try:
        instance = uow.instances.get(attachment.instance_id)
    except NotFound:
        return False
    view = case_view(uow, instance, user, open_fields=open_fields)
    if view is None or not view.sees_personal_data:
        return False
    return view.sees_everything or str(attachment.id) in set(case_data.strings(view.data))


def may_read_invoice(uow: UnitOfWork, user: User, row: Invoice) -> bool:
    """Tell whether the user may read the invoice: finance of either party, an admin, an
    auditor whose scope holds the assignment."""
    if ADMIN in user.roles:
        return True
    if AUDITOR in user.roles and in_audit_scope(uow, row.instance_id, user):
        return True
    parties = (row.seller_municipality_id, row.buyer_municipality_id)
    return "finance" in user.roles and user.municipality_id in parties


def invoice_scope(user: User) -> tuple[bool, str | None]:
    """Return whether the user may list invoices and the one municipality they are limited to
    (None: every invoice): finance their own, a scoped auditor that scope."""
    if ADMIN in user.roles:
        return True, None
    if AUDITOR in user.roles:
        return True, user.audit_municipality_id
    if "finance" in user.roles:
        return True, user.municipality_id or ""
    return False, None


def may_read_invoice_file(uow: UnitOfWork, user: User, row: Invoice) -> bool:
    """Tell whether the user may download the invoice (PDF, EHF): it names a salary, so an
    auditor needs the personal-data right."""
    if not may_read_invoice(uow, user, row):
        return False
    return ADMIN in user.roles or AUDITOR not in user.roles or user.audit_personal_data


def may_read_contract(
    uow: UnitOfWork, instance: ProcessInstance, user: User, *, open_fields: str = AUDIT_OPEN_FIELDS
) -> bool:
    """Tell whether the user reads the case's `contract` unmasked (its PDF)."""
    view = case_view(uow, instance, user, open_fields=open_fields)
    return view is not None and view.sees("contract") and view.sees_personal_data


def may_read_applicants(uow: UnitOfWork, vacancy: ProcessInstance, user: User) -> bool:
    """Tell whether the user reads a vacancy's applicants: HR of its municipality, its hiring
    authority, an admin (the hiring routine declares the first two)."""
    view = case_view(uow, vacancy, user)
    return view is not None and bool(APPLICANT_READERS & view.roles)


# ---------------------------------------------------------------------------- role overviews

# The organisation roles that give an overview of the cases they cover ("Saker for min rolle",
# `GET /api/v1/cases?scope=role`): HR the cases of its municipality, service leaders those of
# their unit, finance those that wait for or hold an invoice. Which case a role covers is the
# routine's declaration (`declare_case`): a case is covered when the reader's view of it holds
# the routine role of the same name, so the overview never lists a case its reader cannot open.
OVERVIEW_ROLES = ("hr", "service_leader", "finance")


def overview_roles(user: User) -> frozenset[str]:
    """Return the organisation roles of the user that give an overview (none: no overview)."""
    return frozenset(role for role in OVERVIEW_ROLES if role in user.roles)


def has_overview(user: User) -> bool:
    """Tell whether the user has a role overview besides their own cases."""
    return bool(overview_roles(user))


def overview_processes() -> list[str]:
    """Return the keys of the processes whose cases the role overviews list."""
    return sorted(key for key, declared in current().cases.items() if declared.title is not None)


def covering_roles(view: CaseView | None, user: User) -> frozenset[str]:
    """Return the user's overview roles that cover the case (empty: not in their overview)."""
    if view is None:
        return frozenset()
    return view.roles & overview_roles(user)


def may_see_invoice_amount(uow: UnitOfWork, user: User, row: Invoice) -> bool:
    """Tell whether an overview row may show the case's invoice amount: whoever may read the
    invoice's salary (finance of a party, admins, auditors in scope with the personal-data
    right); HR and service leaders see that an invoice exists, not what it says."""
    return may_read_invoice_file(uow, user, row)


LIFECYCLE_KEEPERS = (PROCESS_OWNER,)  # suspend, resume and cancel any case they see (and admins)


def may_cancel(instance: ProcessInstance, user: User) -> bool:
    """Tell whether the user may cancel the case (with a reason): its starter, a process owner
    or an admin, while it runs or waits suspended."""
    live = instance.state in (InstanceState.RUNNING, InstanceState.SUSPENDED)
    return live and (instance.started_by == user.username or holds(user, LIFECYCLE_KEEPERS))


def may_suspend(instance: ProcessInstance, user: User) -> bool:
    """Tell whether the user may put a running case on hold: a process owner or an admin."""
    return instance.state == InstanceState.RUNNING and holds(user, LIFECYCLE_KEEPERS)


def may_resume(instance: ProcessInstance, user: User) -> bool:
    """Tell whether the user may resume a suspended case: a process owner or an admin."""
    return instance.state == InstanceState.SUSPENDED and holds(user, LIFECYCLE_KEEPERS)


# ---------------------------------------------------------------------------- workers

WORKERS = (PROCESS_OWNER,)  # Camunda 7 external-task workers (/engine-rest): fetch, complete


def ensure_may_work_external_tasks(user: User) -> None:
    """Raise Forbidden unless the user may fetch, lock, complete or fail external tasks."""
    if not holds(user, WORKERS):
        raise Forbidden("external tasks are done by process owners' and admins' workers")


def ensure_may_retry_incidents(user: User) -> None:
    """Raise Forbidden unless the user may retry incidents (administration)."""
    if not holds(user, ADMINISTRATION):
        raise Forbidden("only admins retry incidents")


# ---------------------------------------------------------------------------- e-mails

# What a process mail may print. Every placeholder its templates name (nb and en) is either one
# of these, which name the case and the recipient and no case data, or declared for its kind
# (`declare_mail`) with the data key a recipient must read to get it. A template naming
# anything else is refused when the wiring is built; a declared field reaches only recipients
# whose view of the case reads its key, and is empty for the others (docs/access.md, "E-mails").
MAIL_CASE_FIELDS = frozenset(
    {"name", "case", "process", "link", "home", "type", "task", "due", "due_line", "assignee"}
)
PUBLISHED = "@published"  # what the board or the vacancy page shows everyone it addresses
ADDRESSEE = "@addressee"  # about the person the entry is `to` (or `to_email`), for them only
APPLICANT_KINDS = "applicant."  # mails to applicants, who have no user and no case view
# The core processes' own mails (the routines declare theirs in their case_access.py).
CORE_MAILS: dict[str, dict[str, str]] = {
    "leave_reminder": {"from_date": "from_date", "to_date": "to_date"},
}


def declare_mail(configuration: Configuration, kind: str, fields: Mapping[str, str]) -> None:
    """Declare what a mail kind may print: placeholder -> the data key a recipient must read
    (or PUBLISHED, ADDRESSEE)."""
    configuration.mails[kind] = {**configuration.mails.get(kind, {}), **fields}


def declare_core_mails(configuration: Configuration) -> None:
    """Declare the core processes' mails and make this module decide what each recipient gets."""
    for kind, fields in CORE_MAILS.items():
        declare_mail(configuration, kind, fields)
    configuration.mail_reader = mail_fields


def mail_template_problems(
    templates: Mapping[str, Mapping[str, Any]], declared: Mapping[str, Mapping[str, str]]
) -> list[str]:
    """Return, for one locale's mail templates ({kind: {part: text}}), each placeholder a
    template names that is neither a case field nor declared for its kind."""
    problems = []
    for kind, parts in sorted(templates.items()):
        if not isinstance(parts, Mapping):
            continue  # _footer and the like: shared texts without placeholders of a kind
        allowed = MAIL_CASE_FIELDS | set(declared.get(kind, {}))
        for part, text in sorted(parts.items()):
            for name in sorted(_placeholders(str(text)) - allowed):
                problems.append(f"mail.{kind}.{part}: ${name} is not declared for '{kind}'")
    return problems


def ensure_mail_templates(
    configuration: Configuration,
    catalogues: Mapping[str, Mapping[str, Any]],
    *,
    every_kind: bool = True,
) -> None:
    """Refuse (MailTemplateRefused) templates that name a field their kind does not declare.

    `every_kind` false (a wiring without all the routines): only the kinds this wiring
    declares are checked; the others' templates belong to routines it does not run, and
    what they name is empty in any mail (`mail_fields` gives only declared fields).
    """
    templates_of = {
        locale: {
            kind: parts
            for kind, parts in templates.items()
            if every_kind or kind in configuration.mails
        }
        for locale, templates in catalogues.items()
    }
    problems = [
        f"{locale}: {problem}"
        for locale, templates in sorted(templates_of.items())
        for problem in mail_template_problems(templates, configuration.mails)
    ]
    if problems:
        raise MailTemplateRefused(problems)


def mail_fields(
    uow: UnitOfWork,
    instance: ProcessInstance,
    user: User | None,
    kind: str,
    fields: Mapping[str, Any],
    addressee: bool,
    declared: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Return the fields of a mail entry this recipient may read; the kind's other declared
    fields empty. `user` None is an applicant: only what their application flow addresses
    to them (ADDRESSEE) and what is published. `declared` are the fields of a process
    owner's own texts (modeler), each read from the data key of its name; a value the case
    does not hold under that name (a constant of the model) goes to the entry's `to` only."""
    owners = declared is not None
    declared = current().mails.get(kind, {}) if declared is None else declared
    keyed = any(source not in (PUBLISHED, ADDRESSEE) for source in declared.values())
    # Only a field read from the case needs the recipient's view (an announcement to hundreds
    # of employees prints what the board publishes, and asks for none).
    view = case_view(uow, instance, user) if user is not None and keyed else None
    given: dict[str, Any] = {}
    for name, source in declared.items():
        value = fields.get(name)
        unheld = owners and addressee and source not in instance.process_data
        if value is not None and (_mail_reads(view, source, addressee=addressee) or unheld):
            given[name] = value if view is None else view.masked({name: value})[name]
        else:
            given[name] = ""
    return given


def _mail_reads(view: CaseView | None, source: str, *, addressee: bool) -> bool:
    if source == PUBLISHED:
        return True
    if source == ADDRESSEE:
        return addressee
    return view is not None and view.sees(source)


def _placeholders(text: str) -> set[str]:
    """Return the names a `string.Template` text substitutes ($name, ${name})."""
    found = set()
    for match in Template.pattern.finditer(text):
        name = match.group("named") or match.group("braced")
        if name:
            found.add(name)
    return found


# ---------------------------------------------------------------------------- history

# Who reads a case's history as recorded (usernames, who was offered each task, the hash
# chain): admins and auditors in scope, in the audit pages and the history API.
FULL_HISTORY = frozenset({ADMIN, AUDITOR})
# The rows of a case's story a participant reads (the rest is administration: incidents,
# migrations, drafts, external workers).
CASE_STORY = frozenset(
    {
        "instance_started",
        "element_completed",  # the path through the diagram
        "task_ready",
        "task_claimed",
        "task_unclaimed",
        "task_delegated",
        "task_completed",
        "task_cancelled",
        "message_received",
        "timer_fired",
        "instance_completed",
        "instance_cancelled",
        "case_cancel_requested",
        "instance_suspended",
        "instance_resumed",
    }
)
# Rows that say who was offered or handed a task: a participant reads them for their own tasks.
TASK_OFFERS = frozenset({"task_ready", "task_claimed", "task_unclaimed", "task_delegated"})
_PEOPLE_KEYS = ("candidate_users", "to")  # usernames in an offer row's data


def reads_full_history(view: CaseView) -> bool:
    """Tell whether the reader gets the history as recorded (admins, auditors in scope)."""
    return bool(FULL_HISTORY & view.roles)


def participant_history(
    uow: UnitOfWork, view: CaseView, user: User, events: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Return the history rows (`audit.views.event_view`) a participant reads: the case's
    story, offers of their own tasks only, the data keys their view reads, people by name."""
    own = {str(t.id) for t in uow.tasks.of_instance(view.instance_id) if took_part(t, user)}
    name_of = display_names(uow)
    shown = []
    for event in events:
        kind = event.get("type")
        mine = event.get("task_id") is not None and str(event.get("task_id")) in own
        if kind not in CASE_STORY or (kind in TASK_OFFERS and not mine):
            continue
        data = event.get("data")
        if kind in TASK_OFFERS and isinstance(data, dict):
            data = {k: _named(v, name_of) if k in _PEOPLE_KEYS else v for k, v in data.items()}
        elif isinstance(data, dict):
            data = view.shows(data)
        story = {k: event.get(k) for k in ("seq", "at", "type", "element_id", "element_name")}
        shown.append(
            {
                **story,
                "task_id": event.get("task_id"),
                "actor": None,  # usernames are for the audit pages
                "actor_name": name_of(event.get("actor")),
                "data": data,
                "delta": view.shows_delta(event.get("delta")),
            }
        )
    return shown


def participant_state(
    uow: UnitOfWork, view: CaseView, user: User, state: Mapping[str, Any]
) -> dict[str, Any]:
    """Return a replayed state (`audit.replay.state_at`, already reduced to the reader's keys)
    as a participant reads it: its event as their history shows it (or only its place in the
    history when that row is not theirs), open tasks' holders by name."""
    event = state.get("event") or {}
    shown = participant_history(uow, view, user, [event])
    story = {k: event.get(k) for k in ("seq", "at", "type", "element_id", "element_name")}
    quiet = {**story, "task_id": None, "actor": None, "actor_name": None, "data": None}
    name_of = display_names(uow)
    tasks = [{**t, "assignee": name_of(t.get("assignee"))} for t in state.get("open_tasks") or []]
    return {**state, "event": shown[0] if shown else quiet, "open_tasks": tasks}


def display_names(uow: UnitOfWork) -> Callable[[Any], str | None]:
    """Return a lookup of a username's display name (None for the engine's own steps,
    applicants and unknown names), each user read once."""
    names: dict[str, str | None] = {}

    def name_of(actor: Any) -> str | None:
        if not isinstance(actor, str) or ":" in actor:  # system:timer, applicant:<e-mail>
            return None
        if actor not in names:
            person = uow.users.find(actor)
            names[actor] = (person.full_name or person.username) if person else None
        return names[actor]

    return name_of


def _named(value: Any, name_of: Callable[[Any], str | None]) -> Any:
    if isinstance(value, list):
        return [name_of(v) or "" for v in value]
    return name_of(value) if isinstance(value, str) else value
