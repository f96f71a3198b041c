"""The pages' language, their texts from the gettext catalogues, and Norwegian dates and money.

The texts live in engine/translations/<language>/LC_MESSAGES/messages.po (engine/catalogue.py);
Flask-Babel reads the same catalogues (web/babel.py). Add a page text there under a plain key
(`board_title`), in nb and en; the browser's scripts get the plain keys (`page_messages`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency

from engine import catalogue

LANGUAGES = catalogue.LANGUAGES

# Babel locale names: "nb" gives "17. mai 2026" and "12 345,50 kr".
BABEL_LOCALES = {"nb": "nb_NO", "en": "en_GB"}


def pick_language(
    requested: str | None, stored: str | None, default: str, accepted: str | None = None
) -> str:
    """Return the language to use: ?lang= first, then the session's, then the browser's
    (Accept-Language), then the default."""
    for candidate in (requested, stored, accepted, default):
        if candidate in LANGUAGES:
            return candidate
    return "nb"


def translate(language: str, key: str, **values: object) -> str:
    """Return the catalogue text for key in the language (nb as fallback), with {values} filled."""
    return catalogue.text(language, key, **values)


def page_messages(language: str) -> dict[str, str]:
    """Return the texts the pages' JavaScript gets (every plain key of the catalogue)."""
    return catalogue.page_messages(language)


def format_date(value: date | datetime, language: str) -> str:
    """Return a date as people write it: "17. mai 2026" (nb) or "17 May 2026" (en)."""
    pattern = "d. MMMM y" if language == "nb" else "d MMMM y"
    return babel_format_date(value, pattern, locale=BABEL_LOCALES.get(language, "nb_NO"))


def format_money(amount: Decimal | float | int, language: str, currency: str = "NOK") -> str:
    """Return an amount as "12 345,50 kr" (nb) or "NOK 12,345.50" (en)."""
    return format_currency(amount, currency, locale=BABEL_LOCALES.get(language, "nb_NO"))
