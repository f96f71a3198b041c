"""Request input within limits: JSON bodies, form fields, query strings and path segments.

Every refusal is a 4xx naming the field (bokmål, or English with `Accept-Language: en`), on
SQLite and PostgreSQL, and nothing is stored. Before, each of these inputs answered 500.
"""

from __future__ import annotations

import ast
import io
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from api import payloads
from engine.runtime import values
from engine.services.wiring import Wiring
from engine.store.models import ProcessInstance
from saksflyt.app import create_app
from tests.conftest import ROOT

Auth = Callable[[str], dict[str, str]]
START = "/api/v1/process-definitions/approval/start"


def _nested(depth: int) -> str:
    return '{"data": {"x": ' + "[" * depth + "]" * depth + "}}"


def _instances(wiring: Wiring) -> int:
    with wiring.new_uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(ProcessInstance)) or 0)


DEEP = "Verdien er nøstet for dypt (høyst 32 nivåer)."
NUL = "Teksten kan ikke inneholde NUL-tegnet (\\u0000)."
SURROGATE = "Teksten inneholder et ugyldig tegn (et enslig surrogat, \\ud800-\\udfff)."
NOT_FINITE = "NaN og uendelig er ikke tillatt."
DIGITS = "Tallet har for mange sifre (høyst 100)."

REFUSED_BODIES = [
    pytest.param(_nested(5_000), {"_body": [DEEP]}, id="nested-5000"),
    pytest.param(_nested(100_000), {"_body": [DEEP]}, id="nested-100000"),
    pytest.param(_nested(40), {"data.x" + ".0" * 30: [DEEP]}, id="nested-40"),
    pytest.param('{"data": {"x": ' + "7" * 5_000 + "}}", {"data.x": [DIGITS]}, id="5000-digits"),
    pytest.param('{"data": {"x": -' + "7" * 101 + "}}", {"data.x": [DIGITS]}, id="101-digits"),
    pytest.param('{"data": {"x": NaN}}', {"data.x": [NOT_FINITE]}, id="nan"),
    pytest.param('{"data": {"x": [1, Infinity]}}', {"data.x.1": [NOT_FINITE]}, id="infinity"),
    pytest.param('{"data": {"x": -Infinity}}', {"data.x": [NOT_FINITE]}, id="-infinity"),
    pytest.param('{"data": {"x": 1e400}}', {"data.x": [NOT_FINITE]}, id="1e400"),
    pytest.param('{"data": {"x": "a\\u0000b"}}', {"data.x": [NUL]}, id="nul-value"),
    pytest.param('{"data": {"a\\u0000b": 1}}', {"data.a\x00b": [NUL]}, id="nul-key"),
    pytest.param('{"business_key": "\\u0000"}', {"business_key": [NUL]}, id="nul-schema-field"),
    pytest.param('{"data": {"x": "\\ud800"}}', {"data.x": [SURROGATE]}, id="lone-high"),
    pytest.param('{"data": {"x": ["\\udfff!"]}}', {"data.x.0": [SURROGATE]}, id="lone-low"),
    pytest.param(b'{"data": {"x": "\xed\xa0\x80"}}', {"data.x": [SURROGATE]}, id="surrogate-bytes"),
    pytest.param(
        '{"data": {"x": "' + "a" * 100_001 + '"}}',
        {"data.x": ["Teksten er for lang (høyst 100000 tegn)."]},
        id="long-text",
    ),
]


@pytest.mark.parametrize(("body", "details"), REFUSED_BODIES)
def test_json_beyond_the_limits_is_422_with_the_field_path(
    client: FlaskClient, auth: Auth, deployed: Wiring, body: str | bytes, details: dict[str, Any]
) -> None:
    reply = client.post(
        START, data=body, content_type="application/json", headers=auth("emp.asker")
    )
    assert reply.status_code == 422, reply.get_json()
    assert reply.get_json()["error"] == {
        "code": "validation_failed",
        "message": "Noen felter har feil. Rett feltene som er merket.",
        "details": details,
        "reason": "the request has errors",
    }
    assert _instances(deployed) == 0


