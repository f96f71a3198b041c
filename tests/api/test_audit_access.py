"""Auditors' rights: one municipality's instances only, and personal data only when allowed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from uuid import UUID

from flask.testing import FlaskClient
from sqlalchemy import update

from engine.services import instances, tasks
from engine.services.audit import access as audit_access
from engine.services.audit import pdf as audit_pdf
from engine.services.step import history
from engine.services.wiring import Wiring
from engine.store.models import HistoryEvent
from tests.conftest import NOW, user
from tests.services.test_audit import finished

Auth = Callable[[str], dict[str, str]]
MASK = audit_access.MASK


def finished_in_drammen(wiring: Wiring) -> UUID:
    """The approval process, applied for and refused in Drammen only."""
    instance = instances.start_instance(
        wiring.new_uow(),
        "approval",
        {"municipality": "drammen", "applicant": "Ola Drammen"},
        actor=user(wiring, "emp.drammen"),
        now=NOW,
        business_key="SAK-D",
    )
    for username, data in (
        ("emp.drammen", {"reason": "Fagdag", "start_date": "2026-12-02"}),
        ("leder.drammen", {"approved": False}),
    ):
        with wiring.new_uow() as uow:
            [task] = uow.tasks.open_for_instance(instance.id)
        tasks.complete_task(wiring.new_uow(), task.id, data, actor=user(wiring, username), now=NOW)
    return instance.id


def audit_queries(wiring: Wiring) -> list[HistoryEvent]:
    with wiring.new_uow() as uow:
        return [e for e in uow.history.stream(history.SYSTEM_STREAM) if e.type == "audit_query"]


def test_a_scoped_auditor_reads_only_their_municipalitys_instances(
    client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    asker, drammen = finished(deployed, "SAK-A"), finished_in_drammen(deployed)
    scoped, everyone = auth("revisor.asker"), auth("revisor")

    def found(headers: dict[str, str], query: str = "") -> set[str]:
        reply = client.get(f"/api/v1/audit/instances?{query}", headers=headers)
        assert reply.status_code == 200, reply.get_json()
        return {item["id"] for item in reply.get_json()["items"]}

    assert found(everyone) == {str(asker), str(drammen)}
    assert found(scoped) == {str(asker)}
    assert found(scoped, "municipality=drammen") == set()
    assert found(scoped, "person=leder.drammen") == set()
    exported = client.get("/api/v1/audit/export?format=csv", headers=scoped).data.decode()
    assert [row["id"] for row in csv.DictReader(io.StringIO(exported))] == [str(asker)]

    reads = [
        f"/api/v1/audit/instances/{drammen}",
        f"/api/v1/audit/instances/{drammen}/export?format=json",
        f"/api/v1/audit/instances/{drammen}/export?format=csv",
        f"/api/v1/audit/instances/{drammen}/export?format=pdf",
        f"/api/v1/audit/verify?instance_id={drammen}",
        f"/api/v1/process-instances/{drammen}/history/1/state",
    ]
    for path in reads:
        outside = client.get(path, headers=scoped)
        assert outside.status_code == 404, (path, outside.status_code)
        assert outside.get_json()["error"]["code"] == "not_found"
        assert client.get(path.replace(str(drammen), str(asker)), headers=scoped).status_code in (
            200,
            400,  # PDF without WeasyPrint
        )
        assert client.get(path, headers=everyone).status_code in (200, 400)

    # The participants' instance API keeps the same scope.
    for path in ("/api/v1/process-instances/{}", "/api/v1/process-instances/{}/history"):
        assert client.get(path.format(drammen), headers=scoped).status_code == 404, path
        assert client.get(path.format(asker), headers=scoped).status_code == 200, path
        assert client.get(path.format(drammen), headers=everyone).status_code == 200, path

    logged = [(e.actor, e.data["path"], e.data["query"]["status"]) for e in audit_queries(deployed)]
    assert ("revisor.asker", f"/api/v1/audit/instances/{drammen}", 404) in logged
    assert ("revisor.asker", "/api/v1/audit/verify", 404) in logged


def test_a_scoped_auditor_sees_that_the_log_is_broken_but_not_where_outside(
    client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    asker, drammen = finished(deployed, "SAK-A"), finished_in_drammen(deployed)
    with deployed.engine.begin() as connection:
        connection.execute(
            update(HistoryEvent)
            .where(HistoryEvent.stream == str(drammen), HistoryEvent.seq == 2)
            .values(actor="mallory")
        )
    scoped = client.get("/api/v1/audit/verify", headers=auth("revisor.asker")).get_json()
    assert scoped["ok"] is False and scoped["breaks"] == [] and scoped["first_broken"] is None
    assert scoped["breaks_outside_scope"] == 1
    everyone = client.get("/api/v1/audit/verify", headers=auth("revisor")).get_json()
    assert everyone["first_broken"]["stream"] == str(drammen)
    assert everyone["breaks_outside_scope"] == 0
    with deployed.engine.begin() as connection:
        connection.execute(
            update(HistoryEvent)
            .where(HistoryEvent.stream == str(asker), HistoryEvent.seq == 3)
            .values(element_name="Noe annet")
        )
    scoped = client.get("/api/v1/audit/verify", headers=auth("revisor.asker")).get_json()
    assert scoped["first_broken"] == {
        "stream": str(asker),
        "seq": 3,
        "reason": "the event was altered",
    }
    assert scoped["breaks_outside_scope"] == 1


def test_an_assignment_like_instance_belongs_to_every_municipality_that_acted(
    client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    # Started in Drammen, decided by a leader in Asker: both municipalities' auditors see it.
    instance = instances.start_instance(
        deployed.new_uow(),
        "approval",
        {"municipality": "asker", "applicant": "Ola Drammen"},
        actor=user(deployed, "emp.drammen"),
        now=NOW,
    )
    with deployed.new_uow() as uow:
        [task] = uow.tasks.open_for_instance(instance.id)
    tasks.complete_task(
        deployed.new_uow(),
        task.id,
        {"reason": "Hospitering", "start_date": "2026-12-03"},
        actor=user(deployed, "emp.drammen"),
        now=NOW,
    )
    path = f"/api/v1/audit/instances/{instance.id}"
    assert client.get(path, headers=auth("revisor.asker")).status_code == 200


def test_exports_mask_personal_data_without_the_right(
    client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    instance_id = finished(deployed)
    base = f"/api/v1/audit/instances/{instance_id}/export"
    full = json.loads(client.get(f"{base}?format=json", headers=auth("revisor")).data)
    masked = json.loads(client.get(f"{base}?format=json", headers=auth("revisor.asker")).data)

    assert full["personal_data_masked"] is False and masked["personal_data_masked"] is True
    assert full["instance"]["data"]["applicant"] == "Kari Nordmann"
    assert masked["instance"]["data"]["applicant"] == MASK
    assert masked["instance"]["data"]["reason"] == MASK
    # Open fields (configuration) stay readable: the municipality and the decision.
    assert masked["instance"]["data"]["municipality"] == "asker"
    assert masked["instance"]["data"]["approved"] is False
    submit = next(e for e in masked["events"] if e["type"] == "task_completed")
    assert submit["delta"]["reason"] == {"before": None, "after": MASK}
    assert submit["data"]["reason"] == MASK and submit["actor"] == "emp.asker"
    dumped = json.dumps(masked, ensure_ascii=False)
    assert "Kari Nordmann" not in dumped and "Kurs i klarspråk" not in dumped
    # The proof stays whole: same hashes, same verdict.
    assert [e["hash"] for e in masked["events"]] == [e["hash"] for e in full["events"]]
    for report in (masked["verification"], full["verification"]):
        report.pop("seconds")
    assert masked["verification"] == full["verification"] and masked["verification"]["ok"]

    as_csv = client.get(f"{base}?format=csv", headers=auth("revisor.asker")).data.decode()
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert "Kari Nordmann" not in as_csv and "Kurs i klarspråk" not in as_csv
    started = json.loads(rows[0]["delta"])
    assert started["applicant"]["after"] == MASK and started["municipality"]["after"] == "asker"
    assert json.loads(rows[-1]["data"])["ok"] is True
    unmasked_csv = client.get(f"{base}?format=csv", headers=auth("revisor")).data.decode()
    assert "Kari Nordmann" in unmasked_csv and "Kurs i klarspråk" in unmasked_csv
    admin = json.loads(client.get(f"{base}?format=json", headers=auth("admin")).data)
    assert admin["instance"]["data"]["applicant"] == "Kari Nordmann"
    if audit_pdf.is_available():
        pdf = client.get(f"{base}?format=pdf", headers=auth("revisor.asker"))
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_timeline_and_replay_mask_personal_data_without_the_right(
    client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    instance_id = finished(deployed)
    timeline = client.get(
        f"/api/v1/audit/instances/{instance_id}", headers=auth("revisor.asker")
    ).get_json()
    assert timeline["instance"]["data"]["applicant"] == MASK
    state_path = f"/api/v1/process-instances/{instance_id}/history/3/state"
    masked = client.get(state_path, headers=auth("revisor.asker")).get_json()
    full = client.get(state_path, headers=auth("revisor")).get_json()
    assert full["data"]["applicant"] == "Kari Nordmann" and masked["data"]["applicant"] == MASK
    assert masked["data"]["municipality"] == "asker" and masked["tokens"] == full["tokens"]
    assert masked["event"]["hash"] == full["event"]["hash"]
    # The applicant herself replays her own instance unmasked: the rule is about auditors.
    own = client.get(state_path, headers=auth("emp.asker")).get_json()
    assert own["data"]["applicant"] == "Kari Nordmann"


def test_the_instance_api_keeps_an_auditors_scope_and_masks_like_the_audit_pages(
    client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    """GET /process-instances (list, one, history) is no way around the audit rights."""
    asker, drammen = finished(deployed, "SAK-A"), finished_in_drammen(deployed)

    listed = client.get("/api/v1/process-instances?limit=50", headers=auth("revisor.asker"))
    assert listed.status_code == 200
    page = listed.get_json()
    assert {item["id"] for item in page["items"]} == {str(asker)}
    assert page["total"] == 1
    assert page["items"][0]["data"]["applicant"] == MASK
    everyone = client.get("/api/v1/process-instances?limit=50", headers=auth("revisor"))
    assert {i["id"] for i in everyone.get_json()["items"]} == {str(asker), str(drammen)}

    masked = client.get(f"/api/v1/process-instances/{asker}", headers=auth("revisor.asker"))
    assert masked.status_code == 200
    assert masked.get_json()["data"]["applicant"] == MASK
    assert masked.get_json()["data"]["municipality"] == "asker"  # an open field
    for reader in ("revisor", "admin"):
        shown = client.get(f"/api/v1/process-instances/{asker}", headers=auth(reader))
        assert shown.get_json()["data"]["applicant"] == "Kari Nordmann"

    history_reply = client.get(
        f"/api/v1/process-instances/{asker}/history", headers=auth("revisor.asker")
    )
    assert history_reply.status_code == 200
    body = history_reply.get_json()
    assert body["chain_valid"] is True
    completed = [e for e in body["events"] if e["type"] == "task_completed"]
    assert completed[0]["data"]["reason"] == MASK
    assert set(completed[0]["data"]) == {"reason", "start_date"}  # field names stay
    assert all(len(e["hash"]) == 64 for e in body["events"])
    full = client.get(f"/api/v1/process-instances/{asker}/history", headers=auth("revisor"))
    events = full.get_json()["events"]
    first = next(e for e in events if e["type"] == "task_completed")
    assert first["data"]["reason"] == "Kurs i klarspråk"
