"""Each wiring owns its configuration: two wirings in one process never see each other's."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from engine.runtime import registry
from engine.services import configuration, process_settings
from engine.services.configuration import Configuration, NotConfigured
from engine.services.step import followers, notifications, wakeups
from engine.services.wiring import Wiring, wire
from saksflyt.app import create_app

PREVIEW = {
    "start_date": "2027-03-01",
    "end_date": "2027-03-31",
    "monthly_salary": 50000,
    "position_percentage": 100,
}


@pytest.fixture
def other(demo: Wiring, tmp_path: Path) -> Iterator[Wiring]:
    """A second wiring on the same database: its own settings file, link, and no routines."""
    path = tmp_path / "settings.yaml"
    path.write_text(
        "hiring:\n  application_period_days: 28\n"
        "kv_assignment:\n  invoicing:\n    daily_fee: 600\n"
        "    daily_fee_employee_share: 250\n    daily_fee_lending_department_share: 350\n",
        encoding="utf-8",
    )
    settings = replace(demo.settings, process_settings_file=path, public_url="https://b.example")
    wired = wire(settings, routines=())
    yield wired
    wired.engine.dispose()


def seen() -> tuple[Decimal, object, str, tuple[str, ...], bool]:
    """What the code that runs now sees of the current configuration."""
    return (
        process_settings.rates().daily_fee,
        registry.functions()["setting"]("hiring.application_period_days"),
        notifications.policy().public_url,
        followers.registered(),
        "invoice_for" in registry.functions(),
    )


A = (Decimal("500"), 21, "http://127.0.0.1:5000", ("assignment.invoices",), True)
B = (Decimal("600"), 28, "https://b.example", (), False)


def test_each_wirings_units_of_work_see_its_own_configuration(demo: Wiring, other: Wiring) -> None:
    assert demo.configuration is not other.configuration
    with demo.new_uow():
        assert seen() == A
        with other.new_uow():  # a second wiring's work inside the first's
            assert seen() == B
        assert seen() == A  # and the first's again once it ends
    with other.new_uow():
        assert seen() == B
    with demo.new_uow():  # wiring `other` last did not take the first one over
        assert seen() == A


def test_a_thread_sees_the_wiring_of_its_own_work(demo: Wiring, other: Wiring) -> None:
    found: list[object] = []

    def work() -> None:
        with other.new_uow():
            found.append(seen())

    with demo.new_uow():
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
        assert seen() == A
    assert found == [B]


def test_code_outside_any_wirings_work_is_told_so(demo: Wiring) -> None:
    def outside() -> Configuration:
        return configuration.current()

    done: list[BaseException] = []
    thread = threading.Thread(target=lambda: _catch(outside, done))
    thread.start()
    thread.join()
    assert [type(error) for error in done] == [NotConfigured]


def _catch(call: Callable[[], object], into: list[BaseException]) -> None:
    try:
        call()
    except BaseException as error:
        into.append(error)


def test_two_apps_answer_with_their_own_wirings_rates(demo: Wiring, other: Wiring) -> None:
    clients = [create_app(w.settings, wiring=w).test_client() for w in (demo, other, demo)]
    totals = []
    for client in clients:
        token = client.post(
            "/api/v1/auth/token", json={"username": "tl.baerum", "password": "demo"}
        )
        headers = {"Authorization": f"Bearer {token.get_json()['access_token']}"}
        reply = client.post("/api/v1/invoices/preview", json=PREVIEW, headers=headers)
        assert reply.status_code == 200, reply.get_json()
        totals.append(reply.get_json()["total"])
    assert totals[0] == totals[2] != totals[1]


def test_a_commit_wakes_only_its_own_wirings_listeners(demo: Wiring, other: Wiring) -> None:
    heard: dict[str, list[str]] = {"demo": [], "other": []}
    wakeups.listen(demo.configuration, lambda channel, at: heard["demo"].append(channel))
    wakeups.listen(other.configuration, lambda channel, at: heard["other"].append(channel))
    with other.new_uow() as uow:
        wakeups.hint(uow.session, "mail", None)
        uow.commit()
    with demo.new_uow() as uow:
        wakeups.hint(uow.session, "timers", datetime.now().astimezone())
        uow.commit()
    assert heard == {"demo": ["timers"], "other": ["mail"]}
