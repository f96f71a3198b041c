"""One instance's audit record as a PDF (WeasyPrint), with the chain verification on top."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from jinja2 import Environment, FileSystemLoader, select_autoescape

from engine import catalogue
from engine.services.audit import views as audit_views
from engine.services.audit.access import EVERYTHING, AuditAccess
from engine.services.errors import BadRequest
from engine.store.uow import UnitOfWork
from engine.timezone import OSLO

TEMPLATES = Path(__file__).parent / "templates"
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), auto_reload=False
)


def is_available() -> bool:
    """Tell whether WeasyPrint is installed."""
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        return False
    return True


def export_pdf(
    uow: UnitOfWork,
    instance_id: UUID,
    *,
    by: str,
    now: datetime,
    access: AuditAccess = EVERYTHING,
    language: str = catalogue.DEFAULT,
) -> bytes:
    """Return the instance's audit report as PDF bytes, its texts in the language."""
    try:
        from weasyprint import HTML
    except ImportError as error:
        raise BadRequest("PDF export needs WeasyPrint, which is not installed") from error
    record = audit_views.export_json(uow, instance_id, by=by, now=now, access=access)
    page = render_html(record, language)
    pdf: bytes = HTML(string=page, url_fetcher=_no_fetch).write_pdf()
    return pdf


def render_html(record: dict[str, Any], language: str) -> str:
    """Return the report's HTML for an exported record (texts: `audit_report.*`, `event_*`)."""

    def t(msgid: str, **values: object) -> str:
        return catalogue.text(language, msgid, **values)

    def label(prefix: str, value: str) -> str:
        found = catalogue.gettext(language, prefix + str(value))
        return str(value) if found == prefix + str(value) else found

    return _environment.get_template("instance_report.html").render(
        **record, when=_when, short=_short, t=t, label=label, lang=language
    )


def _when(value: datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"the audit report fetches nothing ({url})")
