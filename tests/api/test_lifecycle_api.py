"""Suspend, resume and remove over HTTP: who may, a reason in bokmål, refusals in words."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from engine.services import instances
from engine.services.wiring import Wiring
from tests.conftest import NOW, user

ANSWER = {"data": {"reason": "Kurs", "start_date": "2026-12-01"}}


def test_a_case_is_put_on_hold_and_resumed_with_a_reason(
    deployed: Wiring, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    started = instances.start_instance(
        deployed.new_uow(),
        "approval",
        {"municipality": "asker"},
        actor=user(deployed, "emp.asker"),
        now=NOW,
    )
    case = f"/api/v1/cases/{started.id}"
    starter, owner, stranger = auth("emp.asker"), auth("eier"), auth("leder.drammen")
    seen = client.get(case, headers=starter).get_json()
    assert (seen["may_cancel"], seen["may_suspend"], seen["may_resume"]) == (True, False, False)
    [task] = seen["open_tasks"]
    assert client.post(f"{case}/suspend", json={"reason": "x"}, headers=starter).status_code == 403
    assert client.post(f"{case}/suspend", json={"reason": "x"}, headers=stranger).status_code == 404
    blank = client.post(f"{case}/suspend", json={"reason": " "}, headers=owner)
    assert blank.status_code == 422
    assert blank.get_json()["error"]["details"] == {
        "reason": ["Skriv hvorfor saken settes på vent."]
    }
    english = client.post(
        f"{case}/suspend", json={"reason": ""}, headers={**owner, "Accept-Language": "en"}
    )
    assert english.get_json()["error"]["details"] == {
        "reason": ["Say why the case is put on hold."]
    }

    held = client.post(f"{case}/suspend", json={"reason": "Venter på vedtak"}, headers=owner)
    assert held.status_code == 200, held.get_json()
    # The process owner takes no part in the case: the answer names its state only.
    assert held.get_json() == {"id": str(started.id), "key": "approval", "state": "suspended"}
    body = client.get(case, headers=auth("admin")).get_json()
    assert (body["state"], body["suspend_reason"], body["may_resume"]) == (
        "suspended",
        "Venter på vedtak",
        True,
    )
    assert client.get(case, headers=starter).get_json()["suspend_reason"] == "Venter på vedtak"
    refused = client.post(f"/api/v1/tasks/{task['id']}/complete", json=ANSWER, headers=starter)
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert (error["code"], error["message"]) == (
        "instance_suspended",
        "Saken er satt på vent. Oppgaven kan fullføres når saken er tatt opp igjen.",
    )
    in_english = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json=ANSWER,
        headers={**starter, "Accept-Language": "en"},
    )
    assert in_english.get_json()["error"]["message"].startswith("The case is on hold.")
    listed = client.get("/api/v1/process-instances?state=suspended", headers=auth("admin"))
    assert [i["id"] for i in listed.get_json()["items"]] == [str(started.id)]

    resumed = client.post(f"{case}/resume", json={"reason": "Vedtatt"}, headers=auth("admin"))
    assert resumed.status_code == 200 and resumed.get_json()["state"] == "running"
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", json=ANSWER, headers=starter)
    assert done.status_code == 200, done.get_json()
    events = client.get(
        f"/api/v1/process-instances/{started.id}/history", headers=auth("admin")
    ).get_json()
    kinds = [(e["type"], e["actor"], (e["data"] or {}).get("reason")) for e in events["events"]]
    assert ("instance_suspended", "eier", "Venter på vedtak") in kinds
    assert ("instance_resumed", "admin", "Vedtatt") in kinds
    assert client.get(f"/api/v1/audit/instances/{started.id}", headers=auth("revisor")).get_json()[
        "verification"
    ]["ok"]


def test_only_a_version_that_never_ran_is_removed_over_http(
    deployed: Wiring, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    instances.start_instance(
        deployed.new_uow(),
        "approval",
        {"municipality": "asker"},
        actor=user(deployed, "emp.asker"),
        now=NOW,
    )
    path = "/api/v1/process-definitions/approval/versions/1/remove"
    owner = auth("eier")
    refused = client.post(path, json={"reason": "x"}, headers=auth("emp.asker"))
    assert refused.status_code == 403
    blank = client.post(path, json={"reason": ""}, headers=owner)
    assert blank.status_code == 422
    assert blank.get_json()["error"]["details"] == {"reason": ["Skriv hvorfor versjonen fjernes."]}
    ran = client.post(path, json={"reason": "Feil"}, headers=owner)
    assert ran.status_code == 409
    assert ran.get_json()["error"]["message"] == "Versjonen er tatt i bruk og kan ikke fjernes."
    missing = client.post(
        "/api/v1/process-definitions/approval/versions/9/remove",
        json={"reason": "x"},
        headers=owner,
    )
    assert missing.status_code == 404
