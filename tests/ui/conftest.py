"""One server and one Chromium for the whole UI session; each test gets its own browser context."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.ui.harness import AXE, CHROMIUM, Server, launch, new_page, running_server

# A loaded 2-core machine (CI, or several test runs at once) can take longer than
# Playwright's 5 s default to render a list; waiting longer changes no assertion.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("ui")) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run `make chromium`")
    if not AXE.exists():
        pytest.fail("front-end assets are missing: run `make web-assets`")
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    opened = new_page(browser, server.url)
    yield opened
    opened.context.close()
