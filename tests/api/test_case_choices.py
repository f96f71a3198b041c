"""Choices from the case (issue 17 §3) and the inbox's "Mine" (§5), over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from flask.testing import FlaskClient

from engine.services.wiring import Wiring
from tests.api.test_assignment_journey import HttpPlayer, start_happy_path

STARTER = "tl.baerum"  # the happy path's service leader, who starts and runs the assignment


def open_task(
    client: FlaskClient, headers: dict[str, str], element_id: str, scope: str = "group"
) -> dict[str, Any]:
    items = client.get(f"/api/v1/tasks?scope={scope}&limit=500", headers=headers).get_json()
    [task] = [t for t in items["items"] if t["element_id"] == element_id]
    return task  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Case:
    """The assignment scenario's happy path, started over HTTP and played on step by step."""

    player: HttpPlayer
    steps: list[dict[str, Any]]
    client: FlaskClient
    auth: Callable[[str], dict[str, str]]

    @property
    def id(self) -> UUID:
        return self.player.aliases["a"]

    def play_until(self, element_id: str) -> None:
        """Play the steps up to (not including) the completion of `element_id`."""
        for step in self.steps:
            if element_id in (step.get("complete"), step.get("complete_each")):
                return
            self.player.play(step)
        raise AssertionError(f"{element_id} is not in the scenario")

    def task_at(
        self, element_id: str, username: str = STARTER, scope: str = "group"
    ) -> dict[str, Any]:
        """Play up to `element_id`; return its open task as `username` lists it in `scope`."""
        self.play_until(element_id)
        return open_task(self.client, self.auth(username), element_id, scope)


@pytest.fixture
def case(deployed: Wiring, client: FlaskClient, auth: Callable[[str], dict[str, str]]) -> Case:
    """An assignment on its happy path, at its start."""
    player, happy = start_happy_path(deployed, client, auth)
    return Case(player, happy["steps"], client, auth)


def test_the_shortlist_offers_the_registrations_and_refuses_a_typo(
    case: Case, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    task = case.task_at("review_registrations")
    headers = auth(STARTER)
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
    case: Case, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    task = case.task_at("select_candidate")
    headers = auth(STARTER)
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
    case: Case, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    mine = case.task_at("approve_interest", "leder.asker", scope="mine")
    leader = auth("leder.asker")
    assert mine["candidate_users"] == ["leder.asker"] and mine["assignee"] is None
    # Nobody else has it in "Mine", not even a colleague leader of the same municipality.
    others = client.get("/api/v1/tasks?scope=mine", headers=auth(STARTER)).get_json()
    assert all(t["element_id"] != "approve_interest" for t in others["items"])
    # The leader sees whom and what they decide on: the employee and the announcement.
    detail = client.get(f"/api/v1/tasks/{mine['id']}", headers=leader).get_json()
    assert detail["context"]["employee_name"] == "Eva Holm"
    assert detail["context"]["announcement"]["nature_of_work"].startswith("Vakter ved legevakten")


def test_each_task_shows_what_its_participant_decides_on(
    case: Case, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    task = case.task_at("review_registrations")
    headers = auth(STARTER)
    context = client.get(f"/api/v1/tasks/{task['id']}", headers=headers).get_json()["context"]
    assert {"registrations", "union_comments"} <= set(context)
    assert [r["employee_name"] for r in context["registrations"]] == ["Eva Holm", "Ingrid Moe"]
    assert context["registrations"][0]["motivation"].startswith("Jeg vil gjerne")


def test_the_case_page_lists_the_documents_its_reader_may_open(
    case: Case, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    case.play_until("plan_cover")
    case_id = case.id
    employee = client.get(f"/api/v1/cases/{case_id}", headers=auth("emp.asker")).get_json()
    assert employee["business_key"].startswith("OPPDRAG-")
    assert [d["kind"] for d in employee["documents"]] == ["contract"]
    assert "registrations" not in employee["data"]  # only what the employee may read
    assert employee["data"]["contract"]["monthly_salary"] == 52000
    assert [t["element_id"] for t in employee["my_tasks"]] == ["sign_contract_employee"]
    assert [t["element_id"] for t in employee["open_tasks"]] == ["plan_cover"]
    assert employee["open_tasks"][0]["may_work"] is False
    # Someone with no part in it gets 404, whatever the case holds.
    # The other candidate sees the case, but neither the contract nor its document.
    other = client.get(f"/api/v1/cases/{case_id}", headers=auth("emp.drammen")).get_json()
    assert "contract" not in other["data"] and other["documents"] == []
    assert client.get(f"/api/v1/cases/{case_id}", headers=auth("fin.drammen")).status_code == 404
    # "Mine saker" lists it for each participant, with what it waits for.
    mine = client.get("/api/v1/cases", headers=auth("leder.asker")).get_json()
    [row] = [c for c in mine["items"] if c["id"] == str(case_id)]
    assert row["waiting_for"] == ["Finn erstatningsløsninger"]


def test_extending_the_deadline_keeps_the_registrations(
    case: Case, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    """'Forleng fristen' after no suitable candidate: nobody's registration is lost or told."""
    task = case.task_at("select_candidate")
    headers = auth(STARTER)
    reply = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"selection_decision": "none_suitable"}},
        headers=headers,
    )
    assert reply.status_code == 200, reply.get_json()
    task = open_task(client, headers, "decide_next_step")
    reply = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"next_step": "extend", "new_interest_deadline": "2026-12-20"}},
        headers=headers,
    )
    assert reply.status_code == 200, reply.get_json()
    case = client.get(f"/api/v1/process-instances/{case.id}", headers=auth("admin")).get_json()[
        "data"
    ]
    assert case["status"] == "published" and case["interest_deadline"] == "2026-12-20"
    assert [r["employee_username"] for r in case["registrations"]] == [
        "emp.asker",
        "emp.drammen",
    ]
    assert not [n for n in case["notifications"] if n["type"] == "no_candidate_chosen"]


