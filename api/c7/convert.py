"""Camunda 7's conventions: dates, ids, typed variables, query parameters and bodies."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from flask import request

from engine.services.errors import BadRequest
from engine.timezone import OSLO

INT_MAX = 2**31 - 1


class InvalidRequest(BadRequest):
    """A Camunda request that cannot be read (400 InvalidRequestException)."""


def date(moment: datetime | None) -> str | None:
    """Return Camunda's `yyyy-MM-dd'T'HH:mm:ss.SSSZ`, always milliseconds and a numeric offset."""
    if moment is None:
        return None
    local = moment.astimezone(OSLO)
    return f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}{local:%z}"


def parse_date(text: Any, name: str) -> datetime:
    """Read a Camunda date (`+0100`, `+01:00` or `Z`)."""
    value = str(text).strip()
    if len(value) > 5 and value[-5] in "+-" and value[-4:].isdigit():
        value = f"{value[:-2]}:{value[-2:]}"
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise InvalidRequest(f"Cannot convert value '{text}' of '{name}' to a date") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=OSLO)


def definition_id(key: str, version: int, uuid: UUID) -> str:
    """Return a Camunda-style process definition id, `key:version:uuid`."""
    return f"{key}:{version}:{uuid}"


def definition_uuid(text: str) -> UUID:
    """Return our definition's UUID from a `key:version:uuid` id (or a bare UUID)."""
    return uuid_of(text.rsplit(":", 1)[-1], "process definition")


def uuid_of(text: str, what: str) -> UUID:
    """Read a UUID id; anything else names nothing (404, as Camunda answers unknown ids)."""
    from engine.store.errors import NotFound

    try:
        return UUID(text)
    except ValueError as error:
        raise NotFound(what, text) from error


_TYPES = {
    "boolean": bool,
    "integer": int,
    "long": int,
    "short": int,
    "double": float,
    "string": str,
}


def variables_in(given: Any, name: str = "variables") -> dict[str, Any]:
    """Read `{name: {value, type, valueInfo}}` into plain values (type inferred when missing)."""
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise InvalidRequest(f"'{name}' must be an object of variables")
    return {str(key): _value_in(str(key), item) for key, item in given.items()}


def _value_in(name: str, item: Any) -> Any:
    if not isinstance(item, Mapping):
        raise InvalidRequest(f"Variable '{name}' must be an object with a value")
    value, kind = item.get("value"), str(item.get("type") or "").lower()
    if kind in ("", "null") or value is None:
        return value
    if kind in ("json", "object"):
        return _json_value(name, value, item.get("valueInfo"))
    if kind == "date":
        return parse_date(value, name).isoformat()
    expected = _TYPES.get(kind)
    if expected is None:
        raise InvalidRequest(f"Unsupported value type '{item.get('type')}' of variable '{name}'")
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise InvalidRequest(
            f"Cannot convert value '{value}' of type '{item.get('type')}' of variable '{name}'"
        )
    return value


def _json_value(name: str, value: Any, info: Any) -> Any:
    if not isinstance(value, str):
        return value
    form = (info or {}).get("serializationDataFormat") if isinstance(info, Mapping) else None
    if form not in (None, "application/json"):
        raise InvalidRequest(f"Variable '{name}' is serialized as {form}; only JSON is read")
    try:
        return json.loads(value)
    except ValueError as error:
        raise InvalidRequest(f"Variable '{name}' is not valid JSON") from error


def variable_out(value: Any) -> dict[str, Any]:
    """Return Camunda's typed form of a value: always value, type and valueInfo."""
    if value is None:
        return {"value": None, "type": "Null", "valueInfo": {}}
    if isinstance(value, bool):
        return {"value": value, "type": "Boolean", "valueInfo": {}}
    if isinstance(value, int):
        kind = "Integer" if -INT_MAX - 1 <= value <= INT_MAX else "Long"
        return {"value": value, "type": kind, "valueInfo": {}}
    if isinstance(value, float):
        return {"value": value, "type": "Double", "valueInfo": {}}
    if isinstance(value, str):
        return {"value": value, "type": "String", "valueInfo": {}}
    return {"value": json.dumps(value, ensure_ascii=False), "type": "Json", "valueInfo": {}}


def variables_out(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Return instance data as Camunda variables."""
    return {name: variable_out(value) for name, value in data.items() if not callable(value)}


def body() -> dict[str, Any]:
    """Return the JSON body, `{}` when there is none (bodiless POSTs with a JSON type)."""
    given = request.get_json(silent=True)
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise InvalidRequest("the request body must be a JSON object")
    return given


def arg_list(name: str) -> list[str] | None:
    """Return a list parameter, repeated (`a=1&a=2`) or comma-joined (`a=1,2`); None if absent."""
    values = request.args.getlist(name)
    if not values:
        return None
    return [part for value in values for part in value.split(",") if part]


def arg_bool(name: str) -> bool | None:
    """Return a `true`/`false` query parameter (any case), None if absent."""
    value = request.args.get(name)
    return None if value is None else _bool(value, name)


def flag(value: Any, name: str) -> bool:
    """Read a boolean from JSON, a form field (`"False"`, str(bool)) or a query string."""
    if isinstance(value, bool) or value is None:
        return bool(value)
    return _bool(str(value), name)


def _bool(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered not in ("true", "false"):
        raise InvalidRequest(f"Cannot convert value '{value}' of '{name}' to a boolean")
    return lowered == "true"


def arg_int(name: str, default: int | None = None) -> int | None:
    """Return an integer query parameter."""
    value = request.args.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise InvalidRequest(f"Cannot convert value '{value}' of '{name}' to an integer") from error


def page(items: list[Any], first: int | None, most: int | None) -> list[Any]:
    """Apply `firstResult`/`maxResults`."""
    start = max(first or 0, 0)
    return items[start:] if most is None else items[start : start + max(most, 0)]


def sorted_page(
    rows: list[Any],
    sorting: Any,
    columns: Mapping[str, str],
    of: Callable[[Any], Any] = lambda row: row,
) -> list[Any]:
    """Sort rows in place by Camunda's `sorting` (one `{sortBy, sortOrder}` or a list; empty
    values last), reading `columns[sortBy]` of `of(row)`; return the page the query asks for."""
    orders = sorting if isinstance(sorting, list) else [sorting] if sorting else []
    for order in reversed(orders):
        column = columns.get(str(order.get("sortBy")))
        if column is None:
            raise InvalidRequest(f"Cannot sort by '{order.get('sortBy')}'")
        rows.sort(
            key=lambda row: (getattr(of(row), column) is None, str(getattr(of(row), column))),
            reverse=order.get("sortOrder") == "desc",
        )
    return page(rows, arg_int("firstResult"), arg_int("maxResults"))
