"""The caller's language (bokmål unless `Accept-Language` asks for English), and bokmål for the
messages marshmallow writes when a request's body or query string is refused."""

from __future__ import annotations

import re
from typing import Any

from flask import request

LANGUAGES = ("nb", "en")

# marshmallow's own messages (fields, schema, validators) in bokmål.
_EXACT = {
    "Unknown field.": "Ukjent felt.",
    "Missing data for required field.": "Feltet må fylles ut.",
    "Field may not be null.": "Feltet kan ikke være tomt (null).",
    "Invalid value.": "Ugyldig verdi.",
    "Invalid input type.": "Ugyldig type: forventet et JSON-objekt.",
    "Invalid type.": "Ugyldig type.",
    "Not a valid string.": "Ikke en gyldig tekst.",
    "Not a valid utf-8 string.": "Ikke gyldig UTF-8-tekst.",
    "Not a valid integer.": "Ikke et gyldig heltall.",
    "Not a valid number.": "Ikke et gyldig tall.",
    "Number too large.": "Tallet er for stort.",
    "Special numeric values (nan or infinity) are not permitted.": (
        "NaN og uendelig er ikke tillatt."
    ),
    "Not a valid boolean.": "Må være true eller false.",
    "Not a valid UUID.": "Ikke en gyldig UUID.",
    "Not a valid datetime.": "Ikke et gyldig tidspunkt (ISO 8601).",
    "Not a valid date.": "Ikke en gyldig dato (ÅÅÅÅ-MM-DD).",
    "Not a valid mapping type.": "Må være et JSON-objekt.",
    "Not a valid list.": "Må være en liste.",
    "Not a valid email address.": "Ikke en gyldig e-postadresse.",
    "Not a valid URL.": "Ikke en gyldig URL.",
}
_BOUND = {
    "greater than or equal to": "minst",
    "greater than": "over",
    "less than or equal to": "høyst",
    "less than": "under",
}
_BOUNDS = "|".join(re.escape(words) for words in _BOUND)
_PATTERNS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"Must be one of: (.*)\.", re.S), lambda m: f"Må være en av: {m[1]}."),
    (
        re.compile(rf"Must be ({_BOUNDS}) (\S+) and ({_BOUNDS}) (\S+)\."),
        lambda m: f"Må være {_BOUND[m[1]]} {m[2]} og {_BOUND[m[3]]} {m[4]}.",
    ),
    (re.compile(rf"Must be ({_BOUNDS}) (\S+)\."), lambda m: f"Må være {_BOUND[m[1]]} {m[2]}."),
    (
        re.compile(r"Length must be between (\S+) and (\S+)\."),
        lambda m: f"Lengden må være mellom {m[1]} og {m[2]}.",
    ),
    (re.compile(r"Length must be (\S+)\."), lambda m: f"Lengden må være {m[1]}."),
    (re.compile(r"Shorter than minimum length (\S+)\."), lambda m: f"Kortere enn {m[1]} tegn."),
    (re.compile(r"Longer than maximum length (\S+)\."), lambda m: f"Lengre enn {m[1]} tegn."),
]


# What a refusal with a stable code says to people, in bokmål and English.
ERROR_MESSAGES = {
    "start_forbidden": {
        "nb": "Du kan ikke starte denne prosessen.",
        "en": "You cannot start this process.",
    },
    "instance_suspended": {
        "nb": "Saken er satt på vent. Oppgaven kan fullføres når saken er tatt opp igjen.",
        "en": "The case is on hold. The task can be completed once the case is resumed.",
    },
    "version_has_run": {
        "nb": "Versjonen er tatt i bruk og kan ikke fjernes.",
        "en": "The version has been used and cannot be removed.",
    },
    "message_forbidden": {
        "nb": "Du kan ikke sende denne meldingen.",
        "en": "You cannot send this message.",
    },
}


def error_message(code: str, locale: str) -> str | None:
    """Return the people's text of an error code in the caller's language, if it has one."""
    texts = ERROR_MESSAGES.get(code)
    return None if texts is None else texts.get(locale, texts["nb"])


def request_locale() -> str:
    """Return `nb` or `en` for this request (bokmål unless English is asked for)."""
    return request.accept_languages.best_match(LANGUAGES, default="nb") or "nb"


def bokmal(message: str) -> str:
    """Return marshmallow's message in bokmål; a message of our own is returned as it is."""
    if message in _EXACT:
        return _EXACT[message]
    for pattern, render in _PATTERNS:
        matched = pattern.fullmatch(message)
        if matched:
            return str(render(matched))
    return message


def localise(details: Any, locale: str) -> Any:
    """Return field messages (`{field: [messages]}`, nested as marshmallow nests them) in the
    caller's language."""
    if locale == "en":
        return details
    if isinstance(details, str):
        return bokmal(details)
    if isinstance(details, dict):
        return {key: localise(value, locale) for key, value in details.items()}
    if isinstance(details, list):
        return [localise(value, locale) for value in details]
    return details
