"""SpiffArena constructs that answered 500 (issue 19): a correlation that reads what the message
lacks, a multi-instance task over None; each is now a 422 naming the element."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from api.wiring import services
from engine.services import definitions
from tests.conftest import NOW, fixture_files

Auth = Callable[[str], dict[str, str]]


def _deploy(app: Flask, *names: str) -> None:
    with app.app_context():
        wiring = services()
        definitions.deploy(wiring.new_uow(), fixture_files(*names), actor="test", now=NOW)


def test_a_message_without_its_correlation_variable_is_a_422(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    _deploy(app, "thrower.bpmn")
    sent = client.post(
        "/api/v1/messages",
        json={"name": "order_placed", "correlation": {"order_no": "7"}},
        headers=auth("emp.asker"),
    )
    assert sent.status_code == 422, sent.get_json()
    error = sent.get_json()["error"]
    assert error["code"] == "script_failed"
    assert error["details"]["element_id"] == "order_arrives"
    assert "order_number" in error["reason"]


def test_completing_a_task_that_throws_an_uncorrelated_message_is_a_422(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    _deploy(app, "thrower.bpmn")
    started = client.post(
        "/api/v1/process-definitions/thrower/start", json={"data": {}}, headers=auth("emp.asker")
    )
    assert started.status_code == 201, started.get_json()
    instance = started.get_json()["id"]
    [task] = client.get(
        f"/api/v1/process-instances/{instance}", headers=auth("emp.asker")
    ).get_json()["open_tasks"]
    done = client.post(
        f"/api/v1/tasks/{task['id']}/complete", json={"data": {}}, headers=auth("emp.asker")
    )
    assert done.status_code == 422, done.get_json()
    assert "order_number" in done.get_json()["error"]["reason"]
    again = client.get(f"/api/v1/process-instances/{instance}", headers=auth("emp.asker"))
    assert [t["id"] for t in again.get_json()["open_tasks"]] == [task["id"]]  # nothing stored


def test_a_multi_instance_task_over_none_is_a_422_and_over_nothing_runs_no_times(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    _deploy(app, "fan_out.bpmn", "fan_out.start.schema.json")
    url = "/api/v1/process-definitions/fan_out/start"
    refused = client.post(url, json={"data": {"recipients": None}}, headers=auth("emp.asker"))
    assert refused.status_code == 422, refused.get_json()
    error = refused.get_json()["error"]
    assert error["details"]["element_id"] == "greet_each"
    assert "'Hils på hver'" in error["reason"] and "'recipients'" in error["reason"]
    missing = client.post(url, json={"data": {}}, headers=auth("emp.asker"))
    assert missing.status_code == 422, missing.get_json()
    empty = client.post(url, json={"data": {"recipients": []}}, headers=auth("emp.asker"))
    assert empty.status_code == 201, empty.get_json()
    assert empty.get_json()["state"] == "completed"
