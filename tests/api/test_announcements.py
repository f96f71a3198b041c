"""The announcement board over HTTP (KV 1-2): announce, browse, register interest, refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from flask.testing import FlaskClient

from engine.services.wiring import Wiring
from tests.conftest import deploy_processes

Auth = Callable[[str], dict[str, str]]

NEED = {
    "competence_requirements": ["Autorisert sykepleier"],
    "nature_of_work": "Vakter ved legevakten.",
    "expected_results": "Stabil bemanning i høytiden.",
    "duration": {"planned_start": "2026-12-14", "planned_end": "2027-01-08"},
    "contact_persons": [
        {"name": "Tone Lie", "municipality": "baerum", "email": "tone.lie@baerum.example"}
    ],
}


@pytest.fixture
def routine(deployed: Wiring) -> Wiring:
    """The demo organisation with the assignment processes deployed, on 23 November 2026."""
    deploy_processes(deployed)
    _at(deployed, "2026-11-23T10:00:00+01:00")
    return deployed


def _at(wiring: Wiring, moment: str) -> None:
    """Move the engine clock (the demo clock offset) to a moment."""
    wiring.clock_offset = datetime.fromisoformat(moment) - datetime.now(UTC)


def _announce(client: FlaskClient, auth: Auth, user: str, deadline: str | None) -> dict[str, Any]:
    reply = client.post("/api/v1/announcements", json={}, headers=auth(user))
    assert reply.status_code == 201, reply.get_json()
    created = reply.get_json()
    if deadline is not None:
        done = client.post(
            f"/api/v1/tasks/{created['describe_need_task_id']}/complete",
            json={"data": {**NEED, "interest_deadline": deadline}},
            headers=auth(user),
        )
        assert done.status_code == 200, done.get_json()
    return created  # type: ignore[no-any-return]


def _board(client: FlaskClient, auth: Auth, user: str, query: str = "") -> dict[str, Any]:
    reply = client.get(f"/api/v1/announcements{query}", headers=auth(user))
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()  # type: ignore[no-any-return]


def test_the_board_lists_published_announcements_open_ones_first(
    routine: Wiring, client: FlaskClient, auth: Auth
) -> None:
    assert (
        client.post("/api/v1/announcements", json={}, headers=auth("emp.asker")).status_code == 403
    )
    first = _announce(client, auth, "tl.baerum", None)
    assert (first["id"], first["status"], first["is_open"]) == ("OPPDRAG-2026-0001", "draft", False)
    assert _board(client, auth, "emp.asker")["total"] == 0  # a draft is not an announcement yet
    assert (
        client.get("/api/v1/announcements/OPPDRAG-2026-0001", headers=auth("emp.asker")).status_code
        == 404
    )
    done = client.post(
        f"/api/v1/tasks/{first['describe_need_task_id']}/complete",
        json={"data": {**NEED, "interest_deadline": "2026-12-01"}},
        headers=auth("tl.baerum"),
    )
    assert done.status_code == 200, done.get_json()
    second = _announce(client, auth, "tl.baerum", "2026-12-10")
    assert second["id"] == "OPPDRAG-2026-0002"
    assert _announce(client, auth, "tl.lier", None)["id"] == "OPPDRAG-2026-0003"

    board = _board(client, auth, "emp.asker")
    assert [a["id"] for a in board["items"]] == ["OPPDRAG-2026-0001", "OPPDRAG-2026-0002"]
    top = board["items"][0]
    assert top["receiving_municipality"] == {"id": "baerum", "name": "Bærum kommune"}
    assert (top["status"], top["is_open"], top["may_register"]) == ("published", True, True)
    assert top["interest_deadline"] == "2026-12-01"
    assert top["interest_deadline_at"] == "2026-12-01T23:59:59+01:00"
    assert {k: top[k] for k in NEED} == NEED and top["special_conditions"] is None
    assert top["my_registration"] is None
    assert not _board(client, auth, "tv.baerum")["items"][0]["may_register"]  # own municipality
    assert not _board(client, auth, "leder.asker")["items"][0]["may_register"]  # has no leader
    page = _board(client, auth, "emp.drammen", "?limit=1&offset=1")
    assert [a["id"] for a in page["items"]] == ["OPPDRAG-2026-0002"] and page["total"] == 2
    one = client.get("/api/v1/announcements/OPPDRAG-2026-0002", headers=auth("emp.drammen"))
    assert one.status_code == 200 and one.get_json()["is_open"] is True

    _at(routine, "2026-12-05T12:00:00+01:00")
    later = _board(client, auth, "emp.asker")
    assert [(a["id"], a["is_open"]) for a in later["items"]] == [
        ("OPPDRAG-2026-0002", True),
        ("OPPDRAG-2026-0001", False),
    ]
    assert [a["id"] for a in _board(client, auth, "emp.asker", "?open=true")["items"]] == [
        "OPPDRAG-2026-0002"
    ]
    assert client.get("/api/v1/announcements").status_code == 401
    assert client.get("/api/v1/announcements?limit=0", headers=auth("emp.asker")).status_code == 422
    bad_body = client.post("/api/v1/announcements", json={"x": 1}, headers=auth("tl.baerum"))
    assert bad_body.status_code == 422


def _register(
    client: FlaskClient, auth: Auth, user: str, assignment_id: str, **headers: str
) -> Any:
    return client.post(
        f"/api/v1/announcements/{assignment_id}/interest",
        json={"motivation": "Jeg har erfaring fra legevakt."},
        headers={**auth(user), **headers},
    )


def test_registering_interest_and_the_refusals(
    routine: Wiring, client: FlaskClient, auth: Auth
) -> None:
    assignment = _announce(client, auth, "tl.baerum", "2026-12-01")["id"]
    quiet = _announce(client, auth, "tl.baerum", "2026-11-30")["id"]
    first = _register(client, auth, "emp.asker", assignment)
    assert first.status_code == 201, first.get_json()
    registration = first.get_json()
    assert registration["needs_nomination"] is False
    assert (registration["employee_leader"], registration["employee_unit"]) == (
        "leder.asker",
        "IT-avdelingen",
    )
    assert (registration["state"], registration["outcome"]) == ("running", "pending")
    second = _register(client, auth, "emp2.asker", assignment).get_json()
    assert second["needs_nomination"] is True  # G2: two from the same unit (asker.it)
    other_unit = _register(client, auth, "emp.drammen", assignment).get_json()
    assert other_unit["needs_nomination"] is False

    refusals = {
        "emp.asker": {"employee_username"},
        "tv.baerum": {"employee_municipality", "employee_leader"},
        "tl.baerum": {"employee_municipality", "employee_leader"},
        "leder.asker": {"employee_leader"},
    }
    for user, fields in refusals.items():
        reply = _register(client, auth, user, assignment)
        assert reply.status_code == 422, (user, reply.get_json())
        assert set(reply.get_json()["error"]["details"]) == fields, user
    same = _register(client, auth, "tv.baerum", assignment).get_json()["error"]["details"]
    assert "Bærum kommune" in same["employee_municipality"][0]
    english = _register(client, auth, "emp.asker", assignment, **{"Accept-Language": "en"})
    assert english.get_json()["error"]["details"]["employee_username"] == [
        "You have already registered interest in this assignment."
    ]
    for body in ({"motivation": "   "}, {}, {"motivation": "ok", "extra": 1}, {"motivation": 7}):
        reply = client.post(
            f"/api/v1/announcements/{assignment}/interest", json=body, headers=auth("emp.drammen")
        )
        assert reply.status_code == 422, body
    assert _register(client, auth, "emp.asker", "OPPDRAG-1999-0001").status_code == 404

    # The employee's own leader gets the approval task (KV 2); an approved registration reaches
    # the assignment by the message interest_registered.
    inbox = client.get("/api/v1/tasks?scope=group", headers=auth("leder.asker")).get_json()
    approvals = {
        t["instance_id"]: t for t in inbox["items"] if t["element_id"] == "approve_interest"
    }
    assert set(approvals) == {registration["instance_id"], second["instance_id"]}
    # A leader of another unit cannot approve (or even see) it; nothing changes.
    task_url = f"/api/v1/tasks/{approvals[registration['instance_id']]['id']}"
    for stranger in ("leder.drammen", "tl.lier"):
        refused = client.post(
            f"{task_url}/complete", json={"data": {"approved": True}}, headers=auth(stranger)
        )
        assert refused.status_code == 403, (stranger, refused.get_json())
        claimed = client.post(f"{task_url}/claim", headers=auth(stranger))
        assert claimed.status_code == 403, stranger
    assert client.get(task_url, headers=auth("leder.asker")).get_json()["state"] == "open"
    approved = client.post(
        f"/api/v1/tasks/{approvals[registration['instance_id']]['id']}/complete",
        json={"data": {"approved": True}},
        headers=auth("leder.asker"),
    )
    assert approved.status_code == 200, approved.get_json()
    board = client.get(f"/api/v1/announcements/{assignment}", headers=auth("emp.asker")).get_json()
    assert board["my_registration"]["outcome"] == "registered"
    assert board["may_register"] is False
    data = _instance_data(client, auth, board["instance_id"])
    assert [r["employee_username"] for r in data["registrations"]] == ["emp.asker"]

    _at(routine, "2026-12-01T10:00:00+01:00")  # quiet's deadline passed last night (AMB-P05)
    refused = _register(client, auth, "emp.drammen", quiet)
    assert refused.get_json()["error"]["details"] == {
        "interest_deadline": ["Fristen for å melde interesse gikk ut 30. november 2026 kl. 23.59."]
    }
    with routine.new_uow() as uow:
        baerum = uow.users.municipality("baerum")
        assert baerum is not None
        baerum.settings = {**baerum.settings, "accept_late_registrations": True}
        uow.commit()
    assert _register(client, auth, "emp.drammen", quiet).status_code == 201


def _instance_data(client: FlaskClient, auth: Auth, instance_id: str) -> dict[str, Any]:
    reply = client.get(f"/api/v1/process-instances/{UUID(instance_id)}", headers=auth("admin"))
    return reply.get_json()["data"]  # type: ignore[no-any-return]


def test_an_interest_deadline_today_or_earlier_is_refused_at_the_field(
    routine: Wiring, client: FlaskClient, auth: Auth
) -> None:
    created = _announce(client, auth, "tl.baerum", None)
    url = f"/api/v1/tasks/{created['describe_need_task_id']}/complete"
    for deadline in ("2026-11-22", "2026-11-23"):  # the engine's today is 23 November 2026
        reply = client.post(
            url, json={"data": {**NEED, "interest_deadline": deadline}}, headers=auth("tl.baerum")
        )
        assert reply.status_code == 422, deadline
        assert reply.get_json()["error"]["details"] == {
            "interest_deadline": ["Datoen må være etter i dag."]
        }
    assert client.get(
        f"/api/v1/tasks/{created['describe_need_task_id']}", headers=auth("tl.baerum")
    ).get_json()["state"] in ("open", "claimed")
    ok = client.post(
        url, json={"data": {**NEED, "interest_deadline": "2026-11-24"}}, headers=auth("tl.baerum")
    )
    assert ok.status_code == 200, ok.get_json()


def test_the_board_is_read_by_employees_and_service_leaders_only(
    client: FlaskClient, auth: Auth, routine: Wiring
) -> None:
    """The API follows the page's rule (access.BOARD_USERS): an employee in another
    municipality and a union representative read the announcement; finance, HR and the auditor
    (no part in the board; the auditor reads the case in the audit pages) do not."""
    created = _announce(client, auth, "tl.baerum", "2026-11-30")
    one = f"/api/v1/announcements/{created['id']}"
    assert _board(client, auth, "emp.drammen")["total"] == 1
    assert client.get(one, headers=auth("emp.drammen")).status_code == 200
    assert client.get(one, headers=auth("tv.lier")).status_code == 200
    for outsider in ("fin.asker", "hr.loten", "revisor"):
        listed = client.get("/api/v1/announcements", headers=auth(outsider))
        assert listed.status_code == 403, (outsider, listed.get_json())
        assert client.get(one, headers=auth(outsider)).status_code == 403, outsider
