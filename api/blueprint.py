"""The API's blueprint class: every argument location is parsed strictly, query strings too."""

from __future__ import annotations

from typing import Any

import flask
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow.utils import missing
from webargs.flaskparser import FlaskParser, is_json_request


class Parser(FlaskParser):
    """webargs' Flask parser, reading JSON bodies through the app's request class.

    webargs parses bodies with its own `json.loads`; this one asks `request.get_json()`, so the
    limits of api/payloads.py hold for every schema-loaded body too. An empty body is no body.
    """

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req) or not req.get_data(cache=True):
            return missing
        return req.get_json()


class Blueprint(SmorestBlueprint):  # type: ignore[misc]
    """A flask-smorest blueprint whose query strings refuse unknown parameters (422), as bodies do.

    webargs drops unknown query parameters by default, so a misspelt filter (`?stat=open`)
    would answer with everything, unfiltered. `unknown=None` leaves it to the schema, and our
    schemas raise (api.schemas.Strict).
    """

    ARGUMENTS_PARSER = Parser(unknown=None)