def test_refusals_speak_english_when_asked(client: FlaskClient, auth: Auth) -> None:
    headers = {**auth("emp.asker"), "Accept-Language": "en"}
    cases = {
        '{"data": {"x": NaN}}': "NaN and infinity are not allowed.",
        '{"data": {"x": "\\u0000"}}': "The text cannot contain the NUL character (\\u0000).",
        _nested(5_000): "The value is nested too deeply (at most 32 levels).",
        '{"data": {"x": 1' + "0" * 200 + "}}": "The number has too many digits (at most 100).",
    }
    for body, message in cases.items():
        reply = client.post(START, data=body, content_type="application/json", headers=headers)
        assert reply.status_code == 422
        assert list(reply.get_json()["error"]["details"].values()) == [[message]]


def test_a_message_with_nan_is_refused_before_it_reaches_an_instance(
    client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    headers = auth("emp.asker")
    started = client.post(START, json={"data": {"municipality": "asker"}}, headers=headers)
    assert started.status_code == 201
    before = client.get(f"/api/v1/process-instances/{started.get_json()['id']}", headers=headers)
    reply = client.post(
        "/api/v1/messages",
        data='{"name": "ping", "correlation": {"case_id": NaN}, "data": {"x": NaN}}',
        content_type="application/json",
        headers=headers,
    )
    assert reply.status_code == 422
    assert reply.get_json()["error"]["details"] == {
        "correlation.case_id": [NOT_FINITE],
    }
    after = client.get(f"/api/v1/process-instances/{started.get_json()['id']}", headers=headers)
    assert after.get_json() == before.get_json()


def test_a_json_body_over_the_setting_is_413(deployed: Wiring, auth: Auth) -> None:
    small = replace(deployed.settings, max_json_bytes=200)
    client = create_app(small, wiring=replace(deployed, settings=small)).test_client()
    token = client.post("/api/v1/auth/token", json={"username": "emp.asker", "password": "demo"})
    headers = {"Authorization": f"Bearer {token.get_json()['access_token']}"}
    body = {"data": {"municipality": "asker", "note": "x" * 200}}
    for language, message in (
        ("nb", "Forespørselen er for stor (høyst 200 byte JSON)."),
        ("en", "The request is too large (at most 200 bytes of JSON)."),
    ):
        reply = client.post(START, json=body, headers={**headers, "Accept-Language": language})
        assert reply.status_code == 413
        assert reply.get_json()["error"] == {
            "code": "body_too_large",
            "message": "the request is too large",
            "details": {"_body": [message]},
        }
    assert _instances(deployed) == 0


def test_a_body_without_a_length_is_measured_too() -> None:
    body = json.dumps({"data": {"note": "x" * 200}}).encode()
    with pytest.raises(payloads.InputRefused) as refused:
        payloads.load_json(body, max_bytes=200)
    assert refused.value.status == 413
    assert payloads.load_json(body, max_bytes=len(body)) == {"data": {"note": "x" * 200}}


def test_malformed_json_is_400_with_where(client: FlaskClient, auth: Auth) -> None:
    reply = client.post(
        START, data='{"data": {]', content_type="application/json", headers=auth("emp.asker")
    )
    assert reply.status_code == 400
    assert reply.get_json()["error"]["message"] == (
        "Kroppen er ikke gyldig JSON: Expecting property name enclosed in double quotes "
        "(line 1, column 11)."
    )
    empty = client.post(
        "/api/v1/messages", data="", content_type="application/json", headers=auth("admin")
    )
    assert empty.status_code == 422  # no body: what is missing is the schema's required fields
    assert empty.get_json()["error"]["details"] == {"name": ["Feltet må fylles ut."]}


def test_query_strings_and_path_segments_with_nul(client: FlaskClient, auth: Auth) -> None:
    headers = auth("admin")
    for path, field in (
        ("/api/v1/tasks?scope=all&q=a%00b", "q"),
        ("/api/v1/process-instances?key=a%00b", "key"),
        ("/api/v1/audit/instances?q=%00", "q"),
    ):
        reply = client.get(path, headers=headers)
        assert reply.status_code == 422, (path, reply.get_json())
        assert reply.get_json()["error"]["details"] == {field: [NUL]}
    for path in (
        "/api/v1/process-definitions/a%00b",
        "/api/v1/vacancies/a%00b",
        "/api/v1/process-definitions/a%00b/versions/1/xml",
    ):
        reply = client.get(path, headers=headers)
        assert reply.status_code == 404, (path, reply.get_json())


def test_form_fields_with_nul_are_422(client: FlaskClient, auth: Auth) -> None:
    headers = auth("eier")
    reply = client.post(
        "/api/v1/process-definitions",
        data={"files": (io.BytesIO(b"<x/>"), "a\x00.bpmn")},
        content_type="multipart/form-data",
        headers=headers,
    )
    assert reply.status_code == 422
    assert reply.get_json()["error"]["details"] == {"files": [NUL]}
    login = client.post("/login", data={"username": "a\x00", "password": "x"})
    assert login.status_code == 422
    assert login.get_json()["error"]["details"] == {"username": [NUL]}
    long = client.post("/login", data={"username": "a" * 100_001, "password": "x"})
    assert long.status_code == 422
    assert long.get_json()["error"]["details"] == {
        "username": ["Teksten er for lang (høyst 100000 tegn)."]
    }
    query = client.get("/api/v1/tasks?q=" + "a" * 100_001, headers=auth("admin"))
    assert query.get_json()["error"]["details"] == {
        "q": ["Teksten er for lang (høyst 100000 tegn)."]
    }


def test_limits_match_the_documentation() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for limit in (
        f"{values.MAX_DEPTH} levels",
        f"{values.MAX_TEXT_CHARS:,} characters",
        f"{values.MAX_INT_DIGITS} digits",
        f"{values.MAX_SNAPSHOT_BYTES:,} bytes",
    ):
        assert limit in text


def test_nothing_in_api_or_web_reads_a_request_body_around_the_parser() -> None:
    """Bodies are read only through `get_json`, `form` and `files` (api/payloads.py)."""
    raw = {"data", "stream", "get_data", "input_stream"}
    found = []
    for path in [*(ROOT / "api").rglob("*.py"), *(ROOT / "web").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in raw
                and isinstance(node.value, ast.Name)
                and node.value.id in ("request", "req")
            ):
                found.append(f"{Path(path).relative_to(ROOT)}:{node.lineno} {node.attr}")
    assert found == ["api/blueprint.py:21 get_data"]  # webargs' empty-body check


def test_data_a_request_gives_a_case_is_bounded(
    client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    headers = auth("emp.asker")
    started = client.post(START, json={"data": {"municipality": "asker"}}, headers=headers)
    [task] = started.get_json()["open_tasks"]
    big = {"reason": "x" * 90_000, "notes": ["y" * 90_000] * 2}  # 270 kB: under the body limit
    nb = f"Dataene er for store (høyst {values.MAX_REQUEST_DATA_BYTES} byte JSON)."
    en = f"The data is too large (at most {values.MAX_REQUEST_DATA_BYTES} bytes of JSON)."
    requests = [
        (START, {"data": {"municipality": "asker", **big}}, "data"),
        (f"/api/v1/tasks/{task['id']}/draft", {"data": big}, "data"),
        (f"/api/v1/tasks/{task['id']}/complete", {"data": big}, "data"),
        ("/api/v1/messages", {"name": "ping", "data": big}, "data"),
        ("/api/v1/messages", {"name": "ping", "correlation": big}, "correlation"),
    ]
    before = _instances(deployed)
    for url, body, field in requests:
        reply = client.post(url, json=body, headers=headers)
        assert reply.status_code == 422, (url, reply.get_json())
        assert reply.get_json()["error"]["details"] == {field: [nb]}
        english = client.post(url, json=body, headers={**headers, "Accept-Language": "en"})
        assert english.get_json()["error"]["details"] == {field: [en]}
    assert _instances(deployed) == before
    small = {"reason": "x" * 90_000, "start_date": "2027-01-01"}
    draft = client.post(f"/api/v1/tasks/{task['id']}/draft", json={"data": small}, headers=headers)
    assert draft.status_code == 200
