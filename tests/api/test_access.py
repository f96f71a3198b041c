"""The two open doors of issue 14, over HTTP: starting any process with any start data, and
sending any message. The attackers are refused with stable codes; the people each process is
meant for still start it, and the board and the public page still work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine.services.wiring import Wiring
from tests.api.test_vacancies import ANNE, BASE, VACANCY, PublicPlayer, apply, happy_path
from tests.conftest import NOW, deploy_processes
from tests.services.test_access import scenario

Auth = Callable[[str], dict[str, str]]
FORGED_APPLICATION = {
    "application_id": "00000000-0000-0000-0000-000000000000",
    "name": "Eve",
    "email": "eve@example.no",
}


@pytest.fixture
def vacancy(deployed: Wiring, client: FlaskClient, auth: Auth) -> PublicPlayer:
    """Løten's happy path up to its published external announcement (the public page)."""
    deploy_processes(deployed)
    player = PublicPlayer(deployed, client, auth)
    player.sync_clock()
    happy = happy_path()
    player.start(happy["start"])
    for step in happy["steps"][:7]:
        player.play(step)
    return player


def start(
    client: FlaskClient, headers: dict[str, str], key: str, data: dict[str, Any], **body: Any
) -> Any:
    return client.post(
        f"/api/v1/process-definitions/{key}/start", json={"data": data, **body}, headers=headers
    )


def test_an_employee_cannot_start_a_hiring_case_but_lotens_hr_can(
    vacancy: PublicPlayer, client: FlaskClient, auth: Auth
) -> None:
    attack = {"hiring_authority_users": ["emp.drammen"]}
    refused = start(client, auth("emp.drammen"), "hiring", attack, business_key=VACANCY)
    assert refused.status_code == 403
    assert refused.get_json()["error"] == {
        "code": "start_forbidden",
        "message": "Du kan ikke starte denne prosessen.",
        "details": {"process": "hiring", "reason": "role"},
        "reason": "you may not start process 'hiring' (role)",
    }
    english = start(
        client, {**auth("emp.drammen"), "Accept-Language": "en"}, "hiring", {}, business_key="X"
    )
    assert english.get_json()["error"]["message"] == "You cannot start this process."
    # What a later step decides is never start data, whoever starts.
    for field, value in (
        ("hiring_authority_users", ["emp.drammen"]),
        ("published_announcement", {"channel": "external", "title": "Falsk"}),
    ):
        reply = start(client, auth("hr.loten"), "hiring", {field: value}, business_key="L-9")
        assert reply.status_code == 422
        assert reply.get_json()["error"]["details"] == {field: ["Ukjent felt."]}
    # emp.drammen reads no applicant, the public page still shows Løten's vacancy.
    assert client.get(f"{BASE}/applicants", headers=auth("emp.drammen")).status_code == 403
    assert client.get(BASE).get_json()["title"] == "Sykepleier"

    started = start(
        client, auth("hr.loten"), "hiring", {"unit_head": "vl.loten"}, business_key="L-9"
    )
    assert started.status_code == 201, started.get_json()
    body = started.get_json()
    assert (body["business_key"], body["data"]["municipality"]) == ("L-9", "loten")
    assert [t["element_id"] for t in body["open_tasks"]] == ["assess_vacancy"]


def test_an_open_vacancys_number_cannot_be_started_again(
    vacancy: PublicPlayer, client: FlaskClient, auth: Auth
) -> None:
    """Løten's own HR cannot replace the public vacancy page by starting its case again."""
    again = start(client, auth("hr.loten"), "hiring", {}, business_key=VACANCY)
    assert again.status_code == 422
    assert again.get_json()["error"]["code"] == "validation_failed"
    assert again.get_json()["error"]["details"] == {
        "business_key": ["Saksnummeret er allerede i bruk."]
    }
    english = start(
        client, {**auth("hr.loten"), "Accept-Language": "en"}, "hiring", {}, business_key=VACANCY
    )
    assert english.get_json()["error"]["details"]["business_key"] == [
        "The case number is already in use."
    ]
    assert [v["id"] for v in client.get("/api/v1/vacancies").get_json()] == [VACANCY]


def test_applications_come_only_through_the_public_page(
    vacancy: PublicPlayer, client: FlaskClient, auth: Auth
) -> None:
    bad = {"vacancy_id": VACANCY, "name": "Eve", "email": "not-an-address"}
    for username in ("emp.drammen", "hr.loten", "admin"):
        refused = start(client, auth(username), "hiring_application", bad, business_key=VACANCY)
        assert refused.status_code == 403, username
        assert refused.get_json()["error"]["details"]["reason"] == "started_by_service"
    assert apply(client, ANNE).status_code == 201
    people = client.get(f"{BASE}/applicants", headers=auth("hr.loten")).get_json()
    assert [p["name"] for p in people["applicants"]] == ["Anne Berg"]


