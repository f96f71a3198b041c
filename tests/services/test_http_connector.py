"""The `http` connector (issue 19) against a real HTTP server on 127.0.0.1, started here:
SpiffArena's `http/GetRequest` and `http/PostRequest`, the deployment's allow-list, timeout,
size limit and secrets; each call runs in a step of its own, so a failed one is an incident an
admin retries while the step before it stays stored."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from engine.runtime.errors import InvalidProcess, ScriptFailed
from engine.services import definitions, http_connector, instances, timers
from engine.services.wiring import Wiring
from tests.conftest import NOW, fixture_files, user

SECRETS = {"registry_token": "t0ken-9f3", "report_password": "pa55-7c1"}


class Registry(BaseHTTPRequestHandler):
    """A person register: people by id (bearer token), reports (basic auth), and bad answers."""

    server: Any

    def do_GET(self) -> None:
        self.server.seen.append(("GET", self.path, dict(self.headers)))
        if self.path.startswith("/people/1?fields=name"):
            if self.headers.get("Authorization") != "Bearer t0ken-9f3":
                return self._answer(401, {"error": "no"})
            if self.server.down:
                return self._answer(503, {"error": "maintenance"})
            return self._answer(200, {"name": "Kari Nordmann"})
        if self.path == "/big":
            return self._answer(200, {"blob": "x" * 5000})
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "http://example.org/")
            self.end_headers()
            return None
        if self.path == "/slow":
            self.server.release.wait(5)
            return self._answer(200, {})
        return self._answer(404, {"error": "unknown"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length))
        self.server.seen.append(("POST", self.path, dict(self.headers)))
        pair = base64.b64encode(b"saksflyt:pa55-7c1").decode()
        if self.headers.get("Authorization") != f"Basic {pair}":
            return self._answer(401, {"error": "no"})
        return self._answer(201, {"received": body})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def server() -> Iterator[Any]:
    """A real HTTP server on 127.0.0.1 and a free port; the connector may call only it."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    httpd.seen, httpd.down, httpd.release = [], False, threading.Event()  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.release.set()  # type: ignore[attr-defined]
        httpd.shutdown()
        httpd.server_close()


def _policy(server: Any) -> http_connector.HttpPolicy:
    """The deployment's policy: only this server, half a second, 1000 bytes, the secrets."""
    host = f"127.0.0.1:{server.server_address[1]}"
    return http_connector.HttpPolicy(frozenset({host}), 0.5, 1000, SECRETS)


def _get(server: Any, url: str, policy: http_connector.HttpPolicy | None = None) -> str:
    return http_connector.call("GET", {"url": url}, policy or _policy(server))


def _base(server: Any) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def lookup(deployed: Wiring, server: Any) -> Wiring:
    """The test processes plus `lookup`, on a wiring whose policy allows only `server`."""
    http_connector.register(deployed.configuration.registry, _policy(server))
    files = fixture_files("lookup.bpmn", "lookup.start.schema.json")
    definitions.deploy(deployed.new_uow(), files, actor="test", now=NOW)
    return deployed


def _start(wiring: Wiring, base: str) -> Any:
    data = {"base_url": base, "person_id": "1"}
    starter = user(wiring, "emp.asker")
    return instances.start_instance(wiring.new_uow(), "lookup", data, actor=starter, now=NOW)


def test_get_and_post_run_with_the_deployments_secrets(lookup: Wiring, server: Any) -> None:
    case = _start(lookup, _base(server))
    assert server.seen == []  # the start is stored first; the calls run in their own step
    with lookup.new_uow() as uow:
        [wait] = uow.waits.timers_of(case.id)
        assert (wait.kind, wait.element_id, wait.due_at) == ("service", "fetch_person", NOW)
    assert timers.fire_due_timers(lookup.new_uow, now=NOW, worker="w") == 1
    with lookup.new_uow() as uow:
        done = uow.instances.get(case.id)
    assert done.state == "completed"
    data = done.data or {}
    assert data["person"] == {
        "body": {"name": "Kari Nordmann"},
        "mimetype": "application/json",
        "http_status": 200,
    }
    assert data["receipt"]["http_status"] == 201
    assert data["receipt"]["body"] == {"received": {"name": "Kari Nordmann"}}
    assert "t0ken-9f3" not in json.dumps(data) and "pa55-7c1" not in json.dumps(data)


