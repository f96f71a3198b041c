"""A form's `$ref` resolves only inside the form or to the deployment's own form files: never a
URL or a local file (server-side request forgery), at deploy or on any completion."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from engine.runtime.errors import InvalidProcess
from engine.services import definitions, forms
from engine.services.errors import FormInvalid
from engine.services.wiring import Wiring
from tests.conftest import APPROVAL, NOW, fixture_files

STRING = json.dumps({"type": "string"}).encode()


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that serves a schema and notes every request it gets."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(STRING)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def _schema(ref: str) -> bytes:
    document = {"type": "object", "properties": {"x": {"$ref": ref}}}
    return json.dumps(document).encode()


def test_a_completion_never_fetches_a_url_ref(listener: tuple[str, list[str]]) -> None:
    base, hits = listener
    with pytest.raises(FormInvalid) as refused:
        forms.validate(_schema(f"{base}/evil.json"), {"x": 5})
    assert hits == []
    assert list(refused.value.errors) == ["_form"]
    assert f"{base}/evil.json" in refused.value.errors["_form"][0]


def test_a_completion_never_reads_a_local_file_ref(tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_bytes(STRING)
    with pytest.raises(FormInvalid) as refused:
        forms.validate(_schema(secret.as_uri()), {"x": 5})
    assert list(refused.value.errors) == ["_form"]  # not "x": the file's schema was never read


def test_refs_inside_the_form_and_to_the_deployments_forms_resolve() -> None:
    shared = {"$defs": {"amount": {"type": "integer", "minimum": 1}}}
    deployed = {"shared.schema.json": json.dumps(shared).encode()}
    schema = _schema("shared.schema.json#/$defs/amount")
    forms.validate(schema, {"x": 5}, forms=deployed)
    with pytest.raises(FormInvalid) as small:
        forms.validate(schema, {"x": 0}, forms=deployed)
    assert small.value.errors == {"x": ["Må være minst 1."]}
    local = {**json.loads(_schema("#/$defs/text")), "$defs": {"text": {"type": "string"}}}
    with pytest.raises(FormInvalid) as typed:
        forms.validate(json.dumps(local).encode(), {"x": 5})
    assert list(typed.value.errors) == ["x"]


@pytest.mark.parametrize(
    "ref",
    [
        "http://127.0.0.1:9/evil.json",
        "file:///etc/passwd",
        "../forms/other.schema.json",
        "missing.schema.json#/x",
    ],
)
def test_deploy_refuses_a_form_whose_ref_points_outside_the_deployment(
    demo: Wiring, ref: str
) -> None:
    files = {
        **fixture_files(*APPROVAL),
        "ssrf.schema.json": _schema(ref),
        "ok.schema.json": _schema("#/properties"),
    }
    with pytest.raises(InvalidProcess) as refused:
        definitions.deploy(demo.new_uow(), files, actor="test", now=NOW)
    [problem] = refused.value.problems
    assert problem.file == "ssrf.schema.json"
    assert ref in problem.message and "outside the deployed forms" in problem.message


def test_deploy_takes_a_ref_to_another_form_of_the_deployment(demo: Wiring) -> None:
    files = {
        **fixture_files(*APPROVAL),
        "shared.schema.json": json.dumps({"$defs": {"a": {"type": "string"}}}).encode(),
        "task.schema.json": _schema("shared.schema.json#/$defs/a"),
    }
    definitions.deploy(demo.new_uow(), files, actor="test", now=NOW)
