"""Replaying the log reproduces today's state for every instance of every scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.services.audit import chain as audit
from engine.services.audit import replay
from engine.services.wiring import Wiring
from tests.processes.test_scenarios import SCENARIOS, play


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
