"""Attachments over HTTP: upload by magic bytes, size limit, access, forms that refer to them."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import replace

from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine.services import definitions
from engine.services.wiring import Wiring
from engine.store.models import Attachment
from saksflyt.app import create_app
from tests.conftest import NOW, fixture_files

Auth = Callable[[str], dict[str, str]]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def docx() -> bytes:
    """A minimal Word 2007+ file: a zip with word/ parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def upload(
    client: FlaskClient, headers: dict[str, str], content: bytes, name: str = "cv.pdf"
) -> object:
    return client.post(
        "/api/v1/attachments",
        data={"file": (io.BytesIO(content), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def count(wiring: Wiring) -> int:
    with wiring.new_uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Attachment)) or 0)


def test_upload_accepts_by_magic_bytes(client: FlaskClient, auth: Auth, deployed: Wiring) -> None:
    cases = [
        (PDF, "Søknad æøå.pdf", "application/pdf"),
        (
            docx(),
            "cv.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (OLE, "cv.doc", "application/msword"),
        (PNG, "bilde.png", "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "foto.jpg", "image/jpeg"),
    ]
    for content, name, media_type in cases:
        reply = upload(client, auth("emp.asker"), content, name)
        assert reply.status_code == 201, reply.get_json()
        body = reply.get_json()
        assert body["media_type"] == media_type and body["filename"] == name
        assert body["size"] == len(content)
        assert body["sha256"] == hashlib.sha256(content).hexdigest()
    # The name and the client's type do not matter: the bytes do.
    renamed = upload(client, auth("emp.asker"), PNG, "looks-like.pdf")
    assert renamed.get_json()["media_type"] == "image/png"
    assert count(deployed) == 6


def test_upload_refuses_bad_files_with_field_messages(
    client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    for content, name in [
        (b"MZ\x90\x00 not a document", "cv.pdf"),
        (plain_zip(), "cv.docx"),
        (b"PK\x03\x04 broken zip", "cv.docx"),
        (b"<html>hei</html>", "cv.html"),
    ]:
        reply = upload(client, auth("emp.asker"), content, name)
        assert reply.status_code == 422, name
        assert reply.get_json()["error"]["details"]["file"][0].startswith(
            "Filtypen er ikke tillatt"
        )
    empty = upload(client, {**auth("emp.asker"), "Accept-Language": "en"}, b"", "x.pdf")
    assert empty.status_code == 422 and empty.get_json()["error"]["details"] == {
        "file": ["The file is empty."]
    }
    missing = client.post("/api/v1/attachments", data={}, headers=auth("emp.asker"))
    assert missing.status_code == 422
    assert missing.get_json()["error"]["details"] == {"file": ["Velg en fil."]}
    assert upload(client, {}, PDF).status_code == 401
    assert count(deployed) == 0


def test_upload_limit_is_413(deployed: Wiring, auth: Auth) -> None:
    small = replace(deployed.settings, max_upload_bytes=1000)
    wiring = replace(deployed, settings=small)
    client = create_app(small, wiring=wiring).test_client()
    token = client.post("/api/v1/auth/token", json={"username": "emp.asker", "password": "demo"})
    headers = {"Authorization": f"Bearer {token.get_json()['access_token']}"}
    assert upload(client, headers, PDF + b"0" * (1000 - len(PDF))).status_code == 201
    reply = upload(client, headers, PDF + b"0" * 1001)
    assert reply.status_code == 413
    assert reply.get_json()["error"]["code"] == "file_too_large"
    assert "største tillatte er 0,0 MB" in reply.get_json()["error"]["details"]["file"][0]
    huge = upload(client, headers, PDF + b"0" * 5000)  # past Flask's own request limit
    assert huge.status_code == 413
    assert count(deployed) == 1


def test_only_the_uploader_and_case_readers_see_a_file(client: FlaskClient, auth: Auth) -> None:
    created = upload(client, auth("emp.asker"), PDF, "notat.pdf").get_json()
    url = f"/api/v1/attachments/{created['id']}"
    meta = client.get(url, headers=auth("emp.asker"))
    assert meta.status_code == 200 and meta.get_json()["uploaded_by"] == "emp.asker"
    download = client.get(f"{url}/content", headers=auth("emp.asker"))
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(url, headers=auth("admin")).status_code == 200
    for outsider in ("emp2.asker", "hr.loten", "revisor"):
        assert client.get(url, headers=auth(outsider)).status_code == 404, outsider
        assert client.get(f"{url}/content", headers=auth(outsider)).status_code == 404
    assert client.get(url).status_code == 401
    assert client.get("/api/v1/attachments/not-a-uuid", headers=auth("admin")).status_code == 404


def test_form_field_with_format_attachment(
    client: FlaskClient, auth: Auth, deployed: Wiring
) -> None:
    files = fixture_files("approval.bpmn", "approval.approve.schema.json")
    schema = json.loads(fixture_files("approval.submit.schema.json")["approval.submit.schema.json"])
    schema["properties"]["evidence"] = {"type": "string", "format": "attachment"}
    schema["required"].append("evidence")
    files["approval.submit.schema.json"] = json.dumps(schema).encode()
    # Version 2: the form asks for evidence, and the approver reads it (`contextFields`).
    files["approval.bpmn"] = files["approval.bpmn"].replace(
        b'<spiffworkflow:property name="candidateMunicipality" value="municipality" />',
        b'<spiffworkflow:property name="candidateMunicipality" value="municipality" />'
        b'<spiffworkflow:property name="contextFields" value="reason start_date evidence" />',
    )
    definitions.deploy(deployed.new_uow(), files, actor="test", now=NOW)
    started = client.post(
        "/api/v1/process-definitions/approval/start",
        json={"data": {"municipality": "asker"}},
        headers=auth("emp.asker"),
    ).get_json()
    [task] = started["open_tasks"]
    mine = upload(client, auth("emp.asker"), PDF).get_json()["id"]
    someone_elses = upload(client, auth("emp2.asker"), PDF).get_json()["id"]

    def complete(evidence: str, locale: str = "nb") -> object:
        return client.post(
            f"/api/v1/tasks/{task['id']}/complete",
            json={"data": {"reason": "Kurs", "start_date": "2026-12-01", "evidence": evidence}},
            headers={**auth("emp.asker"), "Accept-Language": locale},
        )

    for bad in (someone_elses, "00000000-0000-0000-0000-000000000000", "not-an-id"):
        reply = complete(bad)
        assert reply.status_code == 422
        assert reply.get_json()["error"]["details"] == {
            "evidence": ["Vedlegget finnes ikke, eller du har ikke tilgang til det."]
        }
    english = complete(someone_elses, "en").get_json()["error"]["details"]
    assert english == {"evidence": ["The attachment does not exist, or you may not use it."]}
    readable = client.get(f"/api/v1/attachments/{mine}", headers=auth("leder.asker"))
    assert readable.status_code == 404  # not part of any case yet
    done = complete(mine)
    assert done.status_code == 200, done.get_json()
    # Submitted in the form: linked to the case, so the leader who approves reads it.
    meta = client.get(f"/api/v1/attachments/{mine}", headers=auth("leder.asker"))
    assert meta.status_code == 200 and meta.get_json()["instance_id"] == started["id"]
    assert client.get(f"/api/v1/attachments/{mine}", headers=auth("emp.drammen")).status_code == 404
    other = client.get(f"/api/v1/attachments/{someone_elses}", headers=auth("emp2.asker"))
    assert other.get_json()["instance_id"] is None  # refused uploads stay unlinked


def test_a_download_is_named_and_typed_by_its_bytes_never_shown_inline(
    client: FlaskClient, auth: Auth
) -> None:
    polyglot = PDF + b"<html><script>alert(document.domain)</script></html>"
    for name, expected in (
        ("evil.html", "evil.pdf"),
        ("evil.svg", "evil.pdf"),
        ("noext", "noext.pdf"),
        ("cv.PDF", "cv.PDF"),
        ("a.pdf.html", "a.pdf.pdf"),
    ):
        stored = upload(client, auth("emp.asker"), polyglot, name).get_json()  # type: ignore[attr-defined]
        assert stored["filename"] == expected
        reply = client.get(f"/api/v1/attachments/{stored['id']}/content", headers=auth("emp.asker"))
        assert reply.status_code == 200 and reply.data == polyglot
        assert reply.headers["Content-Type"] == "application/pdf"
        disposition = reply.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and f"filename={expected}" in disposition
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
    renamed = upload(client, auth("emp.asker"), PNG, "looks-like.pdf").get_json()  # type: ignore[attr-defined]
    assert renamed["filename"] == "looks-like.png"
