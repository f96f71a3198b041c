"""The auditors' API: verify, search, timeline, replay, export, anchors, and read-only access."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from uuid import uuid4

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from engine.services.audit import pdf as audit_pdf
from engine.services.step import history
from engine.services.wiring import Wiring
from engine.store.models import HistoryEvent
from saksflyt import cli
from tests.services.test_audit import finished

Auth = Callable[[str], dict[str, str]]
READS = {"GET", "HEAD", "OPTIONS"}


def system_events(wiring: Wiring, kind: str) -> list[HistoryEvent]:
    with wiring.new_uow() as uow:
        return [e for e in uow.history.stream(history.SYSTEM_STREAM) if e.type == kind]


def test_verify_reports_the_first_broken_link(
    client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    instance_id = finished(deployed)
    reply = client.get("/api/v1/audit/verify", headers=auth("revisor"))
    assert reply.status_code == 200 and reply.get_json()["ok"] is True
    assert reply.get_json()["first_broken"] is None
    with deployed.engine.begin() as connection:
        connection.execute(
            update(HistoryEvent)
            .where(HistoryEvent.stream == str(instance_id), HistoryEvent.seq == 4)
            .values(actor="mallory")
        )
    whole = client.get("/api/v1/audit/verify", headers=auth("revisor")).get_json()
    one = client.get(
        f"/api/v1/audit/verify?instance_id={instance_id}", headers=auth("revisor")
    ).get_json()
    for report in (whole, one):
        assert report["ok"] is False
        assert report["first_broken"] == {
            "stream": str(instance_id),
            "seq": 4,
            "reason": "the event was altered",
        }
    assert one["streams"] == 1
    missing = client.get(f"/api/v1/audit/verify?instance_id={uuid4()}", headers=auth("revisor"))
    assert missing.status_code == 404
    assert client.get("/api/v1/audit/verify", headers=auth("emp.asker")).status_code == 403


def test_search_by_process_person_state_municipality_and_dates(
    client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    done = finished(deployed, "SAK-1")
    running = client.post(
        "/api/v1/process-definitions/approval/start",
        json={"data": {"municipality": "asker"}, "business_key": "SAK-2"},
        headers=auth("emp2.asker"),
    ).get_json()["id"]

    def found(query: str) -> list[str]:
        reply = client.get(f"/api/v1/audit/instances?{query}", headers=auth("revisor"))
        assert reply.status_code == 200, reply.get_json()
        return [item["id"] for item in reply.get_json()["items"]]

    assert set(found("key=approval")) == {str(done), running}
    assert found("business_key=SAK-1") == [str(done)]
    assert found("state=completed") == [str(done)]
    assert found("person=leder.asker") == [str(done)]
    assert found("person=emp2.asker") == [running]
    assert set(found("municipality=asker&version=1")) == {str(done), running}
    assert found("municipality=drammen") == []
    assert set(found("started_from=2026-11-23&started_to=2026-11-23")) >= {str(done)}
    assert found("started_to=2026-11-22") == []
    assert client.get("/api/v1/audit/instances", headers=auth("emp.asker")).status_code == 403


def test_timeline_names_every_step_and_carries_the_check(
    client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    instance_id = finished(deployed)
    body = client.get(f"/api/v1/audit/instances/{instance_id}", headers=auth("revisor")).get_json()
    assert body["verification"]["ok"] is True and body["instance"]["state"] == "completed"
    approve = next(
        e for e in body["events"] if e["type"] == "task_completed" and e["actor"] == "leder.asker"
    )
    assert approve["element_name"] == "Godkjenn søknad" and approve["definition_version"] == 1
    assert approve["delta"]["approved"] == {"before": None, "after": False}
    started = body["events"][0]
    assert started["type"] == "instance_started" and started["delta"]["municipality"]
    assert [e["seq"] for e in body["events"]] == list(range(1, len(body["events"]) + 1))


def test_state_after_an_event_is_replayed(
    client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    instance_id = finished(deployed)
    events = client.get(
        f"/api/v1/process-instances/{instance_id}/history", headers=auth("revisor")
    ).get_json()["events"]
    ready = next(e for e in events if e["type"] == "task_ready" and e["element_id"] == "approve")
    state = client.get(
        f"/api/v1/process-instances/{instance_id}/history/{ready['seq']}/state",
        headers=auth("revisor"),
    ).get_json()
    assert state["tokens"] == ["approve", "approve_deadline"] and state["state"] == "running"
    assert state["open_tasks"][0]["task_id"] == ready["task_id"]
    assert state["data"]["reason"] == "Kurs i klarspråk" and "submit" in state["path"]
    last = client.get(
        f"/api/v1/process-instances/{instance_id}/history/{len(events)}/state",
        headers=auth("emp.asker"),
    ).get_json()
    assert last["state"] == "completed" and last["tokens"] == []
    beyond = f"/api/v1/process-instances/{instance_id}/history/{len(events) + 1}/state"
    assert client.get(beyond, headers=auth("revisor")).status_code == 404
    stranger = f"/api/v1/process-instances/{instance_id}/history/1/state"
    assert client.get(stranger, headers=auth("emp.drammen")).status_code == 404


def test_exports_carry_the_verification(client: FlaskClient, auth: Auth, deployed: Wiring) -> None:
    instance_id = finished(deployed)
    base = f"/api/v1/audit/instances/{instance_id}/export"
    as_json = client.get(f"{base}?format=json", headers=auth("revisor"))
    assert as_json.headers["Content-Disposition"].startswith("attachment")
    record = json.loads(as_json.data)
    assert record["verification"]["ok"] is True and record["exported_by"] == "revisor"
    assert record["events"][-1]["type"] == "instance_completed"
    as_csv = client.get(f"{base}?format=csv", headers=auth("revisor"))
    assert as_csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(as_csv.data.decode())))
    assert rows[0]["type"] == "instance_started" and rows[-1]["type"] == "verification"
    assert json.loads(rows[-1]["data"])["ok"] is True
    search = client.get("/api/v1/audit/export?key=approval&format=csv", headers=auth("revisor"))
    [row] = list(csv.DictReader(io.StringIO(search.data.decode())))
    assert (row["id"], row["chain_valid"]) == (str(instance_id), "True")
    if audit_pdf.is_available():
        pdf = client.get(f"{base}?format=pdf", headers=auth("revisor"))
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_every_write_refuses_an_auditor(app: Flask, client: FlaskClient, auth: Auth) -> None:
    headers = auth("revisor")
    writes = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in sorted((rule.methods or set()) - READS)
    ]
    assert len(writes) >= 8
    for rule, method in writes:
        path = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: _value(m.group(1)), rule.rule)
        if path == "/api/v1/auth/token":
            continue
        reply = client.open(path, method=method, json={}, headers=headers)
        assert reply.status_code == 403, (method, path, reply.status_code)
        assert reply.get_json()["error"]["code"] == "forbidden"


def _value(converter: str | None) -> str:
    return {"uuid": str(uuid4()), "int": "1"}.get(converter or "", "approval")


def test_auditors_reads_are_logged(client: FlaskClient, auth: Auth, deployed: Wiring) -> None:
    headers = auth("revisor")
    before = len(system_events(deployed, "audit_query"))
    client.get("/api/v1/audit/instances?business_key=SAK-9", headers=headers)
    client.get("/api/v1/tasks?scope=all", headers=headers)
    client.get("/api/v1/audit/instances?key=approval", headers=auth("admin"))
    logged = system_events(deployed, "audit_query")[before:]
    assert [(e.actor, e.data["path"]) for e in logged] == [
        ("revisor", "/api/v1/audit/instances"),
        ("revisor", "/api/v1/tasks"),
    ]
    assert logged[0].data["query"] == {"args": {"business_key": "SAK-9"}, "status": 200}


def test_api_login_failures_are_logged(client: FlaskClient, deployed: Wiring) -> None:
    reply = client.post("/api/v1/auth/token", json={"username": "admin", "password": "gjett"})
    assert reply.status_code == 401
    [failure] = system_events(deployed, "login_failed")
    assert failure.data["username"] == "admin" and failure.data["channel"] == "api"
    assert "gjett" not in json.dumps(failure.data)


def test_anchors_and_anonymising_are_for_admins(
    client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    instance_id = finished(deployed)
    assert client.post("/api/v1/audit/anchors", headers=auth("revisor")).status_code == 403
    made = client.post("/api/v1/audit/anchors", headers=auth("admin"))
    assert made.status_code == 201 and made.get_json()["seq"] == 1
    listed = client.get("/api/v1/audit/anchors", headers=auth("revisor")).get_json()
    assert [a["hash"] for a in listed] == [made.get_json()["hash"]]
    path = f"/api/v1/audit/instances/{instance_id}/anonymise"
    reply = client.post(path, json={"reason": "retention"}, headers=auth("admin"))
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    assert body["instance"]["anonymised"] is True and body["verification"]["ok"] is True
    again = client.post(path, json={"reason": "retention"}, headers=auth("admin"))
    assert again.status_code == 409
    replayed = client.get(
        f"/api/v1/process-instances/{instance_id}/history/1/state", headers=auth("revisor")
    )
    assert replayed.status_code == 409


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_the_openapi_document_lists_the_audit_operations(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/audit/verify" in paths
    assert "/api/v1/process-instances/{instance_id}/history/{seq}/state" in paths


def test_cli_verify_exits_1_at_the_first_broken_link(
    deployed: Wiring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    instance_id = finished(deployed)
    monkeypatch.setenv("SAKSFLYT_DATABASE_URL", deployed.settings.database_url)
    cli.main(["audit", "verify"])
    assert "ok: every chain is intact" in capsys.readouterr().out
    cli.main(["audit", "anchor"])
    assert "anchor 1:" in capsys.readouterr().out
    with deployed.engine.begin() as connection:
        connection.execute(
            update(HistoryEvent)
            .where(HistoryEvent.stream == str(instance_id), HistoryEvent.seq == 3)
            .values(element_name="Noe annet")
        )
    with pytest.raises(SystemExit) as done:
        cli.main(["audit", "verify", "--instance", str(instance_id)])
    printed = capsys.readouterr()
    assert done.value.code == 1
    assert f"BROKEN {instance_id} at event 3: the event was altered" in printed.out
    assert f"first broken link: {instance_id} event 3" in printed.err


FORMULAS = [
    '=HYPERLINK("https://evil.example")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\tx",
    "\rx",
]


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_exports_neutralise_cells_a_spreadsheet_would_run(
    client: FlaskClient, auth: Auth, deployed: Wiring, formula: str
) -> None:
    finished(deployed, formula)
    reply = client.get("/api/v1/audit/export?key=approval&format=csv", headers=auth("revisor"))
    rows = list(csv.DictReader(io.StringIO(reply.data.decode(), newline="")))
    assert len(rows) == 1, reply.data
    [row] = rows
    assert row["business_key"] == "'" + formula