def test_a_forged_application_message_is_refused_and_names_nothing(
    vacancy: PublicPlayer, client: FlaskClient, auth: Auth
) -> None:
    body = {
        "name": "application_received",
        "correlation": {"vacancy_id": VACANCY},
        "data": {"application": {**FORGED_APPLICATION, "vacancy_id": VACANCY}},
    }
    refused = client.post("/api/v1/messages", json=body, headers=auth("emp.drammen"))
    assert refused.status_code == 403
    assert refused.get_json()["error"] == {
        "code": "message_forbidden",
        "message": "Du kan ikke sende denne meldingen.",
        "details": {"message": "application_received"},
        "reason": "you may not send message 'application_received'",
    }
    assert str(vacancy.aliases["h"]) not in refused.get_data(as_text=True)
    assert client.get(f"{BASE}/applicants", headers=auth("emp.drammen")).status_code == 403
    assert client.get(f"{BASE}/applicants", headers=auth("hr.loten")).get_json()["applicants"] == []


def test_interest_is_registered_only_on_the_board(
    deployed: Wiring, client: FlaskClient, auth: Auth
) -> None:
    deploy_processes(deployed)
    deployed.clock_offset = NOW - datetime.now(UTC)
    own_leader = {
        "assignment_id": "OPPDRAG-2026-0001",
        "motivation": "Meg selv.",
        "employee_username": "emp.drammen",
        "employee_leader": "emp.drammen",
    }
    refused = start(client, auth("emp.drammen"), "assignment_interest", own_leader)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["details"]["reason"] == "started_by_service"
    assert start(client, auth("tl.baerum"), "assignment", {}).status_code == 403  # the board's

    announced = client.post("/api/v1/announcements", json={}, headers=auth("tl.baerum"))
    assert announced.status_code == 201, announced.get_json()
    board = announced.get_json()
    describe = next(
        s for s in scenario("assignment")["steps"] if s.get("complete") == "describe_need"
    )
    [task] = client.get(
        f"/api/v1/process-instances/{board['instance_id']}", headers=auth("tl.baerum")
    ).get_json()["open_tasks"]
    done = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": describe["data"]},
        headers=auth("tl.baerum"),
    )
    assert done.status_code == 200, done.get_json()
    forged = client.post(
        "/api/v1/messages",
        json={
            "name": "interest_registered",
            "correlation": {"assignment_id": board["id"]},
            "data": {"registration": own_leader},
        },
        headers=auth("emp.drammen"),
    )
    assert forged.status_code == 403
    assert forged.get_json()["error"]["code"] == "message_forbidden"
    registered = client.post(
        f"/api/v1/announcements/{board['id']}/interest",
        json={"motivation": "Jeg kan hjelpe."},
        headers=auth("emp.drammen"),
    )
    assert registered.status_code == 201, registered.get_json()
    assert registered.get_json()["employee_leader"] == "leder.drammen"


def test_messages_name_only_instances_the_sender_may_read(client: FlaskClient, auth: Auth) -> None:
    started = start(client, auth("emp.asker"), "waiter", {"case_id": "K7"})
    assert started.status_code == 201
    sent = client.post(
        "/api/v1/messages",
        json={"name": "ping", "correlation": {"case_id": "K7"}},
        headers=auth("emp.drammen"),
    )
    assert sent.status_code == 200 and sent.get_json() == {"delivered_to": []}
    instance = f"/api/v1/process-instances/{started.get_json()['id']}"
    # No part in the case: it does not exist for them (docs/access.md).
    assert client.get(instance, headers=auth("emp.drammen")).status_code == 404
    assert client.get(instance, headers=auth("emp.asker")).get_json()["state"] == "completed"


def test_the_listing_tells_each_caller_what_they_may_start(
    deployed: Wiring, client: FlaskClient, auth: Auth
) -> None:
    deploy_processes(deployed)

    def startable(username: str) -> dict[str, Any]:
        listed = client.get("/api/v1/process-definitions", headers=auth(username)).get_json()
        return {d["key"]: d["start_form"] for d in listed if d["startable"]}

    drammen = startable("emp.drammen")
    # the test processes participants start, and the leave application (processes/leave)
    assert set(drammen) == {"approval", "waiter", "leave"}
    assert drammen["approval"]["schema"]["title"] == "Ny søknad"
    lotens = startable("hr.loten")
    assert set(lotens) == {"hiring"}
    assert lotens["hiring"]["schema"]["title"] == "Ny ansettelsessak"
    assert lotens["hiring"]["ui_schema"] == {"ui:order": ["unit_head"]}
    # assignment: on the board
    assert set(startable("tl.baerum")) == {"approval", "waiter", "leave"}
    assert set(startable("admin")) == {"recursive"}  # no startRoles: owners try it
    one = client.get("/api/v1/process-definitions/hiring", headers=auth("emp.drammen")).get_json()
    assert (one["startable"], one["start_form"]) == (False, None)
    every = client.get("/api/v1/process-definitions?all=true", headers=auth("hr.loten"))
    assert [d["startable"] for d in every.get_json() if d["key"] == "hiring"] == [True]
