"""`saksflyt serve` as `make run` starts it: a real process on a real port, on either database."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from engine.settings import ROOT
from tests.conftest import database_url

PASSWORD = "serve-test-password"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _saksflyt(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "saksflyt.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _request(url: str, body: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


# Each database once, each way of stopping once: a run costs a migration and a process start.
@pytest.mark.parametrize(
    ("kind", "stop"), [("sqlite", signal.SIGINT), ("postgresql", signal.SIGTERM)]
)
def test_saksflyt_serve_answers_on_its_port_and_stops_cleanly(
    kind: str, stop: signal.Signals, tmp_path: Path
) -> None:
    port = _free_port()
    with database_url(kind, tmp_path) as url:
        env = {
            **os.environ,
            "SAKSFLYT_DATABASE_URL": url,
            "SAKSFLYT_PORT": str(port),
            "SAKSFLYT_DEMO_PASSWORD": PASSWORD,
            "SAKSFLYT_SCHEDULER_ENABLED": "true",
            "SAKSFLYT_MAIL_DIR": str(tmp_path / "mail"),
        }
        for step in ("migrate", "demo"):
            done = _saksflyt(env, step)
            assert done.returncode == 0, done.stderr
        server = subprocess.Popen(
            [sys.executable, "-m", "saksflyt.cli", "serve"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    status, headers, _ = _request(f"{base}/api/v1/health")
                    break
                except OSError:
                    assert server.poll() is None, server.communicate()[1]
                    assert time.monotonic() < deadline, "saksflyt serve did not answer in 60 s"
                    time.sleep(0.2)
            assert status == 200
            assert headers.get("Server") == "saksflyt"  # waitress, not the development server
            status, _, body = _request(
                f"{base}/api/v1/auth/token", {"username": "emp.asker", "password": PASSWORD}
            )
            assert status == 200 and "access_token" in json.loads(body)
            status, _, body = _request(
                f"{base}/api/v1/auth/token", {"username": "emp.asker", "password": "wrong"}
            )
            assert status == 401
        finally:
            server.send_signal(stop)
            out, err = server.communicate(timeout=30)
        assert server.returncode == 0, err
        assert f"saksflyt serve: http://127.0.0.1:{port}" in out
        assert out.rstrip().endswith("saksflyt serve: stopped")
        assert "Traceback" not in err


def test_saksflyt_serve_says_so_when_its_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            **os.environ,
            "SAKSFLYT_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
            "SAKSFLYT_PORT": str(port),
            "SAKSFLYT_SCHEDULER_ENABLED": "true",
        }
        done = _saksflyt(env, "serve")
    assert done.returncode == 1
    assert f"saksflyt serve: cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
