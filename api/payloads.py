"""The one way request input is read: JSON bodies within limits, form fields and query strings
checked, path segments with NUL matching no route.

`Request` is the app's request class, so `request.get_json()`, `request.form` and
`request.args` all pass here, and so does webargs (api/blueprint.py reads JSON through
`get_json`). What breaks the rules of `engine.runtime.values` (depth, text, numbers) is refused
with `InputRefused`: 422 with a message per field path (`data.x`), or 413 for a JSON body over
`SAKSFLYT_MAX_JSON_BYTES`; api/errors.py answers it in the caller's language.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

import flask
from flask import current_app
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import UnicodeConverter, ValidationError
from werkzeug.utils import cached_property

from api.language import LANGUAGES
from engine import catalogue
from engine.runtime import values
from engine.runtime.values import Refused, Unstorable

BODY = "_body"  # the field name of a problem with the whole body


class InputRefused(Exception):
    """Request input beyond the limits: 413 for a too large body, else 422 per field."""

    def __init__(self, problems: list[Unstorable]) -> None:
        self.problems = problems
        self.status = 413 if any(p.code == "too_large" for p in problems) else 422
        self.code = "body_too_large" if self.status == 413 else "validation_failed"
        super().__init__("; ".join(f"{p.where or BODY}: {p.reason()}" for p in self.problems))

    def details(self, locale: str) -> dict[str, list[str]]:
        """Return field path -> messages in `locale` (nb or en)."""
        found: dict[str, list[str]] = {}
        for problem in self.problems:
            text = catalogue.text(locale, f"payloads.{problem.code}", limit=problem.limit)
            found.setdefault(problem.where or BODY, []).append(text)
        return found


def load_json(data: bytes, max_bytes: int) -> Any:
    """Parse a JSON body within the limits; raise InputRefused, or ValueError for bad JSON."""
    if len(data) > max_bytes:
        raise InputRefused([Unstorable((), "too_large", max_bytes)])
    text = data.decode("utf-8", "surrogatepass")  # lone surrogates are refused below, by path
    try:
        parsed = json.loads(
            text, parse_int=_integer, parse_float=_float, parse_constant=_not_finite
        )
    except RecursionError:
        raise InputRefused([Unstorable((), "nested_too_deep", values.MAX_DEPTH)]) from None
    problem = values.first_unstorable(parsed)
    if problem is not None:
        raise InputRefused([problem])
    return parsed


def _integer(literal: str) -> int | Refused:
    if len(literal.lstrip("-")) > values.MAX_INT_DIGITS:
        return Refused("number_too_long")
    return int(literal)


def _float(literal: str) -> float | Refused:
    number = float(literal)
    return Refused("not_finite") if math.isinf(number) else number


def _not_finite(_literal: str) -> Refused:
    return Refused("not_finite")


def check_fields(fields: Iterable[tuple[str | None, str]]) -> list[Unstorable]:
    """Return the problems of form fields or query parameters (names and values are text)."""
    problems = []
    for name, value in fields:
        path = (str(name),) if name is not None else (BODY,)
        found = values.check_text(str(name or ""), path) or values.check_text(value, path)
        if found is not None:
            problems.append(found)
    return problems


class _LimitedJson:
    """What `get_json` parses with: json within the limits of the app's settings."""

    @staticmethod
    def loads(data: bytes | str) -> Any:
        raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
        return load_json(raw, max_json_bytes())

    @staticmethod
    def dumps(obj: Any, **kwargs: Any) -> str:
        return json.dumps(obj, **kwargs)


def max_json_bytes() -> int:
    """Return the largest JSON body the app takes (SAKSFLYT_MAX_JSON_BYTES)."""
    return int(current_app.extensions["saksflyt"].settings.max_json_bytes)


class Request(flask.Request):
    """Flask's request, reading JSON, forms and query strings only within the limits.

    `get_json(silent=True)` still returns None for a body that is not JSON or does not parse,
    but a JSON body beyond the limits is always refused: nothing may read around them.
    """

    @property
    def json_module(self) -> Any:
        """Parse JSON bodies with `load_json`: within the limits."""
        return _LimitedJson

    @json_module.setter
    def json_module(self, _provider: Any) -> None:
        """Ignore Flask's per-request `app.json`: its `loads` knows no limits."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        """Parse the JSON body; refuse it (413) before reading if it announces too many bytes."""
        limit = max_json_bytes()
        if (force or self.is_json) and (self.content_length or 0) > limit:
            raise InputRefused([Unstorable((), "too_large", limit)])
        return super().get_json(force=force, silent=silent, cache=cache)

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        """Answer 400 with what is wrong with the JSON and where (415 if it is not JSON)."""
        if e is None:
            return super().on_json_loading_failed(e)
        if isinstance(e, json.JSONDecodeError):
            error = f"{e.msg} (line {e.lineno}, column {e.colno})"
        else:
            error = "it is not UTF-8" if isinstance(e, UnicodeDecodeError) else str(e)
        locale = self.accept_languages.best_match(LANGUAGES, default="nb") or "nb"
        raise BadRequest(catalogue.text(locale, "payloads.invalid_json", error=error))

    def _load_form_data(self) -> None:
        """Parse the form, then refuse NUL, lone surrogates and overlong text in any field."""
        if "form" in self.__dict__:
            return
        super()._load_form_data()
        fields = [*self.form.items(multi=True), *_file_names(self.files)]
        problems = check_fields(fields)
        if problems:
            for upload in self.files.values():
                upload.close()
            self.__dict__["form"] = self.parameter_storage_class()
            self.__dict__["files"] = self.parameter_storage_class()
            raise InputRefused(problems)

    @cached_property
    def args(self) -> MultiDict[str, str]:
        """The query string's parameters, refused (422) if one breaks the text rules."""
        parsed: MultiDict[str, str] = super().args
        problems = check_fields(parsed.items(multi=True))
        if problems:
            self.__dict__["args"] = self.parameter_storage_class()
            raise InputRefused(problems)
        return parsed


def _file_names(files: MultiDict[str, FileStorage]) -> list[tuple[str, str]]:
    return [(name, upload.filename or "") for name, upload in files.items(multi=True)]


class Text(UnicodeConverter):
    """Flask's `string` path converter, except that a segment with NUL matches no route (404)."""

    def to_python(self, value: str) -> str:
        """Return the segment, or refuse the match if it holds NUL."""
        if "\x00" in value:
            raise ValidationError()
        return value


def init_app(app: flask.Flask) -> None:
    """Make the app read every request through `Request` and `Text` (before routes are added)."""
    app.request_class = Request
    app.url_map.converters.update(default=Text, string=Text)
