"""create_app(): wiring, blueprints, the OpenAPI document and the error mapping."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix

from api import errors
from api.routes import admin, announcements, core, definitions, instances, invoices, modeler, tasks
from api.routes import attachments as attachment_routes
from api.routes import audit as audit_routes
from api.routes import oidc as oidc_routes
from api.routes import vacancies as vacancy_routes
from engine.services.wiring import Wiring, wire
from engine.settings import Settings


def create_app(settings: Settings | None = None, wiring: Wiring | None = None) -> Flask:
    """Create the Flask app for the given settings (default: from the environment)."""
    settings = settings or Settings.from_env()
    settings.check()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes * 4,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Served over HTTPS (as production is): the browser sends the cookie over HTTPS only.
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        API_TITLE="saksflyt",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
    )
    app.extensions["saksflyt"] = wiring or wire(settings)
    api = Api(app, spec_kwargs=_spec_kwargs())
    for module in (core, definitions, instances, tasks, modeler, announcements, invoices, admin):
        api.register_blueprint(module.bp)
    api.register_blueprint(audit_routes.bp)
    api.register_blueprint(attachment_routes.bp)
    api.register_blueprint(vacancy_routes.bp)
    _register_web(app)
    oidc_routes.init_app(app, settings)
    errors.register(app)
    if settings.trusted_proxies:
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def _spec_kwargs() -> dict[str, Any]:
    return {
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


def _register_web(app: Flask) -> None:
    from web.blueprint import bp as web_bp

    app.register_blueprint(web_bp)
