"""The core runs with no routine installed; routines plug in through the same registries."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from engine.runtime import registry
from engine.services.step import followers
from engine.services.wiring import Wiring
from tests.conftest import ROOT

# A fresh interpreter: the registries there hold only what this wiring registered.
CORE_ONLY = textwrap.dedent(
    """
    import sys
    from datetime import datetime

    from engine.runtime import registry
    from engine.services import definitions, instances, organisation, tasks
    from engine.services.step import followers
    from engine.services.wiring import wire
    from engine.settings import Settings
    from engine.store.models import Base
    from tests.conftest import APPROVAL, fixture_files

    now = datetime.fromisoformat("2026-11-02T09:00:00+01:00")
    wiring = wire(Settings(database_url=sys.argv[1], env="test"), routines=())
    Base.metadata.create_all(wiring.engine)
    organisation.load_demo(wiring.new_uow(), Settings().demo_file, "demo")
    definitions.deploy(wiring.new_uow(), fixture_files(*APPROVAL), actor="test", now=now)
    with wiring.new_uow() as uow:
        asker, leader = uow.users.find("emp.asker"), uow.users.find("leder.asker")
    assert asker is not None and leader is not None
    instance = instances.start_instance(
        wiring.new_uow(), "approval", {"municipality": "asker"}, actor=asker, now=now
    )
    for actor, data in [(asker, {"reason": "Kurs", "start_date": "2026-12-01"}),
                        (leader, {"approved": False})]:
        with wiring.new_uow() as uow:
            [task] = uow.tasks.open_for_instance(instance.id)
        tasks.complete_task(wiring.new_uow(), task.id, data, actor=actor, now=now)
    with wiring.new_uow() as uow:
        state = uow.instances.get(instance.id).state
    with wiring.active():
        print(state, followers.registered(), "invoice_for" in registry.functions())
    """
)


def test_a_plain_process_runs_to_its_end_with_no_routine_registered(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'core.sqlite3'}"
    run = subprocess.run(
        [sys.executable, "-c", CORE_ONLY, url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[-2] == "completed () False"


def test_the_wiring_registers_each_installed_routine(wiring: Wiring) -> None:
    with wiring.active():
        assert "assignment.invoices" in followers.registered()
        assert {"invoice_for", "application_deadline", "probation_end"} <= set(registry.functions())
