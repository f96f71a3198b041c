"""A version no instance ever ran can be removed; one that ran cannot; numbers are not reused."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.services import declarations, definitions, instances
from engine.services.wiring import Wiring
from engine.store.errors import Conflict, NotFound
from tests.conftest import NOW, user

HERE = Path(__file__).parent / "fixtures_lifecycle"
FILES = {"two_paths.bpmn": (HERE / "two_paths.bpmn").read_bytes()}


def _keys(wiring: Wiring, username: str = "admin") -> set[str]:
    listed = declarations.list_definitions(wiring.new_uow(), user(wiring, username))
    return {d["key"] for d in listed}


def test_a_version_that_never_ran_is_removed_and_its_number_not_given_again(
    demo: Wiring,
) -> None:
    definitions.deploy(demo.new_uow(), FILES, actor="eier", now=NOW)
    assert "two_paths" in _keys(demo)
    definitions.remove_version(
        demo.new_uow(), "two_paths", 1, actor="eier", reason="Feilimport", now=NOW
    )
    assert "two_paths" not in _keys(demo)  # gone from the start page and the library
    with pytest.raises(NotFound):
        instances.start_instance(
            demo.new_uow(), "two_paths", {}, actor=user(demo, "admin"), now=NOW
        )
    with demo.new_uow() as uow:
        [removed] = [e for e in uow.history.stream("system") if e.type == "definition_removed"]
    assert (removed.actor, removed.definition_version, removed.data["reason"]) == (
        "eier",
        1,
        "Feilimport",
    )
    changed = {"two_paths.bpmn": FILES["two_paths.bpmn"].replace(b"To veier", b"To veier 2")}
    result = definitions.deploy(demo.new_uow(), changed, actor="eier", now=NOW)
    assert [d.version for d in result.created] == [2]


def test_a_version_that_ran_cannot_be_removed(demo: Wiring) -> None:
    definitions.deploy(demo.new_uow(), FILES, actor="eier", now=NOW)
    instances.start_instance(demo.new_uow(), "two_paths", {}, actor=user(demo, "admin"), now=NOW)
    with pytest.raises(Conflict) as caught:
        definitions.remove_version(
            demo.new_uow(), "two_paths", 1, actor="eier", reason="x", now=NOW
        )
    assert caught.value.code == "version_has_run"
    assert "two_paths" in _keys(demo)
