"""The caller's language (bokmål unless asked otherwise) through Flask-Babel on the engine's
catalogues, and marshmallow's messages put into that language.

A page request carries its language in `g.lang` (web/blueprint.py); an API request asks with
`Accept-Language`. Every text comes from engine/translations/*.po (engine/catalogue.py).
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from babel.support import Translations
from flask import Flask, g, has_request_context, request, session
from flask_babel import Babel, Domain

from engine import catalogue
from engine.runtime.errors import Problem
from engine.runtime.values import MAX_REQUEST_DATA_BYTES

LANGUAGES = catalogue.LANGUAGES
DATA_TOO_LARGE = f"The data is too large (at most {MAX_REQUEST_DATA_BYTES} bytes of JSON)."

# marshmallow's own messages (fields, schema, validators) -> msgid `validation.<key>`.
_EXACT = {
    "Unknown field.": "unknown_field",
    "Missing data for required field.": "required",
    "Field may not be null.": "null",
    "Invalid value.": "invalid",
    "Invalid input type.": "input_type",
    "Invalid type.": "type",
    "Not a valid string.": "string",
    "Not a valid utf-8 string.": "utf8",
    "Not a valid integer.": "integer",
    "Not a valid number.": "number",
    "Number too large.": "number_too_large",
    "Special numeric values (nan or infinity) are not permitted.": "not_finite",
    "Not a valid boolean.": "boolean",
    "Not a valid UUID.": "uuid",
    "Not a valid datetime.": "datetime",
    "Not a valid date.": "date",
    "Not a valid mapping type.": "mapping",
    "Not a valid list.": "list",
    "Not a valid email address.": "email",
    "Not a valid URL.": "url",
    "At most two decimals.": "two_decimals",  # api/schemas_assignment.py
    DATA_TOO_LARGE: "data_too_large",  # api/schemas.py, CaseData
}
_BOUND = {
    "greater than or equal to": "at_least",
    "greater than": "over",
    "less than or equal to": "at_most",
    "less than": "under",
}
_BOUNDS = "|".join(re.escape(words) for words in _BOUND)
# marshmallow's messages with values -> (msgid, the values' names in the pattern's groups)
_PATTERNS: list[tuple[re.Pattern[str], str, tuple[str, ...]]] = [
    (re.compile(r"Must be one of: (.*)\.", re.S), "validation.one_of", ("choices",)),
    (
        re.compile(rf"Must be ({_BOUNDS}) (\S+) and ({_BOUNDS}) (\S+)\."),
        "validation.range",
        ("first", "low", "second", "high"),
    ),
    (re.compile(rf"Must be ({_BOUNDS}) (\S+)\."), "validation.bound", ("bound", "limit")),
    (
        re.compile(r"Length must be between (\S+) and (\S+)\."),
        "validation.length_between",
        ("low", "high"),
    ),
    (re.compile(r"Length must be (\S+)\."), "validation.length", ("n",)),
    (re.compile(r"Shorter than minimum length (\S+)\."), "validation.shorter", ("n",)),
    (re.compile(r"Longer than maximum length (\S+)\."), "validation.longer", ("n",)),
    (re.compile(r"Can be at most (\S+)\."), "validation.at_most_value", ("limit",)),
]


def request_locale() -> str:
    """Return `nb` or `en` for this request (bokmål unless the page or `Accept-Language` asks)."""
    # Asked each time, not from Flask-Babel's per-context cache: requests may share one app
    # context (a test or a CLI holding it), and their languages differ.
    if not has_request_context():
        return catalogue.DEFAULT
    return _select_locale()


def reader_locale() -> str:
    """Return the language a person reads a document in: the one they chose on the pages
    (`?lang=`, kept in their session), else `Accept-Language`, else bokmål."""
    if has_request_context():
        chosen = session.get("lang")
        if chosen in LANGUAGES:
            return str(chosen)
    return request_locale()


def _select_locale() -> str:
    chosen = g.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(LANGUAGES, default="nb") or "nb"


class _CatalogueDomain(Domain):  # type: ignore[misc]
    """Flask-Babel's domain reading the engine's catalogues (no .mo files on disk)."""

    def get_translations(self) -> Translations:
        return catalogue.translations(request_locale())


class _CatalogueBabel(Babel):  # type: ignore[misc]
    @cached_property
    def domain_instance(self) -> Domain:
        return _CatalogueDomain()


def init_babel(app: Flask) -> None:
    """Install Flask-Babel on the app: the request's language, the catalogues' texts."""
    _CatalogueBabel(app, default_locale=catalogue.DEFAULT, locale_selector=_select_locale)


def error_message(code: str, locale: str, **values: object) -> str | None:
    """Return the people's text of an error code in the caller's language, if it has one."""
    msgid = f"api.error.{code}"
    if msgid not in catalogue.messages(locale):
        return None
    try:
        return catalogue.text(locale, msgid, **values)
    except (KeyError, IndexError):
        return catalogue.gettext(locale, msgid)


def translated(message: str, locale: str) -> str:
    """Return marshmallow's message in the language; a message of our own is returned as it is."""
    if message in _EXACT:
        return catalogue.text(locale, f"validation.{_EXACT[message]}")
    for pattern, msgid, names in _PATTERNS:
        matched = pattern.fullmatch(message)
        if matched:
            values = dict(zip(names, matched.groups(), strict=True))
            for name in ("bound", "first", "second"):
                if name in values:
                    values[name] = catalogue.text(locale, f"validation.{_BOUND[values[name]]}")
            return catalogue.text(locale, msgid, **values)
    return message


def bokmal(message: str) -> str:
    """Return marshmallow's message in bokmål (kept for callers of the old name)."""
    return translated(message, "nb")


def problem_dict(problem: Problem, locale: str) -> dict[str, object]:
    """Return a deploy problem's JSON form, its message in the language when it has a code."""
    found = problem.to_dict()
    if problem.code:
        values = dict(problem.values)
        found["message"] = catalogue.text(locale, f"problems.{problem.code}", **values)
    return found


def localise(details: Any, locale: str) -> Any:
    """Return field messages (`{field: [messages]}`, nested as marshmallow nests them) in the
    caller's language."""
    if isinstance(details, str):
        return translated(details, locale)
    if isinstance(details, dict):
        return {key: localise(value, locale) for key, value in details.items()}
    if isinstance(details, list):
        return [localise(value, locale) for value in details]
    return details