def test_an_interview_cannot_be_held_in_the_future(
    case: Case, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    """Implausible dates are refused at the field (issue 17 §6): nothing happens after today."""
    case.play_until("interview")
    headers = auth(STARTER)
    items = client.get("/api/v1/tasks?scope=group", headers=headers).get_json()["items"]
    task = next(t for t in items if t["element_id"] == "interview")  # the clock: 2026-12-02
    for held_on, status in (("2027-02-01", 422), ("2026-12-03", 422), ("2026-12-02", 200)):
        reply = client.post(
            f"/api/v1/tasks/{task['id']}/complete",
            json={"data": {"interview": {"held_on": held_on, "outcome": "suitable"}}},
            headers=headers,
        )
        assert reply.status_code == status, held_on
        if status == 422:
            assert reply.get_json()["error"]["details"] == {
                "interview.held_on": ["Datoen kan ikke være senere enn i dag."]
            }


def test_no_assignment_text_names_a_data_key() -> None:
    """Help, descriptions and instructions say what to do, not which variable holds it."""
    import json
    import re

    from tests.conftest import ROOT

    texts = []
    for path in sorted((ROOT / "forms").glob("assignment.*.json")):
        pattern = r'"(?:ui:help|description|x-description-en)": "([^"]*)"'
        texts += re.findall(pattern, path.read_text())
    for path in sorted((ROOT / "processes" / "assignment").glob("*.bpmn")):
        texts += re.findall(r"<spiffworkflow:instructionsForEndUser>(.*?)<", path.read_text())
    assert texts and json.dumps(texts)
    named = [t for t in texts if re.search(r"\b[a-z]+_[a-z_]+\b", t)]
    assert not named


def test_a_case_is_cancelled_with_a_reason_in_its_history(
    case: Case, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    case.play_until("review_registrations")
    case_id = case.id
    starter, leader = auth(STARTER), auth("leder.asker")
    assert client.get(f"/api/v1/cases/{case_id}", headers=starter).get_json()["may_cancel"]
    # A participant who did not start it: 403; one with no part in it: 404.
    union = auth("tv.baerum")
    refused = client.post(f"/api/v1/cases/{case_id}/cancel", json={"reason": "x"}, headers=union)
    assert refused.status_code == 403
    unseen = client.post(f"/api/v1/cases/{case_id}/cancel", json={"reason": "x"}, headers=leader)
    assert unseen.status_code == 404
    # No reason: a field message in bokmål.
    empty = client.post(f"/api/v1/cases/{case_id}/cancel", json={"reason": "  "}, headers=starter)
    assert empty.status_code == 422
    assert empty.get_json()["error"]["details"] == {"reason": ["Skriv hvorfor saken avlyses."]}
    done = client.post(
        f"/api/v1/cases/{case_id}/cancel", json={"reason": "Behovet er løst."}, headers=starter
    )
    assert done.status_code == 200, done.get_json()
    case = done.get_json()
    assert case["state"] == "cancelled" and case["open_tasks"] == [] and not case["may_cancel"]
    assert case["cancel_reason"] == "Behovet er løst."
    union_view = client.get(f"/api/v1/cases/{case_id}", headers=union).get_json()
    assert union_view["cancel_reason"] == "Behovet er løst."
    events = client.get(
        f"/api/v1/process-instances/{case_id}/history", headers=auth("admin")
    ).get_json()["events"]
    [asked] = [e for e in events if e["type"] == "case_cancel_requested"]
    assert asked["actor"] == STARTER and asked["data"] == {"reason": "Behovet er løst."}
    assert events[-1]["type"] == "instance_cancelled"
    again = client.post(f"/api/v1/cases/{case_id}/cancel", json={"reason": "x"}, headers=starter)
    assert again.status_code == 403


def test_the_contract_names_the_announced_need_a_to_d_and_f(deployed: Wiring, case: Case) -> None:
    from engine.services import documents

    case.play_until("plan_cover")
    with deployed.new_uow() as uow:
        instance = uow.instances.get(case.id)
        view = documents.contract_view(uow, instance, deployed.now())
    html = documents.render_html("contract.html", {"contract": view})
    for text in (
        "Kompetansekrav (a)",
        "Autorisert sykepleier; Erfaring fra akuttmottak eller legevakt",
        "Arbeidets art (b)",
        "Forventede resultater (c)",
        "Spesielle forhold (d)",
        "Turnus med kveldsvakter.",
        "Kontaktperson(er) (f)",
        "Tone Lie, tone.lie@baerum.kommune.no",
    ):
        assert text in html, text


def test_a_contract_field_has_a_length_limit(
    case: Case, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    """An unbounded field made a seven-page contract: the long texts have a limit."""
    task = case.task_at("draw_up_contract")
    step = next(s for s in case.steps if s.get("complete") == "draw_up_contract")
    headers = auth(STARTER)
    contract = {**step["data"]["contract"], "terms": "Vilkår. " * 400}
    reply = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"contract": contract}},
        headers=headers,
    )
    assert reply.status_code == 422
    assert reply.get_json()["error"]["details"] == {"contract.terms": ["Kan ha høyst 2000 tegn."]}
