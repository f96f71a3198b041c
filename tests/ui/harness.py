"""A real saksflyt server on a free port with the demo organisation and a small test process,
and Debian's Chromium driven by Python Playwright. Used by the UI tests and tests.ui.screenshots."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from flask import Flask
from playwright.sync_api import Browser, Page, Playwright
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from engine.services import definitions, instances, organisation, tasks
from engine.services.wiring import Wiring
from engine.settings import DEMO_PASSWORD, ROOT, Settings
from engine.store.models import Base
from saksflyt.app import create_app
from tests.conftest import database_url

FIXTURES = Path(__file__).resolve().parent / "fixtures"
AXE = ROOT / "web" / "static" / "vendor" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = DEMO_PASSWORD
PROCESS = "ui_review"
START_DATA = {
    "municipality": "baerum",
    "receiving_municipality": "asker",
    "applicant": "Kari Nordmann",
}


class QuietHandler(WSGIRequestHandler):
    """Serve without logging every request, and close every response even when the browser
    hangs up early.

    Werkzeug's handler skips `close()` on the response when reading the rest of a dropped
    connection fails, which leaves a static file open until the garbage collector finds it
    (a ResourceWarning, an error in this suite). The app is wrapped by `closing_responses`,
    which puts each response in the environ, and this handler closes it when the request ends.
    """

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None

    def run_wsgi(self) -> None:
        try:
            super().run_wsgi()
        finally:
            response = (getattr(self, "environ", None) or {}).get(_RESPONSE)
            if response is not None:
                response.close()


_RESPONSE = "saksflyt.test.response"


class _ClosedOnce:
    """A response iterable whose close() runs the app's close once, however often called."""

    def __init__(self, response: Any) -> None:
        self.response = response
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.response)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            close = getattr(self.response, "close", None)
            if close is not None:
                close()


def closing_responses(app: Any) -> Any:
    """Wrap a WSGI app so that QuietHandler can close its responses (see there)."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> _ClosedOnce:
        environ[_RESPONSE] = response = _ClosedOnce(app(environ, start_response))
        return response

    return wsgi


@dataclass
class Server:
    """The running app: its base URL and wiring (database, clock)."""

    url: str
    app: Flask
    wiring: Wiring
    server: BaseWSGIServer
    thread: threading.Thread

    def stop(self) -> None:
        """Stop serving and release the database."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        self.wiring.engine.dispose()

    def start_instance(
        self,
        username: str,
        business_key: str,
        *,
        now: datetime | None = None,
        data: dict[str, Any] | None = None,
    ) -> UUID:
        """Start the test process as a demo user; return the instance id."""
        with self.wiring.new_uow() as uow:
            actor = uow.users.get(username)
        instance = instances.start_instance(
            self.wiring.new_uow(),
            PROCESS,
            data or START_DATA,
            actor=actor,
            now=now or self.wiring.now(),
            business_key=business_key,
        )
        return instance.id

    def complete_task(self, task_id: UUID, username: str, data: dict[str, Any]) -> None:
        """Complete a task as a demo user, behind the browser's back."""
        with self.wiring.new_uow() as uow:
            actor = uow.users.get(username)
        tasks.complete_task(
            self.wiring.new_uow(), task_id, data, actor=actor, now=self.wiring.now()
        )

    def open_task_id(self, instance_id: UUID) -> UUID:
        """Return the id of the instance's (single) open task."""
        with self.wiring.new_uow() as uow:
            return uow.tasks.open_for_instance(instance_id)[0].id


def fixture_files() -> dict[str, bytes]:
    """Return the test process and its forms."""
    return {path.name: path.read_bytes() for path in sorted(FIXTURES.iterdir()) if path.is_file()}


@contextmanager
def running_server(
    directory: Path, *, demo_clock: bool = False, database: str = "sqlite"
) -> Iterator[Server]:
    """Serve a fresh app with the demo users and the test process, on a SQLite file in
    `directory` or on a PostgreSQL database of its own (`database="postgresql"`)."""
    with database_url(database, directory, name="ui.sqlite3") as url:
        settings = Settings(
            env="test",
            demo_clock=demo_clock,
            database_url=url,
            scheduler_enabled=False,
            secret_key="ui-tests-secret-key-that-is-long-enough-0123456789",
            processes_dir=directory / "no-processes",
            forms_dir=directory / "no-forms",
        )
        app = create_app(settings)
        wiring: Wiring = app.extensions["saksflyt"]
        Base.metadata.create_all(wiring.engine)
        organisation.load_demo(wiring.new_uow(), settings.demo_file, PASSWORD)
        definitions.deploy(wiring.new_uow(), fixture_files(), actor="test", now=wiring.now())
        httpd = make_server(
            "127.0.0.1", 0, closing_responses(app), threaded=True, request_handler=QuietHandler
        )
        thread = threading.Thread(target=httpd.serve_forever, name="ui-server", daemon=True)
        thread.start()
        server = Server(f"http://127.0.0.1:{httpd.server_port}", app, wiring, httpd, thread)
        try:
            yield server
        finally:
            server.stop()


def launch(playwright: Playwright, *extra_args: str) -> Browser:
    """Start Debian's Chromium headless (never a downloaded browser)."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args], env=browser_environment()
    )


def browser_environment() -> dict[str, str]:
    """Return this process's environment without libfaketime (`make test-future`).

    Chromium hangs under libfaketime, so it runs on the real clock while the server runs
    shifted: the pages take every date they show from the server, the browser's own clock only
    stamps the modeler's drafts and the inbox's "updated at".
    """
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FAKETIME")}
    preloads = re.split(r"[\s:]+", environment.pop("LD_PRELOAD", ""))
    preload = [lib for lib in preloads if lib and "faketime" not in lib]
    return {**environment, **({"LD_PRELOAD": " ".join(preload)} if preload else {})}


def new_page(browser: Browser, base_url: str, **options: Any) -> Page:
    """Open a page in a fresh context (own cookies) with Norwegian locale and Oslo time."""
    context = browser.new_context(
        base_url=base_url, locale="nb-NO", timezone_id="Europe/Oslo", **options
    )
    context.set_default_timeout(20_000)
    return context.new_page()


def sign_in(page: Page, base_url: str, username: str, *, lang: str | None = None) -> None:
    """Sign in through the login form and wait for the inbox."""
    suffix = f"?lang={lang}" if lang else ""
    page.goto(f"{base_url}/login{suffix}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def open_tool(page: Page, name: str) -> None:
    """Follow a tool's link in the header: an administrator's are in the «Administrasjon» menu
    (opened first), a process owner's or auditor's stand in the bar itself."""
    menu = page.locator(".site-nav details.nav-menu")
    if menu.count() and menu.get_attribute("open") is None:
        menu.locator("summary").click()
    page.locator(".site-nav").get_by_role("link", name=name, exact=True).click()


def days_ago(wiring: Wiring, days: int) -> datetime:
    """Return the engine time `days` days back (to make overdue tasks)."""
    return wiring.now() - timedelta(days=days)


def axe_violations(page: Page, context: str | None = None) -> list[dict[str, Any]]:
    """Run axe-core on the page (or the `context` selector); return serious and critical ones."""
    if page.evaluate("typeof window.axe") == "undefined":
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (context) => (await axe.run(context || document, {resultTypes: ['violations']}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))",
        context,
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]
