"""The app's wiring as requests reach it: create_app() keeps it on the Flask app."""

from __future__ import annotations

from typing import cast

from flask import current_app

from engine.services.wiring import Wiring


def services() -> Wiring:
    """Return the app's wiring (settings, new_uow, clock)."""
    # Flask's extensions are a dict of Any; create_app() puts the Wiring under "saksflyt".
    return cast(Wiring, current_app.extensions["saksflyt"])
