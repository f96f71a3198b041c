""" "Start en prosess" says in one line what each process is for, in the page's language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import deploy_processes
from tests.ui.harness import Server, new_page, running_server, sign_in

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def product(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with the product's processes (processes/ and forms/)."""
    with running_server(tmp_path_factory.mktemp("start")) as server:
        deploy_processes(server.wiring, now=server.wiring.now())
        yield server


@pytest.mark.parametrize(
    ("user", "lang", "name", "line"),
    [
        (
            "hr.loten",
            "nb",
            "Ansettelse (Løten kap. 4)",
            "Når en stilling blir ledig: kunngjøring, søkere, intervju, tilbud og ansettelse "
            "etter Løtens reglement.",
        ),
        (
            "hr.loten",
            "en",
            "Ansettelse (Løten kap. 4)",
            "When a position falls vacant: announcement, applicants, interviews, offer and "
            "appointment under Løten's regulations.",
        ),
        (
            "emp.asker",
            "nb",
            "Søknad om permisjon",
            "Søk om permisjon etter permisjonsreglementet; lederen din behandler søknaden.",
        ),
        (
            "emp.asker",
            "en",
            "Søknad om permisjon",
            "Apply for leave under the leave regulations; your leader decides on it.",
        ),
    ],
)
def test_each_startable_process_has_its_one_line(
    browser: Browser, product: Server, user: str, lang: str, name: str, line: str
) -> None:
    server = product
    page = new_page(browser, server.url)
    try:
        sign_in(page, server.url, user, lang=lang)
        page.goto("/start")
        card = page.get_by_role("article", name=name)
        expect(card.locator(".process-summary")).to_have_text(line)
    finally:
        page.context.close()
