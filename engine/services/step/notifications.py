"""Write e-mails to the outbox in the caller's transaction: who gets what, in which language.

Sources: a task becomes available or is assigned, task reminders (due tomorrow, overdue,
escalated; see `task_deadlines`) and the process's own messages (`process_mail`). Each
recipient gets one row, in their `locale` (nb or en); templates marked `reminder` skip users
who turned reminders off. Rows are delivered later by `outbox.deliver_due`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import lru_cache
from string import Template
from typing import Any
from uuid import UUID

from babel.dates import format_date, format_datetime

from engine import catalogue as catalogues
from engine.services.configuration import Policy, current
from engine.services.step import wakeups
from engine.store.models import HumanTask, Outbox, ProcessInstance, User
from engine.store.states import OutboxState
from engine.store.uow import UnitOfWork
from engine.timezone import OSLO

# The mails' texts are `mail.<kind>.subject`, `.body` (and `.due_line`) in engine/translations,
# with `$name` placeholders; a name without a value prints as nothing.
LOCALES = catalogues.LANGUAGES
# The kinds users may turn off (reminders_enabled = false): tools/import_messages.py names a
# kind still marked `reminder: true` in an old mail YAML that is missing here.
REMINDERS = ("task_due_tomorrow", "task_overdue", "report_reminder", "leave_reminder")


def policy() -> Policy:
    """Return the running wiring's mail policy (links, grace period, reminder hour)."""
    return current().policy


@lru_cache(maxsize=4)
def catalogue(locale: str) -> dict[str, Any]:
    """Return the mail templates of a locale from the catalogues: `mail.<kind>.<field>` as
    {kind: {field: text}}, and `mail._footer` and the like as {"_footer": text}."""
    templates: dict[str, Any] = {}
    for msgid, text in catalogues.section(locale, "mail.").items():
        kind, _, field = msgid.rpartition(".")  # a kind may hold dots: applicant.offer_letter
        if kind:
            templates.setdefault(kind, {})[field] = text
        else:
            templates[field] = text
    return templates


def render(
    kind: str,
    locale: str,
    params: Mapping[str, str],
    *,
    copy: bool = False,
    own: tuple[str, str] | None = None,
) -> tuple[str, str]:
    """Return (subject, body) of a template filled with params; `own` is a process owner's
    (subject, body) written in the modeler, used instead of the catalogue's template."""
    texts = catalogue(locale)
    template = texts.get(kind) or texts["process_message"]
    if own is not None:
        template = {"subject": own[0], "body": own[1]}
    values = _Values(params)  # a name the recipient is not given prints as nothing
    if "due_line" in template:
        values["due_line"] = (
            Template(template["due_line"]).safe_substitute(values) if params.get("due") else ""
        )
    subject = Template(template["subject"]).safe_substitute(values)
    body = Template(template["body"]).safe_substitute(values).rstrip() + "\n" + texts["_footer"]
    if copy:
        subject, body = texts["_copy_subject"] + subject, texts["_copy_intro"] + "\n\n" + body
    return " ".join(subject.split())[:300], body


class _Values(dict[str, str]):
    """A template's values; a placeholder without one is empty (access.mail_fields gives each
    recipient only what they may read, and no template prints `$name` to anyone)."""

    def __missing__(self, key: str) -> str:
        return ""


def _is_reminder(kind: str) -> bool:
    """Tell whether a template is a reminder (users may turn those off)."""
    return kind in REMINDERS


def enqueue(
    uow: UnitOfWork,
    user: User | None,
    kind: str,
    params: Mapping[str, Any],
    *,
    now: datetime,
    instance: ProcessInstance | None = None,
    task_id: str | None = None,
    copy: bool = False,
    texts: Mapping[str, tuple[str, str]] | None = None,
) -> Outbox | None:
    """Write one mail for one user to the outbox; None if they cannot or do not want it.

    `texts` (language -> subject, body) are a process owner's own, from the modeler: the
    recipient's language, else bokmål."""
    if user is None or not user.is_active or not user.email:
        return None
    if _is_reminder(kind) and not user.reminders_enabled:
        return None
    locale = user.locale if user.locale in LOCALES else "nb"
    values = {**formatted(params, locale), "name": user.full_name or user.username}
    values["case"] = values.get("case") or catalogue(locale)["_no_case"]
    own = (texts.get(locale) or texts.get("nb")) if texts else None
    subject, body = render(kind, locale, values, copy=copy, own=own)
    return queue(
        uow,
        now,
        instance_id=instance.id if instance else None,
        task_id=task_id,
        kind=kind,
        recipient=user.username,
        to_address=user.email,
        to_name=user.full_name,
        is_copy=copy,
        locale=locale,
        subject=subject,
        body=body,
    )


