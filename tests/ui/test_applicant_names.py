"""Applicants read by number and name where the reader reads the name anyway.

The hiring case is played through the services (the scenario's player) up to the council's
union member's approval (the happy path: Anne Berg, Bjørn Dahl and David Fjell interviewed and
recommended as 1, 4, 2; Anne appointed). The unit head's recommendation task and the union
member's approval show the applicants by name; an auditor of Løten without the personal-data
right reads the decision (an open field) by number only, and no name anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from engine.services import organisation
from engine.settings import Settings
from engine.store.models import HumanTask
from tests.api.test_vacancies import happy_path as hiring_happy_path
from tests.conftest import deploy_processes
from tests.processes.test_scenarios import Player
from tests.ui.form_filler import DASH
from tests.ui.harness import PASSWORD, Server, new_page, running_server, sign_in

pytestmark = pytest.mark.ui

AUDITOR = {
    "username": "revisor.loten",
    "full_name": "Lise Kontroll",
    "email": "lise.kontroll@loten.example",
    "roles": ["auditor"],
    "municipality": "loten",
    "unit": "loten.stab",
    "audit": {"municipality": "loten"},  # no personal-data right: names are masked
}


def _with_auditor(server: Server, directory: Path) -> None:
    document = yaml.safe_load(Settings().demo_file.read_text(encoding="utf-8"))
    document["users"].append(AUDITOR)
    path = directory / "organisation.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    organisation.load_demo(server.wiring.new_uow(), path, PASSWORD)


@pytest.fixture(scope="module")
def hiring(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    """The happy path's vacancy, waiting for the council's union member's approval."""
    directory = tmp_path_factory.mktemp("names")
    with running_server(directory) as server:
        _with_auditor(server, directory)
        deploy_processes(server.wiring)
        player = Player(server.wiring)
        happy = hiring_happy_path()
        player.start(happy["start"])
        for step in happy["steps"]:
            if step.get("complete") == "approve_council_decision":
                break
            player.play(step)
        ids = {"case": str(player.aliases["h"])}
        with server.wiring.new_uow() as uow:
            for task in uow.session.query(HumanTask).filter_by(instance_id=player.aliases["h"]):
                ids[task.element_id] = str(task.id)
        yield server, ids


def _page(browser: Browser, server: Server, username: str) -> Page:
    page = new_page(browser, server.url)
    sign_in(page, server.url, username)
    return page


def _row(page: Page, label: str) -> str:
    """The text of the first definition (dd) under the label (dt) on the page."""
    term = page.locator("dt", has_text=label).first
    return term.locator("xpath=following-sibling::dd[1]").inner_text()


def test_the_recommendation_and_the_decision_name_the_applicants_to_their_readers(
    browser: Browser, hiring: tuple[Server, dict[str, str]]
) -> None:
    server, ids = hiring
    # The unit head (also the hiring authority) reads the qualified by name on the
    # recommendation task, done and now read-only.
    page = _page(browser, server, "vl.loten")
    page.goto(f"/tasks/{ids['write_recommendation']}")
    context = page.locator(".panel--context")
    expect(context).to_contain_text(f"1 {DASH} Anne Berg")
    qualified = _row(context, "Kvalifiserte søkere")
    for text in (f"1 {DASH} Anne Berg", f"2 {DASH} Bjørn Dahl", f"4 {DASH} David Fjell"):
        assert text in qualified, qualified
    page.context.close()

    # The council's union member reads the recommendation and the decision by name: the
    # interview notes of their task's context name the candidates.
    page = _page(browser, server, "tv.loten")
    page.goto(f"/tasks/{ids['approve_council_decision']}")
    context = page.locator(".panel--context")
    expect(context).to_contain_text(f"4 {DASH} David Fjell")
    recommended = _row(context, "Innstilte i rekkefølge")
    assert recommended.split("\n") == [
        f"1 {DASH} Anne Berg",
        f"4 {DASH} David Fjell",
        f"2 {DASH} Bjørn Dahl",
    ], recommended
    assert _row(context, "Ansatt (søkernummer)") == f"1 {DASH} Anne Berg"
    # The case page says the same to them.
    page.goto(f"/cases/{ids['case']}")
    data = page.locator("section[aria-labelledby=data-title]")
    expect(data).to_contain_text(f"1 {DASH} Anne Berg")
    assert _row(data, "Ansatt (søkernummer)") == f"1 {DASH} Anne Berg"
    page.context.close()


def test_a_reader_without_the_names_keeps_the_numbers(
    browser: Browser, hiring: tuple[Server, dict[str, str]]
) -> None:
    server, ids = hiring
    page = _page(browser, server, AUDITOR["username"])
    page.goto(f"/cases/{ids['case']}")
    data = page.locator("section[aria-labelledby=data-title]")
    expect(data).to_contain_text("Ansatt (søkernummer)")
    assert _row(data, "Ansatt (søkernummer)") == "1"
    expect(page.locator("body")).not_to_contain_text("Anne Berg")
    page.goto(f"/tasks/{ids['approve_council_decision']}")
    expect(page.locator("h1")).to_contain_text("Godkjenn vedtaket")
    expect(page.locator("body")).not_to_contain_text("Anne Berg")
    expect(page.locator("body")).not_to_contain_text(f"1 {DASH}")
    page.context.close()
