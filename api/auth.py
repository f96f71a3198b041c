"""Who is calling: bearer tokens for the API, the session cookie for pages (with a CSRF header)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, request, session
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from api.wiring import services
from engine.services import access, sessions
from engine.services.errors import Forbidden, Unauthenticated
from engine.store.models import User

F = TypeVar("F", bound=Callable[..., Any])
CSRF_HEADER = "X-CSRF-Token"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="saksflyt-api-token")


def issue_token(user: User) -> str:
    """Return a signed bearer token for the user, bound to their current password."""
    return _serializer().dumps({"u": user.username, "c": _credential(user)})


def _credential(user: User) -> str:
    """A short fingerprint of the password hash: a new password voids the tokens issued before."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def _user_from_token(token: str) -> User:
    settings = services().settings
    try:
        payload = _serializer().loads(token, max_age=settings.token_ttl_seconds)
    except SignatureExpired as error:
        raise Unauthenticated("the token has expired; sign in again") from error
    except BadSignature as error:
        raise Unauthenticated("the token is not valid") from error
    user = _load_user(str(payload.get("u")))
    if payload.get("c") != _credential(user):
        raise Unauthenticated("the token was issued before a password change; sign in again")
    return user


def _load_user(username: str) -> User:
    with services().new_uow(read_only=True) as uow:
        user = uow.users.find(username)
    if user is None or not user.is_active:
        raise Unauthenticated("the user no longer exists")
    return user


def sign_in_session(user: User) -> str:
    """Start a browser session for the user (kept on the server); return its CSRF token."""
    session.clear()
    session["username"] = user.username
    session["sid"] = sessions.open_session(
        services().new_uow(), user.username, now=datetime.now(UTC)
    )
    session["csrf"] = secrets.token_urlsafe(24)
    return str(session["csrf"])


def sign_out_session() -> None:
    """End this browser's session on the server and forget it in the cookie."""
    secret = session.get("sid")
    if isinstance(secret, str):
        sessions.end_session(services().new_uow(), secret)
    session.clear()


def _session_user() -> User:
    """Return the user of this browser's live session (wall-clock lifetimes, not the engine's)."""
    settings = services().settings
    secret = session.get("sid")
    user = None
    if isinstance(secret, str):
        user = sessions.session_user(
            services().new_uow,
            secret,
            now=datetime.now(UTC),
            idle=timedelta(seconds=settings.session_idle_seconds),
            longest=timedelta(seconds=settings.session_max_seconds),
        )
    if user is None or user.username != session.get("username"):
        raise Unauthenticated("the session has ended; sign in again")
    return user


def current_user() -> User:
    """Return the authenticated user of this request, or raise Unauthenticated."""
    if "user" in g:
        return cast(User, g.user)
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = _user_from_token(header[7:].strip())
    elif "username" in session:
        if request.method not in ("GET", "HEAD", "OPTIONS") and (
            request.headers.get(CSRF_HEADER) != session.get("csrf")
        ):
            raise Forbidden("missing or wrong CSRF token")
        user = _session_user()
    else:
        raise Unauthenticated("sign in first (Authorization: Bearer <token>)")
    g.user = user
    return user


def require_roles(*roles: str) -> User:
    """Return the current user if they hold one of `roles` (or admin), else raise Forbidden."""
    user = current_user()
    if access.holds(user, roles):
        return user
    raise Forbidden(f"this needs one of the roles: {', '.join(roles)}")


def login_required(view: F) -> F:
    """Authenticate before the view runs."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current_user()
        return view(*args, **kwargs)

    return cast(F, wrapper)
