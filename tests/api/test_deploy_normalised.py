"""`POST /process-definitions` normalises like validate: one code path, the same answer.

The corpus files here only run after normalising (the bare deploy path refuses them or finds
nothing runnable, `tests/engine/corpus_expectations.json`); validate makes them runnable
(`corpus_validate_expectations.json`). A raw API deploy must give the same runnable processes,
store the normalised file validate returned, and start them.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import needs_shared
from tests.engine.test_corpus import CORPUS

pytestmark = needs_shared(CORPUS)
Auth = Callable[[str], dict[str, str]]
HERE = Path(__file__).resolve().parents[1] / "engine"
VALIDATED = json.loads((HERE / "corpus_validate_expectations.json").read_text())
BARE = json.loads((HERE / "corpus_expectations.json").read_text())
FILES = [
    "Activiti Designer 5.14.1/A.3.0-export.bpmn",
    "GenMyModel 0.47/C.2.0-export.bpmn",
    "Modelio 3.5/A.3.0-export.bpmn",
    "actiBPM 3.E-8/A.4.0-export.bpmn",
]


def _post(
    client: FlaskClient, path: str, headers: dict[str, str], name: str, content: bytes
) -> Any:
    return client.post(
        path,
        data={"files": [(io.BytesIO(content), name)]},
        headers=headers,
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("name", FILES)
def test_a_corpus_file_deploys_as_runnable_as_it_validates(
    client: FlaskClient, auth: Auth, name: str
) -> None:
    expected = VALIDATED[name]
    assert BARE[name]["class"] != "runnable" and expected["class"] == "runnable"
    content = (CORPUS / name).read_bytes()
    upload = Path(name).name
    owner = auth("eier")
    checked = _post(client, "/api/v1/process-definitions/validate", owner, upload, content)
    assert checked.status_code == 200, checked.get_json()
    normalised_xml = checked.get_json()["files"][upload]

    reply = _post(client, "/api/v1/process-definitions", owner, upload, content)
    assert reply.status_code == 201, reply.get_json()
    body = reply.get_json()
    runnable = sorted(d["key"] for d in body["created"] if d["runnable"])
    assert runnable == sorted(expected["runs"])
    noted = {w["element_id"] for w in body["warnings"]}
    assert set(expected["normalised"]) <= noted

    for key in runnable:
        stored = client.get(f"/api/v1/process-definitions/{key}/versions/1/xml", headers=owner)
        assert stored.status_code == 200
        assert stored.get_data(as_text=True) == normalised_xml != content.decode("utf-8", "replace")
        started = client.post(
            f"/api/v1/process-definitions/{key}/start", json={"data": {}}, headers=owner
        )
        assert started.status_code == 201, started.get_json()
        assert started.get_json()["state"] == "running"


def test_a_deploy_reports_what_normalising_changed(client: FlaskClient, auth: Auth) -> None:
    name = FILES[0]
    content = (CORPUS / name).read_bytes()
    reply = _post(client, "/api/v1/process-definitions", auth("eier"), Path(name).name, content)
    warnings = [
        w for w in reply.get_json()["warnings"] if w["element_id"] in VALIDATED[name]["normalised"]
    ]
    assert warnings and all(w["severity"] == "warning" for w in warnings)
    assert any("added" in w["message"] for w in warnings)
