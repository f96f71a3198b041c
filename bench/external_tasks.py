"""Section 7: Camunda 7 external tasks through `/engine-rest`.

The round trip a worker sees: `POST /engine-rest/external-task/fetchAndLock` for a ready
task, then `POST …/{id}/complete` (which runs the instance to its end), timed as one wall
time over the Flask test client on SQLite. And what an idle long-polling worker costs: a real
`saksflyt serve` process whose CPU time (utime + stime from /proc) is read while one worker
holds `asyncResponseTimeout=10000` polls open with nothing to fetch, against the same
server with no worker at all.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench import apps
from bench.report import Row, percentile
from engine.services import definitions, instances

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "tests" / "fixtures" / "camunda7" / "invoice.bpmn"
WORKER = "eier"  # a process owner: a worker account
IDLE_SECONDS = 10.0


def _basic(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def round_trips(workdir: Path, count: int) -> list[float]:
    """Return the wall seconds of `count` fetchAndLock + complete pairs (each ends a case)."""
    bench = apps.new_app(apps.sqlite_url(workdir, "external.sqlite3"))
    try:
        wiring = bench.wiring
        files = {"c7_invoice.bpmn": MODEL.read_bytes()}
        definitions.deploy(wiring.new_uow(), files, actor="bench", now=wiring.now())
        with wiring.new_uow() as uow:
            owner = uow.users.get(WORKER)
        headers = _basic(WORKER, apps.PASSWORD)
        body = {
            "workerId": "bench",
            "maxTasks": 1,
            "topics": [{"topicName": "invoice-check", "lockDuration": 60_000}],
        }
        samples = []
        for _ in range(count + 5):  # five warm-ups
            instances.start_instance(
                wiring.new_uow(), "c7_invoice", {"amount": 100}, actor=owner, now=wiring.now()
            )
            began = time.perf_counter()
            (task,) = apps.json_of(
                bench.client.post(
                    "/engine-rest/external-task/fetchAndLock", json=body, headers=headers
                )
            )
            done = bench.client.post(
                f"/engine-rest/external-task/{task['id']}/complete",
                json={"workerId": "bench", "variables": {"approved": {"value": False}}},
                headers=headers,
            )
            assert done.status_code == 204, done.get_data(as_text=True)
            samples.append(time.perf_counter() - began)
        return samples[5:]
    finally:
        apps.dispose(bench)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def idle_cost(workdir: Path) -> dict[str, float]:
    """Return the server's CPU ms per second without a worker and with one idle long poller."""
    port, password = _free_port(), "bench-password"
    env = {
        **os.environ,
        "SAKSFLYT_DATABASE_URL": apps.sqlite_url(workdir, "idle.sqlite3"),
        "SAKSFLYT_PORT": str(port),
        "SAKSFLYT_DEMO_PASSWORD": password,
        "SAKSFLYT_MAIL_DIR": str(workdir / "mail"),
    }
    for step in ("migrate", "demo"):
        subprocess.run(
            [sys.executable, "-m", "saksflyt.cli", step],
            env=env,
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
    server = subprocess.Popen(
        [sys.executable, "-m", "saksflyt.cli", "serve"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base)
        time.sleep(2)  # let start-up work settle
        quiet = _measure(server.pid, lambda: time.sleep(IDLE_SECONDS))
        body = json.dumps(
            {
                "workerId": "idle",
                "maxTasks": 1,
                "asyncResponseTimeout": 10_000,
                "topics": [{"topicName": "nothing-here", "lockDuration": 1000}],
            }
        )

        def poll_for_a_while() -> None:
            ends = time.monotonic() + IDLE_SECONDS
            while time.monotonic() < ends:
                request = urllib.request.Request(
                    f"{base}/engine-rest/external-task/fetchAndLock",
                    data=body.encode(),
                    headers={"Content-Type": "application/json", **_basic(WORKER, password)},
                )
                with urllib.request.urlopen(request, timeout=30) as answer:
                    answer.read()

        polling = _measure(server.pid, poll_for_a_while)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"quiet_ms_per_s": quiet, "polling_ms_per_s": polling}


def _wait(base: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health", timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _measure(pid: int, work: Any) -> float:
    before, began = _cpu_seconds(pid), time.monotonic()
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return (_cpu_seconds(pid) - before) * 1000 / (time.monotonic() - began)


def run(workdir: Path, count: int) -> dict[str, Any]:
    """Measure the round trip and the idle worker's cost."""
    return {"samples": round_trips(workdir, count), **idle_cost(workdir)}


def rows(result: dict[str, Any]) -> list[Row]:
    """Rows of section 7."""
    walls = result["samples"]
    extra = result["polling_ms_per_s"] - result["quiet_ms_per_s"]
    return [
        Row(
            "7",
            "external task fetch+complete p50",
            percentile(walls, 0.5) * 1000,
            "ms",
            note=f"{len(walls)} round trips, SQLite, /engine-rest",
        ),
        Row("7", "external task fetch+complete p95", percentile(walls, 0.95) * 1000, "ms"),
        Row(
            "7",
            "idle long-polling worker, server CPU",
            extra,
            "ms/s",
            note=f"server alone {result['quiet_ms_per_s']:.1f} ms/s; asyncResponseTimeout 10 s",
        ),
    ]
