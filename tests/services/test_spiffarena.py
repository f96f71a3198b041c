"""SpiffArena models through the services (issue 19): helper functions see the step's actor and
the deployment, failures a process owner can fix are refused naming the element."""

from __future__ import annotations

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
