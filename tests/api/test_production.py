"""Production refuses to serve while anyone can sign in with the shared demo password, whether
started by `saksflyt serve` or by a WSGI server calling create_app()."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import update

from engine.services import organisation
from engine.services.wiring import Wiring
from engine.settings import Settings, SettingsError
from engine.store.models import User
from saksflyt import cli
from saksflyt.app import create_app

STRONG_KEY = "a-production-secret-key-of-forty-characters"


def _production(demo: Wiring) -> Settings:
    return replace(demo.settings, env="production", secret_key=STRONG_KEY, demo_password="demo")


def test_create_app_refuses_production_while_users_have_the_demo_password(demo: Wiring) -> None:
    settings = _production(demo)
    with pytest.raises(SettingsError, match="demo password") as refused:
        create_app(settings, demo)
    with demo.new_uow() as uow:
        usernames = [user.username for user in uow.users.list()]
    assert f"{len(usernames)} user(s)" in str(refused.value)
    assert ", ".join(usernames[:5]) in str(refused.value)

    with demo.new_uow() as uow:
        uow.session.execute(
            update(User).values(password_hash=organisation.hash_password("a-real-password-1"))
        )
        uow.commit()
    app = create_app(settings, demo)
    assert app.test_client().get("/api/v1/health").status_code == 200


def test_outside_production_the_demo_password_is_fine(demo: Wiring) -> None:
    app = create_app(replace(demo.settings, demo_password="demo"), demo)
    response = app.test_client().post(
        "/api/v1/auth/token", json={"username": "emp.asker", "password": "demo"}
    )
    assert response.status_code == 200


def test_saksflyt_serve_says_why_it_refuses_in_one_line(
    demo: Wiring, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SAKSFLYT_ENV", "production")
    monkeypatch.setenv("SAKSFLYT_SECRET_KEY", STRONG_KEY)
    monkeypatch.setenv("SAKSFLYT_DATABASE_URL", demo.settings.database_url)
    monkeypatch.setenv("SAKSFLYT_DEMO_PASSWORD", "demo")
    monkeypatch.setenv("SAKSFLYT_SCHEDULER_ENABLED", "false")
    with pytest.raises(SystemExit) as refused:
        cli.main(["serve"])
    assert str(refused.value).startswith("saksflyt serve: refusing to start:")
    assert "demo password" in str(refused.value)