def test_a_failed_call_is_an_incident_an_admin_retries(lookup: Wiring, server: Any) -> None:
    server.down = True
    case = _start(lookup, _base(server))  # a person's start is stored whatever the call does
    assert timers.fire_due_timers(lookup.new_uow, now=NOW, worker="w") == 0
    failed = timers.incidents(lookup.new_uow())["timers"]
    [incident] = [t for t in failed if t.instance_id == case.id]
    assert incident.element_id == "fetch_person"
    assert "503" in (incident.last_error or "") and "fetch_person" in (incident.last_error or "")
    with lookup.new_uow() as uow:
        assert uow.instances.get(case.id).state == "running"  # the instance stays as it was
    server.down = False
    later = NOW + timedelta(minutes=5)
    timers.retry(lookup.new_uow(), incident.id, actor="admin", now=later)
    assert timers.fire_due_timers(lookup.new_uow, now=later, worker="w") == 1
    with lookup.new_uow() as uow:
        assert uow.instances.get(case.id).state == "completed"


def test_only_allowed_hosts_are_called(server: Any) -> None:
    nobody = http_connector.HttpPolicy(secrets=SECRETS)  # the default: no host
    with pytest.raises(ScriptFailed, match="not in SAKSFLYT_HTTP_ALLOWED_HOSTS"):
        _get(server, f"{_base(server)}/people/1", nobody)
    assert server.seen == []


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/big", "more than 1000 bytes"),
        ("/moved", "answered 302"),
        ("/slow", "timed out"),
        ("/nowhere", "answered 404"),
    ],
)
def test_bad_answers_fail_the_call(server: Any, path: str, reason: str) -> None:
    with pytest.raises(ScriptFailed, match=reason):
        _get(server, f"{_base(server)}{path}")


def test_no_secret_reaches_a_message(server: Any) -> None:
    url = f"{_base(server)}/nowhere?key=SPIFF_SECRET:registry_token"
    with pytest.raises(ScriptFailed) as failed:
        _get(server, url)
    assert "t0ken-9f3" not in str(failed.value) and "***" in str(failed.value)
    with pytest.raises(ScriptFailed, match="'missing' is not in SAKSFLYT_HTTP_SECRETS"):
        _get(server, f"{_base(server)}/?k=SPIFF_SECRET:missing")


def test_a_model_may_not_hold_a_password(lookup: Wiring) -> None:
    model = fixture_files("lookup.bpmn")["lookup.bpmn"].replace(
        b"&#34;SPIFF_SECRET:report_password&#34;", b"&#34;hunter2&#34;"
    )
    files = {"lookup.bpmn": model, **fixture_files("lookup.start.schema.json")}
    with pytest.raises(InvalidProcess) as refused:
        definitions.deploy(lookup.new_uow(), files, actor="test", now=NOW)
    [found] = refused.value.problems
    assert found.element_id == "report" and "never hold the password" in found.message


def test_a_call_after_a_timer_runs_in_the_timers_step(server: Any) -> None:
    from engine.runtime import instances as runtime
    from engine.runtime import registry
    from engine.runtime.specs import parse_deployment

    functions = registry.Registry()
    http_connector.register(functions, _policy(server))

    model = fixture_files("lookup.bpmn")["lookup.bpmn"].replace(
        b'<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fetch_person" />',
        b'<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />'
        b'<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
        b'<bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>'
        b"</bpmn:intermediateCatchEvent>"
        b'<bpmn:sequenceFlow id="f0" sourceRef="wait" targetRef="fetch_person" />',
    )
    with registry.use(functions):
        built = parse_deployment(
            {"lookup.bpmn": model}, available_forms=["lookup.start.schema.json"]
        ).built["lookup"]
        started = runtime.start(built, {"base_url": _base(server), "person_id": "1"}, now=NOW)
        [wait] = started.timers
        assert wait.kind == "duration"
        done = runtime.fire_timers(built, started.snapshot, now=NOW + timedelta(hours=2))
    assert done.state == "completed" and done.data["receipt"]["http_status"] == 201


def test_an_audit_replay_never_calls_again(lookup: Wiring, server: Any) -> None:
    from engine.services.audit import replay

    case = _start(lookup, _base(server))
    assert timers.fire_due_timers(lookup.new_uow, now=NOW, worker="w") == 1
    calls = len(server.seen)
    assert replay.matches_live(lookup.new_uow(), case.id) == []
    states = replay.states_of(lookup.new_uow(), case.id)
    assert states[-1]["data"]["person"]["body"] == {"name": "Kari Nordmann"}
    assert len(server.seen) == calls
