"""The REST API end to end: auth, deploy, start, tasks, messages, history, errors."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask.testing import FlaskClient

from engine.services import definitions
from engine.services.wiring import Wiring
from tests.conftest import NOW, fixture_files

Auth = Callable[[str], dict[str, str]]


def _start(client: FlaskClient, auth: Auth) -> dict:
    reply = client.post(
        "/api/v1/process-definitions/approval/start",
        json={"data": {"municipality": "asker"}, "business_key": "SAK-7"},
        headers=auth("emp.asker"),
    )
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()


def test_token_and_me(client: FlaskClient, auth: Auth) -> None:
    assert (
        client.post(
            "/api/v1/auth/token", json={"username": "emp.asker", "password": "x"}
        ).status_code
        == 401
    )
    me = client.get("/api/v1/me", headers=auth("emp.asker")).get_json()
    assert (me["username"], me["municipality_id"], me["leader_username"]) == (
        "emp.asker",
        "asker",
        "leder.asker",
    )
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_users_change_their_own_mail_language_and_reminders(
    client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    headers = auth("emp.asker")
    assert client.get("/api/v1/me", headers=headers).get_json()["reminders_enabled"] is True
    changed = client.patch(
        "/api/v1/me", json={"reminders_enabled": False, "locale": "en"}, headers=headers
    )
    assert changed.status_code == 200, changed.get_json()
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert (me["reminders_enabled"], me["locale"]) == (False, "en")
    for bad, field in (({"locale": "de"}, "locale"), ({"roles": ["admin"]}, "roles")):
        refused = client.patch("/api/v1/me", json=bad, headers=headers)
        assert refused.status_code == 422 and field in refused.get_json()["error"]["details"]
    assert client.get("/api/v1/me", headers=headers).get_json()["roles"] == ["participant"]
    assert client.patch("/api/v1/me", json={"locale": "nb"}).status_code == 401
    with deployed.new_uow() as uow:
        [event] = [e for e in uow.history.stream("system") if e.type == "preferences_changed"]
    assert event.actor == "emp.asker"
    assert event.data["changed"] == {"reminders_enabled": [True, False], "locale": ["nb", "en"]}


def test_users_is_for_admins(client: FlaskClient, auth: Auth) -> None:
    assert client.get("/api/v1/users", headers=auth("emp.asker")).status_code == 403
    users = client.get("/api/v1/users", headers=auth("admin")).get_json()
    assert len(users) == 21 and {"username", "roles", "leader_username"} <= set(users[0])


def test_walk_an_instance_through_the_api(client: FlaskClient, auth: Auth) -> None:
    instance = _start(client, auth)
    [task] = instance["open_tasks"]
    detail = client.get(f"/api/v1/tasks/{task['id']}", headers=auth("emp.asker")).get_json()
    assert detail["form"]["schema"]["title"] == "Søknad" and detail["may_work"] is True
    bad = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"reason": "x"}},
        headers=auth("emp.asker"),
    )
    assert bad.status_code == 422
    assert bad.get_json()["error"]["details"] == {
        "reason": ["Må ha minst 3 tegn."],
        "start_date": ["Feltet må fylles ut."],
    }
    english = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {}},
        headers={**auth("emp.asker"), "Accept-Language": "en"},
    )
    assert english.get_json()["error"]["details"]["reason"] == ["This field is required."]
    assert (
        client.post(
            f"/api/v1/tasks/{task['id']}/complete",
            json={"data": {"reason": "Kurs", "start_date": "2026-12-01"}},
            headers=auth("emp2.asker"),
        ).status_code
        == 403
    )
    done = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"reason": "Kurs", "start_date": "2026-12-01"}},
        headers=auth("emp.asker"),
    )
    assert done.status_code == 200 and done.get_json()["state"] == "completed"
    again = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"reason": "Kurs", "start_date": "2026-12-01"}},
        headers=auth("emp.asker"),
    )
    assert (
        again.status_code == 409 and again.get_json()["error"]["code"] == "task_already_completed"
    )
    group = client.get("/api/v1/tasks?scope=group", headers=auth("leder.asker")).get_json()
    assert [t["element_id"] for t in group["items"]] == ["approve"]
    assert (
        client.get("/api/v1/tasks?scope=group", headers=auth("leder.drammen")).get_json()["total"]
        == 0
    )
    history = client.get(
        f"/api/v1/process-instances/{instance['id']}/history", headers=auth("emp.asker")
    ).get_json()
    assert history["chain_valid"] is True
    steps = [(e["type"], e["element_id"]) for e in history["events"]]
    assert steps[:4] == [
        ("instance_started", None),
        ("element_completed", "start"),
        ("task_ready", "submit"),
        ("task_completed", "submit"),
    ]


def test_listing_instances_and_definitions(client: FlaskClient, auth: Auth) -> None:
    instance = _start(client, auth)
    page = client.get(
        "/api/v1/process-instances?key=approval&business_key=SAK-7", headers=auth("admin")
    ).get_json()
    assert page["total"] == 1 and page["items"][0]["id"] == instance["id"]
    assert (
        client.get(
            f"/api/v1/process-instances/{instance['id']}", headers=auth("emp.drammen")
        ).status_code
        == 404
    )
    keys = {
        d["key"]
        for d in client.get("/api/v1/process-definitions", headers=auth("emp.asker")).get_json()
    }
    assert {"approval", "waiter", "recursive"} <= keys
    xml = client.get(
        "/api/v1/process-definitions/approval/versions/1/xml", headers=auth("emp.asker")
    )
    assert xml.status_code == 200 and b'id="approval"' in xml.data
    assert (
        client.get("/api/v1/process-definitions/nope", headers=auth("emp.asker")).status_code == 404
    )


def test_deploy_versions_and_refuses_bad_files(client: FlaskClient, auth: Auth) -> None:
    files = fixture_files("waiter.bpmn")

    def upload(name: str, content: bytes, user: str = "eier"):
        return client.post(
            "/api/v1/process-definitions",
            headers=auth(user),
            data={"files": [(io.BytesIO(content), name)]},
            content_type="multipart/form-data",
        )

    assert upload("waiter.bpmn", files["waiter.bpmn"], user="emp.asker").status_code == 403
    same = upload("waiter.bpmn", files["waiter.bpmn"])
    assert same.status_code == 201 and same.get_json()["created"] == []
    changed = upload(
        "waiter.bpmn", files["waiter.bpmn"].replace(b'name="Venter"', b'name="Venter 2"')
    )
    assert [d["version"] for d in changed.get_json()["created"]] == [2]
    xxe = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'
    for name, content in (("x.bpmn", b"not xml at all"), ("x.bpmn", xxe), ("x.txt", b"hello")):
        reply = upload(name, content)
        assert reply.status_code == 422, (name, reply.get_json())
        body = reply.get_json()["error"]
        assert body["code"] == "invalid_process" and body["details"][0]["file"] == name
        assert "0x" not in str(body) and "Traceback" not in str(body)


def test_messages_and_bad_bodies(client: FlaskClient, auth: Auth) -> None:
    headers = auth("emp.asker")
    started = client.post(
        "/api/v1/process-definitions/waiter/start",
        json={"data": {"case_id": "K1"}},
        headers=headers,
    )
    assert started.status_code == 201
    missing = client.post(
        "/api/v1/messages", json={"name": "ping", "correlation": {"case_id": "K2"}}, headers=headers
    )
    assert (
        missing.status_code == 404 and missing.get_json()["error"]["code"] == "message_not_caught"
    )
    hit = client.post(
        "/api/v1/messages", json={"name": "ping", "correlation": {"case_id": "K1"}}, headers=headers
    )
    assert hit.get_json()["delivered_to"] == [started.get_json()["id"]]
    unknown = client.post("/api/v1/messages", json={"name": "ping", "oops": 1}, headers=headers)
    assert unknown.status_code == 422 and "oops" in unknown.get_json()["error"]["details"]
    malformed = client.post(
        "/api/v1/messages", data="{not json", content_type="application/json", headers=headers
    )
    assert malformed.status_code in (400, 422)
    assert (
        client.post(
            "/api/v1/process-definitions/waiter/start", json={"data": "text"}, headers=headers
        ).status_code
        == 422
    )
    assert client.get("/api/v1/tasks?scope=everything", headers=headers).status_code == 422
    # A misspelt filter is refused, not ignored (which would answer with every task).
    misspelt = client.get("/api/v1/tasks?scope=mine&stat=open", headers=headers)
    assert misspelt.status_code == 422
    assert misspelt.get_json()["error"]["details"] == {"stat": ["Ukjent felt."]}
    assert client.get("/api/v1/tasks?scope=all", headers=headers).status_code == 403
    assert (
        client.post(
            "/api/v1/tasks/00000000-0000-0000-0000-000000000000/claim", headers=headers
        ).status_code
        == 404
    )


def test_recursion_is_a_clear_422(client: FlaskClient, auth: Auth) -> None:
    reply = client.post(
        "/api/v1/process-definitions/recursive/start", json={}, headers=auth("admin")
    )
    assert reply.status_code == 422 and reply.get_json()["error"]["code"] == "step_budget_exceeded"


def test_openapi_document_lists_every_endpoint(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/auth/token",
        "/api/v1/tasks/{task_id}/complete",
        "/api/v1/messages",
        "/api/v1/process-instances/{instance_id}/history",
        "/api/v1/health",
    ):
        assert path in paths


def test_inbox_names_filters_drafts_and_delegation(client: FlaskClient, auth: Auth) -> None:
    instance = _start(client, auth)
    [task] = instance["open_tasks"]
    submit = {"data": {"reason": "Kurs", "start_date": "2026-12-01"}}
    client.post(f"/api/v1/tasks/{task['id']}/complete", json=submit, headers=auth("emp.asker"))
    leader = auth("leder.asker")
    page = client.get(
        "/api/v1/tasks?scope=group&process_key=approval&q=godkjenn&sort=-due_at", headers=leader
    ).get_json()
    [approve] = page["items"]
    assert approve["municipality_name"] == "Asker kommune"
    assert isinstance(approve["working_days_left"], int)
    assert (
        client.get("/api/v1/tasks?scope=group&q=nothing-like-this", headers=leader).get_json()[
            "total"
        ]
        == 0
    )
    assert client.get("/api/v1/tasks?sort=owner", headers=leader).status_code == 422
    draft = client.post(
        f"/api/v1/tasks/{approve['id']}/draft",
        json={"data": {"comment": "halvferdig"}},
        headers=leader,
    )
    assert draft.status_code == 200 and draft.get_json()["data"]["comment"] == "halvferdig"
    refused = client.post(
        f"/api/v1/tasks/{approve['id']}/delegate",
        json={"username": "leder.drammen"},
        headers=leader,
    )
    assert refused.status_code == 422 and "username" in refused.get_json()["error"]["details"]
    client.post(f"/api/v1/tasks/{approve['id']}/claim", headers=leader)
    handed = client.post(
        f"/api/v1/tasks/{approve['id']}/delegate", json={"username": "admin"}, headers=leader
    )
    assert handed.status_code == 200 and handed.get_json()["assignee_name"] == "Ada Admin"
    assert client.get("/api/v1/tasks?scope=mine", headers=auth("admin")).get_json()["total"] == 1


def test_a_message_start_event_starts_an_instance(
    client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    definitions.deploy(deployed.new_uow(), fixture_files("intake.bpmn"), actor="test", now=NOW)
    assert client.get("/api/v1/process-definitions/intake", headers=auth("admin")).get_json()[
        "runnable"
    ]
    body = {
        "name": "request_received",
        "correlation": {"request_id": "H-1"},
        "data": {"municipality": "asker", "subject": "Spørsmål om vikar"},
    }
    sent = client.post("/api/v1/messages", json=body, headers=auth("emp.asker"))
    assert sent.status_code == 200, sent.get_json()
    [instance_id] = sent.get_json()["delivered_to"]
    instance = client.get(
        f"/api/v1/process-instances/{instance_id}", headers=auth("admin")
    ).get_json()
    assert (instance["key"], instance["state"]) == ("intake", "running")
    assert instance["data"]["subject"] == "Spørsmål om vikar"
    assert [t["element_id"] for t in instance["open_tasks"]] == ["handle_request"]
    history = client.get(
        f"/api/v1/process-instances/{instance_id}/history", headers=auth("admin")
    ).get_json()
    first = history["events"][0]
    assert (first["type"], first["actor"]) == ("instance_started", "emp.asker")
    assert first["data"]["message"] == "request_received"
    # The leader of the municipality gets the task; a second message starts a second instance.
    inbox = client.get("/api/v1/tasks?scope=group", headers=auth("leder.asker")).get_json()
    assert instance_id in {t["instance_id"] for t in inbox["items"]}
    again = client.post("/api/v1/messages", json=body, headers=auth("emp.asker")).get_json()
    assert again["delivered_to"] != [instance_id] and len(again["delivered_to"]) == 1


def test_the_session_cookie_is_secure_when_served_over_https(deployed: Wiring) -> None:
    from dataclasses import replace

    from saksflyt.app import create_app

    def cookie(public_url: str) -> str:
        settings = replace(deployed.settings, public_url=public_url)
        client = create_app(settings, wiring=replace(deployed, settings=settings)).test_client()
        reply = client.get("/login")
        assert reply.status_code == 200
        return reply.headers["Set-Cookie"]

    secure = cookie("https://saksflyt.example.no")
    assert "Secure" in secure and "HttpOnly" in secure and "SameSite=Lax" in secure
    assert "Secure" not in cookie("http://127.0.0.1:5000")


def test_claiming_a_task_one_already_holds_logs_nothing_new(
    client: FlaskClient, auth: Auth
) -> None:
    instance = _start(client, auth)
    [task] = instance["open_tasks"]
    submit = {"data": {"reason": "Kurs", "start_date": "2026-12-01"}}
    client.post(f"/api/v1/tasks/{task['id']}/complete", json=submit, headers=auth("emp.asker"))
    leader = auth("leder.asker")
    [approve] = client.get("/api/v1/tasks?scope=group", headers=leader).get_json()["items"]
    history = f"/api/v1/process-instances/{instance['id']}/history"
    for _ in range(3):
        claimed = client.post(f"/api/v1/tasks/{approve['id']}/claim", headers=leader)
        assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "leder.asker"
    events = client.get(history, headers=leader).get_json()["events"]
    assert [e["type"] for e in events].count("task_claimed") == 1
    other = client.post(f"/api/v1/tasks/{approve['id']}/claim", headers=auth("emp.asker"))
    assert other.status_code in (403, 409)
