"""Browser sessions live on the server: signing out, idling, deactivation and a new password end
them at once; admins deactivate and reactivate users; the organisation file deactivates users it
no longer lists (issue 16, items 5 and 11)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from engine.services import organisation
from engine.services.step import history
from engine.services.wiring import Wiring
from engine.settings import Settings
from engine.store.models import UserSession

Auth = Callable[[str], dict[str, str]]


def sign_in(client: FlaskClient, username: str, password: str = "demo") -> None:
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="login_csrf" value="([^"]+)"', page)
    assert csrf is not None
    form = {"username": username, "password": password, "login_csrf": csrf[1]}
    assert client.post("/login", data=form).status_code == 302


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """A second browser holding the same session cookie (an attacker who kept it)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("session", cookie.value)
    return other


def csrf_of(client: FlaskClient) -> str:
    page = client.get("/settings").get_data(as_text=True)
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found[1]


def events(wiring: Wiring, kind: str) -> list[dict[str, object]]:
    with wiring.new_uow() as uow:
        stream = uow.history.stream(history.SYSTEM_STREAM)
        return [dict(e.data or {}, actor=e.actor) for e in stream if e.type == kind]


def test_signing_out_ends_the_session_on_the_server(app: Flask, client: FlaskClient) -> None:
    sign_in(client, "emp.asker")
    kept = copy_of(app, client)
    assert kept.get("/api/v1/me").get_json()["username"] == "emp.asker"
    assert client.post("/logout", data={"csrf": csrf_of(client)}).status_code == 302
    assert kept.get("/api/v1/me").status_code == 401
    assert kept.get("/").status_code == 302  # the pages send it to sign in


def test_a_session_ends_when_idle_or_too_old(
    app: Flask, client: FlaskClient, deployed: Wiring
) -> None:
    assert app.permanent_session_lifetime == timedelta(hours=12)  # the signed cookie's age
    sign_in(client, "emp.asker")
    now = datetime.now(UTC)
    with deployed.engine.begin() as connection:
        connection.execute(update(UserSession).values(last_seen_at=now - timedelta(hours=7)))
    assert client.get("/api/v1/me").status_code == 200  # 7 h idle: still on, and seen now
    with deployed.engine.begin() as connection:
        connection.execute(
            update(UserSession).values(last_seen_at=now - timedelta(hours=8, seconds=5))
        )
    assert client.get("/api/v1/me").status_code == 401
    sign_in(client, "emp.asker")
    with deployed.engine.begin() as connection:
        connection.execute(
            update(UserSession).values(created_at=now - timedelta(hours=12, seconds=5))
        )
    assert client.get("/api/v1/me").status_code == 401
    with deployed.new_uow() as uow:
        assert uow.session.scalars(select(UserSession)).all() == []


def test_the_lifetimes_are_settings(deployed: Wiring) -> None:
    env = {"SAKSFLYT_SESSION_IDLE_SECONDS": "600", "SAKSFLYT_SESSION_MAX_SECONDS": "3600"}
    settings = Settings.from_env(env)
    assert (settings.session_idle_seconds, settings.session_max_seconds) == (600, 3600)


def test_an_admin_deactivates_a_user_whose_token_and_session_stop_at_once(
    app: Flask, client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    token = auth("emp.asker")
    browser = app.test_client()
    sign_in(browser, "emp.asker")
    assert client.get("/api/v1/me", headers=token).status_code == 200
    assert browser.get("/api/v1/me").status_code == 200
    url = "/api/v1/users/emp.asker/active"
    assert (
        client.put(url, json={"is_active": False}, headers=auth("leder.asker")).status_code == 403
    )
    assert client.put(url, json={"is_active": "nei"}, headers=auth("admin")).status_code == 422
    reply = client.put(url, json={"is_active": False}, headers=auth("admin"))
    assert reply.status_code == 200 and reply.get_json()["is_active"] is False
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert browser.get("/api/v1/me").status_code == 401
    refused = client.post("/api/v1/auth/token", json={"username": "emp.asker", "password": "demo"})
    assert refused.status_code == 401
    listed = {
        u["username"]: u for u in client.get("/api/v1/users", headers=auth("admin")).get_json()
    }
    assert listed["emp.asker"]["is_active"] is False
    back = client.put(url, json={"is_active": True}, headers=auth("admin"))
    assert back.status_code == 200 and back.get_json()["is_active"] is True
    assert client.get("/api/v1/me", headers=token).status_code == 200  # a token lives its TTL
    assert browser.get("/api/v1/me").status_code == 401  # but the ended session stays ended
    assert events(deployed, "user_deactivated") == [
        {"username": "emp.asker", "reason": "admin", "actor": "admin"}
    ]
    assert events(deployed, "user_reactivated") == [
        {"username": "emp.asker", "reason": "admin", "actor": "admin"}
    ]
    self_off = client.put(
        "/api/v1/users/admin/active", json={"is_active": False}, headers=auth("admin")
    )
    assert self_off.status_code == 409
    missing = client.put(
        "/api/v1/users/nobody/active", json={"is_active": False}, headers=auth("admin")
    )
    assert missing.status_code == 404


def test_the_organisation_file_deactivates_users_it_no_longer_lists(
    app: Flask, client: FlaskClient, auth: Auth, deployed: Wiring, tmp_path: Path
) -> None:
    token = auth("emp.asker")
    browser = app.test_client()
    sign_in(browser, "emp.asker")
    document = yaml.safe_load(Settings().demo_file.read_text(encoding="utf-8"))
    document["users"] = [u for u in document["users"] if u["username"] != "emp.asker"]
    smaller = tmp_path / "organisation.yaml"
    smaller.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    organisation.load_demo(deployed.new_uow(), smaller, "demo")
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert browser.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=auth("emp2.asker")).status_code == 200
    assert events(deployed, "user_deactivated") == [
        {"username": "emp.asker", "reason": "organisation_file", "actor": "system:cli"}
    ]
    organisation.load_demo(deployed.new_uow(), Settings().demo_file, "demo")
    assert client.get("/api/v1/me", headers=token).status_code == 200  # listed again: active


def test_a_new_password_ends_sessions_and_tokens(
    app: Flask, client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    token = auth("emp.asker")
    browser = app.test_client()
    sign_in(browser, "emp.asker")
    organisation.load_demo(deployed.new_uow(), Settings().demo_file, "demo")  # same password
    assert client.get("/api/v1/me", headers=token).status_code == 200
    assert browser.get("/api/v1/me").status_code == 200
    organisation.load_demo(deployed.new_uow(), Settings().demo_file, "a-new-password")
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert browser.get("/api/v1/me").status_code == 401
    sign_in(browser, "emp.asker", "a-new-password")
    assert browser.get("/api/v1/me").status_code == 200
