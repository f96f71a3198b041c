"""Admin API: timers by state, incidents with retry, the demo clock (never in production)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from flask.testing import FlaskClient

from engine.services import instances
from engine.services.step import history
from engine.services.wiring import Wiring
from saksflyt.app import create_app
from tests.conftest import NOW, user
from tests.deadlines.conftest import HOUR, all_timers, fire, start_notice

Client = Callable[..., FlaskClient]


@pytest.fixture
def client_for(processes: Wiring) -> Client:
    """Return a test client of an app with these settings changes, and a token helper."""

    def make(**changes: object) -> FlaskClient:
        settings = replace(processes.settings, **changes)  # type: ignore[arg-type]
        wiring = replace(processes, settings=settings)
        return create_app(settings, wiring=wiring).test_client()

    return make


def _auth(client: FlaskClient, username: str) -> dict[str, str]:
    reply = client.post("/api/v1/auth/token", json={"username": username, "password": "demo"})
    assert reply.status_code == 200, reply.get_json()
    return {"Authorization": f"Bearer {reply.get_json()['access_token']}"}


def test_timers_are_listed_by_state_for_admins_only(processes: Wiring, client_for: Client) -> None:
    client = client_for()
    instances.start_instance(
        processes.new_uow(),
        "notice",
        {"delay": "PT1H", "copy_to": None},
        actor=user(processes, "emp.asker"),
        now=NOW,
    )
    reply = client.get("/api/v1/timers?state=waiting", headers=_auth(client, "admin"))
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["counts"] == {"waiting": 1} and body["items"][0]["kind"] == "duration"
    assert client.get("/api/v1/timers", headers=_auth(client, "emp.asker")).status_code == 403


def test_failed_timer_shows_as_incident_and_retry_puts_it_back(
    processes: Wiring, client_for: Client
) -> None:
    client = client_for()
    instance = instances.start_instance(
        processes.new_uow(),
        "notice",
        {"delay": "PT1H"},
        actor=user(processes, "emp.asker"),
        now=NOW,
    )
    fire(processes, NOW + 2 * HOUR)
    admin = _auth(client, "admin")
    [incident] = client.get("/api/v1/admin/incidents", headers=admin).get_json()["timers"]
    assert incident["state"] == "failed" and "copy_to" in incident["last_error"]
    reply = client.post(f"/api/v1/timers/{incident['id']}/retry", headers=admin)
    assert (reply.status_code, reply.get_json()["state"]) == (200, "waiting")
    again = client.post(f"/api/v1/timers/{incident['id']}/retry", headers=admin)
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "timer_not_failed")
    with processes.new_uow() as uow:
        types = [e.type for e in uow.history.of_instance(instance.id)]
    assert types[-2:] == ["incident", "incident_retried"]


def test_retry_of_an_unknown_timer_is_404_and_changes_nothing(
    processes: Wiring, client_for: Client
) -> None:
    client = client_for()
    start_notice(processes)
    unknown = uuid4()
    reply = client.post(f"/api/v1/timers/{unknown}/retry", headers=_auth(client, "admin"))
    assert reply.status_code == 404, reply.get_json()
    assert reply.get_json()["error"] == {
        "code": "not_found",
        "message": "Fant ikke det du ba om.",
        "details": None,
        "reason": f"timer {unknown} not found",
    }
    [row] = all_timers(processes)
    assert row.state == "waiting"


@pytest.mark.parametrize(
    ("changes", "status"),
    [({}, 403), ({"demo_clock": True, "env": "production"}, 403), ({"demo_clock": True}, 200)],
)
def test_demo_clock_moves_only_in_demo_mode(
    processes: Wiring, client_for: Client, changes: dict[str, object], status: int
) -> None:
    client = client_for(**changes)
    reply = client.post(
        "/api/v1/admin/clock", json={"advance": "P21D"}, headers=_auth(client, "admin")
    )
    assert reply.status_code == status, reply.get_json()
    with processes.new_uow() as uow:
        logged = uow.history.stream(history.SYSTEM_STREAM)
    if status != 200:
        assert [e for e in logged if e.type == "clock_advanced"] == []
        return
    assert reply.get_json()["offset_seconds"] == 21 * 86400
    moved = datetime.fromisoformat(reply.get_json()["now"])
    assert moved - datetime.now(UTC) > timedelta(days=20, hours=23)
    [event] = [e for e in logged if e.type == "clock_advanced"]
    assert (event.actor, event.data["advance"]) == ("admin", "P21D")


def test_demo_clock_makes_a_three_week_deadline_due(processes: Wiring, client_for: Client) -> None:
    client = client_for(demo_clock=True)
    admin = _auth(client, "admin")
    instances.start_instance(
        processes.new_uow(),
        "task_due",
        {"people": ["emp.asker"], "days": 10},
        actor=user(processes, "admin"),
        now=datetime.now(UTC),
    )
    mine = _auth(client, "emp.asker")
    [task] = client.get("/api/v1/tasks?scope=group", headers=mine).get_json()["items"]
    assert task["is_overdue"] is False
    bad = client.post("/api/v1/admin/clock", json={"advance": "soon"}, headers=admin)
    assert bad.status_code == 422
    assert (
        client.post("/api/v1/admin/clock", json={"advance": "P21D"}, headers=admin).status_code
        == 200
    )
    [task] = client.get("/api/v1/tasks?scope=group", headers=mine).get_json()["items"]
    assert task["is_overdue"] is True
    assert {t.kind for t in all_timers(processes)} >= {"overdue", "escalation"}