def queue(uow: UnitOfWork, now: datetime, **mail: Any) -> Outbox:
    """Add one rendered mail (the `Outbox` columns in `mail`) to the outbox, due now, and wake
    the mail pump."""
    row = Outbox(**mail, state=OutboxState.PENDING, attempts=0, next_attempt_at=now, created_at=now)
    uow.outbox.add(row)
    wakeups.hint(uow.session, "mail", None)
    return row


def task_params(
    uow: UnitOfWork, instance: ProcessInstance, task: HumanTask, *, titled: bool = True
) -> dict[str, Any]:
    """Return the fields every task mail can use; the task by its title (`taskTitle`) for the
    people it is offered to, who read its context anyway, by its name with `titled=False`."""
    return {
        **case_params(uow, instance),
        "task": (task.title or task.name) if titled else task.name,
        "due": task.due_at,
        "link": f"{policy().public_url.rstrip('/')}/tasks/{task.id}",  # the case is linked there
    }


def case_params(uow: UnitOfWork, instance: ProcessInstance) -> dict[str, Any]:
    """Return the fields that name the process and the case."""
    return {
        "process": _process_name(uow, instance.definition_id, instance.key),
        "case": instance.business_key or "",
        # The case page: each recipient sees there what they may of it (access.case_view).
        "link": f"{policy().public_url.rstrip('/')}/cases/{instance.id}",
        "home": policy().public_url.rstrip("/"),
    }


# A pure cache, not configuration: keyed by definition id (a uuid4, unique in every database),
# of a definition version's name, which never changes once deployed.
_names_by_definition: dict[UUID, str] = {}


def _process_name(uow: UnitOfWork, definition_id: UUID, key: str) -> str:
    """Return a process's name; definitions never change, so each is read once per process."""
    if definition_id not in _names_by_definition:
        _names_by_definition[definition_id] = uow.definitions.get(definition_id).name or key
    return _names_by_definition[definition_id]


def task_ready(
    uow: UnitOfWork, instance: ProcessInstance, task: HumanTask, actor: str, now: datetime
) -> int:
    """Tell the people a new task is offered to (not the one whose step made it); return count."""
    kind = "task_assigned" if len(task.candidate_users) == 1 else "task_available"
    if task.candidate_users == [actor]:  # the common "your next step" case: nobody to tell
        return 0
    people = [u for u in offered_to(uow, task) if u.username != actor]
    if not people:
        return 0
    params = task_params(uow, instance, task)
    rows = [
        enqueue(uow, u, kind, params, now=now, instance=instance, task_id=str(task.id))
        for u in people
    ]
    return sum(1 for r in rows if r is not None)


def task_assigned(
    uow: UnitOfWork,
    instance: ProcessInstance,
    task_id: str,
    username: str,
    actor: str,
    now: datetime,
) -> int:
    """Tell a user a task was assigned to them by someone else; return how many mails."""
    if username == actor:
        return 0
    task = uow.tasks.get(UUID(task_id))
    params = task_params(uow, instance, task)
    row = enqueue(
        uow,
        uow.users.find(username),
        "task_assigned",
        params,
        now=now,
        instance=instance,
        task_id=task_id,
    )
    return 0 if row is None else 1


def offered_to(uow: UnitOfWork, task: HumanTask) -> list[User]:
    """Return who a task concerns: assignee, else candidate users, else its roles' members."""
    if task.assignee:
        return found(uow, [task.assignee])
    if task.candidate_users:
        return found(uow, task.candidate_users)
    people: dict[str, User] = {}
    for role in task.candidate_roles:
        people.update({u.username: u for u in uow.users.with_role(role, task.municipality_id)})
    return list(people.values())


def found(uow: UnitOfWork, usernames: Iterable[str]) -> list[User]:
    """Return the users of these names that exist, each once, in order."""
    return [u for name in dict.fromkeys(usernames) if (u := uow.users.find(name)) is not None]


def formatted(params: Mapping[str, Any], locale: str) -> dict[str, str]:
    """Return the params as text in the locale (dates and times as people write them)."""
    texts = catalogue(locale)
    return {k: _text(v, texts, locale) for k, v in params.items() if v is not None}


def _text(value: Any, texts: Mapping[str, Any], locale: str) -> str:
    if isinstance(value, str) and len(value) >= 10 and value[:4].isdigit() and value[4] == "-":
        try:
            value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        moment = value.astimezone(OSLO) if value.tzinfo else value
        return format_datetime(moment, str(texts["_due_format"]), locale=locale)
    if isinstance(value, date):
        return format_date(value, str(texts["_date_format"]), locale=locale)
    return str(value)
