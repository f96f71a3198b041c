"""Write e-mails to the outbox in the caller's transaction: who gets what, in which language.

Sources: a task becomes available or is assigned, task reminders (due tomorrow, overdue,
escalated; see `task_deadlines`) and the process's own messages, which are the new entries of
the instance's `notifications` list (appended by scripts or the `notify` service operator):
`{"type": "not_selected", "to": "user" | [...], "cc": ..., "to_role": "finance",
"cc_role": ..., "municipality": "asker", "except_municipality": "baerum", ...fields for the
text}` (`except_municipality` leaves out role holders of that municipality). Each recipient
gets one row, in their `locale` (nb or en); templates marked `reminder` skip users who turned
reminders off.
Rows are delivered later by `outbox.deliver_due`.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import quote
from uuid import UUID

import yaml
from babel.dates import format_date, format_datetime

from engine.services.step import wakeups
from engine.store.models import HumanTask, Outbox, ProcessInstance, User
from engine.store.states import OutboxState
from engine.store.uow import UnitOfWork
from engine.timezone import OSLO

TEMPLATES = Path(__file__).parent / "mail_templates"
LOCALES = ("nb", "en")
_ADDRESSING = {"type", "to", "cc", "to_role", "cc_role", "municipality", "except_municipality"}


@dataclass(frozen=True)
class Policy:
    """What the wiring decides for every process: links, grace period, reminder hour."""

    public_url: str = "http://127.0.0.1:5000"
    escalation_grace_working_days: int = 2
    reminder_hour: int = 8


_policy = [Policy()]


def configure(policy: Policy) -> None:
    """Set the policy for this process (done once by the wiring)."""
    _policy[0] = policy


def policy() -> Policy:
    """Return this process's notification policy."""
    return _policy[0]


@lru_cache(maxsize=4)
def catalogue(locale: str) -> dict[str, Any]:
    """Return the mail templates of a locale."""
    text = (TEMPLATES / f"{locale}.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def render(
    kind: str, locale: str, params: Mapping[str, str], *, copy: bool = False
) -> tuple[str, str]:
    """Return (subject, body) of a template filled with params."""
    texts = catalogue(locale)
    template = texts.get(kind) or texts["process_message"]
    values = {**params}
    if "due_line" in template:
        values["due_line"] = (
            Template(template["due_line"]).safe_substitute(values) if params.get("due") else ""
        )
    subject = Template(template["subject"]).safe_substitute(values)
    body = Template(template["body"]).safe_substitute(values).rstrip() + "\n" + texts["_footer"]
    if copy:
        subject, body = texts["_copy_subject"] + subject, texts["_copy_intro"] + "\n\n" + body
    return " ".join(subject.split())[:300], body


