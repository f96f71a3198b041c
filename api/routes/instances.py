"""Process instances, their history, and messages."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from api.auth import current_user
from api.blueprint import Blueprint
from api.schemas import (
    HistorySchema,
    InstanceListArgs,
    InstancePageSchema,
    InstanceSchema,
    MessageResultSchema,
    MessageSchema,
)
from api.wiring import services
from engine.services import instance_views, messages

bp = Blueprint("instances", __name__, url_prefix="/api/v1", description="Instances and messages")


@bp.get("/process-instances")
@bp.arguments(InstanceListArgs, location="query")
@bp.response(200, InstancePageSchema)
def list_instances(args: dict[str, Any]) -> Any:
    """List instances (filters key, state, business_key, started_by; paging)."""
    return instance_views.list_instances(
        services().new_uow(read_only=True),
        current_user(),
        now=services().now(),
        open_fields=services().settings.audit_open_fields,
        **args,
    )


@bp.get("/process-instances/<uuid:instance_id>")
@bp.response(200, InstanceSchema)
def get_instance(instance_id: UUID) -> Any:
    """Return one instance with its data and open tasks."""
    return instance_views.read_instance(
        services().new_uow(read_only=True),
        instance_id,
        current_user(),
        now=services().now(),
        open_fields=services().settings.audit_open_fields,
    )


@bp.get("/process-instances/<uuid:instance_id>/history")
@bp.response(200, HistorySchema)
def instance_history(instance_id: UUID) -> Any:
    """Return the instance's history events, in order, with the chain check."""
    return instance_views.instance_history(
        services().new_uow(read_only=True),
        instance_id,
        current_user(),
        open_fields=services().settings.audit_open_fields,
    )


@bp.post("/messages")
@bp.arguments(MessageSchema)
@bp.response(200, MessageResultSchema)
def message(body: dict[str, Any]) -> Any:
    """Deliver a message to the instance that waits for it with that correlation; only where
    the process lets you send it (`messageSenderRoles`), naming only instances you may read."""
    user = current_user()
    reached = messages.deliver_message(
        services().new_uow(),
        body["name"],
        body["correlation"],
        body["data"],
        actor=user,
        now=services().now(),
    )
    return {"delivered_to": [i.id for i in reached]}
