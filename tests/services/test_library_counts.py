"""The library counts a version's cases on hold apart from its running ones."""

from __future__ import annotations

from engine.services import cases, instances, modeler
from engine.services.wiring import Wiring
from tests.conftest import NOW, user


def test_cases_on_hold_are_counted_apart_from_running_ones(deployed: Wiring) -> None:
    started = [
        instances.start_instance(
            deployed.new_uow(),
            "approval",
            {"municipality": "asker"},
            actor=user(deployed, "emp.asker"),
            now=NOW,
        )
        for _ in range(3)
    ]
    admin = user(deployed, "admin")
    cases.suspend_case(deployed.new_uow(), started[0].id, "Venter på vedtak", actor=admin, now=NOW)
    [approval] = [p for p in modeler.library(deployed.new_uow()) if p["key"] == "approval"]
    counts = [(v["running_instances"], v["suspended_instances"]) for v in approval["versions"]]
    assert counts == [(2, 1)]
    cases.resume_case(deployed.new_uow(), started[0].id, "Vedtatt", actor=admin, now=NOW)
    [approval] = [p for p in modeler.library(deployed.new_uow()) if p["key"] == "approval"]
    counts = [(v["running_instances"], v["suspended_instances"]) for v in approval["versions"]]
    assert counts == [(3, 0)]
