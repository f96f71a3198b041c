"""The API's blueprint class: every argument location is parsed strictly, query strings too."""

from __future__ import annotations

from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser


class Blueprint(SmorestBlueprint):  # type: ignore[misc]
    """A flask-smorest blueprint whose query strings refuse unknown parameters (422), as bodies do.

    webargs drops unknown query parameters by default, so a misspelt filter (`?stat=open`)
    would answer with everything, unfiltered. `unknown=None` leaves it to the schema, and our
    schemas raise (api.schemas.Strict).
    """

    ARGUMENTS_PARSER = FlaskParser(unknown=None)
