"""A case's history to its participants: people by name, the rows their part reads.

`GET /api/v1/process-instances/{id}/history` feeds the case page and the task page. Before,
every participant read each actor's username and every `task_ready` row's candidate list (who
else was offered a task: competitors, other leaders). Now (access.participant_history) a
participant reads the case's story with people by display name, the offers of their own tasks
only and the data keys of their part; admins and auditors keep the record as it was written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from engine.services.wiring import Wiring
from tests.api.access_world import (
    APPLICANT_EMAIL,
    ASKER_INTERVIEW_NOTE,
    DRAMMEN_MOTIVATION,
    Auth,
    build_world,
)
from tests.api.test_need_to_know import body

OTHERS = ("emp.drammen", "leder.drammen", "tv.baerum", "fin.baerum", "fin.drammen", "adm.nettverk")


def _history(client: FlaskClient, auth: Auth, path: str, username: str) -> dict[str, Any]:
    reply = client.get(path, headers=auth(username))
    assert reply.status_code == 200, (username, reply.get_json())
    return dict(reply.get_json())


def test_a_participant_reads_names_and_only_the_offers_of_their_own_tasks(
    deployed: Wiring, client: FlaskClient, auth: Auth, tmp_path: Path
) -> None:
    world = build_world(deployed, client, auth, tmp_path, "assignment")
    path = world.path("/api/v1/process-instances/{A}/history")

    # Legitimate: the admin and the auditor read the record, usernames and candidate lists.
    for reader in ("admin", "revisor"):
        record = _history(client, auth, path, reader)
        offers = [e for e in record["events"] if e["type"] == "task_ready"]
        assert {"tl.baerum", "emp.asker"} <= {e["actor"] for e in record["events"]}, reader
        assert any(e["data"]["candidate_users"] == ["leder.asker"] for e in offers), reader
    admin = _history(client, auth, path, "admin")
    assert ASKER_INTERVIEW_NOTE in body_of(admin) and DRAMMEN_MOTIVATION in body_of(admin)

    # The chosen employee: her steps and the story, by name; nobody's username, no one else's
    # offers, no interview notes or competing motivation.
    mine = _history(client, auth, path, "emp.asker")
    text = body_of(mine)
    assert all(e["actor"] is None for e in mine["events"])
    assert "Tone Lie" in {e["actor_name"] for e in mine["events"]}  # tl.baerum's steps
    for username in ("tl.baerum", "leder.asker", *OTHERS):
        assert username not in text, username
    assert ASKER_INTERVIEW_NOTE not in text and DRAMMEN_MOTIVATION not in text
    offered = {e["element_id"] for e in mine["events"] if e["type"] == "task_ready"}
    assert offered == {"sign_contract_employee", "write_report"}
    assert "hash" not in text and mine["chain_valid"] is True
    completed = {e["element_id"] for e in mine["events"] if e["type"] == "task_completed"}
    assert {"interview", "select_candidate", "sign_contract_employee"} <= completed

    # The receiving service leader reads the interviews she held, and her own offers only.
    leader = _history(client, auth, path, "tl.baerum")
    assert ASKER_INTERVIEW_NOTE in body_of(leader)
    assert all(e["actor"] is None for e in leader["events"])
    assert "fin.asker" not in body_of(leader)  # who sent the invoice: a name at most
    theirs = {e["element_id"] for e in leader["events"] if e["type"] == "task_ready"}
    assert "send_invoice" not in theirs and "sign_contract_employee" not in theirs

    # Without a part: nothing at all.
    outsider = client.get(path, headers=auth("tl.lier"))
    assert outsider.status_code == 404 and "Tone Lie" not in body(outsider)

    # The replayed state after another's offer: the record for the auditor; for the employee
    # only its place in the story, and the task's holder by name.
    [offer] = [
        e for e in admin["events"] if (e["type"], e["element_id"]) == ("task_ready", "plan_cover")
    ]
    state = f"{path}/{offer['seq']}/state"
    audited = client.get(state, headers=auth("revisor")).get_json()
    assert audited["event"]["actor"] == "tl.baerum"
    assert audited["event"]["data"]["candidate_users"] == ["leder.asker"]
    replayed = client.get(state, headers=auth("emp.asker"))
    assert replayed.status_code == 200
    event = replayed.get_json()["event"]
    assert (event["type"], event["data"], event["actor"]) == ("task_ready", None, None)
    for username in ("tl.baerum", "leder.asker"):
        assert username not in body(replayed), username


def test_hiring_history_hides_who_else_was_offered_and_the_applicants_addresses(
    deployed: Wiring, client: FlaskClient, auth: Auth, tmp_path: Path
) -> None:
    world = build_world(deployed, client, auth, tmp_path, "hiring")
    path = world.path("/api/v1/process-instances/{H}/history")
    record = _history(client, auth, path, "admin")
    assert {"hr.loten", "tv.loten", "vl.loten"} <= {e["actor"] for e in record["events"]}
    # HR runs the case and reads all of its data, but people by name, as participants do, and
    # only the offers of its own steps.
    hr = _history(client, auth, path, "hr.loten")
    assert all(e["actor"] is None for e in hr["events"])
    assert {"Hege Rud", "Vidar Lien", "Kari Tillit"} <= {e["actor_name"] for e in hr["events"]}
    assert _offered(hr) == {"prepare_applicant_list"}
    # The unit head reads his own offers (the interview panel's names), not the union's.
    head = _history(client, auth, path, "vl.loten")
    assert all(e["actor"] is None for e in head["events"])
    assert _offered(head) == {
        "assess_vacancy",
        "settle_procedure",
        "shortlist_candidates",
        "interview",
        "write_recommendation",
    }
    panel = [
        e["data"]["candidate_users"]
        for e in head["events"]
        if (e["type"], e["element_id"]) == ("task_ready", "interview")
    ]
    assert ["Vidar Lien", "Kari Tillit"] in panel
    # The union representative took part in the consultation: no offers of the panel's
    # interviews (finished without her), and no applicant's address in any row.
    union = _history(client, auth, path, "tv.loten")
    assert _offered(union) == {"consult_union_on_vacancy"}
    assert APPLICANT_EMAIL not in body_of(union) and "vl.loten" not in body_of(union)


def _offered(history: dict[str, Any]) -> set[str]:
    return {e["element_id"] for e in history["events"] if e["type"] == "task_ready"}


def body_of(reply: dict[str, Any]) -> str:
    """The history as text (what a page could show of it)."""
    return json.dumps(reply, ensure_ascii=False)
