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
    uncaught = client.post(
        f"/engine-rest/external-task/{fetched[0]['id']}/bpmnError",
        json={"workerId": "w1", "errorCode": "no_such_error", "errorMessage": "?"},
        headers=basic("eier"),
    )  # no boundary event catches it: a clear 400, and the task stays with its worker
    assert uncaught.status_code == 400, uncaught.get_json()
    assert uncaught.get_json()["type"] == "RestException"
    assert "no_such_error" in uncaught.get_json()["message"]
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


def test_definitions_sorted_as_the_worker_client_asks(client: FlaskClient) -> None:
    _deploy(client)
    content = (FIXTURES / "camunda7" / "invoice.bpmn").read_bytes().replace(b"Kontroller", b"Sjekk")
    client.post(
        "/engine-rest/deployment/create",
        data={"resource-0": (__import__("io").BytesIO(content), "invoice.bpmn")},
        headers=basic("eier"),
    )
    newest = client.get(
        "/engine-rest/process-definition?key=c7_invoice&sortBy=version&sortOrder=desc"
        "&firstResult=0&maxResults=1",
        headers=basic("eier"),
    ).get_json()
    assert [(d["version"], d["id"].split(":")[:2]) for d in newest] == [(2, ["c7_invoice", "2"])]
    bad = client.get("/engine-rest/process-definition?sortBy=colour", headers=basic("eier"))
    assert bad.status_code == 400 and bad.get_json()["type"] == "InvalidRequestException"


def test_typed_variables_in_and_out(client: FlaskClient) -> None:
    _deploy(client)
    wrong = client.post(
        "/engine-rest/process-definition/key/c7_invoice/start",
        json={"variables": {"amount": {"value": "many", "type": "Integer"}}},
        headers=basic("eier"),
    )
    assert wrong.status_code == 400 and "amount" in wrong.get_json()["message"]
    started = client.post(
        "/engine-rest/process-definition/key/c7_invoice/start",
        json={
            "variables": {
                "amount": {"value": 3_000_000_000},
                "rate": {"value": 1, "type": "Double"},
                "lines": {"value": '[{"sum": 2}]', "type": "Json", "valueInfo": None},
                "note": {"value": None, "type": None},
            },
            "withVariablesInReturn": True,
        },
        headers=basic("eier"),
    ).get_json()
    typed = started["variables"]
    assert typed["amount"] == {"value": 3_000_000_000, "type": "Long", "valueInfo": {}}
    assert typed["rate"] == {"value": 1.0, "type": "Double", "valueInfo": {}}
    assert typed["lines"] == {"value": '[{"sum": 2}]', "type": "Json", "valueInfo": {}}
    assert typed["note"] == {"value": None, "type": "Null", "valueInfo": {}}
    unknown = client.post(
        "/engine-rest/process-definition/key/nothing/start", json={}, headers=basic("eier")
    )
    assert unknown.status_code == 404


def test_claims_are_for_oneself_and_left_out_endpoints_answer_in_camunda_shape(
    client: FlaskClient,
) -> None:
    other = client.post(
        "/engine-rest/task/00000000-0000-0000-0000-000000000000/claim",
        json={"userId": "someone.else"},
        headers=basic("fin.asker"),
    )
    assert other.status_code == 403
    missing = client.get("/engine-rest/job", headers=basic("eier"))
    assert missing.status_code == 404
    assert missing.get_json() == {
        "type": "RestException",
        "message": "/engine-rest/job is not supported by saksflyt",
    }


def _start_and_fetch(client: FlaskClient, business_key: str) -> tuple[str, str]:
    """Deploy and start the C7 invoice model; lock its external task for worker w1."""
    _deploy(client)
    started = client.post(
        "/engine-rest/process-definition/key/c7_invoice/start",
        json={"variables": {"amount": {"value": 120}}, "businessKey": business_key},
        headers=basic("eier"),
    )
    assert started.status_code == 200, started.get_json()
    (task,) = client.post(
        "/engine-rest/external-task/fetchAndLock",
        json={
            "workerId": "w1",
            "maxTasks": 1,
            "topics": [{"topicName": "invoice-check", "lockDuration": 10000}],
        },
        headers=basic("eier"),
    ).get_json()
    return started.get_json()["id"], task["id"]


