"""Every MIWG corpus file through `POST /process-definitions/validate`: passes or is refused.

The validate endpoint normalises what BPMN gives one clear meaning (`engine.runtime.normalise`)
before deploy's checks, so more files build than with the bare deploy path
(`corpus_expectations.json`). Each file's answer is compared with
`corpus_validate_expectations.json`: status, class (runnable / not_runnable / rejected), how
many processes can run, which elements were normalised, and how each runnable process behaves
when started with no input. Regenerate after a deliberate change with
`SAKSFLYT_UPDATE_CORPUS=1 pytest tests/engine/test_corpus_validate.py`.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.runtime.specs import parse_deployment
from engine.services import organisation
from engine.settings import Settings
from engine.store.models import Base
from saksflyt.app import create_app
from tests.conftest import needs_shared
from tests.engine.test_corpus import CORPUS, FILES, SECONDS_PER_FILE, run, time_limit

pytestmark = [pytest.mark.slow, needs_shared(CORPUS)]

EXPECTATIONS = Path(__file__).with_name("corpus_validate_expectations.json")
BARE = Path(__file__).with_name("corpus_expectations.json")
REPR = re.compile(r"\b0x[0-9a-f]{6,}\b|<Element|Traceback|\w+Error\(")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    directory = tmp_path_factory.mktemp("corpus")
    settings = Settings(
        env="test",
        database_url=f"sqlite:///{directory / 'corpus.sqlite3'}",
        scheduler_enabled=False,
        secret_key="corpus-secret-key-that-is-long-enough-0000",
    )
    app = create_app(settings)
    wiring = app.extensions["saksflyt"]
    Base.metadata.create_all(wiring.engine)
    organisation.load_demo(wiring.new_uow(), settings.demo_file, "demo")
    yield app
    wiring.engine.dispose()


@pytest.fixture(scope="module")
def owner(app: Flask) -> tuple[FlaskClient, dict[str, str]]:
    client = app.test_client()
    reply = client.post("/api/v1/auth/token", json={"username": "eier", "password": "demo"})
    return client, {"Authorization": f"Bearer {reply.get_json()['access_token']}"}


_results: dict[str, dict[str, Any]] = {}


def validate(owner: tuple[FlaskClient, dict[str, str]], name: str) -> dict[str, Any]:
    """Send one corpus file to the validate endpoint; describe the answer."""
    if name in _results:
        return _results[name]
    client, headers = owner
    content = (CORPUS / name).read_bytes()
    upload = Path(name).name
    with time_limit(SECONDS_PER_FILE):
        reply = client.post(
            "/api/v1/process-definitions/validate",
            data={"files": [(io.BytesIO(content), upload)]},
            headers=headers,
            content_type="multipart/form-data",
        )
    body = reply.get_json()
    assert reply.status_code in (200, 422), (reply.status_code, body)
    if reply.status_code == 422:
        problems = body["error"]["details"]
        assert problems and all(p["file"] == upload for p in problems), problems
        errors = [p for p in problems if p["severity"] == "error"]
        assert errors and all(_clear(p["message"]) for p in errors), errors
        result = {"status": 422, "class": "rejected", "runnable": 0, "runs": {}}
    else:
        assert all(p["file"] == upload and _clear(p["message"]) for p in body["warnings"])
        runnable = [p["key"] for p in body["processes"] if p["runnable"]]
        result = {
            "status": 200,
            "class": "runnable" if runnable else "not_runnable",
            "runnable": len(runnable),
            "runs": _runs(body["files"].get(upload, content), upload),
        }
        notes = sorted(n["element_id"] for n in body["normalised"])
        if notes:
            result["normalised"] = notes
    _results[name] = result
    return result


def _clear(message: str) -> bool:
    """No Python repr, address or traceback (element ids such as '_dl0xw…' are fine)."""
    return bool(message) and not REPR.search(message)


def _runs(content: str | bytes, upload: str) -> dict[str, str]:
    """Start every runnable process of the (normalised) file with no input."""
    data = content.encode() if isinstance(content, str) else content
    with time_limit(SECONDS_PER_FILE):
        deployment = parse_deployment({upload: data})
        return {key: run(built) for key, built in sorted(deployment.built.items())}


@cache
def expectations() -> dict[str, Any]:
    return json.loads(EXPECTATIONS.read_text()) if EXPECTATIONS.exists() else {}


@pytest.mark.parametrize("name", FILES)
def test_file_passes_or_is_refused_clearly(
    owner: tuple[FlaskClient, dict[str, str]], name: str
) -> None:
    found = validate(owner, name)
    if not os.environ.get("SAKSFLYT_UPDATE_CORPUS"):
        assert found == expectations().get(name), f"{name} changed; see the module docstring"


def test_summary(
    owner: tuple[FlaskClient, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    results = {name: validate(owner, name) for name in FILES}
    if os.environ.get("SAKSFLYT_UPDATE_CORPUS"):
        EXPECTATIONS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    bare = Counter(r["class"] for r in json.loads(BARE.read_text()).values())
    now = Counter(r["class"] for r in results.values())
    runs = Counter(state for r in results.values() for state in r["runs"].values())
    normalised = sum(1 for r in results.values() if r.get("normalised"))
    with capsys.disabled():
        print(
            f"\nMIWG corpus through validate, {len(FILES)} files: passed {now['runnable']} "
            f"runnable + {now['not_runnable']} model only, refused {now['rejected']}; "
            f"{normalised} files normalised; started {dict(sorted(runs.items()))}. "
            f"Bare deploy path: runnable {bare['runnable']}, model only "
            f"{bare['not_runnable']}, refused {bare['rejected']}."
        )
    assert now["runnable"] >= bare["runnable"]
    assert set(results) == set(expectations()) or os.environ.get("SAKSFLYT_UPDATE_CORPUS")
