"""The role overviews (`GET /api/v1/cases?scope=role`, "Saker for min rolle"), on SQLite and
PostgreSQL: each role with a legitimate user and an attacker of the same role elsewhere.

The world (tests/api/access_world.py): **A** Bærum receives, Asker lends (invoice sent),
**D** Bærum receives, Drammen lends, **H** Løten's vacancy, unit head vl.loten (Helse og
omsorg). Added users: HR of Bærum, and two Løten service leaders, one in vl.loten's unit and
one in another.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from flask.testing import FlaskClient

from engine.services import organisation
from engine.services.wiring import Wiring
from engine.settings import Settings
from tests.api.access_world import LIER_HR, Auth, World, build_world

BAERUM_HR = {
    "username": "hr.baerum",
    "full_name": "Hanne Bakke",
    "email": "hanne@baerum.example",
    "roles": ["hr"],
    "municipality": "baerum",
    "unit": "baerum.helse",
}
LOTEN_HEALTH_LEADER = {
    "username": "sl.loten",
    "full_name": "Sara Lie",
    "email": "sara@loten.example",
    "roles": ["service_leader"],
    "municipality": "loten",
    "unit": "loten.helse",
}
LOTEN_STAFF_LEADER = {
    "username": "sl2.loten",
    "full_name": "Stein Lund",
    "email": "stein@loten.example",
    "roles": ["service_leader"],
    "municipality": "loten",
    "unit": "loten.stab",
}


def _add_users(wiring: Wiring, directory: Path) -> None:
    document = yaml.safe_load(Settings().demo_file.read_text(encoding="utf-8"))
    document["users"] += [LIER_HR, BAERUM_HR, LOTEN_HEALTH_LEADER, LOTEN_STAFF_LEADER]
    path = directory / "organisation-more.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    organisation.load_demo(wiring.new_uow(), path, "demo")


def _overview(client: FlaskClient, auth: Auth, user: str, query: str = "") -> dict[str, Any]:
    reply = client.get(f"/api/v1/cases?scope=role{query}", headers=auth(user))
    assert reply.status_code == 200, (user, reply.get_json())
    return dict(reply.get_json())


def _ids(page: dict[str, Any]) -> set[str]:
    return {item["id"] for item in page["items"]}


def test_each_role_sees_the_cases_it_covers_and_no_others(
    deployed: Wiring, client: FlaskClient, auth: Auth, tmp_path: Path
) -> None:
    world: World = build_world(
        deployed, client, auth, tmp_path, "assignment", "drammen_assignment", "hiring"
    )
    _add_users(deployed, tmp_path)
    a, d, h = world.ids["A"], world.ids["D"], world.ids["H"]

    # HR: its municipality's cases in both routines; HR of another municipality sees none.
    loten = _overview(client, auth, "hr.loten")
    assert _ids(loten) == {h}
    [row] = loten["items"]
    assert row["business_key"] == "LOTEN-2026-017" and row["key"] == "hiring"
    assert row["covered_as"] == ["hr"] and row["title"]
    assert row["waiting_for"] == ["Skriv innstilling"] and row["state"] == "running"
    assert _ids(_overview(client, auth, "hr.lier")) == set()  # attacker: Lier's HR
    assert client.get(f"/api/v1/cases/{h}", headers=auth("hr.lier")).status_code == 404
    baerum = _overview(client, auth, "hr.baerum")
    assert _ids(baerum) == {a, d}
    # HR sees that an invoice exists, never its amount.
    assert {item["invoice_status"] for item in baerum["items"]} == {"sent"}
    assert {item["invoice_total"] for item in baerum["items"]} == {None}

    # Finance: the cases of its municipality that wait for or hold an invoice, with amounts.
    asker = _overview(client, auth, "fin.asker")
    assert _ids(asker) == {a}
    [invoice_row] = asker["items"]
    assert invoice_row["covered_as"] == ["finance"]
    assert invoice_row["invoice_total"] is not None and float(invoice_row["invoice_total"]) > 0
    assert _ids(_overview(client, auth, "fin.drammen")) == {d}  # attacker for A: no A
    assert _ids(_overview(client, auth, "fin.baerum")) == {a, d}

    # Service leaders: the receiving municipality's assignments; their unit's vacancies.
    assert {a, d} <= _ids(_overview(client, auth, "tl.baerum"))
    assert _ids(_overview(client, auth, "tl.lier")) == set()  # attacker: Lier's leader
    assert _ids(_overview(client, auth, "vl.loten")) == {h}  # the unit head
    assert _ids(_overview(client, auth, "sl.loten")) == {h}  # the same unit
    assert _ids(_overview(client, auth, "sl2.loten")) == set()  # attacker: another unit
    assert client.get(f"/api/v1/cases/{h}", headers=auth("sl.loten")).status_code == 200
    assert client.get(f"/api/v1/cases/{h}", headers=auth("sl2.loten")).status_code == 404
    shown = client.get(f"/api/v1/cases/{h}", headers=auth("sl.loten")).get_json()["data"]
    assert "applications" not in shown  # a role overview gives the shared keys only

    # No such role: no overview at all (the page shows no tab either).
    assert client.get("/api/v1/cases?scope=role", headers=auth("emp.asker")).status_code == 403
    assert client.get("/api/v1/cases?scope=role", headers=auth("tv.baerum")).status_code == 403


def test_the_overview_filters_sorts_and_pages(
    deployed: Wiring, client: FlaskClient, auth: Auth, tmp_path: Path
) -> None:
    world = build_world(deployed, client, auth, tmp_path, "assignment", "drammen_assignment")
    _add_users(deployed, tmp_path)
    a, d = world.ids["A"], world.ids["D"]

    assert _ids(_overview(client, auth, "fin.baerum", "&process=assignment")) == {a, d}
    assert _ids(_overview(client, auth, "fin.baerum", "&process=hiring")) == set()
    states = {i["state"] for i in _overview(client, auth, "fin.baerum")["items"]}
    for state in states:
        page = _overview(client, auth, "fin.baerum", f"&state={state}")
        assert page["items"] and {i["state"] for i in page["items"]} == {state}
    first = _overview(client, auth, "fin.baerum", "&limit=1&offset=0&sort=newest")
    second = _overview(client, auth, "fin.baerum", "&limit=1&offset=1&sort=newest")
    assert first["total"] == second["total"] == 2
    assert _ids(first) | _ids(second) == {a, d}
    assert first["items"][0]["created_at"] >= second["items"][0]["created_at"]
    soonest = _overview(client, auth, "tl.baerum", "&sort=deadline")["items"]
    dated = [i["next_due_at"] for i in soonest if i["next_due_at"]]
    assert dated == sorted(dated)
    assert all(i["next_due_at"] is None for i in soonest[len(dated) :])


def test_bad_overview_arguments_get_field_messages(client: FlaskClient, auth: Auth) -> None:
    reply = client.get(
        "/api/v1/cases?scope=role&state=asleep&sort=sideways", headers=auth("hr.loten")
    )
    assert reply.status_code == 422
    details = reply.get_json()["error"]["details"]
    assert set(details) == {"state", "sort"}
    assert details["sort"] == ["Må være en av: deadline, -deadline, newest."]
