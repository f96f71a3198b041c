"""Messages from users (issue 14): only where the process lets them send, and the answer names
only what the sender may read; the engine's own routing between instances is unchanged."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.runtime.errors import MessageNotCaught
from engine.services import access, instance_views, instances, messages, tasks
from engine.services.assignment import announcements
from engine.services.errors import MessageForbidden
from engine.services.hiring import vacancies
from engine.services.wiring import Wiring
from engine.store.errors import NotFound
from tests.conftest import NOW, deploy_processes, fixture_files, user
from tests.processes.test_scenarios import Player
from tests.services.test_access import VACANCY, published_assignment, scenario


def test_message_reaches_only_the_correlated_instance(deployed: Wiring) -> None:
    starter = user(deployed, "emp.asker")
    first = instances.start_instance(
        deployed.new_uow(), "waiter", {"case_id": "A"}, actor=starter, now=NOW
    )
    second = instances.start_instance(
        deployed.new_uow(), "waiter", {"case_id": "B"}, actor=starter, now=NOW
    )
    reached = messages.deliver_message(
        deployed.new_uow(), "ping", {"case_id": "B"}, {"note": "hei"}, actor=starter, now=NOW
    )
    assert [i.id for i in reached] == [second.id]
    with deployed.new_uow() as uow:
        assert uow.instances.get(second.id).state == "completed"
        assert uow.instances.get(first.id).state == "running"


def test_the_answer_names_only_instances_the_sender_may_read(deployed: Wiring) -> None:
    owner = user(deployed, "emp.asker")
    case = instances.start_instance(
        deployed.new_uow(), "waiter", {"case_id": "C"}, actor=owner, now=NOW
    )
    other = user(deployed, "emp.drammen")  # a participant too, so `ping` is theirs to send
    reached = messages.deliver_message(
        deployed.new_uow(), "ping", {"case_id": "C"}, {}, actor=other, now=NOW
    )
    assert reached == []  # delivered, but not named to someone who may not read it
    with deployed.new_uow() as uow:
        assert uow.instances.get(case.id).state == "completed"
        # ... and sending it did not make the sender a participant who may read the case
        assert access.case_view(uow, uow.instances.get(case.id), other) is None
    with pytest.raises(NotFound):
        instance_views.read_instance(deployed.new_uow(), case.id, other, now=NOW, open_fields="")


def test_a_message_nobody_declares_for_the_sender_is_refused(deployed: Wiring) -> None:
    instances.start_instance(
        deployed.new_uow(), "waiter", {"case_id": "D"}, actor=user(deployed, "emp.asker"), now=NOW
    )
    for username in ("fin.asker", "admin"):  # neither holds the role `ping` declares
        with pytest.raises(MessageForbidden):
            messages.deliver_message(
                deployed.new_uow(),
                "ping",
                {"case_id": "D"},
                {},
                actor=user(deployed, username),
                now=NOW,
            )
    with pytest.raises(MessageForbidden):  # unknown names too: no existence to learn
        messages.deliver_message(
            deployed.new_uow(), "no_such", {}, {}, actor=user(deployed, "emp.asker"), now=NOW
        )
    with pytest.raises(MessageNotCaught):  # allowed, but nobody waits with that correlation
        messages.deliver_message(
            deployed.new_uow(),
            "ping",
            {"case_id": "E"},
            {},
            actor=user(deployed, "emp.asker"),
            now=NOW,
        )


def test_a_message_start_event_starts_only_for_its_declared_senders(deployed: Wiring) -> None:
    from engine.services import definitions

    definitions.deploy(deployed.new_uow(), fixture_files("intake.bpmn"), actor="test", now=NOW)
    payload = {"municipality": "asker", "subject": "Vikar"}
    with pytest.raises(MessageForbidden):
        messages.deliver_message(
            deployed.new_uow(),
            "request_received",
            {"request_id": "H-1"},
            payload,
            actor=user(deployed, "fin.asker"),
            now=NOW,
        )
    [started] = messages.deliver_message(
        deployed.new_uow(),
        "request_received",
        {"request_id": "H-1"},
        payload,
        actor=user(deployed, "emp.asker"),
        now=NOW,
    )
    assert (started.key, started.started_by) == ("intake", "emp.asker")


def test_a_forged_application_is_refused_and_the_public_one_arrives(deployed: Wiring) -> None:
    deploy_processes(deployed)
    player = Player(deployed)
    happy = scenario("hiring")
    player.start(happy["start"])
    for step in happy["steps"][:7]:  # up to and with the published announcement
        player.play(step)
    forged = {"name": "Eve", "email": "eve@example.no", "phone": "1", "exemption_reason": "x"}
    for username in ("emp.drammen", "hr.loten", "vl.loten"):
        with pytest.raises(MessageForbidden):
            messages.deliver_message(
                deployed.new_uow(),
                "application_received",
                {"vacancy_id": VACANCY},
                {"application": forged},
                actor=user(deployed, username),
                now=player.now,
            )
    sender = user(deployed, "emp.drammen")
    with deployed.new_uow() as uow:
        case = uow.instances.get(player.aliases["h"])
        assert case.data["applications"] == []
        assert access.case_view(uow, case, sender) is None

    vacancies.apply(  # hiring_application throws the same message: the engine routes it
        deployed.new_uow(),
        VACANCY,
        vacancies.Application(name="Anne Berg", email="anne.berg@example.no"),
        now=player.now + timedelta(hours=1),
    )
    with deployed.new_uow() as uow:
        case = uow.instances.get(player.aliases["h"])
    assert [a["name"] for a in case.data["applications"]] == ["Anne Berg"]


def test_a_forged_registration_is_refused_and_the_boards_arrives(deployed: Wiring) -> None:
    deploy_processes(deployed)
    board = published_assignment(deployed)
    forged = {
        "employee_username": "emp.drammen",
        "employee_leader": "emp.drammen",  # their own leader: would approve themselves
        "employee_municipality": "drammen",
    }
    with pytest.raises(MessageForbidden):
        messages.deliver_message(
            deployed.new_uow(),
            "interest_registered",
            {"assignment_id": board["id"]},
            {"registration": forged},
            actor=user(deployed, "emp.drammen"),
            now=NOW,
        )
    registered = announcements.register_interest(
        deployed.new_uow(), board["id"], "Gjerne.", actor=user(deployed, "emp.asker"), now=NOW
    )
    with deployed.new_uow() as uow:
        [approve] = uow.tasks.open_for_instance(registered["instance_id"])
    tasks.complete_task(  # the leader's yes sends interest_registered: the engine routes it
        deployed.new_uow(),
        approve.id,
        {"approved": True},
        actor=user(deployed, "leder.asker"),
        now=NOW,
    )
    with deployed.new_uow() as uow:
        registrations = uow.instances.get(board["instance_id"]).data["registrations"]
    assert [r["employee_username"] for r in registrations] == ["emp.asker"]
    assert registrations[0]["employee_leader"] == "leder.asker"
