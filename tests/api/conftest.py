"""API fixtures: a Flask test client over the parametrized database, with tokens."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.services.wiring import Wiring
from saksflyt.app import create_app


@pytest.fixture
def app(deployed: Wiring) -> Flask:
    """The app over a database with demo users and test processes."""
    return create_app(deployed.settings, wiring=deployed)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client."""
    return app.test_client()


@pytest.fixture
def auth(client: FlaskClient) -> Callable[[str], dict[str, str]]:
    """Return Authorization headers for a demo user (password 'demo')."""
    cache: dict[str, dict[str, str]] = {}

    def headers(username: str) -> dict[str, str]:
        if username not in cache:
            reply = client.post(
                "/api/v1/auth/token", json={"username": username, "password": "demo"}
            )
            assert reply.status_code == 200, reply.get_json()
            cache[username] = {"Authorization": f"Bearer {reply.get_json()['access_token']}"}
        return cache[username]

    return headers
