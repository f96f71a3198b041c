"""Validate submitted form data against the task's JSON Schema, with nb/en field messages
(engine/translations: `forms.*`)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from datetime import date
from functools import lru_cache
from typing import Any
from uuid import UUID

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT202012

from engine import catalogue
from engine.services.errors import FormInvalid

# Messages are `forms.<JSON Schema keyword>` in the catalogues; a format has its own sentence
# (`forms.format.date-time`, for the gender of its noun), a type its name (`forms.type_name.*`).
_TYPES_ORDER = ("integer", "number", "string", "boolean", "array", "object", "null")

# `"format": "attachment"`: the value is an attachment id the submitter may use. Whoever knows
# the submitter (the API, per request) sets the check; without one only the id's form is checked.
attachment_check: ContextVar[Callable[[str], bool] | None] = ContextVar(
    "attachment_check", default=None
)
_formats = FormatChecker()


@_formats.checks("attachment")
def _is_usable_attachment(value: object) -> bool:
    if not isinstance(value, str):
        return True  # "type" reports it
    try:
        UUID(value)
    except ValueError:
        return False
    check = attachment_check.get()
    return check is None or check(value)


# `"x-not-before": {"end_date": "start_date"}` on an object: a date (or date-time) field may not
# be earlier than another field of the same object. JSON Schema has no cross-field comparison;
# the message names the field the value is compared with (its title).
NOT_BEFORE = "x-not-before"


def _not_before(
    validator: Any, rule: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if not isinstance(instance, dict) or not isinstance(rule, dict):
        return
    for field, other in rule.items():
        later, earlier = instance.get(field), instance.get(other)
        if isinstance(later, str) and isinstance(earlier, str) and later < earlier:
            titles = schema.get("properties", {}).get(other) or {}
            names = {"nb": titles.get("title", other)}
            names["en"] = titles.get("x-title-en", names["nb"])
            yield ValidationError(f"{field} is before {other}", path=[field], validator_value=names)


# `"x-after-today": true` on a date field: the date must be later than today in Europe/Oslo
# (the engine clock's today, given to `validate`; without one the rule is not checked).
AFTER_TODAY = "x-after-today"
form_today: ContextVar[date | None] = ContextVar("form_today", default=None)


def _after_today(
    validator: Any, rule: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    today = form_today.get()
    late = isinstance(instance, str) and today is not None and instance[:10] <= today.isoformat()
    if rule is True and late:
        yield ValidationError(f"{instance} is not after {today}")


# Choices from the case: SpiffArena's dynamic enum. A field (or an array's `items`) declares
# `"anyOf": ["options_from_task_data_var:<var>"]`, and the task data's `<var>` lists the
# choices, each {"value": ..., "label": ...} (or a plain value). The server expands it before
# the form is shown and validates a submission against the expanded list, so a value outside
# it is refused at the field. Deploy checks the expanded form (`expand_options(schema, {})`).
OPTIONS_PREFIX = "options_from_task_data_var:"
# Choices from the organisation, for a start form (there is no task data yet):
# `"anyOf": ["options_from_starter_municipality_role:<role>"]` lists the active users of the
# starter's municipality who hold <role> ("Name (unit)", value the username). The service fills
# them in (`declarations.starter_options`) under the marker itself, and validates against them.
STARTER_ROLE_PREFIX = "options_from_starter_municipality_role:"
_STARTER_ROLE = re.compile(re.escape(STARTER_ROLE_PREFIX) + r"([A-Za-z0-9_.-]+)")


def option_source(schema: Mapping[str, Any]) -> str | None:
    """Return the task data variable a field takes its choices from, if it declares one (a
    starter's role choice: the marker itself, as `starter_options` keys it)."""
    any_of = schema.get("anyOf")
    marker = any_of[0] if isinstance(any_of, list) and len(any_of) == 1 else None
    if isinstance(marker, str) and marker.startswith(OPTIONS_PREFIX):
        return marker[len(OPTIONS_PREFIX) :].strip()
    if isinstance(marker, str) and marker.startswith(STARTER_ROLE_PREFIX):
        return marker.strip()
    return None


def starter_roles(schema_content: bytes) -> list[str]:
    """Return the roles a start form takes choices of people from (`STARTER_ROLE_PREFIX`)."""
    return sorted(set(_STARTER_ROLE.findall(schema_content.decode(errors="replace"))))


def expand_options(schema: Any, data: Mapping[str, Any]) -> Any:
    """Return the form with every dynamic enum replaced by `enum` + `enumNames` from `data`.

    A missing or malformed list gives no choices (`enum: []`): nothing can be submitted.
    """
    if isinstance(schema, list):
        return [expand_options(item, data) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: expand_options(value, data) for key, value in schema.items() if key != "anyOf"}
    source = option_source(schema)
    if source is None:
        if "anyOf" in schema:
            out["anyOf"] = expand_options(schema["anyOf"], data)
        return out
    listed = data.get(source)
    choices = [_choice(item) for item in listed] if isinstance(listed, list) else []
    out["enum"] = [value for value, _ in choices]
    out["enumNames"] = [label for _, label in choices]
    return out


def _choice(item: Any) -> tuple[Any, str]:
    if isinstance(item, dict) and "value" in item:
        return item["value"], str(item.get("label", item["value"]))
    return item, str(item)


def has_options(schema_content: bytes) -> bool:
    """Tell whether a form file declares a dynamic enum (its choices come from task data)."""
    return (
        OPTIONS_PREFIX.encode() in schema_content or STARTER_ROLE_PREFIX.encode() in schema_content
    )


# `"x-not-after-today": true` on a date field: something that has happened (an interview held,
# an invoice sent) cannot be dated after today in Europe/Oslo.
NOT_AFTER_TODAY = "x-not-after-today"


def _not_after_today(
    validator: Any, rule: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    today = form_today.get()
    early = isinstance(instance, str) and today is not None and instance[:10] > today.isoformat()
    if rule is True and early:
        yield ValidationError(f"{instance} is after {today}")


_Validator = validators.extend(
    Draft202012Validator,
    {NOT_BEFORE: _not_before, AFTER_TODAY: _after_today, NOT_AFTER_TODAY: _not_after_today},
)


# A form's `$ref` resolves inside the form itself (`#/$defs/…`) or to another form file of the
# deployment by its name (`address.schema.json#/$defs/postal`), never from a URL or a file:
# the registry knows only those forms and refuses to fetch anything (deploy checks the same,
# `ref_problems`, so a form that would reach out is refused before it is stored).


def _refuse(uri: str) -> Resource[Any]:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # an attrs class


def _registry(forms: tuple[tuple[str, str], ...]) -> Registry[Any]:
    resources = []
    for name, text in forms:
        try:
            contents = json.loads(text)
        except ValueError:
            continue
        resources.append((name, DRAFT202012.create_resource(contents)))
    return Registry(retrieve=_refuse).with_resources(resources)  # type: ignore[call-arg]


@lru_cache(maxsize=256)
def _validator(schema_text: str, forms: tuple[tuple[str, str], ...] = ()) -> Draft202012Validator:
    schema = json.loads(schema_text)
    return _Validator(schema, format_checker=_formats, registry=_registry(forms))


def ref_problems(document: Any, form_names: Iterable[str]) -> list[str]:
    """Return why a form's `$ref`s would not resolve inside the deployment (empty: fine)."""
    names = set(form_names)
    problems = []
    for where, ref in _refs(document, ""):
        target = ref.split("#", 1)[0]
        if target and target not in names:
            problems.append(
                f"$ref '{ref[:200]}' at {where or 'the top level'} points outside the deployed "
                "forms: only '#…' (this form) and the names of the deployment's form files "
                "may be referenced"
            )
    return problems


def _refs(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("$ref", "$dynamicRef") and isinstance(value, str):
                yield where, value
            else:
                yield from _refs(value, f"{where}/{key}" if where else str(key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _refs(item, f"{where}/{index}" if where else str(index))


def load_schema(content: bytes) -> dict[str, Any]:
    """Parse a form file."""
    return json.loads(content)  # type: ignore[no-any-return]


def validate(
    schema_content: bytes,
    data: Mapping[str, Any],
    locale: str = "nb",
    today: date | None = None,
    task_data: Mapping[str, Any] | None = None,
    forms: Mapping[str, bytes] | None = None,
) -> None:
    """Raise FormInvalid with messages per field path if `data` does not satisfy the schema.

    `task_data` fills the form's dynamic enums (`options_from_task_data_var`); `forms`: the
    deployment's form files by name, which the schema's `$ref`s may name.
    """
    text = schema_content.decode()
    if has_options(schema_content):
        text = json.dumps(expand_options(json.loads(text), task_data or {}), sort_keys=True)
    siblings: tuple[tuple[str, str], ...] = ()
    if forms and (b"$ref" in schema_content or b"$dynamicRef" in schema_content):
        siblings = tuple(sorted((n, c.decode()) for n, c in forms.items()))
    validator = _validator(text, siblings)
    errors: dict[str, list[str]] = {}
    token = form_today.set(today)
    try:
        found = sorted(validator.iter_errors(dict(data)), key=lambda e: list(e.path))
    except Unresolvable as unresolvable:
        ref = getattr(unresolvable, "ref", "")
        raise FormInvalid(
            {"_form": [catalogue.text(locale, "forms.unresolvable", ref=ref)]}
        ) from None
    finally:
        form_today.reset(token)
    for error in found:
        for path in _paths(error):
            messages = errors.setdefault(path, [])
            message = _message(error, locale)
            if message not in messages:  # 2020-12 reports each missing property separately
                messages.append(message)
    if errors:
        raise FormInvalid(errors)


def _paths(error: ValidationError) -> list[str]:
    base = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in (error.instance or {})]
        return [f"{base}.{m}" if base else m for m in missing] or [base or "_form"]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        return [f"{base}.{e}" if base else e for e in extra] or [base or "_form"]
    return [base or "_form"]


def _message(error: ValidationError, locale: str) -> str:
    kind = str(error.validator)
    value = error.validator_value
    if kind == "format":
        return _format_message(str(value), locale)
    if kind == AFTER_TODAY:
        return catalogue.text(locale, "forms.after_today")
    if kind == NOT_AFTER_TODAY:
        return catalogue.text(locale, "forms.not_after_today")
    if kind == NOT_BEFORE:
        return catalogue.text(locale, "forms.not_before", other=value.get(locale, value["nb"]))
    if kind == "type":
        return catalogue.text(locale, "forms.type", expected=_type_names(value, locale))
    texts = catalogue.section(locale, "forms.")
    return texts.get(kind, texts["other"]).format(limit=value)


def _format_message(name: str, locale: str) -> str:
    if name == "attachment":
        return catalogue.text(locale, "forms.attachment")
    sentence = catalogue.gettext(locale, f"forms.format.{name}")
    if sentence != f"forms.format.{name}":
        return sentence
    known = catalogue.gettext(locale, f"forms.format_name.{name}")
    return catalogue.text(
        locale, "forms.format", format=name if known.startswith("forms.") else known
    )


def _type_names(expected: Any, locale: str) -> str:
    """Return "et heltall" for "integer", "tekst eller tom verdi" for ["string", "null"]."""
    types = [expected] if isinstance(expected, str) else [str(t) for t in expected or []]
    types.sort(key=lambda t: _TYPES_ORDER.index(t) if t in _TYPES_ORDER else len(_TYPES_ORDER))
    names = [catalogue.gettext(locale, f"forms.type_name.{t}") for t in types]
    return catalogue.text(locale, "forms.or").join(names)
