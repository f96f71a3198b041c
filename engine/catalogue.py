"""The gettext catalogues of every user-facing text, nb and en, with the language passed in.

`engine/translations/<language>/LC_MESSAGES/messages.po` (Flask-Babel's layout) holds each text
under a keyed msgid: the pages' and JavaScript's keys are plain (`board_title`), everything else
is dotted by where it is used (`forms.required`, `mail.task_available.subject`, `api.…`). The
`.po` files are the only source: they are compiled in memory on first use (Babel's `.mo` writer
and `babel.support.Translations`), so no generated file exists to go stale. Placeholders are
`{name}` (str.format), in mail bodies `$name` (string.Template, unknown names stay as they are).

Imports only Babel and the stdlib: every layer may use it; the web and API edges put Flask-Babel
on top of the same `Translations` objects. `make messages` (tools/import_messages.py) moves texts
still kept the old way (dicts in web/i18n*.py, nb/en tables in modules) into the catalogues.
"""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("nb", "en")
DEFAULT = "nb"
DIRECTORY = Path(__file__).parent / "translations"


def po_path(language: str) -> Path:
    """Return the `.po` file of a language."""
    return DIRECTORY / language / "LC_MESSAGES" / "messages.po"


def language_or_default(language: str | None) -> str:
    """Return the language if the catalogues have it, else bokmål."""
    return language if language in LANGUAGES else DEFAULT


@lru_cache(maxsize=len(LANGUAGES))
def read_catalog(language: str) -> Catalog:
    """Return the parsed `.po` catalogue of a language (read once per process)."""
    with po_path(language).open("rb") as file:
        return read_po(file, locale=language)


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> Translations:
    """Return the compiled gettext translations of a language (nb for an unknown language)."""
    code = language_or_default(language)
    buffer = BytesIO()
    write_mo(buffer, read_catalog(code))
    buffer.seek(0)
    compiled = Translations(fp=buffer)
    if code != DEFAULT:
        compiled.add_fallback(translations(DEFAULT))
    return compiled


@lru_cache(maxsize=len(LANGUAGES))
def messages(language: str) -> dict[str, str]:
    """Return every msgid → text of a language, bokmål filling any text the language lacks."""
    found: dict[str, str] = {}
    for code in (DEFAULT, language_or_default(language)):
        for message in read_catalog(code):
            if message.id and isinstance(message.id, str) and message.string:
                found[message.id] = str(message.string)
    return found


def gettext(language: str, msgid: str) -> str:
    """Return the raw text of a msgid (bokmål if the language lacks it; the msgid if both do)."""
    return str(translations(language).gettext(msgid))


def text(language: str, msgid: str, **values: object) -> str:
    """Return the text of a msgid in the language with its `{placeholders}` filled."""
    found = gettext(language, msgid)
    return found.format(**values) if values else found


@lru_cache(maxsize=128)
def section(language: str, prefix: str) -> dict[str, str]:
    """Return the texts whose msgid starts with prefix, keyed by the rest of the msgid (a shared
    dict: read it, do not change it)."""
    size = len(prefix)
    return {
        key[size:]: value for key, value in messages(language).items() if key.startswith(prefix)
    }


def is_page_key(msgid: str) -> bool:
    """Tell whether a msgid belongs to the pages and their JavaScript (no dot in it)."""
    return "." not in msgid


@lru_cache(maxsize=len(LANGUAGES))
def page_messages(language: str) -> dict[str, str]:
    """Return the texts the pages and their JavaScript use (the catalogue the browser gets)."""
    return {key: value for key, value in messages(language).items() if is_page_key(key)}
