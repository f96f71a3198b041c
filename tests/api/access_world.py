"""The cases the access tests read from: built over HTTP as the users build them.

- `assignment`: the assignment happy path (Bærum receives, Asker's emp.asker is chosen, Drammen's
  emp.drammen registered too, with a motivation of her own), played to the end (invoice sent).
- `drammen_assignment`: Bærum receives, only Drammen's emp.drammen registers and is chosen, so
  the case and its invoice (Drammen → Bærum) involve no Asker user.
- `hiring`: Løten's vacancy with two public applicants (Anne with a CV and an exemption
  request), played until the recommendation is to be written.
- `approval`: the test process built in the modeler (no `contextFields`), applied for in Drammen
  and waiting for the leader.
- `test_case`: the process owner's own test case of a process without start roles.

Every id and secret the tests need is in `World.ids` and the module's constants.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import yaml
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.services import definitions, organisation
from engine.services.wiring import Wiring
from engine.settings import Settings
from engine.store.models import Attachment, HumanTask, Invoice
from engine.store.uow import UnitOfWork
from tests.api.test_assignment_journey import HttpPlayer
from tests.api.test_vacancies import ANNE, BJORN, PublicPlayer, _two_applicant_steps, apply
from tests.api.test_vacancies import happy_path as hiring_happy_path
from tests.conftest import APPROVAL, NOW, ROOT, deploy_processes, fixture_files

Auth = Callable[[str], dict[str, str]]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DRAMMEN_MOTIVATION = "Drammen-motivasjon: jeg kjenner plan og bygg."
ASKER_INTERVIEW_NOTE = "Sterk på triage."
DRAMMEN_SELECTION = "Eneste kandidat i D-saken."
SALARY = "52000"
APPLICANT_EMAIL = ANNE["email"]
EXEMPTION_REASON = ANNE["exemption_reason"]
APPROVAL_REASON = "Fagdag om klarspråk i Drammen"
TEST_CASE_ID = "EIERS-TEST-42"
LIER_HR = {
    "username": "hr.lier",
    "full_name": "Helle Lier",
    "email": "helle@lier.example",
    "roles": ["hr"],
    "municipality": "lier",
    "unit": "lier.skole",
}


@dataclass
class World:
    """Ids of the cases, tasks, invoices and files the access tests read."""

    ids: dict[str, str] = field(default_factory=dict)

    def path(self, template: str) -> str:
        """Fill a path template's {names} with this world's ids."""
        return template.format(**self.ids)


def add_lier_hr(wiring: Wiring, directory: Path) -> None:
    """Load the demo organisation with one more user: HR of Lier (the other municipality)."""
    document = yaml.safe_load(Settings().demo_file.read_text(encoding="utf-8"))
    document["users"].append(LIER_HR)
    path = directory / "organisation.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    organisation.load_demo(wiring.new_uow(), path, "demo")


def _assignment_scenario() -> dict[str, Any]:
    scenarios = json.loads(
        (ROOT / "processes" / "assignment" / "scenarios.json").read_text(encoding="utf-8")
    )
    return copy.deepcopy(next(s for s in scenarios["scenarios"] if s["name"] == "happy_path"))


def build_assignment(wiring: Wiring, client: FlaskClient, auth: Auth, world: World) -> None:
    """Play the happy path (emp.drammen with her own motivation); note the ids."""
    happy = _assignment_scenario()
    player = HttpPlayer(wiring, client, auth)
    player.start(happy["start"])
    for step in happy["steps"]:
        if step.get("start", {}).get("as") == "c2":
            step["start"]["data"]["motivation"] = DRAMMEN_MOTIVATION
        player.play(step)
    _note_case(wiring, player, world, "A", {"a": "A", "c2": "A_interest_drammen"})


def build_drammen_assignment(wiring: Wiring, client: FlaskClient, auth: Auth, world: World) -> None:
    """Bærum receives, only emp.drammen registers and is chosen; no Asker user acts."""
    happy = _assignment_scenario()
    people = {
        "emp.asker": "emp.drammen",
        "leder.asker": "leder.drammen",
        "fin.asker": "fin.drammen",
    }
    player = HttpPlayer(wiring, client, auth)
    player.start(happy["start"])
    for step in happy["steps"]:
        if "expect" in step:
            continue
        if step.get("start", {}).get("as") == "c1" or step.get("instance") == "c1":
            continue
        step = copy.deepcopy(step)
        if step.get("complete") == "review_registrations":
            step["data"]["shortlist"] = ["emp.drammen"]
        if step.get("complete_each") == "interview":
            step["data"] = step["data"][:1]
        if step.get("complete") == "select_candidate":
            step["data"]["selected_username"] = "emp.drammen"
            step["data"]["selection_reason"] = DRAMMEN_SELECTION
        if "user" in step:
            step["user"] = people.get(step["user"], step["user"])
        player.play(step)
    _note_case(wiring, player, world, "D", {"a": "D"})


def _note_case(
    wiring: Wiring, player: HttpPlayer, world: World, prefix: str, aliases: dict[str, str]
) -> None:
    with wiring.new_uow() as uow:
        for alias, name in aliases.items():
            instance_id = player.aliases[alias]
            world.ids[name] = str(instance_id)
            for task in _tasks(uow, instance_id):
                world.ids.setdefault(f"{name}_{task.element_id}", str(task.id))
            world.ids[f"{name}_key"] = uow.instances.get(instance_id).business_key or ""
        invoice = uow.session.scalars(
            select(Invoice).where(Invoice.instance_id == player.aliases["a"])
        ).one_or_none()
        if invoice is not None:
            world.ids[f"{prefix}_invoice"] = str(invoice.id)
            world.ids[f"{prefix}_invoice_number"] = invoice.number


def _tasks(uow: UnitOfWork, instance_id: UUID) -> list[HumanTask]:
    query = select(HumanTask).where(HumanTask.instance_id == instance_id)
    return list(uow.session.scalars(query.order_by(HumanTask.created_at, HumanTask.id)))


def build_hiring(wiring: Wiring, client: FlaskClient, auth: Auth, world: World) -> None:
    """Løten's vacancy with Anne (CV, exemption request) and Bjørn, up to the recommendation."""
    player = PublicPlayer(wiring, client, auth)
    happy = hiring_happy_path()
    player.start(happy["start"])
    for step in happy["steps"][:7]:
        player.play(step)
    assert apply(client, ANNE, cv=(PDF, "CV Anne.pdf")).status_code == 201
    assert apply(client, BJORN).status_code == 201
    for step in _two_applicant_steps():
        if step.get("complete") == "write_recommendation":
            break
        if "expect" not in step:
            player.play(step)
    world.ids["H"] = str(player.aliases["h"])
    world.ids["vacancy"] = "LOTEN-2026-017"
    with wiring.new_uow() as uow:
        for task in _tasks(uow, player.aliases["h"]):
            world.ids.setdefault(f"H_{task.element_id}", str(task.id))
        [cv] = uow.session.scalars(select(Attachment)).all()
        world.ids["H_cv"] = str(cv.id)
        world.ids["H_application"] = str(cv.instance_id)


