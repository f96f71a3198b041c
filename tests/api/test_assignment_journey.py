"""The assignment happy path over HTTP, played by demo users of three municipalities."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from flask.testing import FlaskClient

from engine.services.wiring import Wiring
from tests.conftest import ROOT, deploy_processes
from tests.processes.test_scenarios import Player


class HttpPlayer(Player):
    """Starts and completes through the REST API; timers fire through the timer service.

    An assignment starts as the board starts it (`POST /announcements`, which numbers it: the
    scenario's assignment id is mapped to the board's) and an interest by registering on the
    board; other processes through their start form (`POST /process-definitions/{key}/start`).
    The API reads the engine clock of the wiring, so the player keeps that clock on the
    scenario's time (the demo clock offset): the scenario's dates mean the same on any day.
    """

    def __init__(
        self, wiring: Wiring, client: FlaskClient, auth: Callable[[str], dict[str, str]]
    ) -> None:
        super().__init__(wiring)
        self.client, self.auth = client, auth
        self.users: set[str] = set()
        self.announced: dict[str, str] = {}  # the scenario's assignment id -> the board's
        self.sync_clock()

    def sync_clock(self) -> None:
        """Move the API's clock to the scenario's `now`."""
        self.wiring.clock_offset = self.now - datetime.now(UTC)

    def advance(self, moment: str) -> None:
        super().advance(moment)
        self.sync_clock()

    def start(self, spec: dict[str, Any]) -> None:
        headers = self.auth(spec["started_by"])
        data = dict(spec.get("data", {}))
        if spec["process"] == "assignment":
            reply = self.client.post("/api/v1/announcements", json={}, headers=headers)
            if reply.status_code == 201:
                self.announced[spec["business_key"]] = reply.get_json()["id"]
        elif spec["process"] == "assignment_interest":
            assignment_id = self.announced[data["assignment_id"]]
            reply = self.client.post(
                f"/api/v1/announcements/{assignment_id}/interest",
                json={"motivation": data["motivation"]},
                headers=headers,
            )
        else:
            reply = self.client.post(
                f"/api/v1/process-definitions/{spec['process']}/start",
                json={"data": data, "business_key": spec.get("business_key")},
                headers=headers,
            )
        assert reply.status_code == 201, reply.get_json()
        body = reply.get_json()
        self.aliases[spec["as"]] = UUID(body.get("instance_id") or body["id"])
        self.users.add(spec["started_by"])

    def complete(self, alias: str, element_id: str, username: str, data: dict[str, Any]) -> None:
        headers = self.auth(username)
        mine = self.client.get("/api/v1/tasks?scope=group&limit=500", headers=headers).get_json()[
            "items"
        ]
        mine += self.client.get("/api/v1/tasks?scope=mine&limit=500", headers=headers).get_json()[
            "items"
        ]
        matching = [
            t
            for t in mine
            if t["element_id"] == element_id and t["instance_id"] == str(self.aliases[alias])
        ]
        assert matching, f"{username} does not see {element_id} in the inbox"
        reply = self.client.post(
            f"/api/v1/tasks/{matching[0]['id']}/complete", json={"data": data}, headers=headers
        )
        assert reply.status_code == 200, reply.get_json()
        self.users.add(username)


def start_happy_path(
    wiring: Wiring, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> tuple[HttpPlayer, dict[str, Any]]:
    """Deploy processes/ and forms/, start the assignment happy path over HTTP."""
    deploy_processes(wiring)
    scenarios = json.loads(
        (ROOT / "processes" / "assignment" / "scenarios.json").read_text(encoding="utf-8")
    )
    happy = next(s for s in scenarios["scenarios"] if s["name"] == "happy_path")
    player = HttpPlayer(wiring, client, auth)
    player.start(happy["start"])
    return player, happy


def test_assignment_happy_path_over_http(
    deployed: Wiring, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    player, happy = start_happy_path(deployed, client, auth)
    report_file = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    attachment_id = None
    for step in happy["steps"]:
        if step.get("complete") == "write_report":  # AMB-P10: the report with an attachment
            uploaded = client.post(
                "/api/v1/attachments",
                data={"file": (io.BytesIO(report_file), "erfaringer.pdf")},
                headers=auth(step["user"]),
                content_type="multipart/form-data",
            )
            assert uploaded.status_code == 201, uploaded.get_json()
            attachment_id = uploaded.get_json()["id"]
            report = {**step["data"]["report"], "attachment": attachment_id}
            step = {**step, "data": {**step["data"], "report": report}}
        player.play(step)
    # The report reaches the lending and receiving leaders and the administration group (KV 3).
    for reader, status in (
        ("leder.asker", 200),
        ("tl.baerum", 200),
        ("adm.nettverk", 200),
        ("fin.drammen", 404),
    ):
        got = client.get(f"/api/v1/attachments/{attachment_id}/content", headers=auth(reader))
        assert got.status_code == status, reader
        assert status != 200 or got.data == report_file
    for alias, expected in happy["expect"].items():
        player.expect(alias, expected)
    instance = client.get(
        f"/api/v1/process-instances/{player.aliases['a']}", headers=auth("admin")
    ).get_json()
    assert instance["state"] == "completed" and instance["data"]["invoice"]["total"] == "63659.09"
    municipalities = {u.split(".")[-1] for u in player.users if "." in u}
    assert {"baerum", "asker", "drammen"} <= municipalities
    history = client.get(
        f"/api/v1/process-instances/{player.aliases['a']}/history", headers=auth("revisor")
    ).get_json()
    broken = [e for e in history["events"] if e["seq"] == history["first_broken_seq"]]
    assert history["chain_valid"], broken
    assert {"task_completed", "message_received", "timer_fired"} <= {
        e["type"] for e in history["events"]
    }


def test_bad_contract_and_announcement_input_is_refused_at_the_field(
    deployed: Wiring, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    """Issue 3, bad input: end before start, negative salary, percentage outside 1-100."""
    player, happy = start_happy_path(deployed, client, auth)
    steps = iter(happy["steps"])
    for step in steps:
        if step.get("complete") == "draw_up_contract":
            break
        player.play(step)
    contract = step["data"]["contract"]
    [task] = [
        t
        for t in client.get("/api/v1/tasks?scope=group", headers=auth("tl.baerum")).get_json()[
            "items"
        ]
        if t["element_id"] == "draw_up_contract"
    ]
    before = client.get(
        f"/api/v1/process-instances/{player.aliases['a']}", headers=auth("admin")
    ).get_json()
    cases = [
        ({"end_date": "2026-12-13"}, "contract.end_date", "Kan ikke være før «Startdato»."),
        ({"monthly_salary": -52000}, "contract.monthly_salary", "Må være større enn 0."),
        ({"position_percentage": 0}, "contract.position_percentage", "Må være større enn 0."),
        ({"position_percentage": 120}, "contract.position_percentage", "Kan være høyst 100."),
    ]
    for change, field, message in cases:
        reply = client.post(
            f"/api/v1/tasks/{task['id']}/complete",
            json={"data": {"contract": {**contract, **change}}},
            headers=auth("tl.baerum"),
        )
        assert reply.status_code == 422, change
        assert reply.get_json()["error"]["details"] == {field: [message]}, change
    english = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"contract": {**contract, "end_date": "2026-12-01"}}},
        headers={**auth("tl.baerum"), "Accept-Language": "en"},
    ).get_json()["error"]["details"]
    assert english == {"contract.end_date": ["Cannot be before “Start date”."]}
    after = client.get(
        f"/api/v1/process-instances/{player.aliases['a']}", headers=auth("admin")
    ).get_json()
    assert after["data"] == before["data"]  # nothing half stored
    assert [t["element_id"] for t in after["open_tasks"]] == ["draw_up_contract"]
    player.play(step)  # the good contract still goes through


def test_each_interview_task_shows_its_own_candidate(
    deployed: Wiring, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    """Multi-instance children have data of their own: the form sees who the interview is with."""
    player, happy = start_happy_path(deployed, client, auth)
    for step in happy["steps"]:
        if step.get("complete_each") == "interview":
            break
        player.play(step)
    listed = client.get("/api/v1/tasks?scope=group", headers=auth("tl.baerum")).get_json()
    interviews = [t for t in listed["items"] if t["element_id"] == "interview"]
    shown = set()
    for task in interviews:
        detail = client.get(f"/api/v1/tasks/{task['id']}", headers=auth("tl.baerum")).get_json()
        shown.add(detail["context"]["candidate"]["employee_username"])
        # Need to know: the form's own field and the task's context, not the whole case.
        assert set(detail["data"]) <= {"interview"}
        assert set(detail["context"]) == {"candidate", "competence_requirements", "nature_of_work"}
    assert shown == {"emp.asker", "emp.drammen"}
