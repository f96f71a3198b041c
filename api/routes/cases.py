"""Cases: one instance as a participant sees it, and the cases a user takes part in."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from api.auth import current_user
from api.blueprint import Blueprint
from api.language import request_locale
from api.schemas import PageArgs
from api.schemas_cases import CancelSchema, CasePageSchema, CaseSchema
from api.wiring import services
from engine.services import cases
from engine.services.errors import FormInvalid

bp = Blueprint("cases", __name__, url_prefix="/api/v1/cases", description="Cases")


@bp.get("")
@bp.arguments(PageArgs, location="query")
@bp.response(200, CasePageSchema)
def list_cases(args: dict[str, Any]) -> Any:
    """List the cases you started or take part in, newest first, with the next deadline."""
    return cases.my_cases(
        services().new_uow(read_only=True),
        current_user(),
        now=services().now(),
        limit=args["limit"],
        offset=args["offset"],
    )


@bp.get("/<uuid:instance_id>")
@bp.response(200, CaseSchema)
def get_case(instance_id: UUID) -> Any:
    """Return one case: state, deadlines, tasks, documents and the data you may read."""
    return cases.case_detail(
        services().new_uow(read_only=True),
        instance_id,
        current_user(),
        now=services().now(),
        locale=request_locale(),
    )


@bp.post("/<uuid:instance_id>/cancel")
@bp.arguments(CancelSchema)
@bp.response(200, CaseSchema)
def cancel_case(body: dict[str, Any], instance_id: UUID) -> Any:
    """Cancel a running case with a reason (its starter or an admin); the reason is in history."""
    user = current_user()
    reason = body["reason"].strip()
    if not reason:
        raise FormInvalid({"reason": [_REASON[request_locale()]]})
    cases.cancel_case(services().new_uow(), instance_id, reason, actor=user, now=services().now())
    return cases.case_detail(
        services().new_uow(read_only=True),
        instance_id,
        user,
        now=services().now(),
        locale=request_locale(),
    )


_REASON = {"nb": "Skriv hvorfor saken avlyses.", "en": "Say why the case is cancelled."}
