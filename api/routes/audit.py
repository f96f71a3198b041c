"""Auditors: search, timelines, replay, exports, chain verification, anchors, retention.

Auditors read everything (or one municipality's instances, by their user's `audit` entry)
and change nothing: every write to /api/v1 refuses a caller whose only role is auditor, and
every read an auditor makes is itself logged in the system stream. An instance outside an
auditor's municipality answers 404; personal data is masked unless the auditor may see it.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from flask import Response, g, request

from api.audit_schemas import (
    AnchorSchema,
    AnonymiseSchema,
    AuditExportArgs,
    AuditPageSchema,
    AuditSearchArgs,
    InstanceExportArgs,
    ReplayStateSchema,
    TimelineSchema,
    VerifyArgs,
    VerifySchema,
)
from api.auth import current_user, require_roles
from api.blueprint import Blueprint
from api.language import request_locale
from api.wiring import services
from engine.services import access, instance_views
from engine.services.audit import access as audit_access
from engine.services.audit import chain as audit
from engine.services.audit import pdf as audit_pdf
from engine.services.audit import replay, retention
from engine.services.audit import views as audit_views
from engine.services.audit.access import AuditAccess
from engine.services.errors import Forbidden, Unauthenticated
from engine.store.errors import NotFound
from engine.store.models import User

bp = Blueprint("audit", __name__, url_prefix="/api/v1", description="Auditing and replay")

READS = frozenset({"GET", "HEAD", "OPTIONS"})
EXPORT_LIMIT = 10_000


@bp.before_app_request
def auditors_change_nothing() -> None:
    """Refuse every write to the API from a caller who is only an auditor."""
    if request.method in READS or not request.path.startswith("/api/v1/"):
        return
    if request.path == "/api/v1/auth/token":
        return
    try:
        user = current_user()
    except (Unauthenticated, Forbidden):
        return  # the view itself answers 401/403
    if access.is_read_only(user.roles):
        raise Forbidden("auditors can read everything but change nothing")


@bp.after_app_request
def log_auditor_reads(response: Response) -> Response:
    """Record every API read an auditor makes (path, query, status) in the system stream."""
    user = g.get("user")
    if user is None or "auditor" not in user.roles or request.method not in ("GET", "HEAD"):
        return response
    if request.path.startswith("/api/v1/"):
        query = {k: v if len(v) > 1 else v[0] for k, v in request.args.to_dict(False).items()}
        audit.log_query(
            services().new_uow(),
            user.username,
            services().now(),
            request.path,
            {"args": query, "status": response.status_code},
        )
    return response


@bp.get("/audit/verify")
@bp.arguments(VerifyArgs, location="query")
@bp.response(200, VerifySchema)
def verify(args: dict[str, Any]) -> Any:
    """Verify every hash chain and anchor (or one instance's); report the first broken links."""
    rights = _access(require_roles(*access.AUDIT_READERS))
    instance_id = args.get("instance_id")
    if instance_id is not None:
        with services().new_uow() as uow:
            uow.instances.get(instance_id)
        audit_access.ensure_in_scope(services().new_uow(), rights, instance_id)
    report = audit.verify(services().new_uow(), instance_id).to_dict()
    return audit_access.scope_report(services().new_uow(), report, rights)


@bp.get("/audit/instances")
@bp.arguments(AuditSearchArgs, location="query")
@bp.response(200, AuditPageSchema)
def search(args: dict[str, Any]) -> Any:
    """Search instances by process, version, business key, municipality, person, dates, state."""
    rights = _access(require_roles(*access.AUDIT_READERS))
    limit, offset = args.pop("limit"), args.pop("offset")
    where = audit_views.instance_filter(args, rights)
    return audit_views.search(services().new_uow(), where, limit=limit, offset=offset)


@bp.get("/audit/export")
@bp.arguments(AuditExportArgs, location="query")
def export_search(args: dict[str, Any]) -> Response:
    """Download the instances a search finds, with each chain's check, as CSV or JSON."""
    rights = _access(require_roles(*access.AUDIT_READERS))
    fmt = args.pop("format")
    args.pop("limit"), args.pop("offset")
    where = audit_views.instance_filter(args, rights)
    if fmt == "csv":
        body = audit_views.search_csv(services().new_uow(), where, limit=EXPORT_LIMIT)
        return _download(body, "text/csv; charset=utf-8", "instances.csv")
    page = audit_views.search(services().new_uow(), where, limit=EXPORT_LIMIT, offset=0)
    return _download(_json(page), "application/json", "instances.json")


@bp.get("/audit/instances/<uuid:instance_id>")
@bp.response(200, TimelineSchema)
def timeline(instance_id: UUID) -> Any:
    """Return an instance with every event, element names filled in, and its chain check."""
    rights = _access(require_roles(*access.AUDIT_READERS))
    audit_access.ensure_in_scope(services().new_uow(), rights, instance_id)
    return audit_views.timeline(services().new_uow(), instance_id, rights)


@bp.get("/audit/instances/<uuid:instance_id>/export")
@bp.arguments(InstanceExportArgs, location="query")
def export_instance(args: dict[str, Any], instance_id: UUID) -> Response:
    """Download one instance's record (events, deltas, verification) as JSON, CSV or PDF."""
    user = require_roles(*access.AUDIT_READERS)
    rights = _access(user)
    wiring, fmt = services(), args["format"]
    audit_access.ensure_in_scope(wiring.new_uow(), rights, instance_id)
    name = f"instance-{instance_id}.{fmt}"
    by, now = user.username, wiring.now()
    if fmt == "csv":
        body = audit_views.export_csv(wiring.new_uow(), instance_id, by=by, now=now, access=rights)
        return _download(body, "text/csv; charset=utf-8", name)
    if fmt == "pdf":
        pdf = audit_pdf.export_pdf(
            wiring.new_uow(), instance_id, by=by, now=now, access=rights, language=request_locale()
        )
        return _download(pdf, "application/pdf", name)
    record = audit_views.export_json(wiring.new_uow(), instance_id, by=by, now=now, access=rights)
    return _download(_json(record), "application/json", name)


@bp.get("/process-instances/<uuid:instance_id>/history/<int:seq>/state")
@bp.response(200, ReplayStateSchema)
def state_at(instance_id: UUID, seq: int) -> Any:
    """Rebuild the instance as it was right after event `seq` by replaying its history."""
    user = current_user()
    with services().new_uow() as uow:
        instance = uow.instances.get(instance_id)
        view = access.ensure_case_view(
            uow, instance, user, open_fields=services().settings.audit_open_fields
        )
    if seq > instance.history_seq:
        raise NotFound("history event", f"{instance_id} #{seq}")
    state = replay.state_at(services().new_uow(), instance_id, seq)
    return instance_views.readable_state(services().new_uow(read_only=True), state, view, user)


@bp.get("/audit/anchors")
@bp.response(200, AnchorSchema(many=True))
def anchors() -> Any:
    """List the anchors: each seals every stream's head, chained to the one before."""
    require_roles(*access.AUDIT_READERS)
    with services().new_uow() as uow:
        return uow.audit.anchors()


@bp.post("/audit/anchors")
@bp.response(201, AnchorSchema)
def anchor() -> Any:
    """Seal every stream's head now (the scheduler does this daily) (admin)."""
    require_roles(*access.ADMINISTRATION)
    return audit.anchor(services().new_uow(), services().now())


@bp.post("/audit/instances/<uuid:instance_id>/anonymise")
@bp.arguments(AnonymiseSchema)
@bp.response(200, TimelineSchema)
def anonymise(body: dict[str, Any], instance_id: UUID) -> Any:
    """Remove an ended instance's personal data; the chain still verifies (admin)."""
    user = require_roles(*access.ADMINISTRATION)
    retention.anonymise(
        services().new_uow(),
        instance_id,
        actor=user.username,
        now=services().now(),
        reason=body["reason"],
    )
    return audit_views.timeline(services().new_uow(), instance_id)


def _access(user: User) -> AuditAccess:
    return audit_access.access_of(user, services().settings.audit_open_fields)


def _download(body: str | bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype.split(";")[0])
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)
