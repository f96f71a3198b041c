"""Replaying the log reproduces today's state for every instance of every scenario."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine.services import audit, definitions, replay
from engine.services.wiring import Wiring
from tests.conftest import ROOT
from tests.processes.test_scenarios import SCENARIOS, Player


def play(wiring: Wiring, scenario: dict[str, Any]) -> Player:
    """Deploy the processes and play one scenario through the services."""
    definitions.deploy_directory(
        wiring.new_uow(),
        ROOT / "processes",
        ROOT / "forms",
        actor="test",
        now=datetime.fromisoformat("2026-11-01T00:00:00+01:00"),
    )
    player = Player(wiring)
    player.start(scenario["start"])
    for step in scenario["steps"]:
        player.play(step)
    return player


@pytest.mark.parametrize(("path", "scenario"), SCENARIOS)
def test_replay_to_the_last_event_equals_the_live_state(
    demo: Wiring, path: Path, scenario: dict[str, Any]
) -> None:
    player = play(demo, scenario)
    for alias, instance_id in player.aliases.items():
        assert replay.matches_live(demo.new_uow(), instance_id) == [], alias
    report = audit.verify(demo.new_uow())
    assert report.ok, report.breaks
    assert report.streams == len(player.aliases) + 1  # instances and the system stream
