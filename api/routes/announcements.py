"""The assignment routine's board (KV 1-2) and its contract PDF (KV 3)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response

from api.auth import current_user
from api.blueprint import Blueprint
from api.language import reader_locale, request_locale
from api.schemas_assignment import (
    AnnouncementListArgs,
    AnnouncementPageSchema,
    AnnouncementSchema,
    CreateAnnouncementSchema,
    InterestSchema,
    RegistrationSchema,
)
from api.wiring import services
from engine.services import documents
from engine.services.assignment import announcements

bp = Blueprint(
    "announcements",
    __name__,
    url_prefix="/api/v1",
    description="Assignment announcements, registrations of interest and contracts",
)
PDF = {"type": "string", "format": "binary"}


@bp.get("/announcements")
@bp.arguments(AnnouncementListArgs, location="query")
@bp.response(200, AnnouncementPageSchema)
def list_announcements(args: dict[str, Any]) -> Any:
    """List published announcements: open ones first (soonest deadline), then closed."""
    return announcements.list_announcements(
        services().new_uow(),
        current_user(),
        now=services().now(),
        only_open=args["open"],
        limit=args["limit"],
        offset=args["offset"],
    )


@bp.post("/announcements")
@bp.arguments(CreateAnnouncementSchema(), required=False)
@bp.response(201, AnnouncementSchema)
def create_announcement(_body: dict[str, Any]) -> Any:
    """Start an assignment for your municipality (service leader); then fill in describe_need."""
    return announcements.create_announcement(
        services().new_uow(), actor=current_user(), now=services().now()
    )


@bp.get("/announcements/<string:assignment_id>")
@bp.response(200, AnnouncementSchema)
def get_announcement(assignment_id: str) -> Any:
    """Return one published announcement (fields a-g, deadline, what you may do)."""
    return announcements.get_announcement(
        services().new_uow(), assignment_id[:200], current_user(), now=services().now()
    )


@bp.post("/announcements/<string:assignment_id>/interest")
@bp.arguments(InterestSchema)
@bp.response(201, RegistrationSchema)
def register_interest(body: dict[str, Any], assignment_id: str) -> Any:
    """Register your interest; your leader gets the task to say yes or no (KV 2)."""
    return announcements.register_interest(
        services().new_uow(),
        assignment_id[:200],
        body["motivation"].strip(),
        actor=current_user(),
        now=services().now(),
        locale=request_locale(),
    )


@bp.get("/process-instances/<uuid:instance_id>/contract.pdf")
@bp.response(200, PDF, content_type="application/pdf")
def contract_pdf(instance_id: UUID) -> Response:
    """Download the assignment's three-party contract as a PDF (its parties, admin, auditor),
    in the reader's language (bokmål, the original, unless they chose English)."""
    name, pdf = documents.contract_pdf(
        services().new_uow(),
        instance_id,
        current_user(),
        now=services().now(),
        language=reader_locale(),
    )
    return _file(pdf, "application/pdf", name)


def _file(content: bytes, mimetype: str, name: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response