def is_reminder(kind: str) -> bool:
    """Tell whether a template is a reminder (users may turn those off)."""
    return bool((catalogue("nb").get(kind) or {}).get("reminder", False))


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
) -> Outbox | None:
    """Write one mail for one user to the outbox; None if they cannot or do not want it."""
    if user is None or not user.is_active or not user.email:
        return None
    if is_reminder(kind) and not user.reminders_enabled:
        return None
    locale = user.locale if user.locale in LOCALES else "nb"
    values = {**_formatted(params, locale), "name": user.full_name or user.username}
    values["case"] = values.get("case") or catalogue(locale)["_no_case"]
    subject, body = render(kind, locale, values, copy=copy)
    row = Outbox(
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
        state=OutboxState.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    uow.outbox.add(row)
    wakeups.hint(uow.session, "mail", None)
    return row


def task_params(uow: UnitOfWork, instance: ProcessInstance, task: HumanTask) -> dict[str, Any]:
    """Return the fields every task mail can use."""
    return {
        **case_params(uow, instance),
        "task": task.name,
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
        return _found(uow, [task.assignee])
    if task.candidate_users:
        return _found(uow, task.candidate_users)
    people: dict[str, User] = {}
    for role in task.candidate_roles:
        people.update({u.username: u for u in uow.users.with_role(role, task.municipality_id)})
    return list(people.values())


def process_messages(
    uow: UnitOfWork,
    instance: ProcessInstance,
    sent: Mapping[str, int],
    lists: Mapping[str, list[Any]],
    now: datetime,
) -> dict[str, int]:
    """Queue a mail per recipient for each process message no earlier step has mailed.

    `lists` holds every list of messages the instance has (see `runtime.projection.mail_lists`);
    `sent` counts, per entry digest, how many copies earlier steps mailed. An entry copied
    from one list to another (a called process's messages returned to its parent) is not
    mailed again; the same entry added twice to one list is mailed twice. Returns the new counts.
    """
    current = current_counts(lists)
    with uow.session.no_autoflush:  # user lookups need none of the step's pending writes
        for digest, (count, item) in current.items():
            for _ in range(count - sent.get(digest, 0)):
                params = {**case_params(uow, instance), **_fields(uow, item)}
                kind = _template(instance.key, str(item.get("type") or "process_message"))
                for user, copy in _addressees(uow, item):
                    enqueue(uow, user, kind, params, now=now, instance=instance, copy=copy)
                if item.get("to_email"):
                    _mail_applicant(uow, instance, item, params, now)
    counts = dict(sent)
    for digest, (count, _) in current.items():
        counts[digest] = max(count, counts.get(digest, 0))
    return counts


def _template(process_key: str, kind: str) -> str:
    """Return the process's own template of a kind (`hiring.announcement_published`) if any."""
    own = f"{process_key}.{kind}"
    return own if own in catalogue("nb") else kind


APPLICANT = "applicant."  # templates for people outside saksflyt, addressed by `to_email`


def _mail_applicant(
    uow: UnitOfWork,
    instance: ProcessInstance,
    item: Mapping[str, Any],
    params: Mapping[str, Any],
    now: datetime,
) -> Outbox | None:
    """Mail an applicant (no user) a message its process addresses `to_email`, in bokmål.

    Only kinds with an `applicant.<type>` template are mailed here: the public vacancy page
    sends the receipt itself. The link is the vacancy's public page.
    """
    kind = APPLICANT + str(item.get("type"))
    texts = catalogue("nb")
    if kind not in texts:
        return None
    data = instance.data or {}
    applicant = _applicant(data, item.get("applicant_no"))
    vacancy = str(data.get("vacancy_id") or instance.business_key or "")
    path = "/".join(quote(part, safe="") for part in vacancy.split("/"))
    values = {
        **_formatted(params, "nb"),
        "name": str(applicant.get("name") or ""),
        "title": str((data.get("published_announcement") or {}).get("title") or ""),
        "case": instance.business_key or texts["_no_case"],
        "link": f"{policy().public_url.rstrip('/')}/stillinger/{path}",
    }
    if isinstance(item.get("panel"), list):
        values["panel"] = ", ".join(str(p) for p in item["panel"])
    subject, body = render(kind, "nb", values)
    row = Outbox(
        instance_id=instance.id,
        kind=str(item.get("type")),
        recipient=None,
        to_address=str(item["to_email"])[:320],
        to_name=values["name"][:200] or None,
        is_copy=False,
        locale="nb",
        subject=subject,
        body=body,
        state=OutboxState.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    uow.outbox.add(row)
    wakeups.hint(uow.session, "mail", None)
    return row


def _applicant(data: Mapping[str, Any], number: Any) -> Mapping[str, Any]:
    rows = list(data.get("previous_applications") or []) + list(data.get("applications") or [])
    return next((a for a in rows if isinstance(a, dict) and a.get("applicant_no") == number), {})


def current_counts(lists: Mapping[str, Any]) -> dict[str, tuple[int, dict[str, Any]]]:
    """Return, per entry digest, the most copies any one list holds, with the entry."""
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    for entries in lists.values():
        if not isinstance(entries, list):
            continue
        here = Counter(_key(e) for e in entries if isinstance(e, dict))
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            digest = _key(entry)
            if here[digest] > found.get(digest, (0, entry))[0]:
                found[digest] = (here[digest], entry)
    return found


def _key(entry: Any) -> str:
    canonical = json.dumps(entry, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _addressees(uow: UnitOfWork, item: Mapping[str, Any]) -> list[tuple[User, bool]]:
    municipality, left_out = item.get("municipality"), item.get("except_municipality")
    to = _found(uow, _names(item.get("to"))) + _role(uow, item.get("to_role"), municipality)
    cc = _found(uow, _names(item.get("cc"))) + _role(uow, item.get("cc_role"), municipality)
    if left_out:  # a role's holders elsewhere: "Nytt oppdrag" is for the other municipalities
        named = set(_names(item.get("to"))) | set(_names(item.get("cc")))
        to = [u for u in to if u.username in named or u.municipality_id != left_out]
        cc = [u for u in cc if u.username in named or u.municipality_id != left_out]
    chosen: dict[str, tuple[User, bool]] = {}
    for user, copy in [(u, False) for u in to] + [(u, True) for u in cc]:
        chosen.setdefault(user.username, (user, copy))
    return list(chosen.values())


def _role(uow: UnitOfWork, role: Any, municipality: Any) -> list[User]:
    if not role:
        return []
    return list(uow.users.with_role(str(role), str(municipality) if municipality else None))


def _names(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v]
    return [str(value)] if value else []


def _found(uow: UnitOfWork, usernames: Iterable[str]) -> list[User]:
    return [u for name in dict.fromkeys(usernames) if (u := uow.users.find(name)) is not None]


def _fields(uow: UnitOfWork, item: Mapping[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in item.items() if k not in _ADDRESSING}
    fields["type"] = item.get("type", "")
    if isinstance(fields.get("employee"), str) and (user := uow.users.find(fields["employee"])):
        fields["employee"] = user.full_name
    return fields


def _formatted(params: Mapping[str, Any], locale: str) -> dict[str, str]:
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
