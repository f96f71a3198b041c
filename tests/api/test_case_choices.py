"""Choices from the case (issue 17 §3) and the inbox's "Mine" (§5), over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from engine.services.wiring import Wiring
from tests.api.test_assignment_journey import HttpPlayer, start_happy_path


def play_until(player: HttpPlayer, steps: list[dict[str, Any]], element_id: str) -> None:
    """Play the scenario's steps up to (not including) the completion of `element_id`."""
    for step in steps:
        if step.get("complete") == element_id:
            return
        player.play(step)
    raise AssertionError(f"{element_id} is not in the scenario")


def open_task(
    client: FlaskClient, headers: dict[str, str], element_id: str, scope: str = "group"
) -> dict[str, Any]:
    items = client.get(f"/api/v1/tasks?scope={scope}&limit=500", headers=headers).get_json()
    [task] = [t for t in items["items"] if t["element_id"] == element_id]
    return task  # type: ignore[no-any-return]


def test_the_shortlist_offers_the_registrations_and_refuses_a_typo(
    deployed: Wiring, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    player, happy = start_happy_path(deployed, client, auth)
    play_until(player, happy["steps"], "review_registrations")
    headers = auth("tl.baerum")
    task = open_task(client, headers, "review_registrations")
    detail = client.get(f"/api/v1/tasks/{task['id']}", headers=headers).get_json()
    items = detail["form"]["schema"]["properties"]["shortlist"]["items"]
    assert "anyOf" not in items
    assert items["enum"] == ["emp.asker", "emp.drammen"]
    assert items["enumNames"] == ["Eva Holm \u2013 IT-avdelingen", "Ingrid Moe \u2013 Plan og bygg"]
    refused = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"shortlist": ["emp.asker", "emp.askr"]}},
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"] == {
        "shortlist.1": ["Velg en av de tillatte verdiene."]
    }
    english = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"shortlist": ["emp.askr"]}},
        headers={**headers, "Accept-Language": "en"},
    ).get_json()["error"]["details"]
    assert english == {"shortlist.0": ["Choose one of the allowed values."]}
    accepted = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"shortlist": ["emp.asker"]}},
        headers=headers,
    )
    assert accepted.status_code == 200, accepted.get_json()


def test_the_selection_offers_only_the_remaining_candidates(
    deployed: Wiring, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    player, happy = start_happy_path(deployed, client, auth)
    play_until(player, happy["steps"], "select_candidate")
    headers = auth("tl.baerum")
    task = open_task(client, headers, "select_candidate")
    detail = client.get(f"/api/v1/tasks/{task['id']}", headers=headers).get_json()
    field = detail["form"]["schema"]["properties"]["selected_username"]
    assert field["enum"] == ["emp.asker", "emp.drammen"]
    refused = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"selection_decision": "selected", "selected_username": "emp.baerum"}},
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"] == {
        "selected_username": ["Velg en av de tillatte verdiene."]
    }


def test_a_task_offered_to_one_named_person_is_in_mine(
    deployed: Wiring, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    player, happy = start_happy_path(deployed, client, auth)
    play_until(player, happy["steps"], "approve_interest")
    leader = auth("leder.asker")
    mine = open_task(client, leader, "approve_interest", scope="mine")
    assert mine["candidate_users"] == ["leder.asker"] and mine["assignee"] is None
    # Nobody else has it in "Mine", not even a colleague leader of the same municipality.
    others = client.get("/api/v1/tasks?scope=mine", headers=auth("tl.baerum")).get_json()
    assert all(t["element_id"] != "approve_interest" for t in others["items"])
    # The leader sees whom and what they decide on: the employee and the announcement.
    detail = client.get(f"/api/v1/tasks/{mine['id']}", headers=leader).get_json()
    assert detail["data"]["employee_name"]
    assert detail["data"]["announcement"]["nature_of_work"].startswith("Vakter ved legevakten")
