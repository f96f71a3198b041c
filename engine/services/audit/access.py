"""What one auditor may read: which municipality's instances, and whether personal data.

Both come from the user (the organisation YAML's `audit:` entry): `audit_municipality_id`
limits an auditor to the instances that involve that municipality (None: every one);
`audit_personal_data` lets timelines, replayed states and exports show personal data. Admins
read everything. An instance outside the scope is reported as not found, so its existence
does not leak. Without the personal-data right every value of process data (instance data,
deltas, and the data of events that carry what people entered: start data, forms, drafts,
messages, and failed sign-ins) shows as `[skjult]`, except the fields
`Settings.audit_open_fields` lists. Field names, actors, times, elements, the bookkeeping of
`BOOKKEEPING` events, hashes and the verification stay.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from engine.store.errors import NotFound
from engine.store.models import User
from engine.store.uow import UnitOfWork

MASK = "[skjult]"
# Events whose data is the system's own bookkeeping (offers, timers, incidents, migrations,
# deploys, clock, tombstones, auditors' queries), not what a person entered: never masked.
BOOKKEEPING = frozenset(
    {
        "element_completed",
        "task_ready",
        "task_cancelled",
        "task_claimed",
        "task_unclaimed",
        "task_delegated",
        "incident",
        "incident_retried",
        "instance_migrated",
        "instance_anonymised",
        "definition_deployed",
        "clock_advanced",
        "audit_query",
        "mail_retried",
        "organisation_loaded",
        "personal_data_removed",
    }
)


@dataclass(frozen=True)
class AuditAccess:
    """One reader's audit rights: a municipality scope (None: all) and the open fields."""

    municipality: str | None = None
    open_fields: frozenset[str] | None = None  # None: personal data is shown

    @property
    def sees_personal_data(self) -> bool:
        """Tell whether data values are shown unmasked."""
        return self.open_fields is None


EVERYTHING = AuditAccess()


def access_of(user: User, open_fields: str) -> AuditAccess:
    """Return the user's audit rights; admins and non-auditors are not limited by them."""
    if "admin" in user.roles or "auditor" not in user.roles:
        return EVERYTHING
    fields = None if user.audit_personal_data else _parse_fields(open_fields)
    return AuditAccess(municipality=user.audit_municipality_id, open_fields=fields)


def _parse_fields(text: str) -> frozenset[str]:
    """Return the field names of a comma-separated setting."""
    return frozenset(name.strip() for name in text.split(",") if name.strip())


def ensure_in_scope(uow: UnitOfWork, access: AuditAccess, instance_id: UUID) -> None:
    """Raise NotFound when the instance lies outside the reader's municipality."""
    if access.municipality is None:
        return
    with uow:
        if not uow.audit.involves(instance_id, access.municipality):
            raise NotFound("process instance", instance_id)


def mask_data(data: Mapping[str, Any] | None, access: AuditAccess) -> Any:
    """Return data with the values of personal fields replaced by `[skjult]`."""
    if data is None or access.open_fields is None or not isinstance(data, Mapping):
        return data
    return {k: v if k in access.open_fields else _hide(v) for k, v in data.items()}


def mask_delta(delta: Mapping[str, Any] | None, access: AuditAccess) -> Any:
    """Return a delta ({field: {before, after}}) with personal fields' values hidden."""
    if delta is None or access.open_fields is None or not isinstance(delta, Mapping):
        return delta
    return {
        k: change
        if k in access.open_fields or not isinstance(change, Mapping)
        else {side: _hide(value) for side, value in change.items()}
        for k, change in delta.items()
    }


def mask_event(event: Mapping[str, Any], access: AuditAccess) -> dict[str, Any]:
    """Return an event view with its data and delta masked for the reader."""
    data = event.get("data")
    return {
        **event,
        "data": data if event.get("type") in BOOKKEEPING else mask_data(data, access),
        "delta": mask_delta(event.get("delta"), access),
    }


def _hide(value: Any) -> Any:
    # An empty value names nobody; showing it tells the auditor the field was not filled.
    return value if value is None or value == "" else MASK


def mask_state(state: Mapping[str, Any], access: AuditAccess) -> dict[str, Any]:
    """Return a replayed state with its data and its event's data and delta masked."""
    return {
        **state,
        "data": mask_data(state.get("data"), access),
        "event": mask_event(state.get("event") or {}, access),
    }


def scope_report(uow: UnitOfWork, report: dict[str, Any], access: AuditAccess) -> dict[str, Any]:
    """Keep the breaks a scoped auditor may see; count the others without naming them.

    Whether the log as a whole verifies (`ok`) is not about any one instance, so it stays.
    """
    if access.municipality is None:
        return {**report, "breaks_outside_scope": 0}
    shown = [b for b in report["breaks"] if _is_visible(uow, b["stream"], access.municipality)]
    return {
        **report,
        "breaks": shown,
        "first_broken": shown[0] if shown else None,
        "breaks_outside_scope": len(report["breaks"]) - len(shown),
    }


def _is_visible(uow: UnitOfWork, stream: str, municipality: str) -> bool:
    try:
        instance_id = UUID(stream)
    except ValueError:
        return True  # the system stream and the anchor chain belong to no municipality
    with uow:
        return uow.audit.involves(instance_id, municipality)
