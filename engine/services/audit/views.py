"""What auditors read: instance search, an instance's timeline, exports as JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any
from uuid import UUID

from engine.services.audit import chain as audit
from engine.services.audit.access import EVERYTHING, AuditAccess, mask_data, mask_event
from engine.services.step import history
from engine.store.audit import InstanceFilter
from engine.store.models import HistoryEvent, ProcessInstance
from engine.store.uow import UnitOfWork
from engine.timezone import OSLO

EVENT_COLUMNS = (
    "seq",
    "at",
    "type",
    "actor",
    "element_id",
    "element_name",
    "task_id",
    "definition_key",
    "definition_version",
    "data",
    "delta",
    "anonymised",
    "prev_hash",
    "hash",
)
INSTANCE_COLUMNS = (
    "id",
    "key",
    "version",
    "state",
    "business_key",
    "started_by",
    "created_at",
    "ended_at",
    "events",
    "anonymised",
)


def _instance_summary(instance: ProcessInstance, anonymised: bool) -> dict[str, Any]:
    """Return the columns auditors list an instance by."""
    return {
        "id": instance.id,
        "key": instance.key,
        "version": instance.version,
        "state": instance.state,
        "business_key": instance.business_key,
        "started_by": instance.started_by,
        "created_at": instance.created_at,
        "ended_at": instance.ended_at,
        "events": instance.history_seq,
        "anonymised": anonymised,
    }


def instance_filter(args: Mapping[str, Any], access: AuditAccess = EVERYTHING) -> InstanceFilter:
    """Return the search filter for query arguments (within the reader's scope).

    Dates are whole days in Oslo.
    """
    start: date | None = args.get("started_from")
    end: date | None = args.get("started_to")
    return InstanceFilter(
        key=args.get("key"),
        version=args.get("version"),
        business_key=args.get("business_key"),
        municipality=args.get("municipality"),
        person=args.get("person"),
        state=args.get("state"),
        started_from=datetime.combine(start, time.min, OSLO) if start else None,
        started_to=datetime.combine(end, time.max, OSLO) if end else None,
        scope=access.municipality,
    )


def search(uow: UnitOfWork, where: InstanceFilter, *, limit: int, offset: int) -> dict[str, Any]:
    """Return one page of instances matching the filter, newest first."""
    with uow:
        rows, total = uow.audit.search(where, limit=limit, offset=offset)
        items = [_instance_summary(i, uow.audit.is_anonymised(i.id)) for i in rows]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def timeline(
    uow: UnitOfWork, instance_id: UUID, access: AuditAccess = EVERYTHING
) -> dict[str, Any]:
    """Return an instance with every event (element names filled in) and its chain check.

    Personal data is masked unless the reader may see it; hashes and the check are not.
    """
    with uow:
        instance = uow.instances.get(instance_id)
        events = list(uow.history.of_instance(instance_id))
        anonymised = any(e.type == history.ANONYMISED for e in events)
        summary = _instance_summary(instance, anonymised)
    report = audit.verify(uow, instance_id)
    names = {e.element_id: e.element_name for e in events if e.element_id and e.element_name}
    return {
        "instance": {**summary, "data": mask_data(instance.data, access)},
        "events": [mask_event(event_view(e, names), access) for e in events],
        "verification": report.to_dict(),
    }


def event_view(event: HistoryEvent, names: Mapping[str, str | None]) -> dict[str, Any]:
    """Return an event as auditors read it."""
    return {
        "seq": event.seq,
        "at": event.at,
        "type": event.type,
        "actor": event.actor,
        "element_id": event.element_id,
        "element_name": event.element_name or names.get(event.element_id or ""),
        "task_id": event.task_id,
        "definition_key": event.definition_key,
        "definition_version": event.definition_version,
        "data": event.data,
        "delta": event.delta,
        "anonymised": event.content_digest is not None,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def export_json(
    uow: UnitOfWork,
    instance_id: UUID,
    *,
    by: str,
    now: datetime,
    access: AuditAccess = EVERYTHING,
) -> dict[str, Any]:
    """Return the whole record of one instance, with its verification, for download."""
    record = timeline(uow, instance_id, access)
    masked = not access.sees_personal_data
    return {"exported_at": now, "exported_by": by, "personal_data_masked": masked, **record}


def export_csv(
    uow: UnitOfWork,
    instance_id: UUID,
    *,
    by: str,
    now: datetime,
    access: AuditAccess = EVERYTHING,
) -> str:
    """Return one instance's events as CSV; the last row carries the verification result."""
    record = timeline(uow, instance_id, access)
    rows = [{k: _cell(v) for k, v in e.items()} for e in record["events"]]
    rows.append(
        {
            "type": "verification",
            "actor": by,
            "at": now.isoformat(),
            "data": _cell(record["verification"]),
        }
    )
    return _csv(EVENT_COLUMNS, rows)


def search_csv(uow: UnitOfWork, where: InstanceFilter, *, limit: int) -> str:
    """Return every instance matching the filter (up to `limit`) as CSV, with chain checks."""
    page = search(uow, where, limit=limit, offset=0)
    rows = []
    for item in page["items"]:
        report = audit.verify(uow, item["id"])
        broken = report.first_broken
        rows.append(
            {
                **{k: _cell(v) for k, v in item.items()},
                "chain_valid": report.ok,
                "first_broken_seq": broken.seq if broken else "",
            }
        )
    return _csv((*INSTANCE_COLUMNS, "chain_valid", "first_broken_seq"), rows)


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else value


# A spreadsheet reads a cell starting with one of these as a formula (`=HYPERLINK(…)`, `@SUM`,
# `+cmd|…`); such a cell is written with a leading apostrophe, which shows it as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutral(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    # RFC 4180's CRLF: the writer then also quotes a cell holding a lone CR, which a "\n"
    # terminator would leave bare, splitting the row in a spreadsheet.
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: _neutral(v) for k, v in row.items()} for row in rows)
    return out.getvalue()
