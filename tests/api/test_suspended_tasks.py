"""The tasks of a case on hold: still listed (marked `suspended`), nobody may work on them, the
task says why to those who read it; back to normal on resume."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from engine.services import cases, instances
from engine.services.wiring import Wiring
from tests.api.test_engine_rest import basic
from tests.conftest import NOW, user

Auth = Callable[[str], dict[str, str]]
ANSWER = {"data": {"reason": "Kurs", "start_date": "2026-12-01"}}


def test_a_held_cases_task_is_listed_as_suspended_and_cannot_be_worked_on(
    deployed: Wiring, client: FlaskClient, auth: Auth
) -> None:
    started = instances.start_instance(
        deployed.new_uow(),
        "approval",
        {"municipality": "asker"},
        actor=user(deployed, "emp.asker"),
        now=NOW,
    )
    other = instances.start_instance(
        deployed.new_uow(),
        "approval",
        {"municipality": "asker"},
        actor=user(deployed, "emp.asker"),
        now=NOW,
    )
    admin = user(deployed, "admin")
    cases.suspend_case(deployed.new_uow(), started.id, "Venter på vedtak", actor=admin, now=NOW)
    starter = auth("emp.asker")
    mine = client.get("/api/v1/tasks?scope=mine", headers=starter).get_json()["items"]
    assert {(t["instance_id"], t["suspended"]) for t in mine} == {
        (str(started.id), True),
        (str(other.id), False),
    }
    group = client.get("/api/v1/tasks?scope=group", headers=starter).get_json()["items"]
    assert {t["instance_id"]: t["suspended"] for t in group}[str(started.id)] is True
    [held] = [t for t in mine if t["suspended"]]
    detail = client.get(f"/api/v1/tasks/{held['id']}", headers=starter).get_json()
    assert (detail["suspended"], detail["may_work"], detail["suspend_reason"]) == (
        True,
        False,
        "Venter på vedtak",
    )
    # The attacker: someone with no part in the case reads neither the task nor its reason.
    stranger = client.get(f"/api/v1/tasks/{held['id']}", headers=auth("emp.drammen"))
    assert stranger.status_code == 404 and "Venter" not in stranger.get_data(as_text=True)
    case = client.get(f"/api/v1/cases/{started.id}", headers=starter).get_json()
    assert [(t["suspended"], t["may_work"]) for t in case["open_tasks"]] == [(True, False)]
    # Still theirs: the case page links its page (read-only, on hold) as the inbox does.
    assert [t["may_open"] for t in case["open_tasks"]] == [True]
    claimed = client.post(f"/api/v1/tasks/{held['id']}/claim", json={}, headers=starter)
    assert claimed.status_code == 409
    door = client.get(f"/engine-rest/task?processInstanceId={started.id}", headers=basic("admin"))
    assert [t["suspended"] for t in door.get_json()] == [True]

    cases.resume_case(deployed.new_uow(), started.id, "Vedtatt", actor=admin, now=NOW)
    detail = client.get(f"/api/v1/tasks/{held['id']}", headers=starter).get_json()
    assert (detail["suspended"], detail["may_work"], detail["suspend_reason"]) == (
        False,
        True,
        None,
    )
    mine = client.get("/api/v1/tasks?scope=mine", headers=starter).get_json()["items"]
    assert not any(t["suspended"] for t in mine)
    done = client.post(f"/api/v1/tasks/{held['id']}/complete", json=ANSWER, headers=starter)
    assert done.status_code == 200, done.get_json()
