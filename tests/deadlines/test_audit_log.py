"""The event log is complete: every kind of change appears with actor and time, and verifies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from engine.services import definitions, instances, migration
from engine.services.audit import retention
from engine.services.step import history
from engine.services.wiring import Wiring
from engine.store.models import HistoryEvent, Outbox
from saksflyt import cli
from saksflyt.app import create_app
from tests.conftest import NOW, user
from tests.deadlines.conftest import HOUR, fire
from tests.services.test_audit import finished
from tests.services.test_modeler import EXTRA_STEP

Client = Callable[..., FlaskClient]


@pytest.fixture
def client_for(processes: Wiring) -> Client:
    """Return a test client of an app with these settings changes."""

    def make(**changes: object) -> FlaskClient:
        settings = replace(processes.settings, **changes)  # type: ignore[arg-type]
        return create_app(settings, wiring=replace(processes, settings=settings)).test_client()

    return make


def _auth(client: FlaskClient, username: str) -> dict[str, str]:
    reply = client.post("/api/v1/auth/token", json={"username": username, "password": "demo"})
    assert reply.status_code == 200, reply.get_json()
    return {"Authorization": f"Bearer {reply.get_json()['access_token']}"}


def system(wiring: Wiring, kind: str) -> list[HistoryEvent]:
    with wiring.new_uow() as uow:
        return [e for e in uow.history.stream(history.SYSTEM_STREAM) if e.type == kind]


def of_instance(wiring: Wiring, instance_id: object, kind: str) -> list[HistoryEvent]:
    with wiring.new_uow() as uow:
        return [e for e in uow.history.of_instance(instance_id) if e.type == kind]  # type: ignore[arg-type]


def verifies(
    wiring: Wiring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> bool:
    """Run `saksflyt audit verify` against the test database."""
    monkeypatch.setenv("SAKSFLYT_DATABASE_URL", wiring.settings.database_url)
    capsys.readouterr()
    cli.main(["audit", "verify"])
    return "ok: every chain is intact" in capsys.readouterr().out


def test_deploys_and_organisation_loads_are_in_the_system_stream(
    processes: Wiring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    deployed = [e for e in system(processes, "definition_deployed") if e.definition_key == "notice"]
    [notice] = deployed
    assert (notice.actor, notice.at, notice.definition_version) == ("test", NOW, 1)
    assert notice.data is not None and len(notice.data["hash"]) == 64
    [loaded] = system(processes, "organisation_loaded")
    assert loaded.actor == "system:cli" and loaded.data is not None
    assert loaded.data["users"] == 21 and loaded.data["file"] == "demo_organisation.yaml"
    assert verifies(processes, monkeypatch, capsys)


def test_migrations_are_in_the_instances_stream(
    processes: Wiring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = instances.start_instance(
        processes.new_uow(),
        "approval",
        {"municipality": "asker"},
        actor=user(processes, "emp.asker"),
        now=NOW,
    )
    definitions.deploy(processes.new_uow(), {"approval.bpmn": EXTRA_STEP}, actor="eier", now=NOW)
    later = NOW + timedelta(days=1)
    migration.migrate(processes.new_uow(), "approval", 2, [instance.id], actor="eier", now=later)
    [moved] = of_instance(processes, instance.id, "instance_migrated")
    assert (moved.actor, moved.at, moved.definition_version) == ("eier", later, 2)
    assert moved.data == {"from_version": 1, "to_version": 2}
    [v2] = [e for e in system(processes, "definition_deployed") if e.definition_version == 2]
    assert v2.actor == "eier"
    assert verifies(processes, monkeypatch, capsys)


def test_incidents_and_retries_are_in_the_system_stream(
    processes: Wiring,
    client_for: Client,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    instance = instances.start_instance(
        processes.new_uow(),
        "notice",
        {"delay": "PT1H"},
        actor=user(processes, "emp.asker"),
        now=NOW,
    )
    fire(processes, NOW + 2 * HOUR)
    [incident] = system(processes, "incident")
    assert (incident.actor, incident.at) == ("system:timer", NOW + 2 * HOUR)
    assert incident.data is not None and incident.data["instance_id"] == str(instance.id)
    assert "copy_to" in incident.data["error"] and incident.definition_key == "notice"
    client = client_for()
    reply = client.post(
        f"/api/v1/timers/{incident.data['timer_id']}/retry", headers=_auth(client, "admin")
    )
    assert reply.status_code == 200
    [retried] = system(processes, "incident_retried")
    assert retried.actor == "admin" and retried.data == incident.data
    assert [e.type for e in of_instance(processes, instance.id, "incident")] == ["incident"]
    assert verifies(processes, monkeypatch, capsys)


def test_an_admins_mail_retry_is_in_the_system_stream(
    processes: Wiring,
    client_for: Client,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with processes.new_uow() as uow:
        mail = Outbox(
            kind="task_ready",
            to_address="eva.holm@asker.example",
            locale="nb",
            subject="Ny oppgave",
            body="Hei",
            state="failed",
            attempts=5,
            next_attempt_at=NOW,
            last_error="550 mailbox unavailable",
        )
        uow.session.add(mail)
        uow.commit()
    client = client_for()
    reply = client.post(f"/api/v1/admin/outbox/{mail.id}/retry", headers=_auth(client, "admin"))
    assert reply.status_code == 200, reply.get_json()
    [retried] = system(processes, "mail_retried")
    assert retried.actor == "admin" and retried.data == {
        "mail_id": str(mail.id),
        "kind": "task_ready",
        "instance_id": None,
    }
    assert verifies(processes, monkeypatch, capsys)


def test_clock_changes_and_login_failures_are_in_the_system_stream(
    processes: Wiring,
    client_for: Client,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = client_for(demo_clock=True)
    before = datetime.now(UTC)
    reply = client.post(
        "/api/v1/admin/clock", json={"advance": "P2D"}, headers=_auth(client, "admin")
    )
    assert reply.status_code == 200
    [moved] = system(processes, "clock_advanced")
    assert moved.actor == "admin" and before <= moved.at <= datetime.now(UTC)
    assert moved.data is not None and moved.data["offset_seconds"] == 2 * 86400
    failed = client.post("/api/v1/auth/token", json={"username": "revisor", "password": "feil"})
    assert failed.status_code == 401
    [login] = system(processes, "login_failed")
    assert login.actor == "anonymous" and login.data is not None
    assert login.data["username"] == "revisor" and "feil" not in str(login.data)
    assert verifies(processes, monkeypatch, capsys)


def test_completion_names_the_end_event_and_anonymising_is_logged(
    processes: Wiring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    instance_id = finished(processes)
    [done] = of_instance(processes, instance_id, "instance_completed")
    assert (done.element_id, done.element_name) == ("end_refused", "Avslått")
    assert done.actor == "leder.asker" and done.at == NOW
    later = NOW + timedelta(days=30)
    retention.anonymise(processes.new_uow(), instance_id, actor="admin", now=later, reason="test")
    [removed] = system(processes, "personal_data_removed")
    assert (removed.actor, removed.at) == ("admin", later)
    assert removed.data is not None and removed.data["instance_id"] == str(instance_id)
    assert verifies(processes, monkeypatch, capsys)
