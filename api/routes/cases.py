"""Cases: one instance as a participant sees it, and the cases a user takes part in."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from api.auth import current_user
from api.blueprint import Blueprint
from api.language import request_locale
from api.schemas_cases import CancelSchema, CaseListArgs, CasePageSchema, CaseSchema
from api.wiring import services
from engine import catalogue
from engine.services import cases, overviews
from engine.services.errors import FormInvalid
from engine.store.errors import NotFound
from engine.store.states import InstanceState

bp = Blueprint("cases", __name__, url_prefix="/api/v1/cases", description="Cases")


@bp.get("")
@bp.arguments(CaseListArgs, location="query")
@bp.response(200, CasePageSchema)
def list_cases(args: dict[str, Any]) -> Any:
    """List the cases you started or take part in, newest first, with the next deadline; with
    `scope=role`, the cases your role covers (HR, service leaders, finance; others 403)."""
    if args["scope"] == "role":
        return overviews.role_cases(
            services().new_uow(read_only=True),
            current_user(),
            now=services().now(),
            limit=args["limit"],
            offset=args["offset"],
            process=args["process"],
            state=InstanceState(args["state"]) if args["state"] else None,
            sort=args["sort"],
        )
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
    return _detail(instance_id)


@bp.post("/<uuid:instance_id>/cancel")
@bp.arguments(CancelSchema)
@bp.response(200, CaseSchema)
def cancel_case(body: dict[str, Any], instance_id: UUID) -> Any:
    """Cancel a running case with a reason (its starter or an admin); the reason is in history."""
    return _hold(cases.cancel_case, body, instance_id, "cases.reason")


@bp.post("/<uuid:instance_id>/suspend")
@bp.arguments(CancelSchema)
@bp.response(200, CaseSchema)
def suspend_case(body: dict[str, Any], instance_id: UUID) -> Any:
    """Put a running case on hold with a reason (a process owner or an admin): its timers wait
    and its tasks cannot be completed until it is resumed."""
    return _hold(cases.suspend_case, body, instance_id, "cases.suspend_reason")


@bp.post("/<uuid:instance_id>/resume")
@bp.arguments(CancelSchema)
@bp.response(200, CaseSchema)
def resume_case(body: dict[str, Any], instance_id: UUID) -> Any:
    """Resume a suspended case with a reason; timers that fell due meanwhile fire."""
    return _hold(cases.resume_case, body, instance_id, "cases.resume_reason")


def _hold(use_case: Any, body: dict[str, Any], instance_id: UUID, blank: str) -> Any:
    """Run a life-cycle use case with the body's reason (`blank`: the message for none)."""
    user = current_user()
    reason = body["reason"].strip()
    if not reason:
        raise FormInvalid({"reason": [catalogue.text(request_locale(), blank)]})
    use_case(services().new_uow(), instance_id, reason, actor=user, now=services().now())
    return _after(instance_id)


def _after(instance_id: UUID) -> Any:
    """Return the case as the actor sees it now; a process owner who takes no part in it (they
    act on its life cycle without reading it) gets its id and state only."""
    try:
        return _detail(instance_id)
    except NotFound:
        return cases.case_state(services().new_uow(read_only=True), instance_id)


def _detail(instance_id: UUID) -> Any:
    return cases.case_detail(
        services().new_uow(read_only=True),
        instance_id,
        current_user(),
        now=services().now(),
        locale=request_locale(),
    )
