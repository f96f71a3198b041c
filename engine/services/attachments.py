"""Attachments: files uploaded once, referred to by id from forms, applications and tasks.

A file is accepted by what its bytes say, never by its name or the client's media type:
PDF (`%PDF-`), Word 2007+ (a zip with `word/` parts), Word 97-2003 (an OLE compound file),
PNG and JPEG. It must not be larger than `max_bytes` (settings.max_upload_bytes). Who may read
one: `access.may_read_attachment` (its uploader, admins, and whoever's view of the case it is
linked to names it: an application's CV for HR of the vacancy's municipality and its hiring
authority).
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from engine import catalogue
from engine.services import access
from engine.services.errors import BadRequest
from engine.settings import Settings
from engine.store.errors import NotFound
from engine.store.models import Attachment, User
from engine.store.uow import UnitOfWork

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/msword"
PNG = "image/png"
JPEG = "image/jpeg"
DOCUMENTS = frozenset({PDF, DOCX, DOC})
ANY = DOCUMENTS | {PNG, JPEG}
NAMES = {PDF: "PDF", DOCX: "Word", DOC: "Word", PNG: "PNG", JPEG: "JPEG"}
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", DOC: ".doc", PNG: ".png", JPEG: ".jpg"}
KEPT_EXTENSIONS = {JPEG: (".jpg", ".jpeg")}
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DEFAULT_MAX_BYTES = Settings.max_upload_bytes


class FileTooLarge(BadRequest):
    """The file is larger than the upload limit (the API answers 413)."""

    code = "file_too_large"


def sniff(content: bytes) -> str | None:
    """Return the media type the bytes show, or None if none of the accepted kinds."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(OLE):
        return DOC
    if content.startswith(b"PK\x03\x04") and _is_word_zip(content):
        return DOCX
    return None


def _is_word_zip(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return any(name.startswith("word/") for name in archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def clean_filename(filename: str) -> str:
    """Keep the last path part, without control characters or quotes, at most 200 characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C" and c not in "\"'")
    name = unicodedata.normalize("NFC", name).strip().lstrip(".")
    return name[-200:] or "vedlegg"


def safe_filename(filename: str, media_type: str) -> str:
    """Return the cleaned name with the extension of the detected type, never the uploader's.

    A PDF that is also valid HTML, uploaded as `evil.html`, is named `evil.pdf`: a browser or a
    desktop opening the download picks the program from the extension.
    """
    name = clean_filename(filename)
    extension = EXTENSIONS.get(media_type, ".bin")
    if name.lower().endswith(KEPT_EXTENSIONS.get(media_type, (extension,))):
        return name
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return (stem or "vedlegg")[: 200 - len(extension)] + extension


def check(
    content: bytes,
    *,
    allowed: frozenset[str] = ANY,
    max_bytes: int = DEFAULT_MAX_BYTES,
    field: str = "file",
    locale: str = "nb",
) -> str:
    """Return the file's media type, or raise with a message on `field` (size, kind)."""
    text = catalogue.section(locale, "attachments.")
    if len(content) > max_bytes:
        message = text["too_large"].format(size=_mb(len(content)), limit=_mb(max_bytes))
        raise FileTooLarge(message, {field: [message]})
    if not content:
        raise BadRequest(text["empty"], {field: [text["empty"]]})
    media_type = sniff(content)
    if media_type not in allowed:
        kinds = ", ".join(dict.fromkeys(NAMES[m] for m in NAMES if m in allowed))
        message = text["type"].format(allowed=kinds)
        raise BadRequest(message, {field: [message]})
    return media_type


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f}".replace(".", ",")


def add(
    uow: UnitOfWork,
    *,
    filename: str,
    content: bytes,
    uploaded_by: str,
    now: datetime,
    instance_id: UUID | None = None,
    allowed: frozenset[str] = ANY,
    max_bytes: int = DEFAULT_MAX_BYTES,
    field: str = "file",
    locale: str = "nb",
) -> Attachment:
    """Check and add a file inside an open unit of work (no commit)."""
    media_type = check(content, allowed=allowed, max_bytes=max_bytes, field=field, locale=locale)
    attachment = Attachment(
        filename=safe_filename(filename, media_type),
        media_type=media_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by=uploaded_by[:300],
        instance_id=instance_id,
        created_at=now,
    )
    uow.attachments.add(attachment)
    return attachment


def store(
    uow: UnitOfWork,
    *,
    filename: str,
    content: bytes,
    uploaded_by: str,
    now: datetime,
    instance_id: UUID | None = None,
    allowed: frozenset[str] = ANY,
    max_bytes: int = DEFAULT_MAX_BYTES,
    locale: str = "nb",
) -> dict[str, Any]:
    """Check and keep an uploaded file; return its description."""
    with uow:
        attachment = add(
            uow,
            filename=filename,
            content=content,
            uploaded_by=uploaded_by,
            now=now,
            instance_id=instance_id,
            allowed=allowed,
            max_bytes=max_bytes,
            locale=locale,
        )
        uow.commit()
        return view(attachment)


def view(attachment: Attachment) -> dict[str, Any]:
    """Return what the API tells about an attachment (never its content)."""
    return {
        "id": attachment.id,
        "filename": attachment.filename,
        "media_type": attachment.media_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "instance_id": attachment.instance_id,
        "uploaded_by": attachment.uploaded_by,
        "created_at": attachment.created_at,
    }


def describe(uow: UnitOfWork, attachment_id: UUID, user: User) -> dict[str, Any]:
    """Return an attachment's description if the user may read it."""
    with uow:
        attachment = _readable(uow, attachment_id, user, with_content=False)
        return view(attachment)


def content(uow: UnitOfWork, attachment_id: UUID, user: User) -> tuple[dict[str, Any], bytes]:
    """Return an attachment's description and bytes if the user may read it."""
    with uow:
        attachment = _readable(uow, attachment_id, user, with_content=True)
        return view(attachment), attachment.content


def _readable(
    uow: UnitOfWork, attachment_id: UUID, user: User, *, with_content: bool
) -> Attachment:
    attachment = uow.attachments.get(attachment_id, with_content=with_content)
    if not access.may_read_attachment(uow, attachment, user):
        # The same answer as for a missing file: ids of other people's files tell nothing.
        raise NotFound("attachment", attachment_id)
    return attachment


def usable_ids(uow: UnitOfWork, ids: Iterable[UUID], user: User) -> frozenset[str]:
    """Return which of these ids name attachments the user may read (and so refer to)."""
    with uow:
        found = uow.attachments.many(set(ids))
        return frozenset(str(a.id) for a in found if access.may_read_attachment(uow, a, user))
