"""SpiffArena models through the services (issue 19): helper functions see the step's actor and
the deployment, failures a process owner can fix are refused naming the element."""

from __future__ import annotations

import pytest

from engine.runtime.errors import InvalidProcess
from engine.services import definitions, instances
from engine.services.wiring import Wiring
from tests.conftest import NOW, fixture_files, user


def test_helpers_see_who_started_and_where(deployed: Wiring) -> None:
    definitions.deploy(
        deployed.new_uow(), fixture_files("arena_script.bpmn"), actor="test", now=NOW
    )
    started = instances.start_instance(
        deployed.new_uow(), "arena_script", {}, actor=user(deployed, "emp.asker"), now=NOW
    )
    with deployed.new_uow() as uow:
        [review] = uow.tasks.open_for_instance(started.id)
    data = started.data or {}
    assert (data["requester"], data["environment"]) == ("emp.asker", "test")
    public = deployed.settings.public_url.rstrip("/")
    assert data["review_url"] == f"{public}/tasks/{review.id}"


def test_a_dynamic_enum_is_accepted_and_the_rest_of_the_form_checked(deployed: Wiring) -> None:
    files = fixture_files("pick_city.bpmn", "pick_city.pick.schema.json")
    deployment = definitions.deploy(deployed.new_uow(), files, actor="test", now=NOW)
    assert deployment is not None
    broken = files["pick_city.pick.schema.json"].replace(b'"maxLength": 200', b'"maxLength": -1')
    with pytest.raises(InvalidProcess) as refused:
        definitions.deploy(
            deployed.new_uow(),
            {**files, "pick_city.pick.schema.json": broken},
            actor="test",
            now=NOW,
        )
    [found] = refused.value.problems
    assert found.file == "pick_city.pick.schema.json" and "maxLength" in found.message


def test_a_bpmn20_xml_file_deploys(deployed: Wiring) -> None:
    content = fixture_files("arena_script.bpmn")["arena_script.bpmn"]
    definitions.deploy(
        deployed.new_uow(), {"arena_script.bpmn20.xml": content}, actor="test", now=NOW
    )
    with deployed.new_uow() as uow:
        assert uow.definitions.latest("arena_script").runnable
    with pytest.raises(InvalidProcess, match=r"\.bpmn20\.xml"):
        definitions.deploy(deployed.new_uow(), {"notes.txt": b"x"}, actor="test", now=NOW)
