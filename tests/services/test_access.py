"""Who may start which process, with which start data (issue 14), on SQLite and PostgreSQL.

Each door: the attacker is refused and the people the process is meant for still get in.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from engine.runtime.errors import StepBudgetExceeded
from engine.services import declarations, definitions, instances, tasks
from engine.services.assignment import announcements
from engine.services.errors import FormInvalid, StartForbidden
from engine.services.hiring import vacancies
from engine.services.wiring import Wiring
from engine.store.models import ProcessInstance
from tests.conftest import NOW, ROOT, deploy_processes, fixture_files, user
from tests.processes.test_scenarios import Player

VACANCY = "LOTEN-2026-017"


def scenario(process: str, name: str = "happy_path") -> dict[str, Any]:
    path = ROOT / "processes" / process / "scenarios.json"
    found = json.loads(path.read_text(encoding="utf-8"))["scenarios"]
    return next(s for s in found if s["name"] == name)


@pytest.fixture
def real(deployed: Wiring) -> Wiring:
    """The demo organisation with the test processes and processes/ deployed."""
    deploy_processes(deployed)
    return deployed


def start(
    wiring: Wiring,
    username: str,
    key: str,
    data: dict[str, Any] | None = None,
    *,
    business_key: str | None = None,
    locale: str = "nb",
) -> ProcessInstance:
    return instances.start_instance(
        wiring.new_uow(),
        key,
        data or {},
        actor=user(wiring, username),
        now=NOW,
        business_key=business_key,
        locale=locale,
    )


def refusal(wiring: Wiring, username: str, key: str, **kwargs: Any) -> str:
    with pytest.raises(StartForbidden) as caught:
        start(wiring, username, key, **kwargs)
    return caught.value.reason


def count(wiring: Wiring, key: str) -> int:
    with wiring.new_uow() as uow:
        return len(uow.announcements.instances_with_data(key))


def test_only_lotens_hr_and_unit_heads_start_a_hiring_case(real: Wiring) -> None:
    for attacker, reason in (
        ("emp.drammen", "role"),  # an employee of another municipality
        ("leder.drammen", "role"),
        ("tl.baerum", "municipality"),  # a unit head, but not of Løten
        ("admin", "role"),  # admins try models without startRoles, not Løten's cases
    ):
        assert refusal(real, attacker, "hiring", business_key="LOTEN-2026-050") == reason, attacker
    assert count(real, "hiring") == 0

    by_hr = start(real, "hr.loten", "hiring", {"unit_head": "vl.loten"}, business_key="L-1")
    by_head = start(real, "vl.loten", "hiring", business_key="L-2")
    assert (by_hr.data["municipality"], by_hr.data["vacancy_id"]) == ("loten", "L-1")
    assert (by_hr.data["unit_head"], by_head.data["unit_head"]) == ("vl.loten", "vl.loten")
    with real.new_uow() as uow:
        [task] = uow.tasks.open_for_instance(by_hr.id)
    assert (task.element_id, task.candidate_users) == ("assess_vacancy", ["vl.loten"])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hiring_authority_users", ["emp.drammen"]),
        ("published_announcement", {"channel": "external", "title": "Falsk"}),
        ("authority_holders", {"municipal_council": ["emp.drammen"]}),
        ("municipality", "drammen"),
        ("vacancy_id", VACANCY),
        ("probation_months", 0),
    ],
)
def test_hiring_takes_only_the_start_forms_fields(real: Wiring, field: str, value: Any) -> None:
    with pytest.raises(FormInvalid) as caught:
        start(real, "hr.loten", "hiring", {field: value, "unit_head": "vl.loten"})
    assert caught.value.errors == {field: ["Ukjent felt."]}
    assert count(real, "hiring") == 0


def test_reserved_keys_are_never_start_data(real: Wiring) -> None:
    for key in ("started_by", "instance_id", "business_key"):
        with pytest.raises(FormInvalid) as caught:
            start(real, "hr.loten", "hiring", {key: "emp.drammen"})
        assert caught.value.errors == {
            key: ["Feltet settes av saksflyt og kan ikke gis som startdata."]
        }
    with pytest.raises(FormInvalid) as english:
        start(real, "emp.asker", "waiter", {"started_by": "x"}, locale="en")
    assert english.value.errors == {
        "started_by": ["This field is set by saksflyt and cannot be given as start data."]
    }


def test_without_a_start_form_no_start_data_is_taken(real: Wiring) -> None:
    with pytest.raises(FormInvalid) as caught:
        start(real, "admin", "recursive", {"depth": 3}, locale="en")
    assert caught.value.errors == {"depth": ["Unknown field."]}


def test_a_start_form_is_validated_like_a_task_form(real: Wiring) -> None:
    """The unit head is one of the starter's municipality's leaders (a choice, not typed)."""
    for outside in ("vl loten", "leder.asker", "hr.loten"):  # no user; Asker's leader; not one
        with pytest.raises(FormInvalid) as caught:
            start(real, "hr.loten", "hiring", {"unit_head": outside})
        assert caught.value.errors == {"unit_head": ["Velg en av de tillatte verdiene."]}, outside
    start(real, "hr.loten", "hiring", {"unit_head": "radmann.loten"})


def test_a_process_without_start_roles_is_for_process_owners_and_admins(real: Wiring) -> None:
    assert refusal(real, "emp.asker", "recursive") == "role"
    with real.new_uow() as uow:
        definition = uow.definitions.latest("recursive")
        declared = declarations.of(uow, definition).declarations
    assert declared.start_roles is None
    # eier and admin may: the instance runs into the step budget, which is what it is for
    for owner in ("eier", "admin"):
        with pytest.raises(StepBudgetExceeded):
            instances.start_instance(
                real.new_uow(), "recursive", {}, actor=user(real, owner), now=NOW, step_budget=50
            )


def test_called_processes_are_never_started_by_users(real: Wiring) -> None:
    for username in ("vl.loten", "hr.loten", "admin", "eier"):
        assert refusal(real, username, "hiring_onboarding") == "called_process"
        assert refusal(real, username, "hiring_interim_cover") == "called_process"


def test_a_process_only_messages_start_is_never_started_by_users(real: Wiring) -> None:
    definitions.deploy(real.new_uow(), fixture_files("intake.bpmn"), actor="eier", now=NOW)
    for username in ("emp.asker", "eier", "admin"):
        assert refusal(real, username, "intake") == "started_by_message", username


def test_interest_registrations_start_only_through_the_board(real: Wiring) -> None:
    assert refusal(real, "emp.drammen", "assignment_interest") == "started_by_service"
    assert refusal(real, "admin", "assignment_interest") == "started_by_service"
    assert refusal(real, "tl.baerum", "assignment") == "started_by_service"
    with pytest.raises(StartForbidden) as caught:  # the board checks assignment's startRoles
        announcements.create_announcement(real.new_uow(), actor=user(real, "emp.asker"), now=NOW)
    assert caught.value.reason == "role"

    board = published_assignment(real)
    registered = announcements.register_interest(
        real.new_uow(), board["id"], "Jeg kan hjelpe.", actor=user(real, "emp.drammen"), now=NOW
    )
    with real.new_uow() as uow:
        [approve] = uow.tasks.open_for_instance(registered["instance_id"])
        assignment = uow.instances.get(board["instance_id"])
    assert (approve.element_id, approve.candidate_users) == ("approve_interest", ["leder.drammen"])
    assert assignment.data["receiving_municipality"] == "baerum"


def test_applications_start_only_through_the_public_page(real: Wiring) -> None:
    player = Player(real)
    happy = scenario("hiring")
    player.start(happy["start"])
    for step in happy["steps"][:7]:  # up to and with the published announcement
        player.play(step)
    forged = {"vacancy_id": VACANCY, "name": "Eve", "email": "bad-address"}
    for username in ("emp.drammen", "hr.loten", "admin"):
        assert refusal(real, username, "hiring_application", data=forged) == "started_by_service"

    receipt = vacancies.apply(
        real.new_uow(),
        VACANCY,
        vacancies.Application(name="Anne Berg", email="anne.berg@example.no"),
        now=player.now + timedelta(hours=1),
    )
    with real.new_uow() as uow:
        case = uow.instances.get(player.aliases["h"])
    [application] = case.data["applications"]
    assert application["application_id"] == receipt["receipt_number"]
    assert application["name"] == "Anne Berg"


def test_called_processes_are_those_another_process_calls(real: Wiring) -> None:
    with real.new_uow() as uow:
        latest = {d.key: d for d in uow.definitions.list()}
        declared = declarations.of_many(uow, latest.values())
        called = declarations.called_processes(uow)
    assert called == {"hiring_onboarding", "hiring_interim_cover"}  # recursive calls only itself
    assert declared[latest["hiring"].id].start_form is not None


def published_assignment(wiring: Wiring) -> dict[str, Any]:
    """Announce an assignment as tl.baerum and describe the need, as the scenario does."""
    board = announcements.create_announcement(
        wiring.new_uow(), actor=user(wiring, "tl.baerum"), now=NOW
    )
    describe = next(
        s for s in scenario("assignment")["steps"] if s.get("complete") == "describe_need"
    )
    tasks.complete_task(
        wiring.new_uow(),
        board["describe_need_task_id"],
        describe["data"],
        actor=user(wiring, "tl.baerum"),
        now=NOW,
    )
    return board
