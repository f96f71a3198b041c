"""Settings: environment parsing, production refusals, and .env.example kept in step."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from engine.settings import Settings, SettingsError


def test_from_env_reads_prefixed_variables() -> None:
    settings = Settings.from_env(
        {
            "SAKSFLYT_PORT": "8080",
            "SAKSFLYT_SCHEDULER_ENABLED": "false",
            "SAKSFLYT_DATABASE_URL": "postgresql://x/y",
        }
    )
    assert (settings.port, settings.scheduler_enabled, settings.database_url) == (
        8080,
        False,
        "postgresql://x/y",
    )
    with pytest.raises(SettingsError, match="SAKSFLYT_PORT"):
        Settings.from_env({"SAKSFLYT_PORT": "eighty"})


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        Settings(env="production").check()
    Settings(env="production", secret_key="x" * 40).check()


def test_env_example_lists_every_setting() -> None:
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text(encoding="utf-8")
    names = {line.split("=")[0].lstrip("# ") for line in example.splitlines() if "=" in line}
    assert names == {f"SAKSFLYT_{f.name.upper()}" for f in fields(Settings)}