def test_a_claim_of_a_task_someone_else_holds_is_409_not_500(client: FlaskClient) -> None:
    instance_id, external_id = _start_and_fetch(client, "K-1")
    done = client.post(
        f"/engine-rest/external-task/{external_id}/complete",
        json={"workerId": "w1", "variables": {"approved": {"value": True}}},
        headers=basic("eier"),
    )
    assert done.status_code == 204
    (task,) = client.get(
        f"/engine-rest/task?processInstanceId={instance_id}", headers=basic("fin.asker")
    ).get_json()
    claim = f"/engine-rest/task/{task['id']}/claim"
    mine = client.post(claim, json={"userId": "fin.asker"}, headers=basic("fin.asker"))
    assert mine.status_code == 204
    taken = client.post(claim, json={"userId": "fin.drammen"}, headers=basic("fin.drammen"))
    assert taken.status_code == 409
    assert taken.get_json() == {
        "type": "TaskAlreadyClaimedException",
        "message": "the task is already claimed by fin.asker",
    }
    # The holder still has it; claiming one's own task again changes nothing.
    again = client.post(claim, json={"userId": "fin.asker"}, headers=basic("fin.asker"))
    assert again.status_code == 204
    shown = client.get(f"/engine-rest/task/{task['id']}", headers=basic("fin.asker")).get_json()
    assert shown["assignee"] == "fin.asker"


def test_an_instance_that_cannot_go_on_is_422_not_500_and_nothing_changes(
    client: FlaskClient,
) -> None:
    """Camunda answers 500 when a completion cannot run the instance on; here the gateway's
    expression fails on a missing variable: 422, and the worker keeps its task."""
    instance_id, external_id = _start_and_fetch(client, "K-2")
    failed = client.post(
        f"/engine-rest/external-task/{external_id}/complete",
        json={"workerId": "w1", "variables": {}},
        headers=basic("eier"),
    )
    assert failed.status_code == 422, failed.get_json()
    assert failed.get_json()["type"] == "ProcessEngineException"
    assert "approved" in failed.get_json()["message"]
    held = client.get(f"/engine-rest/external-task/{external_id}", headers=basic("eier"))
    assert held.get_json()["workerId"] == "w1"
    done = client.post(
        f"/engine-rest/external-task/{external_id}/complete",
        json={"workerId": "w1", "variables": {"approved": {"value": False}}},
        headers=basic("eier"),
    )
    assert done.status_code == 204
    ended = client.get(
        f"/engine-rest/history/process-instance/{instance_id}", headers=basic("eier")
    )
    assert ended.get_json()["state"] == "COMPLETED"


def test_tasks_and_historic_instances_sort_and_page_as_asked(client: FlaskClient) -> None:
    started = {}
    for key in ("S-2", "S-1", "S-3"):
        instance_id, external_id = _start_and_fetch(client, key)
        done = client.post(
            f"/engine-rest/external-task/{external_id}/complete",
            json={"workerId": "w1", "variables": {"approved": {"value": True}}},
            headers=basic("eier"),
        )
        assert done.status_code == 204
        started[instance_id] = key
    newest = client.get(
        "/engine-rest/history/process-instance?processDefinitionKey=c7_invoice"
        "&sortBy=businessKey&sortOrder=desc&firstResult=0&maxResults=2",
        headers=basic("eier"),
    ).get_json()
    assert [i["businessKey"] for i in newest] == ["S-3", "S-2"]
    listed = client.post(
        "/engine-rest/history/process-instance?firstResult=1",
        json={"sorting": [{"sortBy": "businessKey", "sortOrder": "asc"}]},
        headers=basic("eier"),
    ).get_json()
    assert [i["businessKey"] for i in listed] == ["S-2", "S-3"]
    tasks = client.post(
        "/engine-rest/task",
        json={"sorting": {"sortBy": "processInstanceId", "sortOrder": "desc"}},
        headers=basic("fin.asker"),
    ).get_json()
    assert [t["processInstanceId"] for t in tasks] == sorted(started, reverse=True)
    for path in ("/engine-rest/task", "/engine-rest/history/process-instance"):
        bad = client.get(f"{path}?sortBy=colour", headers=basic("eier"))
        assert bad.status_code == 400, path
        assert bad.get_json() == {
            "type": "InvalidRequestException",
            "message": "Cannot sort by 'colour'",
        }
