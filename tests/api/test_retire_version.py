"""Retiring a version over HTTP and the Camunda door: no new cases, running ones go on, undone.

As Camunda 7's suspended process definitions: a process starts on its newest version only, so
retiring the newest takes it off the start page until another version is made current.
"""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from engine.services import definitions, instances
from engine.services.wiring import Wiring
from tests.api.test_engine_rest import basic
from tests.conftest import NOW, fixture_files, user

ANSWER = {"data": {"reason": "Kurs", "start_date": "2026-12-01"}}
START = {"data": {"municipality": "asker"}}
APPROVAL = "/api/v1/process-definitions/approval"

Auth = Callable[[str], dict[str, str]]


def _system_events(wiring: Wiring) -> list[tuple[str, str, object]]:
    with wiring.new_uow() as uow:
        events = uow.history.stream("system")
        return [(e.type, e.actor, (e.data or {}).get("reason")) for e in events]


def _startable(client: FlaskClient, headers: dict[str, str]) -> bool:
    listed = client.get("/api/v1/process-definitions", headers=headers).get_json()
    return next(d for d in listed if d["key"] == "approval")["startable"]


def test_a_retired_version_starts_nothing_while_its_cases_go_on(
    deployed: Wiring, client: FlaskClient, auth: Auth
) -> None:
    running = instances.start_instance(
        deployed.new_uow(), "approval", START["data"], actor=user(deployed, "emp.asker"), now=NOW
    )
    owner, starter = auth("eier"), auth("emp.asker")
    retire = f"{APPROVAL}/versions/1/retire"
    assert client.post(retire, json={"reason": "x"}, headers=starter).status_code == 403
    blank = client.post(retire, json={"reason": "  "}, headers=owner)
    assert blank.status_code == 422
    assert blank.get_json()["error"]["details"] == {
        "reason": ["Skriv hvorfor versjonen tas ut av bruk."]
    }
    retired = client.post(retire, json={"reason": "Erstattes av ny ordning"}, headers=owner)
    assert retired.status_code == 200, retired.get_json()
    assert (retired.get_json()["retired_by"], retired.get_json()["retired_reason"]) == (
        "eier",
        "Erstattes av ny ordning",
    )
    again = client.post(retire, json={"reason": "x"}, headers=owner)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "version_retired"

    assert not _startable(client, starter)  # gone from the start page
    refused = client.post(f"{APPROVAL}/start", json=START, headers=starter)
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert (error["code"], error["message"]) == (
        "version_retired",
        "Prosessen er tatt ut av bruk og kan ikke startes. "
        "Spør prosesseieren om en versjon som er i bruk.",
    )
    english = client.post(
        f"{APPROVAL}/start", json=START, headers={**starter, "Accept-Language": "en"}
    )
    assert english.get_json()["error"]["message"].startswith("The process is retired")
    door = client.post(
        "/engine-rest/process-definition/key/approval/start", json={}, headers=basic("emp.asker")
    )
    assert door.status_code == 400
    assert door.get_json()["type"] == "RestException"
    assert "is suspended" in door.get_json()["message"]
    listed = client.get("/engine-rest/process-definition?key=approval", headers=basic("eier"))
    assert [d["suspended"] for d in listed.get_json()] == [True]

    # The case already running on it goes on to its end.
    [task] = client.get(f"/api/v1/cases/{running.id}", headers=starter).get_json()["open_tasks"]
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", json=ANSWER, headers=starter)
    assert done.status_code == 200, done.get_json()

    library = client.get("/api/v1/process-library", headers=owner).get_json()
    [version] = next(p for p in library if p["key"] == "approval")["versions"]
    assert (version["retired_by"], version["retired_reason"]) == ("eier", "Erstattes av ny ordning")
    with deployed.new_uow() as uow:
        kinds = [
            (e.type, e.actor, (e.data or {}).get("reason")) for e in uow.history.stream("system")
        ]
    assert ("definition_retired", "eier", "Erstattes av ny ordning") in kinds

    reinstate = f"{APPROVAL}/versions/1/reinstate"
    assert client.post(reinstate, json={"reason": ""}, headers=owner).status_code == 422
    back = client.post(reinstate, json={"reason": "Ordningen videreføres"}, headers=owner)
    assert back.status_code == 200 and back.get_json()["retired_at"] is None
    assert _startable(client, starter)
    assert client.post(f"{APPROVAL}/start", json=START, headers=starter).status_code == 201
    with deployed.new_uow() as uow:
        kinds = [
            (e.type, e.actor, (e.data or {}).get("reason")) for e in uow.history.stream("system")
        ]
    assert ("definition_reinstated", "eier", "Ordningen videreføres") in kinds


def test_retiring_the_current_version_waits_for_another_to_be_made_current(
    deployed: Wiring, client: FlaskClient, auth: Auth
) -> None:
    files = fixture_files("approval.bpmn")
    changed = {"approval.bpmn": files["approval.bpmn"].replace(b'name="', b'name="Ny ', 1)}
    [created] = definitions.deploy(deployed.new_uow(), changed, actor="eier", now=NOW).created
    assert created.version == 2
    owner, starter = auth("eier"), auth("emp.asker")
    on_two = client.post(f"{APPROVAL}/start", json=START, headers=starter).get_json()
    retired = client.post(f"{APPROVAL}/versions/2/retire", json={"reason": "Feil"}, headers=owner)
    assert retired.status_code == 200
    # No fallback to version 1: the process leaves the start page (Camunda starts the newest).
    assert not _startable(client, starter)
    assert client.post(f"{APPROVAL}/start", json=START, headers=starter).status_code == 409
    refused = client.post(f"{APPROVAL}/versions/2/make-current", headers=owner)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["message"] == (
        "Versjonen er tatt ut av bruk. Ta den i bruk igjen før du gjør den gjeldende."
    )
    made = client.post(f"{APPROVAL}/versions/1/make-current", headers=owner)
    assert made.status_code == 201 and made.get_json()["version"] == 3
    assert _startable(client, starter)
    started = client.post(f"{APPROVAL}/start", json=START, headers=starter).get_json()
    assert started["version"] == 3
    # The case on the retired version 2 still runs.
    case = client.get(f"/api/v1/cases/{on_two['id']}", headers=starter).get_json()
    assert (case["version"], case["state"]) == (2, "running")


def test_a_retired_version_starts_nothing_by_message_either(
    deployed: Wiring, client: FlaskClient, auth: Auth
) -> None:
    definitions.deploy(deployed.new_uow(), fixture_files("thrower.bpmn"), actor="test", now=NOW)
    owner, sender = auth("eier"), auth("emp.asker")
    message = {"name": "order_placed", "correlation": {"order_number": "7"}}
    path = "/api/v1/process-definitions/order_desk/versions/1"
    assert (
        client.post(f"{path}/retire", json={"reason": "Stengt"}, headers=owner).status_code == 200
    )
    refused = client.post("/api/v1/messages", json=message, headers=sender)
    assert refused.status_code == 404
    assert refused.get_json()["error"]["code"] == "message_not_caught"
    back = client.post(f"{path}/reinstate", json={"reason": "Åpnet"}, headers=owner)
    assert back.status_code == 200
    started = client.post("/api/v1/messages", json=message, headers=sender)
    assert started.status_code == 200, started.get_json()
    assert len(started.get_json()["delivered_to"]) == 1
