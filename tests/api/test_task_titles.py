"""Interview tasks name their candidate (`taskTitle`), for those who may read the candidate.

The assignment happy path is played over HTTP until its two interviews are open: the receiving
service leader reads "Samtale/intervju: Eva Holm" in the inbox and on the task; a candidate
reading the case's open tasks, and an auditor without the personal-data right, read only
"Samtale/intervju"; an auditor with the right reads the titles.
"""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from engine.services.wiring import Wiring
from tests.api.test_assignment_journey import start_happy_path

INTERVIEW = "Samtale/intervju"
TITLES = {f"{INTERVIEW}: Eva Holm", f"{INTERVIEW}: Ingrid Moe"}


def test_the_interviews_name_their_candidate_only_to_those_who_may_read_it(
    deployed: Wiring, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    player, happy = start_happy_path(deployed, client, auth)
    for step in happy["steps"]:
        if step.get("complete_each") == "interview":
            break
        player.play(step)
    case = player.aliases["a"]

    def names(username: str, scope: str) -> set[str]:
        listed = client.get(f"/api/v1/tasks?scope={scope}&limit=500", headers=auth(username))
        return {t["name"] for t in listed.get_json()["items"] if t["element_id"] == "interview"}

    # The interviewer (legitimate): the inbox, the task page and the case page name them.
    assert names("tl.baerum", "group") == TITLES
    listed = client.get("/api/v1/tasks?scope=group&limit=500", headers=auth("tl.baerum"))
    task = next(t for t in listed.get_json()["items"] if t["element_id"] == "interview")
    detail = client.get(f"/api/v1/tasks/{task['id']}", headers=auth("tl.baerum")).get_json()
    assert detail["name"] in TITLES
    assert detail["name"].endswith(detail["context"]["candidate"]["employee_name"])
    page = client.get(f"/api/v1/cases/{case}", headers=auth("tl.baerum")).get_json()
    assert {t["name"] for t in page["open_tasks"]} == TITLES
    assert set(page["waiting_for"]) == TITLES

    # A candidate (the attacker) reads the case's open tasks, never the other one's name.
    page = client.get(f"/api/v1/cases/{case}", headers=auth("emp.asker"))
    assert page.status_code == 200
    body = page.get_json()
    assert [t["name"] for t in body["open_tasks"]] == [INTERVIEW, INTERVIEW]
    assert body["waiting_for"] == [INTERVIEW, INTERVIEW]
    mine = client.get("/api/v1/cases?limit=50", headers=auth("tl.baerum")).get_json()
    listed_case = next(c for c in mine["items"] if c["id"] == str(case))
    assert set(listed_case["waiting_for"]) == TITLES  # "Mine saker" as the case page

    # Auditors: with the personal-data right the titles, without it the names only.
    assert names("revisor", "all") == TITLES
    assert names("revisor.asker", "all") == {INTERVIEW}
