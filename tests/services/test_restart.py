"""A restart between two steps: the process specs are built again, and instances go on.

The runtime caches each definition version's specs in the process (`definitions._built`);
another worker process or a restart builds them anew, and every instance is restored from its
snapshot onto those new spec objects. What SpiffWorkflow wired up in memory while a task ran
must therefore be wired up again when specs are built.
"""

from __future__ import annotations

import pytest

from engine.services import definitions
from engine.services.wiring import Wiring
from tests.services.test_migration_edges import (
    _deploy_reviews,
    _finish_reviews,
    _reviews_half_done,
)


@pytest.mark.parametrize("sequential", [False, True], ids=["parallel", "sequential"])
def test_a_multi_instance_task_under_way_finishes_after_a_restart(
    deployed: Wiring, sequential: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deploy_reviews(deployed, sequential)
    instance_id = _reviews_half_done(deployed)
    monkeypatch.setattr(definitions, "_built", {})  # what a restart or another worker sees
    assert _finish_reviews(deployed, instance_id)["verdicts"] == ["ja", "nei", "nei"]
