"""Sign-in, the caller, users and health."""

from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy import text

from api.auth import current_user, issue_token, require_roles
from api.blueprint import Blueprint
from api.schemas import (
    ActiveSchema,
    HealthSchema,
    LoginSchema,
    PreferencesSchema,
    TokenSchema,
    UserSchema,
)
from api.wiring import services
from engine.services import access, organisation
from engine.services.audit import chain as audit
from engine.services.errors import Unauthenticated

bp = Blueprint("core", __name__, url_prefix="/api/v1", description="Sign-in, users, health")


@bp.post("/auth/token")
@bp.arguments(LoginSchema)
@bp.response(200, TokenSchema)
def token(body: dict[str, str]) -> dict[str, Any]:
    """Exchange username and password for a bearer token."""
    try:
        user = organisation.authenticate(
            services().new_uow,
            body["username"],
            body["password"],
            now=services().now(),
            max_delay_seconds=services().settings.login_delay_max_seconds,
            client=request.remote_addr or "",
        )
    except Unauthenticated:
        audit.log_login_failure(
            services().new_uow(),
            body["username"],
            services().now(),
            channel="api",
            address=request.remote_addr,
        )
        raise
    return {
        "access_token": issue_token(user),
        "token_type": "Bearer",
        "expires_in": services().settings.token_ttl_seconds,
    }


@bp.get("/me")
@bp.response(200, UserSchema)
def me() -> Any:
    """Return the signed-in user."""
    return current_user()


@bp.patch("/me")
@bp.arguments(PreferencesSchema)
@bp.response(200, UserSchema)
def update_me(body: dict[str, Any]) -> Any:
    """Change your own mail language and whether reminder mails (due, overdue) reach you."""
    user = current_user()
    return organisation.update_preferences(
        services().new_uow(), user.username, **body, now=services().now()
    )


@bp.get("/users")
@bp.response(200, UserSchema(many=True))
def users() -> Any:
    """List users with roles, municipality, unit and leader (admin)."""
    require_roles(*access.ADMINISTRATION)
    return organisation.list_users(services().new_uow())


@bp.put("/users/<string:username>/active")
@bp.arguments(ActiveSchema)
@bp.response(200, UserSchema)
def set_active(body: dict[str, bool], username: str) -> Any:
    """Deactivate or reactivate a user (admin; logged). A deactivated user's sessions and
    tokens stop working at once."""
    user = require_roles("admin")
    return organisation.set_active(
        services().new_uow(), username[:80], body["is_active"], actor=user, now=services().now()
    )


@bp.get("/health")
@bp.response(200, HealthSchema)
def health() -> dict[str, str]:
    """Tell whether the service and its database answer."""
    with services().new_uow() as uow:
        uow.session.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok", "version": "0.1.0"}
