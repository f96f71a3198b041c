"""`/engine-rest` through the Flask test client: Camunda's conventions and the same rules."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from flask.testing import FlaskClient

from tests.conftest import FIXTURES

DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$")


def basic(username: str, password: str = "demo") -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _deploy(client: FlaskClient) -> dict:
    content = (FIXTURES / "camunda7" / "invoice.bpmn").read_bytes()
    reply = client.post(
        "/engine-rest/deployment/create",
        data={
            "deployment-name": "faktura",
            "enable-duplicate-filtering": "False",
            "deploy-changed-only": "False",
            "resource-0": (__import__("io").BytesIO(content), "invoice.bpmn20.xml"),
        },
        headers=basic("eier"),
    )
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()


def test_version_and_basic_auth(client: FlaskClient) -> None:
    assert client.get("/engine-rest/version", headers=basic("eier")).get_json() == {
        "version": "7.24.0"
    }
    reply = client.get("/engine-rest/process-definition", headers=basic("eier", "wrong"))
    assert reply.status_code == 401
    assert reply.get_json()["type"] == "AuthenticationException"
    assert "message" in reply.get_json()


def test_deploy_start_fetch_complete_with_camunda_shapes(client: FlaskClient) -> None:
    deployed = _deploy(client)
    assert DATE.match(deployed["deploymentTime"])
    (definition,) = deployed["deployedProcessDefinitions"].values()
    assert definition["key"] == "c7_invoice" and len(definition) == 14
    started = client.post(
        "/engine-rest/process-definition/key/c7_invoice/start",
        json={
            "variables": {"amount": {"value": 120, "type": "Integer", "valueInfo": None}},
            "businessKey": "F-9",
        },
        headers=basic("eier"),
    )
    assert started.status_code == 200, started.get_json()
    instance_id = started.get_json()["id"]
    fetched = client.post(
        "/engine-rest/external-task/fetchAndLock",
        json={
            "workerId": "w1",
            "maxTasks": 1,
            "topics": [{"topicName": "invoice-check", "lockDuration": 10000, "variables": None}],
        },
        headers=basic("eier"),
    ).get_json()
    assert [t["processInstanceId"] for t in fetched] == [instance_id]
    assert fetched[0]["variables"]["amount"] == {"value": 120, "type": "Integer", "valueInfo": {}}
    assert DATE.match(fetched[0]["lockExpirationTime"])
    wrong = client.post(
        f"/engine-rest/external-task/{fetched[0]['id']}/complete",
        json={"workerId": "w2", "variables": {"approved": {"value": True}}},
        headers=basic("eier"),
    )
    assert wrong.status_code == 400 and wrong.get_json()["type"] == "BadUserRequestException"
    done = client.post(
        f"/engine-rest/external-task/{fetched[0]['id']}/complete",
        json={"workerId": "w1", "variables": {"approved": {"value": True}}},
        headers=basic("eier"),
    )
    assert done.status_code == 204 and done.data == b""
    tasks = client.get(
        f"/engine-rest/task?processInstanceId={instance_id}", json={}, headers=basic("fin.asker")
    ).get_json()
    assert [t["taskDefinitionKey"] for t in tasks] == ["approve"]
    assert (
        client.get(
            f"/engine-rest/task?processInstanceId={instance_id}", headers=basic("emp.asker")
        ).get_json()
        == []
    )  # need to know: not offered to a participant


def test_a_participant_is_no_worker_and_unknown_ids_are_404(client: FlaskClient) -> None:
    reply = client.post(
        "/engine-rest/external-task/fetchAndLock",
        json={"workerId": "w", "maxTasks": 1, "topics": []},
        headers=basic("emp.asker"),
    )
    assert reply.status_code == 403 and reply.get_json()["type"] == "AuthorizationException"
    missing = client.get("/engine-rest/task/not-a-uuid", headers=basic("eier"))
    assert missing.status_code == 404
    bodiless = client.post(
        "/engine-rest/task/00000000-0000-0000-0000-000000000000/unclaim",
        headers={**basic("eier"), "Content-Type": "application/json"},
    )
    assert bodiless.status_code == 404


def test_a_model_with_unsupported_juel_is_refused_naming_the_element(client: FlaskClient) -> None:
    content = (
        (FIXTURES / "camunda7" / "invoice.bpmn")
        .read_text()
        .replace("#{not approved or checked ne 'yes'}", "${approved ? false : true}")
    )
    reply = client.post(
        "/engine-rest/deployment/create",
        data={"resource-0": (__import__("io").BytesIO(content.encode()), "bad.bpmn")},
        headers=basic("eier"),
    )
    assert reply.status_code == 400
    body = reply.get_json()
    assert body["type"] == "ParseException"
    assert "f_no" in body["message"] and "${approved ? false : true}" in body["message"]


assert Path
