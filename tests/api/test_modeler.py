"""The process owner's API: validate, library, files, diff and migration, with roles."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask.testing import FlaskClient

from tests.services.test_modeler import APPROVAL, EXTRA_STEP

Auth = Callable[[str], dict[str, str]]


def _files(**named: bytes) -> dict[str, object]:
    return {"files": [(io.BytesIO(content), name) for name, content in named.items()]}


def _post(client: FlaskClient, path: str, headers: dict[str, str], **named: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        path, data=_files(**named), headers=headers, content_type="multipart/form-data"
    )


def test_validate_answers_200_with_a_report_and_stores_nothing(
    client: FlaskClient, auth: Auth
) -> None:
    reply = _post(
        client,
        "/api/v1/process-definitions/validate",
        auth("eier"),
        **{"approval.bpmn": EXTRA_STEP},
    )
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    assert body["valid"] is True and body["processes"][0]["key"] == "approval"
    assert {"warnings", "normalised", "files"} <= set(body)
    latest = client.get("/api/v1/process-definitions/approval", headers=auth("eier")).get_json()
    assert latest["version"] == 1


def test_validate_answers_422_with_problems(client: FlaskClient, auth: Auth) -> None:
    broken = APPROVAL.replace(b"reminded = True", b"reminded = (")
    reply = _post(
        client, "/api/v1/process-definitions/validate", auth("eier"), **{"approval.bpmn": broken}
    )
    assert reply.status_code == 422
    error = reply.get_json()["error"]
    assert error["code"] == "invalid_process"
    assert [(p["file"], p["element_id"]) for p in error["details"]] == [("approval.bpmn", "remind")]
    empty = client.post("/api/v1/process-definitions/validate", headers=auth("eier"))
    assert empty.status_code == 422


def test_only_process_owners_and_admins_validate_and_migrate(
    client: FlaskClient, auth: Auth
) -> None:
    for user in ("emp.asker", "revisor"):
        reply = _post(
            client,
            "/api/v1/process-definitions/validate",
            auth(user),
            **{"approval.bpmn": APPROVAL},
        )
        assert reply.status_code == 403
        migrate = client.post(
            "/api/v1/process-definitions/approval/migrations",
            json={"to_version": 1, "instance_ids": []},
            headers=auth(user),
        )
        assert migrate.status_code == 403
    assert client.get("/api/v1/process-library", headers=auth("emp.asker")).status_code == 403
    assert client.get("/api/v1/process-library", headers=auth("revisor")).status_code == 200
    reply = _post(
        client, "/api/v1/process-definitions/validate", auth("admin"), **{"approval.bpmn": APPROVAL}
    )
    assert reply.status_code == 200


def test_deploy_diff_library_and_migrate(client: FlaskClient, auth: Auth) -> None:
    owner = auth("eier")
    started = client.post(
        "/api/v1/process-definitions/approval/start",
        json={"data": {"municipality": "asker"}, "business_key": "SAK-9"},
        headers=auth("emp.asker"),
    ).get_json()
    deployed = _post(client, "/api/v1/process-definitions", owner, **{"approval.bpmn": EXTRA_STEP})
    assert deployed.status_code == 201 and deployed.get_json()["created"][0]["version"] == 2

    diff = client.get("/api/v1/process-definitions/approval/diff?from=1&to=2", headers=owner)
    body = diff.get_json()
    assert [e["id"] for e in body["added"]] == ["archive", "f3b"] and body["removed"] == []
    assert (
        client.get(
            "/api/v1/process-definitions/approval/diff?from=1&to=9", headers=owner
        ).status_code
        == 404
    )
    assert (
        client.get("/api/v1/process-definitions/approval/diff?from=1", headers=owner).status_code
        == 422
    )

    [entry] = [
        p
        for p in client.get("/api/v1/process-library", headers=owner).get_json()
        if p["key"] == "approval"
    ]
    assert [(v["version"], v["running_instances"]) for v in entry["versions"]] == [(2, 0), (1, 1)]
    file = client.get(
        "/api/v1/process-definitions/approval/versions/2/files/approval.bpmn", headers=owner
    )
    assert file.status_code == 200 and file.data == EXTRA_STEP
    assert "attachment" in file.headers["Content-Disposition"]
    assert (
        "approval.submit.schema.json"
        in client.get("/api/v1/process-library/forms", headers=owner).get_json()
    )
    form = client.get("/api/v1/process-library/forms/approval.submit.schema.json", headers=owner)
    assert form.get_json()["title"] == "Søknad"

    plan = client.post(
        "/api/v1/process-definitions/approval/migrations/dry-run",
        json={"to_version": 2},
        headers=owner,
    ).get_json()
    assert [(i["instance_id"], i["can_migrate"]) for i in plan["instances"]] == [
        (started["id"], True)
    ]
    moved = client.post(
        "/api/v1/process-definitions/approval/migrations",
        json={"to_version": 2, "instance_ids": [started["id"]]},
        headers=owner,
    ).get_json()
    assert moved["instances"][0]["migrated"] is True
    instance = client.get(f"/api/v1/process-instances/{started['id']}", headers=auth("admin"))
    assert instance.get_json()["version"] == 2
    history = client.get(
        f"/api/v1/process-instances/{started['id']}/history", headers=auth("admin")
    ).get_json()
    assert history["chain_valid"] is True
    assert [e["actor"] for e in history["events"] if e["type"] == "instance_migrated"] == ["eier"]


def test_make_current_answers_201_and_refuses_others_and_unknown_versions(
    client: FlaskClient, auth: Auth
) -> None:
    _post(client, "/api/v1/process-definitions", auth("eier"), **{"approval.bpmn": EXTRA_STEP})
    path = "/api/v1/process-definitions/approval/versions/1/make-current"
    assert client.post(path, headers=auth("emp.asker")).status_code == 403
    reply = client.post(path, headers=auth("eier"))
    assert reply.status_code == 201, reply.get_json()
    assert reply.get_json() == {"key": "approval", "version": 3, "restores_version": 1}
    latest = client.get("/api/v1/process-definitions/approval", headers=auth("eier")).get_json()
    assert latest["version"] == 3
    missing = client.post(
        "/api/v1/process-definitions/approval/versions/9/make-current", headers=auth("eier")
    )
    assert missing.status_code == 404
    assert missing.get_json()["error"]["message"] == "Fant ikke det du ba om."


def test_validate_names_a_broken_table_cell_in_the_callers_language(
    client: FlaskClient, auth: Auth
) -> None:
    from engine.settings import ROOT

    table = (ROOT / "processes" / "leave" / "leave_rules.dmn").read_bytes()
    broken = table.replace(b'<text>"5.7.5"</text>', b'<text>"5.7.5</text>')
    for language, expected in (
        ("nb", 'Rad 2, kolonne 1 («Permisjonsgrunn»): «"5.7.5» er ikke en gyldig betingelse.'),
        ("en", "Row 2, column 1 ('Permisjonsgrunn'): '\"5.7.5' is not a valid condition."),
    ):
        headers = {**auth("eier"), "Accept-Language": language}
        reply = _post(
            client, "/api/v1/process-definitions/validate", headers, **{"rules.dmn": broken}
        )
        assert reply.status_code == 422
        [problem] = [p for p in reply.get_json()["error"]["details"] if p["file"] == "rules.dmn"]
        assert problem["message"].startswith(expected)
        assert (problem["row"], problem["column"], problem["code"]) == (2, 1, "dmn_input_entry")
