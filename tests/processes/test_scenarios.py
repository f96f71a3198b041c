"""Play every scenario in processes/*/scenarios.json through the services, on both databases.

Each step loads the instance from the database and saves it again, so every wait is a
serialize/restore round trip. Messages between instances are routed by the services.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from engine.services import definitions, instances, tasks, timers
from engine.services.errors import FormInvalid, RuleRefused
from engine.services.wiring import Wiring
from engine.store.models import Outbox
from tests.conftest import ROOT, deploy_processes, user

SCENARIO_FILES = sorted((ROOT / "processes").glob("*/scenarios.json"))
SCENARIOS = [
    pytest.param(path, scenario, id=f"{path.parent.name}:{scenario['name']}")
    for path in SCENARIO_FILES
    for scenario in json.loads(path.read_text(encoding="utf-8"))["scenarios"]
]


class Player:
    """Runs one scenario against the services, keeping the clock and instance aliases."""

    def __init__(self, wiring: Wiring) -> None:
        self.wiring = wiring
        self.now = datetime.fromisoformat("2026-11-23T09:00:00+01:00")
        self.aliases: dict[str, UUID] = {}
        # The codes with which a rule last refused each task (alias, element id): a refused
        # submission keeps nothing, so the scenarios' `<task>_errors` are checked here.
        self.refused: dict[tuple[str, str], list[str]] = {}

    def start(self, spec: dict[str, Any]) -> None:
        """Start as the services do (the board, the public page, a called process's caller):
        with all the start data the scenario gives, not only what a start form allows. Who
        may start what, with which data, is tested in tests/services/test_access.py."""
        data = dict(spec.get("data", {}))
        if spec["process"] == "assignment" and spec.get("business_key"):
            data.setdefault("assignment_id", spec["business_key"])  # set by the announcement API
        with self.wiring.new_uow() as uow:
            instance = instances.start_in(
                uow,
                spec["process"],
                data,
                actor=uow.users.get(spec["started_by"]),
                now=self.now,
                business_key=spec.get("business_key"),
            )
            uow.commit()
        self.aliases[spec["as"]] = instance.id

    def open_tasks(self, alias: str) -> list[Any]:
        with self.wiring.new_uow() as uow:
            return list(uow.tasks.open_for_instance(self.aliases[alias]))

    def complete(self, alias: str, element_id: str, username: str, data: dict[str, Any]) -> None:
        matching = [t for t in self.open_tasks(alias) if t.element_id == element_id]
        assert matching, (
            f"{element_id} is not open in {alias}: {[t.element_id for t in self.open_tasks(alias)]}"
        )
        try:
            tasks.complete_task(
                self.wiring.new_uow(),
                matching[0].id,
                data,
                actor=user(self.wiring, username),
                now=self.now,
            )
        except RuleRefused as refusal:
            assert refusal.element_id == element_id
            assert "_form" not in refusal.errors, f"{refusal.codes} need x-refusals messages"
            self.refused[alias, element_id] = refusal.codes
        else:
            self.refused[alias, element_id] = []

    def errors(self, alias: str) -> dict[str, list[str]]:
        """Return `<task>_errors` of the alias's refused and accepted submissions."""
        return {f"{e}_errors": codes for (a, e), codes in self.refused.items() if a == alias}

    def advance(self, moment: str) -> None:
        self.now = max(self.now, datetime.fromisoformat(moment))
        while timers.fire_due_timers(self.wiring.new_uow, now=self.now, worker="scenario"):
            pass

    def expect(self, alias: str, expected: dict[str, Any]) -> None:
        with self.wiring.new_uow() as uow:
            instance = uow.instances.get(self.aliases[alias])
        if "state" in expected:
            assert instance.state == expected["state"], (alias, instance.data)
        if "ready_tasks" in expected:
            assert sorted(t.element_id for t in self.open_tasks(alias)) == sorted(
                expected["ready_tasks"]
            )
        for path, value in expected.get("data", {}).items():
            found = {**instance.data, **self.errors(alias)}
            assert _dig(found, path) == value, (alias, path)
        for kind, recipients in expected.get("mails", {}).items():
            assert self.mailed(alias, kind) == sorted(recipients), (alias, kind)

    def mailed(self, alias: str, kind: str) -> list[str]:
        """Return who the outbox holds a mail of `kind` for (copies too), once per row."""
        with self.wiring.new_uow() as uow:
            rows = uow.session.scalars(
                select(Outbox.recipient).where(
                    Outbox.instance_id == self.aliases[alias], Outbox.kind == kind
                )
            )
            return sorted(rows)

    def play(self, step: dict[str, Any]) -> None:
        if "start" in step:
            self.start(step["start"])
        elif "refused_fields" in step:  # the form itself refuses it (a choice not offered)
            with pytest.raises(FormInvalid) as refused:
                Player.complete(
                    self, step["instance"], step["complete"], step["user"], step["data"]
                )
            assert sorted(refused.value.errors) == sorted(step["refused_fields"])
        elif "complete" in step:
            self.complete(step["instance"], step["complete"], step["user"], step.get("data", {}))
        elif "complete_each" in step:
            for data in step["data"]:
                self.complete(step["instance"], step["complete_each"], step["user"], data)
        elif "advance_clock_to" in step:
            self.advance(step["advance_clock_to"])
        elif "expect" in step:
            self.expect(step["expect"]["instance"], step["expect"])
        else:
            raise AssertionError(f"unknown scenario step {step}")


def _dig(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def test_there_are_scenarios() -> None:
    assert len(SCENARIOS) >= 7


def play(wiring: Wiring, scenario: dict[str, Any], player_class: type[Player] = Player) -> Player:
    """Deploy processes/ and forms/, then play one scenario's start and steps."""
    deploy_processes(wiring)
    player = player_class(wiring)
    player.start(scenario["start"])
    for step in scenario["steps"]:
        player.play(step)
    return player


@pytest.mark.parametrize(("path", "scenario"), SCENARIOS)
def test_scenario(demo: Wiring, path: Path, scenario: dict[str, Any]) -> None:
    player = play(demo, scenario)
    for alias, expected in scenario["expect"].items():
        player.expect(alias, expected)


class RestartingPlayer(Player):
    """Builds every process spec anew before each step, as a restart or another worker does."""

    def play(self, step: dict[str, Any]) -> None:
        definitions._built.clear()
        super().play(step)


HAPPY_PATHS = [p for p in SCENARIOS if p.id.endswith(":happy_path")]


@pytest.mark.parametrize(("path", "scenario"), HAPPY_PATHS)
def test_happy_path_with_a_restart_before_every_step(
    demo: Wiring, path: Path, scenario: dict[str, Any]
) -> None:
    """Nothing the engine needs may live only in this process's memory between two steps."""
    player = play(demo, scenario, RestartingPlayer)
    for alias, expected in scenario["expect"].items():
        player.expect(alias, expected)
