"""Browser sessions kept on the server: signing in opens one, signing out ends it.

The cookie holds only a random secret; the `user_session` row holds its hash, when it began
and when it was last used. A session ends after `idle` seconds without a request or `longest`
seconds after signing in (SAKSFLYT_SESSION_IDLE_SECONDS, SAKSFLYT_SESSION_MAX_SECONDS), and at
once when the user signs out, is deactivated or gets a new password (`Users.end_sessions`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from engine.store.models import User, UserSession
from engine.store.uow import UnitOfWork

# `last_seen_at` is written at most this often per session: not a write per request.
TOUCH_EVERY = timedelta(seconds=60)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def open_session(uow: UnitOfWork, username: str, *, now: datetime) -> str:
    """Start a session for the user; return the secret the cookie carries."""
    secret = secrets.token_urlsafe(32)
    with uow:
        uow.users.add(
            UserSession(id=_hash(secret), username=username, created_at=now, last_seen_at=now)
        )
        uow.commit()
    return secret


def session_user(
    new_uow: Callable[..., UnitOfWork],
    secret: str,
    *,
    now: datetime,
    idle: timedelta,
    longest: timedelta,
) -> User | None:
    """Return the active user of a live session, or None (unknown, ended, idle or too old)."""
    key = _hash(secret)
    with new_uow(read_only=True) as uow:
        row = uow.users.session_row(key)
        user = uow.users.find(row.username) if row is not None else None
    if row is None or user is None or not user.is_active:
        return None
    if now - row.last_seen_at > idle or now - row.created_at > longest:
        end_session(new_uow(), secret)
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        with new_uow() as uow:
            found = uow.users.session_row(key)
            if found is not None:
                found.last_seen_at = now
                uow.commit()
    return user


def end_session(uow: UnitOfWork, secret: str) -> None:
    """End one session (signing out)."""
    with uow:
        row = uow.users.session_row(_hash(secret))
        if row is not None:
            uow.session.delete(row)
            uow.commit()
