"""create_app(): one Flask app with the API and the pages, on one wiring."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from api import app as api_app
from api import payloads
from engine.services import organisation
from engine.services.wiring import Wiring, wire
from engine.settings import Settings, SettingsError
from web import oidc
from web.blueprint import bp as pages

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


def create_app(settings: Settings | None = None, wiring: Wiring | None = None) -> Flask:
    """Create the Flask app for the given settings (default: from the environment)."""
    settings = settings or Settings.from_env()
    settings.check()
    app = Flask(__name__)
    payloads.init_app(app)  # before any route: its request class and path converters
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes * 4,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # The signed cookie is refused past the longest session (the row ends it sooner).
        PERMANENT_SESSION_LIFETIME=settings.session_max_seconds,
        # Served over HTTPS (as production is): the browser sends the cookie over HTTPS only.
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
    )
    ours = wiring is None
    app.extensions["saksflyt"] = wiring = wiring or wire(settings)
    try:
        _refuse_demo_passwords(settings, wiring)
    except SettingsError:
        if ours:
            wiring.engine.dispose()
        raise
    api_app.init_app(app)
    app.register_blueprint(pages)
    oidc.init_app(app, settings)
    _configured_requests(app, wiring)
    if settings.trusted_proxies:
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def _configured_requests(app: Flask, wiring: Wiring) -> None:
    """Run every request with this app's wiring's configuration current (not another app's)."""
    handle = app.wsgi_app

    def configured(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        with wiring.active():
            return handle(environ, start_response)

    app.wsgi_app = configured  # type: ignore[method-assign]


def _refuse_demo_passwords(settings: Settings, wiring: Wiring) -> None:
    """In production, refuse to serve while anyone can sign in with the shared demo password.

    Here rather than in `saksflyt serve`, so that a WSGI server (waitress, gunicorn) calling
    create_app() is refused too.
    """
    if settings.is_production:
        users = organisation.users_with_password(wiring.new_uow(), settings.demo_password)
        if users:
            raise SettingsError(
                f"refusing to start: {len(users)} user(s) still have the demo password in "
                f"production ({', '.join(users[:5])}{', …' if len(users) > 5 else ''}); "
                "set their passwords or remove them first"
            )