def build_approval(wiring: Wiring, client: FlaskClient, auth: Auth, world: World) -> None:
    """emp.drammen applies in the modeler-built approval process; it waits for the leader."""
    started = client.post(
        "/api/v1/process-definitions/approval/start",
        json={"data": {"municipality": "drammen", "applicant": "Ingrid Moe"}},
        headers=auth("emp.drammen"),
    )
    assert started.status_code == 201, started.get_json()
    instance = started.get_json()
    [submit] = instance["open_tasks"]
    done = client.post(
        f"/api/v1/tasks/{submit['id']}/complete",
        json={"data": {"reason": APPROVAL_REASON, "start_date": "2026-12-02"}},
        headers=auth("emp.drammen"),
    )
    assert done.status_code == 200, done.get_json()
    world.ids["P"] = instance["id"]
    world.ids["P_submit"] = submit["id"]
    with wiring.new_uow() as uow:
        [approve] = uow.tasks.open_for_instance(UUID(instance["id"]))
    world.ids["P_approve"] = str(approve.id)


def build_test_case(wiring: Wiring, client: FlaskClient, auth: Auth, world: World) -> None:
    """The process owner deploys a trial process (no start roles: owners may start it) and
    starts a test case of it."""
    files = fixture_files(*APPROVAL)
    files["approval.bpmn"] = (
        files["approval.bpmn"]
        .replace(b'id="approval"', b'id="owner_trial"')
        .replace(b'<spiffworkflow:property name="startRoles" value="participant" />', b"")
    )
    definitions.deploy(wiring.new_uow(), files, actor="eier", now=NOW)
    started = client.post(
        "/api/v1/process-definitions/owner_trial/start",
        json={"data": {"municipality": "asker", "applicant": TEST_CASE_ID}},
        headers=auth("eier"),
    )
    assert started.status_code == 201, started.get_json()
    world.ids["T"] = started.get_json()["id"]


def build_world(
    wiring: Wiring, client: FlaskClient, auth: Auth, directory: Path, *parts: str
) -> World:
    """Build the named parts of the world (all by default) on one database."""
    add_lier_hr(wiring, directory)
    deploy_processes(wiring)
    world = World()
    builders: dict[str, Callable[[], None]] = {
        "assignment": lambda: build_assignment(wiring, client, auth, world),
        "drammen_assignment": lambda: build_drammen_assignment(wiring, client, auth, world),
        "hiring": lambda: build_hiring(wiring, client, auth, world),
        "approval": lambda: build_approval(wiring, client, auth, world),
        "test_case": lambda: build_test_case(wiring, client, auth, world),
    }
    for name in parts or tuple(builders):
        builders[name]()
    return world
