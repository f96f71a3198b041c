"""Two `saksflyt serve` processes on one database, for the Camunda 7 client tests.

Each test deploys its own copy of the C7 invoice model (process key and topic suffixed), so
tests sharing the servers never fetch each other's external tasks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from pathlib import Path

from engine.settings import ROOT
from tests.api.test_serve import _free_port, _saksflyt
from tests.conftest import FIXTURES, database_url

PASSWORD = "c7-test-password"
_copies = count(1)


@dataclass(frozen=True)
class Servers:
    """The base URLs (`…/engine-rest`) of two server processes on one database."""

    kind: str
    urls: tuple[str, str]

    @property
    def url(self) -> str:
        return self.urls[0]

    @property
    def root(self) -> str:
        return self.urls[0].removesuffix("/engine-rest")


def model(suffix: str) -> tuple[str, str, bytes]:
    """Return a copy of the C7 invoice model: (process key, topic, BPMN bytes)."""
    key, topic = f"c7_invoice_{suffix}", f"invoice-check-{suffix}"
    text = (FIXTURES / "camunda7" / "invoice.bpmn").read_text(encoding="utf-8")
    text = text.replace('id="c7_invoice"', f'id="{key}"')
    text = text.replace('camunda:topic="invoice-check"', f'camunda:topic="{topic}"')
    return key, topic, text.encode()


def next_suffix() -> str:
    """Return a suffix no other test of this run uses."""
    return f"{os.getpid()}_{next(_copies)}"


def _wait_until_up(base: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health", timeout=5):
                return
        except (OSError, urllib.error.URLError):
            assert server.poll() is None, server.communicate()[1]
            assert time.monotonic() < deadline, "saksflyt serve did not answer in 60 s"
            time.sleep(0.2)


@contextmanager
def running(kind: str, directory: Path) -> Iterator[Servers]:
    """Migrate a fresh database, load the demo users, run two servers on it."""
    with database_url(kind, directory) as url:
        env = {
            **os.environ,
            "SAKSFLYT_DATABASE_URL": url,
            "SAKSFLYT_DEMO_PASSWORD": PASSWORD,
            "SAKSFLYT_SCHEDULER_ENABLED": "true",
            "SAKSFLYT_MAIL_DIR": str(directory / "mail"),
        }
        for step in ("migrate", "demo"):
            done = _saksflyt(env, step)
            assert done.returncode == 0, done.stderr
        servers, bases = [], []
        try:
            for _ in range(2):
                port = _free_port()
                server = subprocess.Popen(
                    [sys.executable, "-m", "saksflyt.cli", "serve"],
                    cwd=ROOT,
                    env={**env, "SAKSFLYT_PORT": str(port)},
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                servers.append(server)
                bases.append(f"http://127.0.0.1:{port}")
            for base, server in zip(bases, servers, strict=True):
                _wait_until_up(base, server)
            yield Servers(kind, (f"{bases[0]}/engine-rest", f"{bases[1]}/engine-rest"))
        finally:
            for server in servers:
                server.send_signal(signal.SIGTERM)
            for server in servers:
                _, err = server.communicate(timeout=60)
                assert "Traceback" not in err, err
