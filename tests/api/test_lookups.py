"""Lookups by a key from the request or the database: a missing row is 404 (or a clear 422),
never a KeyError's 500. Found by sweeping for `files[definition.file_name]` and its kin."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete

from engine.services import definitions
from engine.services.wiring import Wiring
from engine.store.models import DeploymentFile

Auth = Callable[[str], dict[str, str]]


def test_a_version_whose_file_is_gone_is_404(
    client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    with deployed.new_uow() as uow:
        uow.session.execute(delete(DeploymentFile).where(DeploymentFile.name == "approval.bpmn"))
        uow.commit()
    headers = auth("eier")
    for path in (
        "/api/v1/process-definitions/approval/versions/1/xml",
        "/api/v1/process-definitions/approval/diff?from=1&to=1",
        "/api/v1/process-definitions/approval/versions/1/files/approval.bpmn",
    ):
        reply = client.get(path, headers=headers)
        assert reply.status_code == 404, (path, reply.get_json())
        assert reply.get_json()["error"]["message"] == "Fant ikke det du ba om."
        assert reply.get_json()["error"]["reason"] == "file approval.bpmn not found"


def test_a_version_that_no_longer_builds_is_422_not_500(
    client: FlaskClient, auth: Auth, deployed: Wiring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(definitions, "_built", {})
    monkeypatch.setattr(definitions.specs, "build_processes", lambda *a, **k: {})
    reply = client.post(
        "/api/v1/process-definitions/approval/start",
        json={"data": {"municipality": "asker"}},
        headers=auth("emp.asker"),
    )
    assert reply.status_code == 422
    [problem] = reply.get_json()["error"]["details"]
    assert (problem["file"], problem["element_id"], problem["message"]) == (
        "approval.bpmn",
        "approval",
        "the process can no longer be built from its deployed files",
    )
