"""Every "who may do or see what" rule, in one place.

So far: who may start a process and who may send a message from outside, as the process
declares it (`engine/runtime/declarations.py`, docs/bpmn-conventions.md). The other `may_*`
predicates (tasks, instances, attachments, invoices) move here with the "need to know" model.

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
"""

from __future__ import annotations

from engine.runtime.declarations import Declarations
from engine.services.errors import Forbidden, MessageForbidden, StartForbidden
from engine.store.models import User

TRYING_ROLES = frozenset({"process_owner", "admin"})  # start what declares no startRoles
WORKER_ROLES = frozenset({"process_owner", "admin"})  # fetch, lock and complete external tasks


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


def may_work_external_tasks(user: User) -> bool:
    """Tell whether the user may fetch, lock, complete or fail external tasks (a worker)."""
    return bool(WORKER_ROLES & set(user.roles))


def ensure_may_work_external_tasks(user: User) -> None:
    """Raise Forbidden unless the user may act as an external-task worker."""
    if not may_work_external_tasks(user):
        raise Forbidden("external tasks are done by process owners' and admins' workers")


def ensure_may_retry_incidents(user: User) -> None:
    """Raise Forbidden unless the user may retry incidents (admins)."""
    if "admin" not in user.roles:
        raise Forbidden("only admins retry incidents")
