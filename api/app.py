"""The API's part of the app: the /api/v1 blueprints, the OpenAPI document and the error mapping.

saksflyt.app.create_app() makes the app, with its wiring, and calls init_app().
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api

from api import c7, errors
from api.c7 import blueprint as c7_blueprint
from api.language import init_babel
from api.routes import admin, announcements, core, definitions, instances, invoices, modeler, tasks
from api.routes import attachments as attachment_routes
from api.routes import audit as audit_routes
from api.routes import cases as case_routes
from api.routes import vacancies as vacancy_routes


def init_app(app: Flask) -> None:
    """Mount /api/v1 and its OpenAPI document on the app, and map errors to JSON answers."""
    app.config.update(
        API_TITLE="saksflyt",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
    )
    init_babel(app)
    api = Api(app, spec_kwargs=_spec_kwargs())
    for module in (core, definitions, instances, tasks, modeler, announcements, invoices, admin):
        api.register_blueprint(module.bp)
    api.register_blueprint(audit_routes.bp)
    api.register_blueprint(attachment_routes.bp)
    api.register_blueprint(vacancy_routes.bp)
    api.register_blueprint(case_routes.bp)
    errors.register(app)
    c7.routes()
    app.register_blueprint(c7_blueprint.bp)


def _spec_kwargs() -> dict[str, Any]:
    return {
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }
